"""Department events of three sample projects, fed to the coordinator as the bus would (R10 tests).

ZS2026-0001  1.5 亿元, Hengdong park: filed → review → assigned → negotiated → agreed → drafted →
             signed (obligation O1 due 2026-11-20) → 8 copies → construction; O1 lapses, its
             special report is late (red flag)
ZS2026-0002  3000 万元, town project: registered and filed (information book)
ZS2026-0003  8000 万元, Hexi park: reviewed, assigned, negotiating (negotiation book)
"""

from __future__ import annotations

import datetime as dt

from shared.actor import Actor
from shared.envelope import Envelope
from tests.harness import shanghai

IPB = Actor("u-ipb", "ipb_clerk", "IPB", "李干事")
PARK = Actor("u-park", "park_head:hengdong", "PARK:hengdong")
LEGAL = Actor("u-legal", "legal_officer", "LEGAL")
SYSTEM = Actor("system", "system", "SYSTEM")

HANDLERS = {
    "intake.lead_registered": "on_lead_registered",
    "intake.project_filed": "on_project_filed",
    "review.convened": "on_review_convened",
    "review.opinion_recorded": "on_review_opinion_recorded",
    "review.concluded": "on_review_concluded",
    "negotiation.unit_assigned": "on_unit_assigned",
    "negotiation.session_logged": "on_session_logged",
    "negotiation.decided": "on_negotiation_decided",
    "contracts.drafted": "on_contract_drafted",
    "contracts.submitted": "on_contract_submitted",
    "contracts.approved": "on_contract_approved",
    "contracts.signed": "on_contract_signed",
    "contracts.file_completed": "on_file_completed",
    "contracts.handed_over": "on_handed_over",
    "supervision.problem_raised": "on_problem_raised",
    "supervision.problem_resolved": "on_problem_resolved",
    "contracts.obligation_lapsed": "on_obligation_lapsed",
    "contracts.special_report_late": "on_special_report_late",
    "contracts.progress_recorded": "on_progress_recorded",
}


def lead_payload(ref, name, total, location=("park", "hengdong"), sector="C3252", unit="IPB"):
    return {
        "ref": ref,
        "project_name": name,
        "investor_name": f"{name}投资有限公司",
        "sector": sector,
        "planned_total_investment": total,
        "planned_fixed_asset_investment": str(int(total) * 8 // 10),
        "land_mu": "45.00",
        "location_kind": location[0],
        "location_id": location[1],
        "registered_unit": unit,
        "reason": None,
    }


def obligation(status="open", report_due=None, report=None):
    return {
        "key": "O1",
        "text": "缴清土地出让金",
        "due": "2026-11-20",
        "party": "investor",
        "status": status,
        "progress": [],
        "report_due": report_due,
        "report_due_provisional": False,
        "report": report,
        "red_flag": False,
    }


TERMS = {
    "total_investment": "150000000",
    "fixed_asset_investment": "120000000",
    "land_mu": "45",
    "intensity_wan_per_mu": "266.67",
    "construction_start": "2027-03-01",
    "completion": "2028-02-28",
    "production": "2028-06-30",
}


def scenario() -> list[Envelope]:
    """The department events, in the order the departments emitted them."""
    events = []

    def add(kind, project, payload, at, actor=IPB):
        events.append(Envelope(kind, actor, payload=payload, project_id=project, occurred_at=at))

    p1, p2, p3 = "p1", "p2", "p3"
    add(
        "intake.lead_registered",
        p1,
        lead_payload("ZS2026-0001", "高性能铝合金型材项目", "150000000"),
        shanghai(2026, 9, 1),
    )
    add(
        "intake.project_filed",
        p1,
        lead_payload("ZS2026-0001", "高性能铝合金型材项目", "150000000"),
        shanghai(2026, 9, 2),
    )
    add(
        "review.convened",
        p1,
        {
            "ref": "ZS2026-0001",
            "required_units": ["DRB"],
            "findings": [],
            "note": None,
            "deadline": "2026-09-16",
            "deadline_provisional": False,
            "reason": "review convened",
        },
        shanghai(2026, 9, 3),
    )
    add(
        "review.opinion_recorded",
        p1,
        {"unit": "DRB", "opinion": "pass", "conditions": [], "reasons": []},
        shanghai(2026, 9, 5),
        Actor("u-drb", "reviewer", "DRB"),
    )
    add(
        "review.concluded",
        p1,
        {
            "outcome": "approved",
            "conditions": [],
            "findings": [],
            "outside_policy": False,
            "round": 1,
            "reason": "review approved",
        },
        shanghai(2026, 9, 5),
        SYSTEM,
    )
    add(
        "negotiation.unit_assigned",
        p1,
        {
            "unit": "PARK:hengdong",
            "ranking": [],
            "proposed": "PARK:hengdong",
            "reason": "handed to PARK:hengdong (ranked first)",
        },
        shanghai(2026, 9, 8),
    )
    add(
        "negotiation.session_logged",
        p1,
        {
            "seq": 1,
            "first": True,
            "stage": "final",
            "held_on": "2026-09-20",
            "agreed": ["总投资1.5亿元"],
            "open": [],
            "exceeding_terms": [],
            "reason": "negotiation session 1 (final) on 2026-09-20",
        },
        shanghai(2026, 9, 20),
    )
    add(
        "negotiation.decided",
        p1,
        {
            "outcome": "agreed",
            "route": {"decides": ["park_head:hengdong"]},
            "decided_by": "park_head:hengdong",
            "reason": "decided within authority",
        },
        shanghai(2026, 9, 25),
        PARK,
    )
    add(
        "contracts.drafted",
        p1,
        {"version": 1, "state_change": True, "intensity_wan_per_mu": "266.67", "reason": "contract v1 drafted"},
        shanghai(2026, 10, 8),
    )
    add(
        "contracts.submitted",
        p1,
        {"version": 1, "state_change": True, "reason": "v1 submitted to LEGAL"},
        shanghai(2026, 10, 9),
    )
    add(
        "contracts.approved",
        p1,
        {"version": 1, "comments": [], "state_change": False, "reason": "LEGAL approves v1"},
        shanghai(2026, 10, 12),
        LEGAL,
    )
    add(
        "contracts.signed",
        p1,
        {
            "version": 1,
            "signed_by": "park_head:hengdong",
            "investor_signatory": {"name": "张总"},
            "terms": TERMS,
            "obligations": [obligation()],
            "reason": "v1 signed by park_head:hengdong and 张总",
        },
        shanghai(2026, 10, 15),
        PARK,
    )
    add("contracts.file_completed", p1, {"copies": [], "reason": "8 official copies filed"}, shanghai(2026, 10, 20))
    add(
        "contracts.handed_over",
        p1,
        {"responsible_unit": "PARK:hengdong", "reason": "handed to PARK:hengdong"},
        shanghai(2026, 10, 22),
    )
    add(
        "contracts.obligation_lapsed",
        p1,
        {
            "obligation": obligation("lapsed", "2026-11-25"),
            "responsible_unit": "PARK:hengdong",
            "notify": ["PARK:hengdong"],
            "report_due": "2026-11-25",
            "provisional": False,
            "unknown_years": [],
            "reason": "obligation O1 unmet at 2026-11-20",
        },
        shanghai(2026, 11, 21),
        SYSTEM,
    )
    add(
        "contracts.special_report_late",
        p1,
        {
            "obligation": obligation("lapsed", "2026-11-25"),
            "notify": ["IPB", "LG"],
            "reason": "special report on O1 was due 2026-11-25: project flagged red",
        },
        shanghai(2026, 11, 26),
        SYSTEM,
    )

    add(
        "intake.lead_registered",
        p2,
        lead_payload("ZS2026-0002", "农产品冷链物流项目", "30000000", ("town", "xintang"), "G5951", "TOWN:xintang"),
        shanghai(2026, 10, 10),
        Actor("u-town", "town_clerk", "TOWN:xintang"),
    )
    add(
        "intake.project_filed",
        p2,
        lead_payload("ZS2026-0002", "农产品冷链物流项目", "30000000", ("town", "xintang"), "G5951", "TOWN:xintang"),
        shanghai(2026, 10, 12),
    )

    add(
        "intake.lead_registered",
        p3,
        lead_payload("ZS2026-0003", "新型建材项目", "80000000", ("park", "hexi"), "C3024"),
        shanghai(2026, 10, 1),
    )
    add(
        "intake.project_filed",
        p3,
        lead_payload("ZS2026-0003", "新型建材项目", "80000000", ("park", "hexi"), "C3024"),
        shanghai(2026, 10, 2),
    )
    add(
        "review.convened",
        p3,
        {
            "ref": "ZS2026-0003",
            "required_units": ["DRB"],
            "findings": [],
            "note": None,
            "deadline": "2026-10-19",
            "deadline_provisional": False,
            "reason": "review convened",
        },
        shanghai(2026, 10, 3),
    )
    add(
        "review.concluded",
        p3,
        {
            "outcome": "approved",
            "conditions": [],
            "findings": [],
            "outside_policy": False,
            "round": 1,
            "reason": "review approved",
        },
        shanghai(2026, 10, 10),
        SYSTEM,
    )
    add(
        "negotiation.unit_assigned",
        p3,
        {"unit": "PARK:hexi", "ranking": [], "proposed": "PARK:hexi", "reason": "handed to PARK:hexi"},
        shanghai(2026, 10, 12),
    )
    add(
        "negotiation.session_logged",
        p3,
        {
            "seq": 1,
            "first": True,
            "stage": "early",
            "held_on": "2026-10-20",
            "agreed": [],
            "open": ["供地价格"],
            "exceeding_terms": [],
            "reason": "negotiation session 1 (early) on 2026-10-20",
        },
        shanghai(2026, 10, 20),
    )
    return events


def feed(coordinator, event: Envelope) -> None:
    coordinator.call(HANDLERS[event.type], event.dump())


def today_clock_date() -> dt.date:
    return dt.date(2026, 12, 10)
