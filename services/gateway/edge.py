"""The gateway's HTTP edge: what every handler, generated or hand-written, uses to read a request and answer it.

``WHO`` names who may call a route (its ``who`` in ``routes.py``) and the wrapper that holds the route to it:

* ``public``: no sign-in is asked and no actor is taken from the request;
* ``signed-in``: the request acts as the signed-in user (401 without one);
* ``admin``: the signed-in user must be an administrator (403 otherwise).

Every wrapper turns the services' typed errors into ``{error, message, details}`` with their HTTP status, and any
other ``RemoteError`` into 502.
"""
from __future__ import annotations

import base64
import functools
import json
from urllib.parse import quote

from nameko.exceptions import RemoteError
from werkzeug.wrappers import Response

from shared.errors import InvalidInput, Unauthenticated, ZhaoshangError

JSON = "application/json; charset=utf-8"
PUBLIC, SIGNED_IN, ADMIN = "public", "signed-in", "admin"
WHO = (PUBLIC, SIGNED_IN, ADMIN)


def respond(body, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype=None, content_type=JSON)


def download(document: dict) -> Response:
    """A document a service answered (``filename``, ``content_type``, ``content_base64``) as the file itself."""
    name = document["filename"]
    disposition = (f"attachment; filename={name}" if name.isascii() and quote(name) == name
                   else f"attachment; filename*=UTF-8''{quote(name)}")
    return Response(base64.b64decode(document["content_base64"]), status=200, content_type=document["content_type"],
                    headers={"Content-Disposition": disposition})


def _errors_as_json(answer):
    try:
        return answer()
    except ZhaoshangError as exc:
        return respond(exc.to_dict(), exc.http_status)
    except RemoteError as exc:
        return respond({"error": "service_error", "message": str(exc), "details": {}}, 502)


def guarded(handler, who: str):
    """``handler(self, request, **path)`` held to ``who`` may call it."""
    if who not in WHO:
        raise ValueError(f"who must be one of {WHO}, not {who!r}")

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        def answer():
            if who != PUBLIC:
                request.environ["zs.actor"] = self._authenticate(request)
                actor_of(request)
                if who == ADMIN:
                    self._admin(request)
            return handler(self, request, *args, **kwargs)

        return _errors_as_json(answer)

    return wrapper


def bearer_token(request) -> str | None:
    value = request.headers.get("Authorization", "")
    return value[7:].strip() or None if value.lower().startswith("bearer ") else None


def actor_of(request) -> dict:
    """The signed-in actor of the request (401 when there is none)."""
    actor = request.environ.get("zs.actor")
    if actor is None:
        raise Unauthenticated("sign in first (POST /api/sessions), then send Authorization: Bearer <token>",
                              {"Authorization": ["required"]})
    return actor


def body_of(request) -> dict:
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput.for_field("body", f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
    if not isinstance(body, dict):
        raise InvalidInput.for_field("body", "must be a JSON object")
    return body


def page_of(request) -> dict:
    out = {}
    for key, default, high in (("limit", 50, 500), ("offset", 0, None)):
        raw = request.args.get(key, default)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise InvalidInput.for_field(key, "must be a whole number") from None
        if value < 0 or (high is not None and value > high):
            raise InvalidInput.for_field(key, f"must be between 0 and {high}" if high else "must be 0 or more")
        out[key] = value
    return out


def flag_of(request, name: str) -> bool:
    """A query flag: true for ``1`` or ``true``."""
    return request.args.get(name) in ("1", "true")
