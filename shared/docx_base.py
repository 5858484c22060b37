"""A Word document to fill, from a base prepared once per process (python-docx, pure Python).

python-docx's default template carries 164 styles (with Word 2010's stylesWithEffects copy of them) and
a thumbnail: every ``Document()`` parsed, every style lookup searched and every save compressed some
800 KB of XML — most of a contract's render time in the lifecycle benchmark's profile
(docs/PERFORMANCE.md).  ``new_document(key, setup, used)`` builds the base once for ``key``: the default
template, ``setup(doc)`` (page, fonts, styles), then only the ``used`` styles kept, with the defaults and
every style they are based on, linked to or followed by; each call opens a copy of those bytes.

Even from that base, python-docx's object model costs a document some milliseconds (its element classes,
xpath lookups, the package's parts parsed and written back): in the lifecycle benchmark the contracts and
the accounting report were the largest single part of the services' work (docs/PERFORMANCE.md).  A
``Skeleton`` is a document python-docx rendered once with *tokens* in place of its texts (``token(name)``);
``fill(values)`` writes the same package with each token replaced by its value, XML-escaped as lxml
escapes it.  The result is the document python-docx would have rendered with those values, part for part,
as long as every value is ``fillable``: python-docx writes a tab, a line break or a carriage return as an
element of its own, an empty text as no text at all, marks text with leading or trailing whitespace
``xml:space="preserve"`` and refuses characters XML cannot hold, so a value like that must be rendered by
python-docx itself (the callers fall back to it).  The shape of the document (how many paragraphs, rows,
…) is the skeleton's key: one skeleton per shape, built on first use.
"""

from __future__ import annotations

import io
import re
import struct
import threading
import time
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Mapping

from docx import Document
from docx.oxml.ns import qn

_STYLE_REFS = (qn("w:basedOn"), qn("w:next"), qn("w:link"))
_DROPPED_PARTS = ("/stylesWithEffects", "/metadata/thumbnail")
_BASES: dict[Hashable, bytes] = {}
_LOCK = threading.Lock()


def prune_styles(doc, used: Iterable[str]) -> None:
    """Keep the styles named in ``used`` (as in the XML, any case), the defaults and all they refer to."""
    used = {name.lower() for name in used}
    styles = doc.styles.element
    by_id = {style.styleId: style for style in styles.style_lst}
    wanted = [style.styleId for style in styles.style_lst if style.default or (style.name_val or "").lower() in used]
    kept: set[str] = set()
    while wanted:
        style_id = wanted.pop()
        if style_id in kept or style_id not in by_id:
            continue
        kept.add(style_id)
        wanted.extend(ref.get(qn("w:val")) for ref in by_id[style_id].iterchildren(*_STYLE_REFS))
    for style_id, style in by_id.items():
        if style_id not in kept:
            styles.remove(style)


def drop_unused_parts(doc) -> None:
    """Drop the template's stylesWithEffects part and thumbnail (nothing refers to them)."""
    for owner in (doc.part, doc.part.package):
        for r_id, rel in list(owner.rels.items()):
            if rel.reltype.endswith(_DROPPED_PARTS):
                del owner.rels[r_id]


def new_document(key: Hashable, setup: Callable, used: Iterable[str]):
    """A fresh document opened from the base for ``key`` (built on first use by ``setup`` and pruned)."""
    with _LOCK:
        base = _BASES.get(key)
        if base is None:
            doc = Document()
            setup(doc)
            prune_styles(doc, used)
            drop_unused_parts(doc)
            buffer = io.BytesIO()
            doc.save(buffer)
            base = _BASES[key] = buffer.getvalue()
    return Document(io.BytesIO(base))


# -- skeletons: python-docx's rendering with tokens, filled without its object model ------------------------------
_OPEN, _CLOSE = "\ue000", "\ue001"  # Unicode private-use characters: no text of the platform holds them
_TOKEN = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")
# what python-docx writes otherwise than as escaped text: tab, line break, carriage return (elements of their
# own), and what XML cannot hold (lxml refuses it)
_NOT_PLAIN = re.compile("[\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def token(name: str) -> str:
    """The placeholder of text ``name`` in a skeleton's rendering."""
    return f"{_OPEN}{name}{_CLOSE}"


def fillable(value: object) -> bool:
    """True if python-docx writes ``value`` as a run's text escaped, and nothing else (see the module)."""
    return isinstance(value, str) and value != "" and value.strip() == value and _NOT_PLAIN.search(value) is None


def escape_text(value: str) -> str:
    """Text content as lxml serialises it (quotes are left as they are)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the package: a zip whose constant members are deflated once ---------------------------------------------------
# zipfile deflates every member at every write: for a skeleton that was 0.9 of its 1.1 ms (the styles and the
# theme, the same bytes each time).  An ``Entry`` is a member deflated once; ``write_zip`` lays entries out
# as zipfile would (local headers with the sizes, the central directory, no data descriptors).
@dataclass(frozen=True)
class Entry:
    name: str
    method: int  # zipfile.ZIP_DEFLATED or zipfile.ZIP_STORED
    crc: int
    size: int
    data: bytes  # as stored in the package

    @classmethod
    def deflate(cls, name: str, content: bytes) -> "Entry":
        packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # raw deflate, as zipfile
        return cls(
            name, zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content), packer.compress(content) + packer.flush()
        )

    def content(self) -> bytes:
        """The member's bytes, inflated."""
        return zlib.decompress(self.data, -15) if self.method == zipfile.ZIP_DEFLATED else self.data


def entries_of(package: bytes) -> dict[str, Entry]:
    """A package's members as stored (deflated or stored), read without inflating them; {} if it is not a
    zip in the plain form (one disk, no encryption, no zip64): callers write such a package member by member."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return {}
    entries = {}
    for info in infos:
        start = info.header_offset
        head = package[start : start + 30]
        if (
            len(head) < 30
            or head[:4] != b"PK\x03\x04"
            or info.flag_bits & 0x1
            or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED)
            or max(info.file_size, info.compress_size, start) >= 0xFFFFFFFF
        ):
            return {}
        name_length, extra_length = struct.unpack("<HH", head[26:30])
        begin = start + 30 + name_length + extra_length
        entries[info.filename] = Entry(
            info.filename, info.compress_type, info.CRC, info.file_size, package[begin : begin + info.compress_size]
        )
    return entries


def write_zip(entries: Iterable[Entry]) -> bytes:
    """The zip of ``entries`` in order, dated now (local time, as zipfile dates a member)."""
    year, month, day, hour, minute, second = time.localtime()[:6]
    stamp = struct.pack("<HH", hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day)
    body, directory = [], []
    offset = 0
    for entry in entries:
        name = entry.name.encode("utf-8")
        flags = 0x800 if not entry.name.isascii() else 0  # a UTF-8 name says so
        sizes = struct.pack("<III", entry.crc, len(entry.data), entry.size)
        local = (
            b"PK\x03\x04"
            + struct.pack("<HHH", 20, flags, entry.method)
            + stamp
            + sizes
            + struct.pack("<HH", len(name), 0)
            + name
        )
        directory.append(
            b"PK\x01\x02"
            + struct.pack("<HHHH", 3 << 8 | 20, 20, flags, entry.method)
            + stamp
            + sizes
            + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0o600 << 16, offset)
            + name
        )
        body += (local, entry.data)
        offset += len(local) + len(entry.data)
    listing = b"".join(directory)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(directory), len(directory), len(listing), offset, 0)
    return b"".join(body) + listing + end


class Skeleton:
    """A .docx rendered with tokens for its texts; ``fill`` gives the package with values in their place.

    ``docx``: the rendering's bytes.  ``literals``: exact text of a part to turn into a token as well
    (``{"<cp:revision>99</cp:revision>": "<cp:revision>" + token("revision") + "</cp:revision>"}``), for a
    value python-docx only takes typed (a number, a time).  Members are written in the rendering's order,
    as python-docx writes them (deflated, dated now); those without a token are deflated once, here."""

    def __init__(self, docx: bytes, literals: Mapping[str, str] | None = None):
        self.members: list[tuple[str, list[str] | Entry]] = []
        self.names: set[str] = set()
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            for info in package.infolist():
                data = package.read(info)
                if info.filename.endswith((".xml", ".rels")):
                    text = data.decode("utf-8")
                    for literal, replacement in (literals or {}).items():
                        text = text.replace(literal, replacement)
                    pieces = _TOKEN.split(text)  # literal, name, literal, name, …, literal
                    if len(pieces) > 1:
                        self.members.append((info.filename, pieces))
                        self.names.update(pieces[1::2])
                        continue
                self.members.append((info.filename, Entry.deflate(info.filename, data)))

    def fill(self, values: Mapping[str, str]) -> bytes:
        """The package with every token replaced by its value (each must be ``fillable``: the caller checks)."""
        missing = self.names.difference(values)
        if missing:
            raise KeyError(f"no value for {sorted(missing)}")
        escaped = {name: escape_text(values[name]) for name in self.names}
        return write_zip(
            content
            if isinstance(content, Entry)
            else Entry.deflate(
                name,
                "".join(piece if i % 2 == 0 else escaped[piece] for i, piece in enumerate(content)).encode("utf-8"),
            )
            for name, content in self.members
        )


class Skeletons:
    """Skeletons by shape, built on first use; the least recently used goes beyond ``size``.  A build may
    give None (a shape that is always composed by python-docx): that answer is kept too."""

    def __init__(self, size: int = 64):
        self.size = size
        self._cache: OrderedDict[Hashable, Skeleton | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Skeleton | None]) -> Skeleton | None:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        skeleton = build()
        with self._lock:
            self._cache[key] = skeleton
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return skeleton
