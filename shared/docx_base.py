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
import threading
import zipfile
from collections import OrderedDict
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
    return (isinstance(value, str) and value != "" and value.strip() == value
            and _NOT_PLAIN.search(value) is None)


def escape_text(value: str) -> str:
    """Text content as lxml serialises it (quotes are left as they are)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Skeleton:
    """A .docx rendered with tokens for its texts; ``fill`` gives the package with values in their place.

    ``docx``: the rendering's bytes.  ``literals``: exact text of a part to turn into a token as well
    (``{"<cp:revision>99</cp:revision>": "<cp:revision>" + token("revision") + "</cp:revision>"}``), for a
    value python-docx only takes typed (a number, a time).  Members are written in the rendering's order,
    as python-docx writes them (deflated, dated now)."""

    def __init__(self, docx: bytes, literals: Mapping[str, str] | None = None):
        self.members: list[tuple[str, list[str] | bytes]] = []
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
                self.members.append((info.filename, data))

    def fill(self, values: Mapping[str, str]) -> bytes:
        """The package with every token replaced by its value (each must be ``fillable``: the caller checks)."""
        missing = self.names.difference(values)
        if missing:
            raise KeyError(f"no value for {sorted(missing)}")
        escaped = {name: escape_text(values[name]) for name in self.names}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
            for name, content in self.members:
                if not isinstance(content, bytes):
                    content = "".join(piece if i % 2 == 0 else escaped[piece]
                                      for i, piece in enumerate(content)).encode("utf-8")
                package.writestr(name, content)
        return out.getvalue()


class Skeletons:
    """Skeletons by shape, built on first use; the least recently used goes beyond ``size``."""

    def __init__(self, size: int = 64):
        self.size = size
        self._cache: OrderedDict[Hashable, Skeleton] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Skeleton]) -> Skeleton:
        with self._lock:
            skeleton = self._cache.get(key)
            if skeleton is not None:
                self._cache.move_to_end(key)
                return skeleton
        skeleton = build()
        with self._lock:
            self._cache[key] = skeleton
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return skeleton
