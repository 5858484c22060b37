"""Steps of the lifecycle over RPC, shared by the integration tests."""

from __future__ import annotations

import datetime as dt

from shared.clock import today_shanghai
from tests.factories import IPB_CLERK, lead

UNITS = ("DRB", "IND", "FIN", "EPB", "LAND", "PLAN")


def reviewer(unit: str) -> dict:
    if unit.startswith("PARK:"):
        return {"user_id": f"u-{unit}", "position": f"park_head:{unit[5:]}", "unit": unit}
    return {"user_id": f"u-{unit}", "position": "reviewer", "unit": unit}


def leader(position: str, unit: str = "LG") -> dict:
    return {"user_id": f"u-{position}", "position": position, "unit": unit}


def filed_lead(rpc, n: int, **changes) -> str:
    project_id = rpc.intake.register_lead(IPB_CLERK, lead(n, **changes))["id"]
    rpc.intake.file_project(IPB_CLERK, project_id)
    return project_id


def convene(rpc, project_id):
    """Right after the filing: the review waits for the filing's event itself (shared/catch_up.py)."""
    return rpc.review.convene(IPB_CLERK, project_id, {"note": "联审"})


def approve(rpc, project_id) -> dict:
    review = convene(rpc, project_id)
    for unit in review["awaiting"]:
        review = rpc.review.record_opinion(reviewer(unit), project_id, {"opinion": "pass"})
    assert review["outcome"] == "approved", review
    return review


def state(rpc, project_id) -> str:
    return rpc.coordinator.get_project(IPB_CLERK, project_id)["state"]


PARK_HEAD = leader("park_head:hengdong", "PARK:hengdong")
LEGAL = {"user_id": "u-legal", "position": "legal_officer", "unit": "LEGAL"}
HEADS = {
    "GOV": "gov_office_director",
    "IPB": "ipb_director",
    "FIN": "bureau_head",
    "LAND": "bureau_head",
    "LEGAL": "legal_director",
    "IND": "bureau_head",
    "PARK:hengdong": "park_head:hengdong",
}


def _after(days: int) -> str:
    return (today_shanghai() + dt.timedelta(days=days)).isoformat()


# The decided figures repeated (as a client may: they must be the decision's), and dates from the signing day on:
# signing refuses an obligation due before it, and the contract's dates are obligations (R6).
TERMS = {
    "total_investment": "120000000",
    "fixed_asset_investment": "100000000",
    "land_mu": "45",
    "construction_start": _after(90),
    "completion": _after(455),
    "production": _after(575),
    "obligations": [{"id": "O1", "text": "缴清土地出让金", "due": _after(40)}],
}
SIGNATORY = {"name": "张总", "title": "董事长"}


def agreed(rpc, n: int) -> str:
    """A filed lead taken through review and negotiation to an agreement within the park head's authority."""
    project_id = filed_lead(rpc, n)
    approve(rpc, project_id)
    rpc.negotiation.record_intermediary(IPB_CLERK, project_id, {"none": True})
    rpc.negotiation.assign_unit(IPB_CLERK, project_id, {"unit": "PARK:hengdong"})
    rpc.negotiation.log_session(
        IPB_CLERK,
        project_id,
        {
            "held_on": "2026-11-26",
            "stage": "final",
            "agreed": ["合同条款"],
            "participants": [
                {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
                {"unit": "IPB", "position": "ipb_clerk"},
                {"unit": "LEGAL", "position": "legal_officer"},
            ],
        },
    )
    rpc.negotiation.decide(PARK_HEAD, project_id, {"decision": "agree"})
    return project_id


def designate_custodians(rpc) -> None:
    for unit, head in HEADS.items():
        rpc.contracts.designate_custodian(
            {"user_id": f"h-{unit}", "position": head, "unit": unit},
            unit,
            {"user_id": f"c-{unit}", "name": f"{unit} 档案员", "cabinet": f"{unit}-柜1"},
        )


def to_construction(rpc, n: int) -> str:
    """An agreed project drafted, approved by LEGAL, signed, filed in 8 copies and handed over."""
    project_id = agreed(rpc, n)
    assert rpc.contracts.draft(IPB_CLERK, project_id, TERMS)["state"] == "drafting"
    rpc.contracts.submit(IPB_CLERK, project_id, {"version": 1})
    rpc.contracts.legal_review(LEGAL, project_id, {"version": 1, "decision": "approve"})
    rpc.contracts.sign(PARK_HEAD, project_id, {"version": 1, "investor_signatory": SIGNATORY})
    designate_custodians(rpc)
    copies = [{"number": i, "unit": u} for i, u in enumerate(list(HEADS) + ["PARK:hengdong"], 1)]
    rpc.contracts.register_copies(IPB_CLERK, project_id, {"copies": copies})
    rpc.contracts.hand_over(IPB_CLERK, project_id)
    return project_id
