"""What a request brings, checked before any service sees it: every bad request is a 4xx naming the problem.

* the URL (path and query) is valid UTF-8 without control characters — checked for every request by
  ``refuse_malformed_urls``, a WSGI middleware (werkzeug would decode invalid UTF-8 into U+FFFD and pass it on);
* a whole number in the path is one a database column holds (``check_path_values``: a contract version of
  2**80 overflowed SQLite's integer and answered 502);
* a body is valid UTF-8 (never stored with U+FFFD in place of what the client sent), JSON, an object, nested
  at most ``MAX_JSON_DEPTH`` levels (10,000 levels raised RecursionError: 500) and at most ``MAX_BODY_BYTES``.

Text fields inside a body are the services' own schemas' to check (``shared/wire/base.py``: control
characters refused, naming the field).
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from werkzeug.wrappers import Response

from shared import i18n
from shared.errors import InvalidInput, ZhaoshangError
from shared.i18n import _

MAX_JSON_DEPTH = 32
"""Levels of nesting a body may have; the deepest body the API takes (a ledger import's rows) has 4."""
MAX_BODY_BYTES = 32 * 1024 * 1024
"""A request body's size: the largest upload (policy documents.max_size_bytes, 20 MiB) in base64 fits."""
LARGEST_WHOLE_NUMBER = 2**31 - 1
"""A whole number in a path (a version, an id, a year) fits a database's 32-bit integer."""
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
JSON = "application/json; charset=utf-8"


class PayloadTooLarge(ZhaoshangError):
    code = "payload_too_large"


def _utf8(raw: bytes, field: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput.for_field(
            field,
            _(
                "is not valid UTF-8 (byte 0x{byte} at position {position})",
                byte=f"{raw[exc.start]:02x}",
                position=exc.start,
            ),
        ) from None


def _depth(value) -> int:
    """How deeply ``value`` nests (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            level += 1
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                break
            stack.extend((child, level) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_json(raw: bytes):
    """The JSON value of a body: ``InvalidInput`` on ``body`` for invalid UTF-8, invalid JSON or too deep."""
    text = _utf8(raw, "body")
    too_deep = InvalidInput.for_field("body", _("is nested more than {levels} levels deep", levels=MAX_JSON_DEPTH))
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise InvalidInput.for_field(
            "body", _("is not valid JSON (line {line}, column {column})", line=exc.lineno, column=exc.colno)
        ) from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise too_deep
    return value


def body_of(request) -> dict:
    """The request's JSON object ({} for an empty body)."""
    too_large = PayloadTooLarge(
        _("the body is larger than {size} bytes", size=MAX_BODY_BYTES), {"body": [_("is too large")]}
    )
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise too_large
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise too_large
    if not raw.strip():
        return {}
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise InvalidInput.for_field("body", _("must be a JSON object"))
    return body


def check_path_values(values: dict) -> None:
    """A whole number in the path beyond what a column holds is refused, naming its part of the path."""
    for name, value in values.items():
        if isinstance(value, int) and not 0 <= value <= LARGEST_WHOLE_NUMBER:
            raise InvalidInput.for_field(name, _("must be a whole number from 0 to {high}", high=LARGEST_WHOLE_NUMBER))


def url_problem(environ) -> InvalidInput | None:
    """Invalid UTF-8 or a control character in the path or the query string, or None."""
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace")  # WSGI: the raw bytes as latin-1
    query = unquote_to_bytes(environ.get("QUERY_STRING", "").replace("+", " "))
    for field, raw in (("path", path), ("query", query)):
        try:
            text = _utf8(raw, field)
        except InvalidInput as exc:
            return exc
        if (found := CONTROL.search(text)) is not None:
            return InvalidInput.for_field(
                field, _("contains the control character U+{code} (one line of text)", code=f"{ord(found.group()):04X}")
            )
    return None


def refuse_malformed_urls(app):
    """WSGI middleware: a URL that is not valid UTF-8 or holds control characters gets 400, before routing."""

    def middleware(environ, start_response):
        problem = url_problem(environ)
        if problem is None:
            return app(environ, start_response)
        locale = i18n.negotiate(environ.get("HTTP_ACCEPT_LANGUAGE"))
        return Response(json.dumps(problem.to_dict(locale), ensure_ascii=False), status=400, content_type=JSON)(
            environ, start_response
        )

    return middleware
