"""Notification and tracking rules (R7, R11), pure: routing, back-off, deadlines, stale and escalation
thresholds, the county's stalled-project lists, special-report causes."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Iterable, Mapping

from shared.clock import SHANGHAI, to_shanghai
from shared.errors import InvalidInput

# -- routing ("who receives what") -----------------------------------------------------------------

ADDRESS = re.compile(r"^(unit|position|user):.+$")
_FIELD = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Route:
    index: int
    event: str
    recipients: tuple[str, ...]
    channels: tuple[str, ...]
    title: str
    text: str
    when: Mapping[str, Any]


def load_routes(document: Mapping, channel_names: Iterable[str] | None = None) -> list[Route]:
    """The routes of ``policy/notifications.yaml``; a malformed one is refused naming it."""
    routes = []
    known = set(channel_names) if channel_names is not None else None
    for i, raw in enumerate(document.get("routes") or []):
        where = f"notifications.yaml routes[{i}]"
        try:
            route = Route(i, raw["event"], tuple(raw["recipients"]), tuple(raw["channels"]),
                          raw.get("title") or raw["event"], raw.get("text") or "", raw.get("when") or {})
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{where}: missing or malformed key {exc}") from None
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
    return [r for r in routes if r.event == event_type and all(_value_matches(facts.get(k), v) for k, v in r.when.items())]


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


class _Facts(dict):
    def __missing__(self, key):
        return "—"


def render(template: str, facts: Mapping[str, Any]) -> str:
    shown = _Facts()
    for key, value in facts.items():
        if isinstance(value, list):
            value = "、".join(_address_part(v) for v in value) or "—"
        elif isinstance(value, Mapping):
            value = value.get("name") or value.get("user_id") or "—"
        elif value is None:
            value = "—"
        shown[key] = value
    try:
        return template.format_map(shown)
    except (ValueError, IndexError, AttributeError):
        return template


def with_persons(recipients: list[str], roster: list, on, book: Mapping[str, list[str]]) \
        -> tuple[list[str], dict[str, list[str]]]:
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


def after_failure(attempt: int, max_attempts: int, now: datetime, base_seconds: float,
                  max_seconds: float) -> tuple[str, datetime | None]:
    """(status, next attempt) once attempt number ``attempt`` failed: retried until ``max_attempts``."""
    if attempt >= max_attempts:
        return FAILED, None
    return PENDING, now + retry_delay(attempt, base_seconds, max_seconds)


# -- deadlines -------------------------------------------------------------------------------------

STALE, ESCALATION, CONSTRUCTION_END, REPORT_DUE, REVIEW_PERIOD, REMINDER = (
    "stale_project", "problem_escalation", "construction_period_end", "special_report_due", "review_period", "reminder")
HOLIDAYS_MISSING = "holiday_schedule_missing"
KINDS = (STALE, ESCALATION, CONSTRUCTION_END, REPORT_DUE, REVIEW_PERIOD, REMINDER, HOLIDAYS_MISSING)


def stale_at(last_progress_at: datetime, stale_days: int) -> datetime:
    """R11: a project with no progress for ``stale_days`` days is stale from this instant (inclusive)."""
    return last_progress_at + timedelta(days=stale_days)


def is_stale(last_progress_at: datetime, stale_days: int, now: datetime) -> bool:
    return now >= stale_at(last_progress_at, stale_days)


def escalation_at(raised_at: datetime, escalation_days: int) -> datetime:
    """R11: a problem open for ``escalation_days`` days goes to the liaison leader from this instant."""
    return raised_at + timedelta(days=escalation_days)


def is_due_for_escalation(raised_at: datetime, escalation_days: int, resolved: bool, escalated: bool,
                          now: datetime) -> bool:
    return not resolved and not escalated and now >= escalation_at(raised_at, escalation_days)


def on_day(day: date, at: str) -> datetime:
    """``at`` ("09:00") on ``day``, Asia/Shanghai."""
    hh, mm = (int(p) for p in at.split(":"))
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


def holiday_watch(today: date, is_known: Callable[[int], bool], at: str) -> tuple[int, datetime]:
    """R16: the next check for a missing official holiday schedule — (the year watched, when).  From 1 December
    the administrators are told every day, while next year's schedule (or this year's, still) is missing: the check
    is today at ``at``.  Otherwise it is the next 1 December, for the year after it."""
    for year in (today.year, today.year + 1):
        if not is_known(year) and today >= date(year - 1, 12, 1):
            return year, on_day(today, at)
    start = date(today.year, 12, 1) if today < date(today.year, 12, 1) else date(today.year + 1, 12, 1)
    return start.year + 1, on_day(start, at)


def fall_due_by(deadlines: Iterable[Mapping], as_of: date) -> list[Mapping]:
    """The pending deadlines that would fire by the end of ``as_of`` (Asia/Shanghai): an administrator's dry run
    of the deadline timer, which changes nothing."""
    end = datetime.combine(as_of + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)
    return [d for d in deadlines if d["fired_at"] is None and d["cancelled_at"] is None and d["due_at"] < end]


def construction_end_at(completion: date) -> datetime:
    """The construction period is over once the contracted completion day has passed (00:00 the day after)."""
    return datetime.combine(completion + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)


# -- tracking ---------------------------------------------------------------------------------------

UNTRACKED = frozenset({"lead", "rejected", "refused", "closed", "archived", "terminated"})
"""States in which a project is not followed for staleness (not filed yet, or over)."""
ENDED = frozenset({"rejected", "refused", "closed", "archived", "terminated"})
PAST_CONSTRUCTION = frozenset({"accounting", "closed", "archived", "terminated"})

STALLED = {  # how the county's offices count stalled projects, by lifecycle state
    "approved_not_assigned": ("approved",),  # 已批未落地: approved at review, no responsible unit yet
    "signed_not_started": ("signed", "filed_copies"),  # 签约未开工: signed, not handed over for construction
    "started_not_completed": ("construction",),  # 开工未竣工: under construction, accounting not opened
}
STALLED_LABELS = {"approved_not_assigned": "已批未落地", "signed_not_started": "签约未开工",
                  "started_not_completed": "开工未竣工"}


def stalled_category(state: str | None) -> str | None:
    for category, states in STALLED.items():
        if state in states:
            return category
    return None


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from ``start`` to ``end`` (time in state)."""
    return max(0, (end - start) // timedelta(days=1))


def stalled_lists(projects: Iterable[Mapping], now: datetime) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {c: [] for c in STALLED}
    for p in projects:
        category = stalled_category(p["state"])
        if category is None:
            continue
        out[category].append({**p, "days_in_state": days_between(p["state_since"], now)})
    for items in out.values():
        items.sort(key=lambda p: (-p["days_in_state"], p["ref"] or ""))
    return out


# -- special reports (R7, R11) -----------------------------------------------------------------------

CAUSES = {"overdue_obligation": "合同义务逾期", "unfinished_review": "联审未完成",
          "cannot_go_ahead": "项目因客观原因无法推进"}
CANNOT_GO_AHEAD = "cannot_go_ahead"


def check_report_cause(cause: str) -> None:
    if cause not in CAUSES:
        raise InvalidInput.for_field("cause", f"must be one of {', '.join(CAUSES)}")
    if cause == "overdue_obligation":
        raise InvalidInput.for_field("cause", "a report on an overdue obligation is filed against the obligation "
                                              "(POST …/obligations/<key>/special-report) so its task closes; "
                                              "it joins this register by itself")


def report_ref(project_ref: str | None, project_id: str, number: int) -> str:
    return f"SR-{project_ref or project_id}-{number}"


def shanghai_text(moment: datetime | None) -> str | None:
    return to_shanghai(moment).strftime("%Y-%m-%d %H:%M") if moment else None
