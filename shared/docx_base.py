"""A Word document to fill, from a base prepared once per process (python-docx, pure Python).

python-docx's default template carries 164 styles (with Word 2010's stylesWithEffects copy of them) and
a thumbnail: every ``Document()`` parsed, every style lookup searched and every save compressed some
800 KB of XML — most of a contract's render time in the lifecycle benchmark's profile
(docs/PERFORMANCE.md).  ``new_document(key, setup, used)`` builds the base once for ``key``: the default
template, ``setup(doc)`` (page, fonts, styles), then only the ``used`` styles kept, with the defaults and
every style they are based on, linked to or followed by; each call opens a copy of those bytes.
"""
from __future__ import annotations

import io
import threading
from typing import Callable, Hashable, Iterable

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
