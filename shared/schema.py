"""Marshmallow helpers: schema errors become ``InvalidInput`` with dotted field names."""
from __future__ import annotations

from functools import cache
from typing import Any, Mapping

from marshmallow import Schema, ValidationError

from shared.errors import InvalidInput, NotFound


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            for k, v in flatten_messages(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "body"] = list(messages)
    elif isinstance(messages, list):
        for i, m in enumerate(messages):
            for k, v in flatten_messages(m, f"{prefix}[{i}]").items():
                out.setdefault(k, []).extend(v)
    else:
        out[prefix or "body"] = [str(messages)]
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
        raise InvalidInput.for_field("body", "must be a JSON object")
    try:
        return schema.load(dict(data))
    except ValidationError as exc:
        fields = flatten_messages(exc.messages)
        summary = "; ".join(f"{f}: {', '.join(r)}" for f, r in fields.items())
        raise InvalidInput(f"invalid input — {summary}", fields) from None


ROW_ID_MAX = 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT


def row_id(value, field: str) -> int:
    """A row id from a caller: a whole number a database can hold, else there is no such row (404, not a crash:
    ``POST /api/inbox/6754957674901253652480/read`` overflowed SQLite's INTEGER, found by the API property tests)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no {field.replace('_', ' ')} {value}", {field: [str(value)]}) from None
    if not 1 <= number <= ROW_ID_MAX:
        raise NotFound(f"no {field.replace('_', ' ')} {value}", {field: [str(value)]})
    return number
