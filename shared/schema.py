"""Marshmallow helpers: schema errors become ``InvalidInput`` with dotted field names and messages of the
catalogue (marshmallow's own English texts are turned into the catalogue's, so they are read in Chinese)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields

from shared.errors import InvalidInput, NotFound, problems_of  # noqa: F401 (problems_of re-exported)
from shared.i18n import N_, Message, _

MARSHMALLOW_TEXTS: Mapping[str, str] = {
    "Missing data for required field.": N_("required"),
    "Field may not be null.": N_("may not be empty"),
    "Not a valid string.": N_("must be text"),
    "Not a valid utf-8 string.": N_("must be text"),
    "Not a valid integer.": N_("must be a whole number"),
    "Not a valid number.": N_("must be a number"),
    "Number too large.": N_("is too large"),
    "Special numeric values (nan or infinity) are not permitted.": N_("must be a finite number"),
    "Not a valid boolean.": N_("must be true or false"),
    "Not a valid date.": N_("must be a date (YYYY-MM-DD)"),
    "Not a valid datetime.": N_("must be a date and time"),
    "Not a valid list.": N_("must be a list"),
    "Not a valid tuple.": N_("must be a list"),
    "Not a valid mapping type.": N_("must be an object"),
    "Invalid input type.": N_("must be a JSON object"),
    "Invalid type.": N_("is of the wrong type"),
    "Unknown field.": N_("is not a field of this form"),
    "Not a valid email address.": N_("must be an e-mail address"),
    "Not a valid URL.": N_("must be a web address (URL)"),
    "Not a valid UUID.": N_("must be an identifier (UUID)"),
    "String does not match expected pattern.": N_("is not in the expected form"),
    "Invalid value.": N_("is not valid"),
    "Invalid input.": N_("is not valid"),
}
"""marshmallow's fixed texts -> the catalogue's source text."""

MARSHMALLOW_PATTERNS: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(p), m)
    for p, m in (
        (r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$", N_("length must be from {min} to {max}")),
        (r"^Shorter than minimum length (?P<min>\d+)\.$", N_("length must be at least {min}")),
        (r"^Longer than maximum length (?P<max>\d+)\.$", N_("length must be at most {max}")),
        (r"^Length must be (?P<equal>\d+)\.$", N_("length must be exactly {equal}")),
        (
            r"^Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.$",
            N_("must be from {min} to {max}"),
        ),
        (r"^Must be greater than or equal to (?P<min>\S+)\.$", N_("must be {min} or more")),
        (r"^Must be greater than (?P<min>\S+)\.$", N_("must be more than {min}")),
        (r"^Must be less than or equal to (?P<max>\S+)\.$", N_("must be {max} or less")),
        (r"^Must be less than (?P<max>\S+)\.$", N_("must be less than {max}")),
        (r"^Must be one of: (?P<choices>.*)\.$", N_("must be one of: {choices}")),
    )
)
"""marshmallow's texts with values in them -> the catalogue's source text and its parameters."""


def rule_message(text: Any) -> Any:
    """A rule a schema broke, as a Message of the catalogue (a Message stays as it is)."""
    if not isinstance(text, str):
        return text
    if text in MARSHMALLOW_TEXTS:
        return Message(MARSHMALLOW_TEXTS[text])
    for pattern, msgid in MARSHMALLOW_PATTERNS:
        match = pattern.match(text)
        if match:
            return Message(msgid, match.groupdict())
    return Message(text)  # a schema's own text: translated when the catalogue has it


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list]:
    out: dict[str, list] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            for k, v in flatten_messages(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, list) and all(isinstance(m, (str, Message)) for m in messages):
        out[prefix or "body"] = [rule_message(m) for m in messages]
    elif isinstance(messages, list):
        for i, m in enumerate(messages):
            for k, v in flatten_messages(m, f"{prefix}[{i}]").items():
                out.setdefault(k, []).extend(v)
    else:
        out[prefix or "body"] = [rule_message(messages if isinstance(messages, Message) else str(messages))]
    return out


@cache
def schema(cls: type[Schema], many: bool = False) -> Schema:
    """One instance of ``cls`` per process, reused by every call.

    Building a schema deep-copies its declared fields (and a nested schema's, again, on first use): 5–7 % of
    each service's CPU in the lifecycle benchmark went to ``Schema.__init__`` when every call built its own.
    A marshmallow schema keeps no state between ``load``/``dump`` calls (none of ours uses ``context``)."""
    return cls(many=many)


def load_or_invalid(schema: Schema, data: Any) -> dict:
    """``schema.load(data)`` or ``InvalidInput`` naming every field and rule."""
    if not isinstance(data, Mapping):
        raise InvalidInput.for_field("body", _("must be a JSON object"))
    try:
        return schema.load(dict(data))
    except ValidationError as exc:
        fields = flatten_messages(exc.messages)
        raise InvalidInput(_("invalid input — {problems:clauses}", problems=problems_of(fields)), fields) from None


ROW_ID_MAX = 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT


def row_id(value, field: str) -> int:
    """A row id from a caller: a whole number a database can hold, else there is no such row (404, not a crash:
    ``POST /api/inbox/6754957674901253652480/read`` overflowed SQLite's INTEGER, found by the API property tests)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= ROW_ID_MAX:
        raise NotFound(_("no {field:field} {value}", field=field, value=str(value)), {field: [str(value)]})
    return number


class Text(fields.String):
    """A text a person reads: a Message (or its wire form) goes out as it is — rendered in the reader's language
    where it is read (the gateway) —, any other value as a string."""

    def _serialize(self, value, attr, obj, **kwargs):
        from shared.i18n import is_wire_message

        if isinstance(value, Message) or is_wire_message(value):
            return value
        return super()._serialize(value, attr, obj, **kwargs)
