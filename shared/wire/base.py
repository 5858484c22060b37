"""The base of every wire schema: what a person types is text, without control characters.

Every schema of ``shared/wire`` derives from ``Schema`` here.  When a schema is built, each of its text fields
(``fields.String`` and its kinds, alone or inside a list) gets the ``PlainText`` validator: NUL and the other
control characters (C0, DEL, C1) are refused at load, naming the field — they made Word, Excel and PDF
generation fail downstream (a NUL in a report's opinion answered 502).  A field in ``MULTILINE`` (prose:
reasons, notes, opinions, matters agreed…) keeps its line breaks and tabs; every other field is one line.
"""

from __future__ import annotations

import re

import marshmallow
from marshmallow import ValidationError, fields, validate

from shared.i18n import _

MULTILINE = frozenset(
    {
        "agreed",
        "basis",
        "comments",
        "conditions",
        "contract_notes",
        "description",
        "dispute_resolution",
        "exceeding_terms",
        "negotiation_notes",
        "note",
        "notes",
        "open",
        "opinion",
        "other_terms",
        "reason",
        "reasons",
        "recommendation",
        "request",
        "resolution",
        "summary",
        "text",
    }
)
"""Fields of prose, by name wherever they appear: line breaks (LF, CR) and tabs are kept in them."""

_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class PlainText(validate.Validator):
    """Text without control characters; ``multiline`` keeps line breaks and tabs."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline
        self._pattern = _LINES if multiline else _ONE_LINE

    def __call__(self, value):
        if isinstance(value, str) and (found := self._pattern.search(value)) is not None:
            code = f"{ord(found.group()):04X}"
            raise ValidationError(
                [
                    _("contains the control character U+{code} (only line breaks and tabs are kept)", code=code)
                    if self.multiline
                    else _("contains the control character U+{code} (one line of text)", code=code)
                ]
            )
        return value

    def _repr_args(self) -> str:
        return f"multiline={self.multiline!r}"


class Schema(marshmallow.Schema):
    """A wire schema: its text fields refuse control characters (``PlainText``)."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        for field in (field_obj, getattr(field_obj, "inner", None)):
            if isinstance(field, fields.String) and not any(isinstance(v, PlainText) for v in field.validators):
                field.validators = [*field.validators, PlainText(field_name in MULTILINE)]


LARGEST_WHOLE_NUMBER = 2**31 - 1
"""A whole number on the wire fits a database's 32-bit integer (a version of 2**80 overflowed SQLite: 502)."""
WHOLE_NUMBER = validate.Range(min=1, max=LARGEST_WHOLE_NUMBER)
