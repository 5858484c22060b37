"""Typed domain errors: plain Python, importable without nameko.

Each error has a stable machine ``code`` (``invalid_input``, ``not_allowed``, ``conflict``, …), a message for
a person and ``details`` (for ``InvalidInput``: each offending field -> the rules it broke).  Messages are
``shared.i18n.Message`` objects (or plain strings), rendered in the reader's language by whoever shows them:
the gateway answers in the language of ``Accept-Language``.

``shared.rpc`` registers these classes with nameko, so a caller of an RPC catches ``NotFound`` /
``NotAllowed`` / ``InvalidInput`` / ``Conflict`` exactly as raised by the owning service (their arguments
travel as plain JSON: the message and the details, messages as ``{"msgid", "params"}``); the gateway maps
each code to its HTTP status.
"""

from __future__ import annotations

from typing import Any

from shared.i18n import Message, from_wire, localize, text, to_wire


class ZhaoshangError(Exception):
    """Base of every domain error; ``code`` is stable and machine-readable."""

    code = "error"

    def __init__(self, message: Any = "", details: dict | None = None):
        message = from_wire(message)
        details = from_wire(details or {})
        super().__init__(to_wire(message), to_wire(details))  # what crosses RPC: plain JSON
        self.msg: Message | str = message
        self.details = details

    @property
    def message(self) -> str:
        """The message as the English reader sees it (logs, the command line)."""
        return text(self.msg, "en")

    def __str__(self) -> str:
        return self.message

    def to_dict(self, locale: str | None = "en") -> dict:
        """The error as JSON for a reader of ``locale``: code, message and details, every message rendered."""
        return {"error": self.code, "message": text(self.msg, locale), "details": localize(self.details, locale)}


class InvalidInput(ZhaoshangError):
    """Bad input. ``details`` maps each offending field to the rules it broke."""

    code = "invalid_input"

    @classmethod
    def for_field(cls, field: str, rule: Any) -> "InvalidInput":
        from shared.i18n import _

        return cls(_("{field:field}: {rule}", field=field, rule=rule), {field: [rule]})

    @property
    def fields(self) -> dict:
        return self.details


class NotFound(ZhaoshangError):
    code = "not_found"


class NotAllowed(ZhaoshangError):
    """The actor's position/unit may not do this (deny by default)."""

    code = "not_allowed"


class Conflict(ZhaoshangError):
    """The request contradicts the current state (illegal transition, duplicate)."""

    code = "conflict"


class NotYet(Conflict):
    """The step before this one has been taken, but its event has not reached the service yet (it waited for it,
    up to the policy's bound: ``shared/catch_up.py``).  Unlike ``conflict`` (a premature or contradicting
    command), trying again in a moment succeeds."""

    code = "not_yet"


class Unauthenticated(ZhaoshangError):
    """No valid sign-in (missing, wrong or expired credentials)."""

    code = "unauthenticated"


def problems_of(fields: dict) -> list:
    """Each field with the rules it broke, one message a field (an error's summary names them all)."""
    from shared.i18n import _

    return [_("{field:field}: {rules:clauses}", field=f, rules=r) for f, r in fields.items()]


EXPECTED = (InvalidInput, NotFound, NotAllowed, NotYet, Conflict, Unauthenticated)
"""Errors an RPC entrypoint reports to its caller without logging a stack trace."""
