"""Stored documents: uploaded files kept under ``<ZS_DATA_DIR>/documents``, named by content.

A document is stored once per content (SHA-256), immutable; what a service keeps
in its database is the document's reference (id = sha256, filename, type,
size).  Accepted types and the size limit are policy data
(``policy/documents.yaml``); anything else is refused naming the field.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Mapping

from shared.errors import InvalidInput, NotFound
from shared.i18n import _


@dataclass(frozen=True)
class DocumentRef:
    id: str
    filename: str
    content_type: str
    size: int

    def dump(self) -> dict:
        return asdict(self)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all, and on disk before its reference goes into a database.

    The content goes to a temporary file of this writer's own (two processes storing the same content at
    once never write into one file), is fsynced, then renamed into place, and the directory is fsynced:
    a commit that names the document is durable (``shared.durability``), so the document must be too — after
    a power cut a renamed but unsynced file can come back empty.
    """
    directory = path.parent
    for made in (directory.parent, directory):  # the store's root, then the digest's own folder
        if not made.is_dir():
            made.mkdir(parents=True, exist_ok=True)
            _fsync_directory(made.parent)
    tmp = directory / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
    try:
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)  # atomic: a crash never leaves half a document under its name
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


class DocumentStore:
    def __init__(self, root: str | os.PathLike, rules: Mapping):
        self.root = Path(root)
        self.max_size = int(rules["max_size_bytes"])
        self.allowed = {ext.lower(): ctype for ext, ctype in rules["allowed"].items()}

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def check(self, filename: str, size: int, field: str = "document") -> str:
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if ext not in self.allowed:
            raise InvalidInput.for_field(f"{field}.filename", _("a file of type .{ext} is not accepted; accepted: {types}",
                                                                ext=ext or "?", types=", ".join(sorted(self.allowed))))
        if size == 0:
            raise InvalidInput.for_field(f"{field}.content", _("the file is empty"))
        if size > self.max_size:
            raise InvalidInput.for_field(f"{field}.content", _("is {size} bytes; the limit is {limit} bytes", size=size,
                                                               limit=self.max_size))
        return self.allowed[ext]

    def save(self, filename: str, data: bytes, field: str = "document") -> DocumentRef:
        content_type = self.check(filename, len(data), field)
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            _write_durably(path, data)
        return DocumentRef(digest, os.path.basename(filename), content_type, len(data))

    def save_base64(self, upload: Mapping, field: str = "document") -> DocumentRef:
        """``{"filename": ..., "content_base64": ...}`` as sent over JSON."""
        try:
            data = base64.b64decode(upload["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput.for_field(f"{field}.content_base64", _("is not valid base64")) from None
        return self.save(upload["filename"], data, field)

    def load(self, document_id: str) -> bytes:
        path = self._path(document_id)
        if len(document_id) != 64 or not path.is_file():
            raise NotFound(_("there is no document {document_id}", document_id=document_id), {"document_id": document_id})
        return path.read_bytes()
