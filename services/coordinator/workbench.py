"""The workbench (工作台): what awaits whom, derived from a project's ledger row.

``awaiting(row, policy)`` says, for the project's present state and facts, which unit (and, where the rules
name one, which position) must act next, by which operation of ``policy/authority.yaml``, on what, and by
when.  The coordinator keeps these entries in a table indexed by unit and due date, rewritten in the same
transaction as the ledger row (``ledger_store.record``), so a person's to-dos are one indexed read filtered by
the same authorization table the services enforce (``mine``).

Pure: no nameko, no session, no clock.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from shared.actor import Actor, is_allowed
from shared.policy import Policy

KINDS = (
    "file_lead",
    "convene_review",
    "opinion",
    "resubmission",
    "assign_unit",
    "first_session",
    "decide",
    "principal_decision",
    "renegotiate",
    "draft_contract",
    "legal_review",
    "sign",
    "register_copies",
    "hand_over",
    "progress",
    "special_report",
    "open_accounting",
    "actual_fai",
    "land_used",
    "accounting_report",
    "recovery",
    "write_off",
    "archive",
    "resolve_problem",
)
"""Every kind of to-do, in the order a project meets them (the web app names each: ``todo.<kind>``)."""


def unit_of_position(position: str) -> str:
    """The unit a position of the decision route belongs to: a park's head to the park, a county leader to
    the LG."""
    if position.startswith("park_head:"):
        return "PARK:" + position.split(":", 1)[1]
    return "LG"


def _entry(
    kind: str,
    unit: str | None,
    operation: str | None,
    *,
    position: str | None = None,
    due: str | None = None,
    subject: str | None = None,
) -> dict:
    return {"kind": kind, "unit": unit, "position": position, "operation": operation, "due": due, "subject": subject}


def awaiting(row: Mapping, policy: Policy) -> list[dict]:
    """The to-dos the project's state and facts ask for now (none for an ended project)."""
    state = row.get("state")
    unit = row.get("responsible_unit")
    out: list[dict] = []
    if state == "lead":
        out.append(_entry("file_lead", "IPB", "intake.file_project"))
    elif state == "filed":
        out.append(_entry("convene_review", "IPB", "review.convene"))
    elif state == "under_review":
        given = set((row.get("review_opinions") or {}).get(str(row.get("review_round") or 1), ()))
        for reviewer in row.get("review_units") or ():
            if reviewer not in given:
                out.append(_entry("opinion", reviewer, "review.record_opinion", due=row.get("review_due")))
    elif state == "returned":
        out.append(_entry("resubmission", "IPB", "review.resubmit"))
    elif state == "approved":
        out.append(_entry("assign_unit", "IPB", "negotiation.assign_unit"))
    elif state == "assigned":
        out.append(_entry("first_session", unit, "negotiation.log_session"))
    elif state == "negotiating":
        route = row.get("route")
        if route and route.get("escalated") and route.get("recommends"):
            position = route["recommends"]
        else:
            position = _leader_position(unit, policy)
        out.append(_entry("decide", unit_of_position(position), None, position=position))
    elif state == "escalated":
        decided = set(row.get("principal_decisions") or ())
        for position in (row.get("route") or {}).get("decides") or ():
            if position not in decided:
                out.append(_entry("principal_decision", unit_of_position(position), None, position=position))
    elif state == "refused":  # R5: back to IPB, which renegotiates (or terminates it with a special report)
        out.append(_entry("renegotiate", "IPB", "negotiation.renegotiate"))
    elif state in ("agreed", "drafting"):
        out.append(_entry("draft_contract", "IPB", "contracts.draft"))
    elif state == "legal_review":
        signs = (row.get("route") or {}).get("signs")
        if row.get("contract_approved") and signs:
            out.append(_entry("sign", unit_of_position(signs), None, position=signs))
        else:
            out.append(_entry("legal_review", "LEGAL", "contracts.legal_review"))
    elif state == "signed":
        out.append(_entry("register_copies", "IPB", "contracts.register_copies"))
    elif state == "filed_copies":
        out.append(_entry("hand_over", "IPB", "contracts.register_copies"))
    elif state == "construction":
        for key, ob in sorted((row.get("obligations") or {}).items()):
            if ob.get("status") == "lapsed" and not ob.get("report_filed"):
                out.append(
                    _entry(
                        "special_report",
                        unit,
                        "contracts.file_special_report",
                        due=ob.get("report_due"),
                        subject=f"{key} {ob.get('text') or ''}".strip(),
                    )
                )
            elif ob.get("status") not in ("met", "lapsed"):
                out.append(
                    _entry(
                        "progress",
                        unit,
                        "contracts.record_progress",
                        due=ob.get("due"),
                        subject=f"{key} {ob.get('text') or ''}".strip(),
                    )
                )
        if row.get("completion_due"):
            out.append(_entry("open_accounting", "IPB", "accounting.open", due=row["completion_due"]))
    elif state == "accounting":
        out.extend(_accounting(row.get("accounting") or {}))
    elif state == "closed":
        out.append(_entry("archive", "IPB", "contracts.register_copies"))
    if state not in ENDED:
        out.extend(_problems(row))
    return [e for e in out if e["unit"]]


ENDED = frozenset({"rejected", "terminated", "archived", "closed"})
"""States in which no problem waits to be solved (supervision stops following the project)."""


def _problems(row: Mapping) -> list[dict]:
    """R11: each open problem raised on the project (supervision's), for its owner to resolve by its escalation
    date: the unit it names, else (a position or a person named) the project's responsible unit."""
    out = []
    for key, problem in sorted((row.get("problems") or {}).items(), key=lambda kv: int(kv[0])):
        if problem.get("resolved"):
            continue
        kind, _sep, value = (problem.get("owner") or "").partition(":")
        owner = value if kind == "unit" and value else row.get("responsible_unit") or "IPB"
        out.append(
            _entry(
                "resolve_problem",
                owner,
                "supervision.resolve_problem",
                due=problem.get("due"),
                subject=problem.get("text"),
            )
            | {"problem_id": int(key)}
        )
    return out


def _accounting(acc: Mapping) -> list[dict]:
    """The figures, then the report, then while the one fee is owed: each recovering unit's records and the
    principals' decisions on a write-off still awaited (the accounting closes by itself when nothing is owed)."""
    if not acc.get("figures_done"):
        return [
            _entry("actual_fai", "AUDIT", "accounting.record_actual_fai"),
            _entry("land_used", "LAND", "accounting.record_land_used"),
        ]
    if not acc.get("report_issued"):
        return [_entry("accounting_report", "IPB", "accounting.open")]
    if acc.get("owed") is False:
        return []
    out = [_entry("recovery", u, "accounting.record_recovery") for u in acc.get("recovery_units") or ()]
    out += [
        _entry("write_off", unit_of_position(p), "accounting.write_off", position=p)
        for p in acc.get("write_off_awaiting") or ()
    ]
    return out


def _leader_position(unit: str | None, policy: Policy) -> str:
    """Who decides a project within authority by default (R5): the park's head in a park, the county leader in
    charge elsewhere."""
    if unit and unit.startswith("PARK:") and unit[5:] in policy.parks:
        return policy.parks[unit[5:]].head_position
    return "county_leader_in_charge"


def may_act(actor: Actor, entry: Mapping, authority: Mapping) -> bool:
    """The actor is the one an entry awaits: its unit, its position where one is named, and the operation the
    authorization table admits (its placeholders filled with the entry's unit)."""
    if entry["unit"] != actor.unit:
        return False
    if entry.get("position") and entry["position"] != actor.position:
        return False
    operation = entry.get("operation")
    if operation is None:
        return True
    context = {"responsible_unit": entry["unit"], "owner_unit": entry["unit"], "park": entry["unit"].split(":", 1)[-1]}
    return is_allowed(actor, operation, authority, **context)


def mine(actor: Actor, entries: Iterable[Mapping], authority: Mapping) -> list[Mapping]:
    return [e for e in entries if may_act(actor, e, authority)]
