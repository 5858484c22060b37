"""Notification rules, pure: the facts of an event, routing ("who receives what"), rendering, back-off."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from services.notifications.texts import NOTICES, compose
from shared.i18n import Message, reason_of


# -- the facts of an event -----------------------------------------------------------------------------

PERSON_FACTS = frozenset({"responsible_person"})
"""Facts that are a person (``{"user_id", "name"}``): an address in a recipient, a name in a text."""


def facts(project_id: str | None, project: Mapping | None, payload: Mapping) -> dict:
    """What routes and texts may use: the project as notifications knows it (ref, name, state, responsible
    unit), then the event's own values (a person among them), and an obligation's key, text and due date."""
    project = project or {}
    out = {"project_id": project_id, **{k: project.get(k) for k in ("ref", "name", "state", "responsible_unit")}}
    out.update(
        {k: v for k, v in payload.items() if v is not None and (not isinstance(v, Mapping) or k in PERSON_FACTS)}
    )
    if payload.get("reason_message") is not None or payload.get("reason") is not None:
        out["reason"] = reason_of(payload)  # the event's reason as its message (read in each reader's language)
    obligation = payload.get("obligation")
    if isinstance(obligation, Mapping):
        out.update(
            obligation_key=obligation["key"], obligation_text=obligation["text"], obligation_due=obligation["due"]
        )
    return out


# -- routing ("who receives what") -----------------------------------------------------------------

ADDRESS = re.compile(r"^(unit|position|user):.+$")
_FIELD = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Route:
    index: int
    event: str
    recipients: tuple[str, ...]
    channels: tuple[str, ...]
    notice: str
    when: Mapping[str, Any]


def load_routes(document: Mapping, channel_names: Iterable[str] | None = None) -> list[Route]:
    """The routes of ``policy/notifications.yaml``; a malformed one is refused naming it."""
    routes = []
    known = set(channel_names) if channel_names is not None else None
    for i, raw in enumerate(document.get("routes") or []):
        where = f"notifications.yaml routes[{i}]"
        try:
            route = Route(
                i, raw["event"], tuple(raw["recipients"]), tuple(raw["channels"]), raw["notice"], raw.get("when") or {}
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{where}: missing or malformed key {exc}") from None
        if route.notice not in NOTICES:
            raise ValueError(
                f"{where}: no notice named {route.notice!r} (services/notifications/texts.py: "
                f"{', '.join(sorted(NOTICES))})"
            )
        if not re.fullmatch(r"[a-z]+\.[a-z_]+", route.event):
            raise ValueError(f"{where}: event must be <service>.<event_name>")
        if known is not None and (unknown := set(route.channels) - known):
            raise ValueError(f"{where}: no channel plugin named {', '.join(sorted(unknown))} is installed")
        routes.append(route)
    return routes


def _value_matches(value: Any, wanted: Any) -> bool:
    options = wanted if isinstance(wanted, list) else [wanted]
    return value is not None and any(fnmatch.fnmatchcase(str(value), str(o)) for o in options)


def routes_for(event_type: str, facts: Mapping[str, Any], routes: Iterable[Route]) -> list[Route]:
    return [
        r for r in routes if r.event == event_type and all(_value_matches(facts.get(k), v) for k, v in r.when.items())
    ]


def _expand(spec: str, facts: Mapping[str, Any]) -> list[str] | None:
    """One recipient spec with its placeholders filled; a list value gives one address per item;
    ``None`` when a placeholder has no value."""
    names = _FIELD.findall(spec)
    if not names:
        return [spec]
    values = [facts.get(n) for n in names]
    if any(v in (None, "", []) for v in values):
        return None
    out = [spec]
    for name, value in zip(names, values):
        items = value if isinstance(value, list) else [value]
        out = [o.replace("{" + name + "}", _address_part(item)) for o in out for item in items]
    return out


def _address_part(value: Any) -> str:
    if isinstance(value, Mapping):  # a person: {"user_id": ..., "name": ...}
        return str(value.get("user_id") or "")
    return str(value)


def resolve_recipients(specs: Iterable[str], facts: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Addresses for a route: each spec's first alternative that resolves; the rest are reported unresolved."""
    recipients: list[str] = []
    unresolved: list[str] = []
    for spec in specs:
        for alternative in spec.split("|"):
            addresses = _expand(alternative.strip(), facts)
            if addresses is not None and all(ADDRESS.match(a) for a in addresses):
                recipients.extend(a for a in addresses if a not in recipients)
                break
        else:
            unresolved.append(spec)
    return recipients, unresolved


def render(route: Route, facts: Mapping[str, Any]) -> tuple[Message, Message]:
    """The title and text of a route's notice over an event's facts: messages, read in each reader's language."""
    return compose(route.notice, facts)


def with_persons(
    recipients: list[str], roster: list, on, book: Mapping[str, list[str]]
) -> tuple[list[str], dict[str, list[str]]]:
    """A position's recipients reach the persons on the Leading Group's roster who hold it on ``on``: each one's
    platform account (``user:<id>``) joins the recipients with their e-mail address in the address book; one without
    an account is written to at their e-mail address as the position."""
    from shared.roster import holders

    out, book = list(recipients), {k: list(v) for k, v in book.items()}
    for recipient in recipients:
        kind, _sep, position = recipient.partition(":")
        if kind != "position":
            continue
        for person in holders(roster, position, on):
            address = f"user:{person['user_id']}" if person.get("user_id") else recipient
            if address not in out:
                out.append(address)
            if person.get("email") and person["email"] not in book.setdefault(address, []):
                book[address].append(person["email"])
    return out, book


def address_matches(actor: Mapping[str, str]) -> list[str]:
    """The inbox addresses a person sees: their user id, their position and their unit."""
    return [f"user:{actor['user_id']}", f"position:{actor['position']}", f"unit:{actor['unit']}"]


# -- deliveries: retries with back-off ----------------------------------------------------------------

PENDING, SENDING, DELIVERED, FAILED, SKIPPED = "pending", "sending", "delivered", "failed", "skipped"


def retry_delay(attempt: int, base_seconds: float, max_seconds: float) -> timedelta:
    """Back-off after the ``attempt``-th failed attempt: base, 2×base, 4×base, … capped at max."""
    return timedelta(seconds=min(base_seconds * (2 ** (attempt - 1)), max_seconds))


def after_failure(
    attempt: int, max_attempts: int, now: datetime, base_seconds: float, max_seconds: float
) -> tuple[str, datetime | None]:
    """(status, next attempt) once attempt number ``attempt`` failed: retried until ``max_attempts``."""
    if attempt >= max_attempts:
        return FAILED, None
    return PENDING, now + retry_delay(attempt, base_seconds, max_seconds)
