"""Typed errors that cross RPC.

Every error class here is registered with nameko's deserialisation registry, so
a caller of an RPC catches ``NotFound`` / ``NotAllowed`` / ``InvalidInput`` /
``Conflict`` exactly as raised by the service that owns the record, never a bare
``RemoteError``.  The arguments travel as plain JSON (message, details).
"""
from __future__ import annotations

from nameko.exceptions import deserialize_to_instance


class ZhaoshangError(Exception):
    """Base of every domain error; ``code`` is stable and machine-readable."""

    code = "error"
    http_status = 400

    def __init__(self, message: str = "", details: dict | None = None):
        super().__init__(message, details or {})
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "details": self.details}


@deserialize_to_instance
class InvalidInput(ZhaoshangError):
    """Bad input. ``details`` maps each offending field to the rules it broke."""

    code = "invalid_input"
    http_status = 422

    @classmethod
    def for_field(cls, field: str, rule: str) -> "InvalidInput":
        return cls(f"{field}: {rule}", {field: [rule]})

    @property
    def fields(self) -> dict:
        return self.details


@deserialize_to_instance
class NotFound(ZhaoshangError):
    code = "not_found"
    http_status = 404


@deserialize_to_instance
class NotAllowed(ZhaoshangError):
    """The actor's position/unit may not do this (deny by default)."""

    code = "not_allowed"
    http_status = 403


@deserialize_to_instance
class Conflict(ZhaoshangError):
    """The request contradicts the current state (illegal transition, duplicate)."""

    code = "conflict"
    http_status = 409


@deserialize_to_instance
class Unauthenticated(ZhaoshangError):
    """No valid sign-in (missing, wrong or expired credentials)."""

    code = "unauthenticated"
    http_status = 401


EXPECTED = (InvalidInput, NotFound, NotAllowed, Conflict, Unauthenticated)
"""Errors an RPC entrypoint reports to its caller without logging a stack trace."""
