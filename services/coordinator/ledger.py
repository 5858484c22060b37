"""The ledger (台账, R10): IPB's three books, a read model built from events.

``apply(row, event, policy)`` folds one event into a project's ledger row and
``replay(events, policy)`` folds a whole list, so the live table (kept by the
coordinator's handlers, one event at a time, in the handler's transaction) and a
rebuild from the journal are the same function of the same events.

Events reach the coordinator through one queue per event type, so two events of
one project may be handled in either order.  Each group of fields therefore
carries a stamp — the lifecycle ``seq`` for the state, ``(occurred_at, event_id)``
for everything else — and an event changes a group only when its stamp is newer;
sets (red flags, funds in place) are unions.  The result does not depend on the
order of the events, which the replay test checks by shuffling them.

Pure: no nameko, no session, no clock.  What depends on today (time in state,
overdue, stale) is added when a row is read (``view``).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Iterable, Mapping

from shared import vocabulary
from shared.clock import to_shanghai
from shared.envelope import Envelope
from shared.i18n import _, is_wire_message, reason_of, to_wire
from shared.policy import Policy
from shared.tiers import investment_tier, is_key_investment
from shared.units import quantize_money
from services.coordinator import workbench

BOOKS = ("information", "negotiation", "contracted")
BOOK_OF_STATE = {
    **dict.fromkeys(("lead", "filed", "under_review", "returned", "approved", "rejected"), "information"),
    **dict.fromkeys(
        ("assigned", "negotiating", "escalated", "agreed", "refused", "drafting", "legal_review"), "negotiation"
    ),
    **dict.fromkeys(("signed", "filed_copies", "construction", "accounting", "closed", "archived"), "contracted"),
}
"""A terminated project stays in the book of the state it was terminated from."""


def book_name(book: str, locale: str | None = None) -> str:
    """重点招商信息台账, 在谈项目台账, 签约项目台账 (the sheets of the workbook, in zh-CN)."""
    return vocabulary.term_name("book", book, locale)


def state_name(state: str | None, locale: str | None = None) -> str:
    return vocabulary.state_name(state, locale) if state else "—"


ENDED = frozenset({"rejected", "terminated", "archived", "closed"})
"""States with nothing left to advance: no requirement of theirs is overdue."""

OWN_EVENTS = (
    "coordinator.key_project_set",
    "coordinator.responsibility_assigned",
    "coordinator.requirements_set",
    "coordinator.funds_recorded",
    "coordinator.ledger_row_imported",
)
"""The coordinator's own acts on the ledger, journaled as events like any other."""


def blank(project_id: str) -> dict:
    return {
        "project_id": project_id,
        "source": "events",
        "ref": None,
        "name": None,
        "investor_name": None,
        "sector": None,
        "location": None,
        "planned_total_investment": None,
        "fixed_asset_investment": None,
        "land_mu": None,
        "registered_unit": None,
        "registered_on": None,
        "registered_by": None,
        "state": None,
        "state_since": None,
        "book": None,
        "assigned_unit": None,
        "assigned_leader": None,
        "assigned_person": None,
        "designated": False,
        "designation_reason": None,
        "liaison_leader": None,
        "service_team": [],
        "manual_requirements": [],
        "review_due": None,
        "review_done": None,
        "completion_due": None,
        "obligations": {},
        "late_reports": [],
        "signed_on": None,
        "contracted_investment": None,
        "funds": {},
        "last_progress": None,
        "credit_code": None,
        "review_units": [],
        "review_round": None,
        "review_opinions": {},
        "route": None,
        "principal_decisions": [],
        "principal_rounds": {},
        "negotiation_round": 1,
        "contract_approved": False,
        "accounting": {},
        "problems": {},
        "benefit": None,
        "damages": {},
        "stamps": {},
        # derived from the above by ``derive``
        "responsible_unit": None,
        "total_investment": None,
        "tier": None,
        "is_key": False,
        "key_basis": None,
        "responsible_leader": None,
        "responsible_person": None,
        "requirements": [],
        "next_due": None,
        "red_flags": [],
        "funds_in_place": "0.00",
        "awaiting": [],
        "damages_owed": None,
    }


def _stamp(event: Envelope) -> list:
    """Newer = later; at the same instant a state change (which follows its cause) wins, then the event id."""
    follows = 1 if event.type == "coordinator.project_state_changed" else 0
    return [event.occurred_at.astimezone(timezone.utc).isoformat(), follows, event.event_id]


def _newer(row: dict, group: str, stamp: list) -> bool:
    """True (and the group's stamp moved on) when ``stamp`` is newer than the group's."""
    current = row["stamps"].get(group)
    if current is not None and list(stamp) <= list(current):
        return False
    row["stamps"][group] = list(stamp)
    return True


def _money(value) -> str | None:
    return None if value is None else str(quantize_money(value))


def _sh(moment: datetime) -> str:
    return to_shanghai(moment).isoformat()


def _day(moment: datetime) -> str:
    return to_shanghai(moment).date().isoformat()


def location_name(kind: str | None, ident: str | None, policy: Policy) -> str:
    if kind == "park" and ident in policy.parks:
        return policy.parks[ident].name_zh
    if kind == "town" and ident in policy.towns:
        return policy.towns[ident].name_zh
    return "待定" if kind in (None, "open") else (ident or "待定")  # a location is shown as the county writes it


def unit_name(unit: str | None, policy: Policy | None = None, locale: str | None = None) -> str:
    """A unit's name (policy ``county``): 县招商局, 衡东工业园."""
    return vocabulary.unit_name(unit, locale) if unit else ""


def unit_of_name(text: str, policy: Policy | None = None) -> str | None:
    """A unit code from its code or its name (衡东工业园 → PARK:hengdong); None if unknown."""
    return vocabulary.unit_of_name(text)


# -- applying one event -------------------------------------------------------------------------------------------
def _facts(row: dict, event: Envelope, policy: Policy) -> None:
    p = event.payload
    if _newer(row, "facts", _stamp(event)):
        row.update(
            ref=p["ref"],
            name=p["project_name"],
            investor_name=p.get("investor_name"),
            sector=p.get("sector"),
            location=location_name(p.get("location_kind"), p.get("location_id"), policy),
            planned_total_investment=_money(p.get("planned_total_investment")),
            fixed_asset_investment=_money(p.get("planned_fixed_asset_investment")),
            land_mu=p.get("land_mu") and str(p["land_mu"]),
            registered_unit=p.get("registered_unit") or event.actor.unit,
            credit_code=p.get("credit_code"),
        )
    if event.type == "intake.lead_registered" and _newer(row, "registered", _stamp(event)):
        row.update(
            registered_on=_day(event.occurred_at),
            registered_by={
                "user_id": event.actor.user_id,
                "name": event.actor.name or event.actor.user_id,
                "position": event.actor.position,
                "unit": event.actor.unit,
            },
        )


def _state(row: dict, event: Envelope, policy: Policy) -> None:
    p = event.payload
    if _newer(row, "state", [int(p["seq"])]):
        to_state, from_state = p["to_state"], p.get("from_state")
        row.update(
            state=to_state,
            state_since=_sh(event.occurred_at),
            book=BOOK_OF_STATE.get(to_state) or BOOK_OF_STATE.get(from_state) or row["book"] or "information",
        )
        if p.get("ref"):
            row["ref"] = row["ref"] or p["ref"]


def _review_opened(row: dict, event: Envelope, policy: Policy) -> None:
    """A review round opens with its deadline (R2); its due date and its being done are separate groups,
    so a round's conclusion handled before its opening still keeps the deadline."""
    if _newer(row, "review_due", _stamp(event)):
        row["review_due"] = event.payload["deadline"]
    if _newer(row, "review_done", _stamp(event)):
        row["review_done"] = False
    if event.payload.get("required_units"):
        row["review_units"] = list(event.payload["required_units"])
    if _newer(row, "review_round", [int(event.payload.get("round") or 1)]):
        row["review_round"] = int(event.payload.get("round") or 1)


def _opinion(row: dict, event: Envelope, policy: Policy) -> None:
    """A unit's opinion of a round: the units that gave theirs are a set per round (any order of events)."""
    opinions = row.setdefault("review_opinions", {})
    given = opinions.setdefault(str(event.payload.get("round") or 1), [])
    if event.payload["unit"] not in given:
        given.append(event.payload["unit"])


def _review_due_moved(row: dict, event: Envelope, policy: Policy) -> None:
    """A year's holiday schedule loaded moved the review's provisional deadline (R16)."""
    if _newer(row, "review_due", _stamp(event)):
        row["review_due"] = event.payload["deadline"]


def _review_closed(row: dict, event: Envelope, policy: Policy) -> None:
    if _newer(row, "review_done", _stamp(event)):
        row["review_done"] = True


def _unit(row: dict, event: Envelope, policy: Policy) -> None:
    if _newer(row, "unit", _stamp(event)):
        row["assigned_unit"] = event.payload["unit"]


def _route(row: dict, event: Envelope, policy: Policy) -> None:
    if event.payload.get("route") and _newer(row, "route", _stamp(event)):
        row["route"] = {k: event.payload["route"].get(k) for k in ("escalated", "decides", "recommends", "signs")}


def _principal(row: dict, event: Envelope, policy: Policy) -> None:
    """A principal's decision, kept by the negotiation round it belongs to (a decided term changed reopens the
    negotiation: the principals decide again, R5)."""
    by_round = row.setdefault("principal_rounds", {})
    decided = by_round.setdefault(str(event.payload.get("round") or 1), [])
    if event.payload["position"] not in decided:
        decided.append(event.payload["position"])
    _principals_now(row)


def _reopened(row: dict, event: Envelope, policy: Policy) -> None:
    """The negotiation goes round again (R5): the decisions of the round before no longer count."""
    if int(event.payload["round"]) > int(row.get("negotiation_round") or 1):
        row["negotiation_round"] = int(event.payload["round"])
    _principals_now(row)


def _principals_now(row: dict) -> None:
    row["principal_decisions"] = list(
        (row.get("principal_rounds") or {}).get(str(row.get("negotiation_round") or 1), [])
    )


def _review_reopened(row: dict, event: Envelope, policy: Policy) -> None:
    """The park IPB chose gives its opinion in a new round (R2/R3): the other units' opinions stand."""
    _review_opened(row, event, policy)
    given = row.setdefault("review_opinions", {}).setdefault(str(event.payload["round"]), [])
    given.extend(u for u in event.payload["required_units"] if u != event.payload["unit"] and u not in given)


def _contract_version(row: dict, event: Envelope, policy: Policy) -> None:
    """The latest version is approved by LEGAL (awaiting its signature) or not (a draft, returned, submitted)."""
    if _newer(row, "contract_approved", _stamp(event)):
        row["contract_approved"] = event.type == "contracts.approved"


def _accounting(row: dict, event: Envelope, policy: Policy) -> None:
    """What the accounting still needs (R12): the figures, the report, then — while the one fee is owed — the
    recovering units' records and the principals' decisions on a write-off still awaited."""
    acc = row.setdefault("accounting", {})
    p = event.payload
    if event.type == "accounting.figures_computed":
        acc["figures_done"] = True
    elif event.type == "accounting.report_issued":
        acc["report_issued"] = True
        acc["recovery_units"] = list(p.get("recovery_units") or [])
    elif event.type == "accounting.recovery_recorded":
        if _newer(row, "receivable", _stamp(event)):
            acc["owed"] = p["status"] == "outstanding"
            acc["write_off_awaiting"] = []  # a payment changes the remainder: the principals decide again
    elif event.type == "accounting.write_off_decided":
        if _newer(row, "receivable", _stamp(event)):
            acc["owed"] = p["outcome"] != "written_off"
            acc["write_off_awaiting"] = list(p.get("awaiting") or [])


def _signed(row: dict, event: Envelope, policy: Policy) -> None:
    p = event.payload
    if _newer(row, "contract", _stamp(event)):
        terms = p["terms"]
        row.update(
            signed_on=_day(event.occurred_at),
            contracted_investment=_money(terms["total_investment"]),
            completion_due=terms["completion"],
        )
    for obligation in p.get("obligations") or ():
        _obligation(row, obligation, _stamp(event))


def _obligation(row: dict, obligation: Mapping, stamp: list) -> None:
    key = obligation["key"]
    if _newer(row, f"obligation:{key}", stamp):
        row["obligations"][key] = {k: obligation.get(k) for k in ("key", "text", "due", "status", "report_due")}
        row["obligations"][key]["report_filed"] = bool(obligation.get("report"))


def _obligation_news(row: dict, event: Envelope, policy: Policy) -> None:
    _obligation(row, event.payload["obligation"], _stamp(event))
    if event.type == "contracts.special_report_late":
        key = event.payload["obligation"]["key"]
        row["late_reports"] = sorted(set(row["late_reports"]) | {key})


def _problem(row: dict, event: Envelope, policy: Policy) -> None:
    """A problem raised on the project (R11) and, once resolved, no longer awaited: resolved is final, so the two
    events give the same row in either order."""
    p = event.payload
    problems = row.setdefault("problems", {})
    key = str(p["problem_id"])
    current = problems.get(key) or {}
    problems[key] = {
        "owner": p["owner"],
        "text": p["problem"],
        "due": p.get("escalation_due") or current.get("due"),
        "resolved": current.get("resolved", False) or event.type == "supervision.problem_resolved",
    }


def _benefit(row: dict, event: Envelope, policy: Policy) -> None:
    """R17: the investor's grade in the yearly per-mu benefit evaluation (the latest year's stands)."""
    p = event.payload
    if (row.get("benefit") or {}).get("year", 0) <= p["year"]:
        row["benefit"] = {"year": p["year"], "grade": p["grade"], "total": p["total"], "rank": p["rank"], "of": p["of"]}


def _damages(row: dict, event: Envelope, policy: Policy) -> None:
    """R17: the standard-land damages receivable (amount owed, paid, reduced, outstanding) as supervision tells
    it: opened when a commitment is still unmet, each payment or reduction, settled (final) when nothing is owed."""
    p = event.payload
    key = str(p["damages_id"])
    damages = row.setdefault("damages", {})
    current = damages.get(key) or {}
    if current.get("settled") or not _newer(row, f"damages:{key}", _stamp(event)):
        return
    amount = Decimal(str(p["amount"]))
    paid, reduced = Decimal(str(p.get("paid") or 0)), Decimal(str(p.get("reduced") or 0))
    settled = event.type == "supervision.damages_settled"
    damages[key] = {
        "indicator": p.get("indicator", current.get("indicator")),
        "amount": _money(amount),
        "paid": _money(paid),
        "reduced": _money(reduced),
        "outstanding": _money(Decimal(0) if settled else amount - paid - reduced),
        "settled": settled,
    }


def _key_project(row: dict, event: Envelope, policy: Policy) -> None:
    p = event.payload
    if _newer(row, "key", _stamp(event)):
        row.update(
            designated=bool(p["designated"]),
            designation_reason=to_wire(reason_of(p)),
            liaison_leader=p["liaison_leader"],
            service_team=list(p["service_team"]),
        )


def _responsibility(row: dict, event: Envelope, policy: Policy) -> None:
    p = event.payload
    if "responsible_leader" in p and _newer(row, "leader", _stamp(event)):
        row["assigned_leader"] = p["responsible_leader"]
    if "responsible_person" in p and _newer(row, "person", _stamp(event)):
        row["assigned_person"] = p["responsible_person"]


def _requirements(row: dict, event: Envelope, policy: Policy) -> None:
    if _newer(row, "requirements", _stamp(event)):
        row["manual_requirements"] = [dict(r) for r in event.payload["requirements"]]


def _funds(row: dict, event: Envelope, policy: Policy) -> None:
    p = event.payload
    row["funds"][event.event_id] = {"on": p["on"], "amount": p["amount"], "note": p.get("note"), "by": event.actor.unit}


def _imported(row: dict, event: Envelope, policy: Policy) -> None:
    """A row of a county's existing ledger workbook (an import): the row as it was kept."""
    p = event.payload
    stamp = _stamp(event)
    row["source"] = "import"
    for group in ("facts", "registered", "unit", "contract", "leader", "person", "requirements", "key"):
        _newer(row, group, stamp)
    if _newer(row, "state", [0]):
        row.update(state=p["state"], state_since=p["state_since"], book=p["book"])
    row.update(
        ref=p["ref"],
        name=p["name"],
        investor_name=p.get("investor_name"),
        sector=p["sector"],
        location=p.get("location") or "待定",
        planned_total_investment=p["total_investment"],
        registered_unit="IPB",
        registered_on=p.get("registered_on"),
        assigned_unit=p["responsible_unit"],
        assigned_leader=p.get("responsible_leader"),
        assigned_person=p.get("responsible_person"),
        manual_requirements=list(p.get("requirements") or []),
        designated=bool(p.get("designated")),
        liaison_leader=p.get("liaison_leader"),
        service_team=list(p.get("service_team") or []),
        signed_on=p.get("signed_on"),
        contracted_investment=p.get("contracted_investment"),
    )
    if p.get("funds_in_place"):
        row["funds"][event.event_id] = {
            "on": p["signed_on"],
            "amount": p["funds_in_place"],
            "note": "导入：历史到位资金",
            "by": "IPB",
        }


APPLY = {
    "intake.lead_registered": _facts,
    "intake.project_filed": _facts,
    "coordinator.project_state_changed": _state,
    "review.convened": _review_opened,
    "review.resubmitted": _review_opened,
    "review.reopened": _review_reopened,
    "review.returned": _review_closed,
    "review.concluded": _review_closed,
    "review.deadline_moved": _review_due_moved,
    "negotiation.unit_assigned": _unit,
    "review.opinion_recorded": _opinion,
    "negotiation.escalated": _route,
    "negotiation.decided": _route,
    "negotiation.principals_decided": _route,
    "negotiation.principal_decided": _principal,
    "negotiation.reopened": _reopened,
    "contracts.drafted": _contract_version,
    "contracts.submitted": _contract_version,
    "contracts.returned": _contract_version,
    "contracts.approved": _contract_version,
    "accounting.figures_computed": _accounting,
    "accounting.report_issued": _accounting,
    "accounting.recovery_recorded": _accounting,
    "accounting.write_off_decided": _accounting,
    "contracts.signed": _signed,
    "supervision.problem_raised": _problem,
    "supervision.problem_resolved": _problem,
    "contracts.progress_recorded": _obligation_news,
    "contracts.obligation_lapsed": _obligation_news,
    "contracts.special_report_filed": _obligation_news,
    "contracts.special_report_late": _obligation_news,
    "contracts.report_due_moved": _obligation_news,
    "supervision.benefit_graded": _benefit,
    "supervision.commitment_unmet": _damages,
    "supervision.damages_recorded": _damages,
    "supervision.damages_settled": _damages,
    "coordinator.key_project_set": _key_project,
    "coordinator.responsibility_assigned": _responsibility,
    "coordinator.requirements_set": _requirements,
    "coordinator.funds_recorded": _funds,
    "coordinator.ledger_row_imported": _imported,
}


def progress_summary(event: Envelope):
    """The latest progress of a project (最新进展), as a wire message: a transition with its reason, an event's
    reason or summary, or what the event is."""
    p = event.payload
    why = reason_of(p) or p.get("summary")
    if event.type == "coordinator.project_state_changed":
        if p.get("from_state"):
            change = _("{from_state:state} → {to_state:state}", from_state=p["from_state"], to_state=p["to_state"])
        else:
            change = _("→ {to:state}", to=p["to_state"])
        return to_wire(_("{change}: {reason}", change=change, reason=why) if why else change)
    return to_wire(why if why else _("{event:event}", event=event.type))


def apply(row: dict | None, event: Envelope, policy: Policy) -> dict:
    """The ledger row of ``event.project_id`` after ``event`` (a new dict; ``row`` is left as it was)."""
    return fold(row, [event], policy)


def fold(row: dict | None, events: Iterable[Envelope], policy: Policy, own: bool = False) -> dict | None:
    """The ledger row after each of ``events`` (of one project) in turn: a new dict, copied once for them all
    (``row`` is left as it was); None when there are no events and no row.

    ``own``: the caller hands ``row`` over and never reads it again (a row just read from the database, the
    rebuild's own rows), so it is folded in place.  The copy cost the coordinator about 0.25 ms an event, a
    row being some 3 KB of nested JSON (docs/PERFORMANCE.md)."""
    row = copy.deepcopy(row) if row is not None and not own else row
    for event in events:
        row = row if row is not None else blank(event.project_id)
        handler = APPLY.get(event.type)
        if handler is not None:
            handler(row, event, policy)
        if event.type != "coordinator.ledger_row_imported" and _newer(row, "progress", _stamp(event)):
            row["last_progress"] = {
                "at": _sh(event.occurred_at),
                "summary": progress_summary(event),
                "by": to_wire(vocabulary.actor_label(event.actor.dump(), with_name=False)),
            }
        elif event.type == "coordinator.ledger_row_imported" and _newer(row, "progress", _stamp(event)):
            row["last_progress"] = event.payload.get("last_progress")
        derive(row, policy)
    return row


def replay(events: Iterable[Envelope], policy: Policy) -> dict[str, dict]:
    """Every project's ledger row from a list of events (any order)."""
    rows: dict[str, dict] = {}
    for event in events:
        if event.project_id:
            rows[event.project_id] = fold(rows.get(event.project_id), [event], policy, own=True)
    return rows


# -- what follows from the facts ------------------------------------------------------------------------------------
TITLES = {"county_leader_in_charge": "分管县领导", "ipb_director": "县招商局局长"}
"""Titles a ledger row imported from a county's workbook may name its leader by (the ledger's own rows name the
position's title as a message)."""


def default_leader(unit: str | None, policy: Policy) -> dict:
    """Who leads a project by default: the park head in a park (R4), the county leader in charge
    outside parks, IPB's director while the lead is still IPB's."""
    if unit and unit.startswith("PARK:") and unit[5:] in policy.parks:
        park = policy.parks[unit[5:]]
        return {"position": park.head_position, "name": to_wire(_("{position:position}", position=park.head_position))}
    if unit and unit.startswith("TOWN:"):
        return {
            "position": "county_leader_in_charge",
            "name": to_wire(_("{position:position}", position="county_leader_in_charge")),
        }
    return {"position": "ipb_director", "name": to_wire(_("{position:position}", position="ipb_director"))}


def derive(row: dict, policy: Policy) -> None:
    """Fill the derived fields (tier, key project, leader, person, requirements, flags, funds) from the facts."""
    row["responsible_unit"] = row["assigned_unit"] or row["registered_unit"]
    total = row["contracted_investment"] or row["planned_total_investment"]
    row["total_investment"] = total
    row["tier"] = investment_tier(total, policy) if total is not None else None
    by_threshold = total is not None and is_key_investment(total, policy)
    row["is_key"] = bool(row["designated"] or by_threshold)
    row["key_basis"] = ("designated" if row["designated"] else "threshold") if row["is_key"] else None
    row["responsible_leader"] = row["assigned_leader"] or default_leader(row["responsible_unit"], policy)
    row["responsible_person"] = row["assigned_person"] or (
        {"name": row["registered_by"]["name"], "user_id": row["registered_by"]["user_id"]}
        if row["registered_by"]
        else None
    )
    requirements = [{**r, "source": "set"} for r in row["manual_requirements"]]
    if row["review_done"] is not None:
        requirements.append(
            {
                "step": to_wire(_("complete the joint review (every reviewing unit gives its opinion)")),
                "due": row["review_due"],
                "done": row["review_done"],
                "source": "review",
            }
        )
    if row["completion_due"]:
        requirements.append(
            {
                "step": to_wire(_("the contracted construction period ends: carry out the investment accounting")),
                "due": row["completion_due"],
                "done": row["state"] in _STATES_FROM["accounting"],
                "source": "accounting",
            }
        )
    for key, ob in sorted(row["obligations"].items()):
        requirements.append(
            {"step": ob["text"], "due": ob["due"], "done": ob["status"] == "met", "source": f"obligation:{key}"}
        )
        if ob["status"] == "lapsed":
            requirements.append(
                {
                    "step": to_wire(
                        _("“{text}” not met on time: file a special report to the Leading Group", text=ob["text"])
                    ),
                    "due": ob["report_due"],
                    "done": ob["report_filed"],
                    "source": f"report:{key}",
                }
            )
    requirements.sort(key=lambda r: (r["due"] or "9999-12-31", r["source"]))
    row["requirements"] = requirements
    open_dues = [r["due"] for r in requirements if not r["done"] and r["due"]]
    row["next_due"] = min(open_dues) if open_dues and row["state"] not in ENDED else None
    flags = [
        to_wire(
            _(
                "“{text}”: the special report is late (red flag)",
                text=(row["obligations"].get(key) or {}).get("text", key),
            )
        )
        for key in row["late_reports"]
    ]
    if row["is_key"] and not row["liaison_leader"]:
        flags.append(to_wire(_("a key project without its county-level liaison leader")))
    if row["is_key"] and not row["service_team"]:
        flags.append(to_wire(_("a key project without its full-time service team")))
    owed = [d for d in (row.get("damages") or {}).values() if not d["settled"] and Decimal(d["outstanding"]) > 0]
    for d in owed:
        flags.append(
            to_wire(
                _(
                    "standard-land damages of {amount:yuan} owed: {outstanding:yuan} outstanding (red flag)",
                    amount=d["amount"],
                    outstanding=d["outstanding"],
                )
            )
        )
    row["damages_owed"] = (
        {
            "amount": _money(sum((Decimal(d["amount"]) for d in owed), Decimal(0))),
            "outstanding": _money(sum((Decimal(d["outstanding"]) for d in owed), Decimal(0))),
        }
        if owed
        else None
    )
    row["red_flags"] = flags if row["state"] not in ENDED else []  # an ended project is history, not a warning
    row["funds_in_place"] = str(quantize_money(sum((Decimal(f["amount"]) for f in row["funds"].values()), Decimal(0))))
    row["awaiting"] = workbench.awaiting(row, policy)


_ORDER = ("signed", "filed_copies", "construction", "accounting", "closed", "archived")
_STATES_FROM = {state: _ORDER[i:] for i, state in enumerate(_ORDER)}


HIDDEN = frozenset(
    (
        "stamps",
        "review_due",
        "review_done",
        "completion_due",
        "manual_requirements",
        "late_reports",
        "assigned_unit",
        "assigned_leader",
        "assigned_person",
        "registered_by",
        "review_units",
        "review_round",
        "review_opinions",
        "route",
        "principal_decisions",
        "principal_rounds",
        "negotiation_round",
        "contract_approved",
        "accounting",
        "awaiting",
        "problems",
        "damages",
    )
)
"""What the fold keeps for itself (and for the workbench), not shown as a ledger row."""


# -- reading a row today -----------------------------------------------------------------------------------------------
def view(row: Mapping, now: datetime, policy: Policy, roster: list | None = None) -> dict:
    """The row as shown today: time in state, overdue, stale, with those added to the red flags; with the Leading
    Group's roster, the persons who hold the responsible and liaison leaders' positions today."""
    out = {k: v for k, v in row.items() if k not in HIDDEN}
    today = to_shanghai(now).date()
    if roster:
        out["responsible_leader"] = named(out.get("responsible_leader"), roster, today)
        out["liaison_leader"] = named(out.get("liaison_leader"), roster, today)
    since = datetime.fromisoformat(row["state_since"]) if row["state_since"] else None
    out["time_in_state_days"] = (today - to_shanghai(since).date()).days if since else None
    out["overdue"] = bool(row["next_due"] and date.fromisoformat(row["next_due"]) < today)
    last = row["last_progress"]["at"] if row["last_progress"] else None
    stale_days = policy.integer("thresholds.tracking.stale_days")
    idle = (today - to_shanghai(datetime.fromisoformat(last)).date()).days if last else None
    out["stale"] = bool(row["state"] not in ENDED and idle is not None and idle >= stale_days)
    flags = list(row["red_flags"])
    if out["overdue"]:
        flags.append(to_wire(_("an advancement requirement is overdue (due {due:date})", due=row["next_due"])))
    if out["stale"]:
        flags.append(to_wire(_("no progress for {days:count} days", days=idle)))
    out["red_flags"] = flags
    out["state_name"] = to_wire(_("{state:state}", state=row["state"])) if row["state"] else None
    out["book_name"] = to_wire(_("{book:book}", book=row["book"])) if row["book"] else None
    out["responsible_unit_name"] = (
        to_wire(_("{unit:unit}", unit=row["responsible_unit"])) if row["responsible_unit"] else None
    )
    out["sector_name"] = to_wire(_("{sector:sector}", sector=row["sector"])) if row["sector"] else None
    out["funds"] = sorted(row["funds"].values(), key=lambda f: (f["on"], f["amount"]))
    return out


def named(leader: Mapping | None, roster: list, today: date) -> Mapping | None:
    """A leader by position, with the persons on the roster who hold it today (``persons``); a leader whose name
    is only the position's title (园区管委会主任, 分管县领导) is named by them."""
    from shared.roster import names

    if not leader or not leader.get("position"):
        return leader
    persons = names(roster, leader["position"], today)
    if not persons:
        return leader
    name = leader.get("name") or ""
    titled = not leader.get("user_id") and (
        is_wire_message(name) or name in ("", *TITLES.values()) or str(name).endswith("管委会主任")
    )
    return {
        **leader,
        "persons": persons,
        **({"title": leader.get("name"), "name": "、".join(persons)} if titled else {}),
    }


# -- rules of the acts on the ledger ---------------------------------------------------------------------------------
SEE_EVERY_ROW = ("IPB", "LG")


def ledger_scope(actor_unit: str, unit: str | None) -> str | None:
    """The unit whose rows a reader lists: IPB and the LG read every row (``unit``, or all when None); a park or
    town reads the rows it is responsible for, and asking for another unit's is refused."""
    from shared.errors import NotAllowed

    if actor_unit in SEE_EVERY_ROW:
        return unit
    if unit and unit != actor_unit:
        raise NotAllowed(
            _(
                "{own:unit} reads the ledger rows of its own projects, not those of {other:unit}",
                own=actor_unit,
                other=unit,
            ),
            {"unit": [unit]},
        )
    return actor_unit


def check_reads_row(actor_unit: str, row: Mapping, project_id: str) -> Mapping:
    """A row is read (and acted on) by IPB, the LG and the project's responsible unit."""
    from shared.errors import NotAllowed

    if actor_unit not in SEE_EVERY_ROW and row["responsible_unit"] != actor_unit:
        raise NotAllowed(
            _("{unit:unit} is not the responsible unit of {ref}", unit=actor_unit, ref=row["ref"]),
            {"project_id": project_id},
        )
    return row


ALL_OR_NOTHING = "all_or_nothing"


def check_importable(problems: list, mode: str) -> None:
    """All or nothing (the default): one invalid row of a ledger workbook (``workbook.RowProblem``) imports nothing,
    the refusal naming each sheet, row and column; ``partial`` imports the valid rows and reports the others."""
    from shared.errors import InvalidInput

    if problems and mode == ALL_OR_NOTHING:
        raise InvalidInput(
            _(
                "{count:count} row(s) of the workbook are invalid — nothing was imported: {problems:clauses}",
                count=len({(p.sheet, p.row) for p in problems}),
                problems=[p.text() for p in problems[:20]],
            ),
            {p.key: [_("{heading}: {message}", heading=p.heading, message=p.message)] for p in problems},
        )


def check_key_project(row: Mapping, data: Mapping, policy: Policy) -> None:
    """R10: a key project is designated by the LG, or reaches the threshold; its liaison leader is
    one county-level leader (policy ``thresholds.key_project.liaison_leader_positions``)."""
    from shared.errors import Conflict, InvalidInput
    from shared.tiers import key_threshold

    if row["state"] in ("rejected", "terminated", "archived"):
        raise Conflict(
            _("{ref} is {state:state}: it can no longer be a key project", ref=row["ref"], state=row["state"]),
            {"state": [row["state"]]},
        )
    positions = policy.get("thresholds.key_project.liaison_leader_positions")
    if data["liaison_leader"]["position"] not in positions:
        raise InvalidInput.for_field(
            "liaison_leader.position",
            _("the liaison leader is a county-level leader: one of {positions:positions}", positions=list(positions)),
        )
    total = row["contracted_investment"] or row["planned_total_investment"]
    if not data["designated"] and (total is None or not is_key_investment(total, policy)):
        raise InvalidInput.for_field(
            "designated",
            _(
                "the total investment is below the key-project threshold of "
                "{threshold:wan}: the Leading Group designates it (designated: "
                "true)",
                threshold=key_threshold(policy),
            ),
        )
    names = [m["name"] for m in data["service_team"]]
    if len(set(names)) != len(names):
        raise InvalidInput.for_field("service_team", _("a member is named twice"))


def check_funds(row: Mapping, data: Mapping, policy: Policy, today: date) -> Decimal:
    """Funds actually in place (R14): a contracted project, a positive amount in yuan to the fen, a date
    from the signing to today."""
    from shared.errors import Conflict, InvalidInput

    if row["book"] != "contracted" or row["state"] == "terminated":
        raise Conflict(
            _(
                "{ref} is {state:state}: funds in place are recorded for a contracted project",
                ref=row["ref"],
                state=row["state"],
            ),
            {"state": [row["state"]]},
        )
    amount = Decimal(data["amount"])
    if amount <= 0:
        raise InvalidInput.for_field("amount", _("must be a positive amount in yuan"))
    if amount > policy.decimal("thresholds.intake.max_total_investment_yuan"):  # before rounding: 1e999 cannot
        raise InvalidInput.for_field("amount", _("exceeds the plausible ceiling (a typing error?)"))
    if amount != quantize_money(amount):
        raise InvalidInput.for_field("amount", _("yuan are kept to 2 decimal places (fen)"))
    if data["on"] > today:
        raise InvalidInput.for_field("on", _("is after today ({today:date})", today=today))
    if row["signed_on"] and data["on"] < date.fromisoformat(row["signed_on"]):
        raise InvalidInput.for_field(
            "on", _("is before the contract was signed ({signed:date})", signed=row["signed_on"])
        )
    return amount
