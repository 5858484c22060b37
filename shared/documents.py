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
from typing import Iterable, Mapping

import filetype

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


def sniff(data: bytes) -> str | None:
    """The file type of ``data`` by its content (``filetype``'s magic bytes; Word and Excel by their parts):
    an extension such as ``pdf``, ``docx``, ``jpg``, or None when it is none that ``filetype`` knows."""
    kind = filetype.guess(data) if data else None
    return None if kind is None else kind.extension


def content_type_of(data: bytes, types: Iterable[str], max_size: int, field: str = "document") -> str:
    """The content type of an upload of one of ``types`` (by content), or ``InvalidInput`` naming the rule."""
    if not data:
        raise InvalidInput.for_field(f"{field}.content", _("is empty"))
    if len(data) > max_size:
        raise InvalidInput.for_field(
            f"{field}.content",
            _("is {size:count} bytes; the limit is {limit:count} bytes", size=len(data), limit=max_size),
        )
    found = sniff(data)
    accepted = sorted(t.lower() for t in types)
    if found not in accepted:
        raise InvalidInput.for_field(
            f"{field}.content",
            _("is a {found} file by its content; accepted: {accepted:list}", found=found, accepted=accepted)
            if found
            else _("is of a type not known by its content; accepted: {accepted:list}", accepted=accepted),
        )
    return CONTENT_TYPES[found]


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}


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
            raise InvalidInput.for_field(
                f"{field}.filename",
                _(
                    "a file of type .{ext} is not accepted; accepted: {types}",
                    ext=ext or "?",
                    types=", ".join(sorted(self.allowed)),
                ),
            )
        if size == 0:
            raise InvalidInput.for_field(f"{field}.content", _("is empty"))
        if size > self.max_size:
            raise InvalidInput.for_field(
                f"{field}.content",
                _("is {size:count} bytes; the limit is {limit:count} bytes", size=size, limit=self.max_size),
            )
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

    def save_by_content(
        self, filename: str, data: bytes, types: Iterable[str], max_size: int, field: str = "document"
    ) -> DocumentRef:
        """Store ``data`` if its content is one of ``types`` (read from its magic bytes, not from ``filename``),
        it is not empty and at most ``max_size`` bytes; otherwise refuse naming the field and store nothing."""
        content_type = content_type_of(data, types, max_size, field)
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            _write_durably(path, data)
        return DocumentRef(digest, os.path.basename(filename), content_type, len(data))

    def load(self, document_id: str) -> bytes:
        path = self._path(document_id)
        if len(document_id) != 64 or not path.is_file():
            raise NotFound(
                _("there is no document {document_id}", document_id=document_id), {"document_id": document_id}
            )
        return path.read_bytes()
