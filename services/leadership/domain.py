"""The Leading Group's roster (领导小组成员名单) and its office: pure rules.

The seats are policy (``policy/leading_group.yaml``): the leaders, the executive deputy leader, the deputy leaders
(liaison leaders of the NPC and CPPCC, the deputy magistrates in charge, every park's head), the members (the
heads of the member departments) and the office director (IPB's head).  The roster is who holds each seat, since
when and until when: a new holder's term ends the previous holder's the day before, so the history is kept.
Each seat answers for positions of the platform (``positions``), which is how a notice "to the county leaders in
charge" reaches the persons on the roster (``shared.roster.holders``).

LAND-style import: ``read_roster_workbook`` checks every row of the office's workbook; a bad row stores nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

from shared import sheets
from shared.errors import Conflict, InvalidInput
from shared.i18n import _
from shared.policy import Policy
from shared.sheets import RowProblem

USER_ID = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Seat:
    id: str
    role: str
    title_zh: str
    title_en: str
    positions: tuple[str, ...]
    unit: str

    def dump(self) -> dict:
        return {
            "id": self.id,
            "role": self.role,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "positions": list(self.positions),
            "unit": self.unit,
        }


def seats(policy: Policy) -> list[Seat]:
    """Every seat of the group in the order of the county's document: the listed seats, every park's head, the
    member departments' heads, the office director."""
    lg = policy.get("leading_group")
    out = [
        Seat(s["id"], s["role"], s["title_zh"], s["title_en"], tuple(s.get("positions") or ()), "LG")
        for s in lg["seats"]
    ]
    for park in policy.parks.values():
        out.append(
            Seat(
                park.head_position,
                lg["park_heads"]["role"],
                f"{park.name_zh}党工委书记、管委会主任",
                f"head of {park.name_en}",
                (park.head_position,),
                park.unit,
            )
        )
    units = {u["code"]: u for u in policy.get("county.units")}
    for code in lg["member_units"]:
        unit = units.get(code, {"name_zh": code, "name_en": code})
        out.append(
            Seat(
                f"head:{code}",
                "member",
                f"{unit['name_zh']}主要负责人",
                f"head of the {unit['name_en']}",
                ("bureau_head",),
                code,
            )
        )
    office = lg["office"]
    out.append(
        Seat(
            office["seat"],
            "office_director",
            office["title_zh"],
            office["title_en"],
            tuple(office.get("positions") or ()),
            office["unit"],
        )
    )
    return out


def seat_of(text: str, all_seats: Iterable[Seat]) -> Seat | None:
    """A seat by its id or its Chinese title (县长, 分管工业工作的副县长, 县发改局主要负责人)."""
    text = (text or "").strip()
    return next((s for s in all_seats if text in (s.id, s.title_zh, s.title_en)), None)


def entry_view(entry: Mapping, seat: Seat) -> dict:
    """An entry as the roster shows it and ``leadership.roster_changed`` carries it (``shared.roster``)."""
    return {
        "id": entry.get("id"),
        "seat": seat.id,
        "seat_title": seat.title_zh,
        "role": seat.role,
        "name": entry["name"],
        "user_id": entry.get("user_id"),
        "email": entry.get("email"),
        "since": _iso(entry["since"]),
        "until": _iso(entry.get("until")),
        "note": entry.get("note"),
        "positions": list(seat.positions),
        "unit": seat.unit,
    }


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _day(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def check_person(data: Mapping) -> dict[str, list]:
    """The problems of one appointment's person and dates (field -> rules)."""
    problems: dict[str, list] = {}
    name = (data.get("name") or "").strip()
    if not 2 <= len(name) <= 40:
        problems.setdefault("name", []).append(_("a person's name of 2 to 40 characters"))
    if data.get("user_id") and not USER_ID.match(data["user_id"]):
        problems.setdefault("user_id", []).append(_("a platform user id: letters, digits and . _ @ -"))
    if data.get("email") and not EMAIL.match(data["email"]):
        problems.setdefault("email", []).append(_("must be an e-mail address"))
    since, until = data.get("since"), data.get("until")
    if since is None:
        problems.setdefault("since", []).append(_("the date the term begins is required"))
    if since is not None and until is not None and until < since:
        problems.setdefault("until", []).append(_("must not be before the term begins ({since:date})", since=since))
    return problems


def appoint(entries: list[Mapping], seat: Seat, person: Mapping) -> tuple[dict | None, dict]:
    """A new holder of ``seat`` from ``person['since']``: the term of the holder in office then ends the day before
    (returned as the first value, changed; None if there is none).  Refused when the seat's latest term began on
    or after that day (a change of person comes after the term it ends)."""
    problems = check_person(person)
    if problems:
        raise InvalidInput(
            _(
                "the appointment is invalid — {problems:clauses}",
                problems=[_("{field:field}: {rules:clauses}", field=k, rules=v) for k, v in problems.items()],
            ),
            problems,
        )
    since = person["since"]
    of_seat = sorted((e for e in entries if e["seat"] == seat.id), key=lambda e: _day(e["since"]))
    ended = None
    if of_seat:
        latest = of_seat[-1]
        if _day(latest["since"]) >= since:
            raise Conflict(
                _(
                    "{name} holds {seat} since {since:date}; a change of person begins after that day",
                    name=latest["name"],
                    seat=seat.title_zh,
                    since=_day(latest["since"]),
                ),
                {"since": [since.isoformat()]},
            )
        until = _day(latest.get("until"))
        if until is None or until >= since:
            ended = {**latest, "until": since - timedelta(days=1)}
    new = {
        "seat": seat.id,
        "name": person["name"].strip(),
        "user_id": person.get("user_id") or None,
        "email": person.get("email") or None,
        "since": since,
        "until": person.get("until"),
        "note": person.get("note") or None,
    }
    return ended, new


def roster_view(entries: Iterable[Mapping], all_seats: list[Seat], on: date) -> list[dict]:
    """Every seat with its holder on ``on`` and its history (newest first)."""
    from shared.roster import in_office

    by_seat: dict[str, list[dict]] = {}
    for seat in all_seats:
        by_seat[seat.id] = []
    for entry in entries:
        seat = next((s for s in all_seats if s.id == entry["seat"]), None)
        if seat is not None:
            by_seat[seat.id].append(entry_view(entry, seat))
    out = []
    for seat in all_seats:
        history = sorted(by_seat[seat.id], key=lambda e: e["since"], reverse=True)
        current = next((e for e in history if in_office(e, on)), None)
        out.append({**seat.dump(), "holder": current, "history": history})
    return out


# -- the office's workbook -------------------------------------------------------------------------------------
SHEET = "领导小组成员"
HEADINGS = {
    "职务": "seat",
    "姓名": "name",
    "平台账号": "user_id",
    "电子邮箱": "email",
    "任职起始日期": "since",
    "任职截止日期": "until",
    "备注": "note",
}
REQUIRED = ("seat", "name", "since")


def read_roster_workbook(
    content: bytes, all_seats: list[Seat], stored: list[Mapping]
) -> tuple[list[dict], list[RowProblem]]:
    """The appointments of the office's workbook, in order, and every problem found.  A row already on the roster
    (same seat, person and start) is left out, so importing a file twice changes nothing; each other row must
    begin after its seat's latest term (stored, or earlier in the file)."""
    title, rows = sheets.open_sheet(content, SHEET)
    found = sheets.header(rows, ["职务", "姓名"], HEADINGS)
    heading = {v: k for k, v in HEADINGS.items()}
    if found is None:
        return [], [
            RowProblem(title, 1, "header", "职务", [_("no heading row with 职务 and 姓名 in the first 8 rows")])
        ]
    header_at, columns = found
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        return [], [RowProblem(title, header_at + 1, k, heading[k], [_("column is missing")]) for k in missing]
    latest: dict[str, tuple[date, int | None]] = {}
    for entry in stored:
        began = _day(entry["since"])
        if entry["seat"] not in latest or began > latest[entry["seat"]][0]:
            latest[entry["seat"]] = (began, None)
    known = {(e["seat"], e["name"], _day(e["since"])) for e in stored}
    appointments, problems = [], []
    for i, cells in enumerate(rows[header_at + 1 :], start=header_at + 2):
        values = {k: cells[n] if n < len(cells) else None for k, n in columns.items()}
        if all(sheets.text(v) == "" for v in values.values()):
            continue
        bad: dict[str, list] = {}
        seat = seat_of(sheets.text(values.get("seat")), all_seats)
        if seat is None:
            bad["seat"] = [
                _("not a seat of the Leading Group: e.g. {examples:list}", examples=[s.title_zh for s in all_seats[:4]])
            ]
        person = {
            "name": sheets.text(values.get("name")),
            "user_id": sheets.text(values.get("user_id")) or None,
            "email": sheets.text(values.get("email")) or None,
            "note": sheets.text(values.get("note")) or None,
        }
        for key in ("since", "until"):
            try:
                person[key] = sheets.day(values.get(key))
            except (ValueError, TypeError):
                person[key] = None
                bad.setdefault(key, []).append(_("must be a date (2026-11-27 or 2026年11月27日)"))
        for key, rules in check_person(person).items():
            bad.setdefault(key, rules)
        if seat is not None and person["since"] and not bad:
            if (seat.id, person["name"], person["since"]) in known:
                continue
            before = latest.get(seat.id)
            if before and before[0] >= person["since"]:
                where = _("row {row}", row=before[1]) if before[1] else _("the roster")
                bad["since"] = [
                    _(
                        "{seat}: a term begins after the latest one ({since:date}, {where})",
                        seat=seat.title_zh,
                        since=before[0],
                        where=where,
                    )
                ]
            else:
                latest[seat.id] = (person["since"], i)
        if bad:
            problems.extend(RowProblem(title, i, k, heading.get(k, k), v) for k, v in bad.items())
        else:
            appointments.append({"seat": seat, "person": person})
    return appointments, problems
