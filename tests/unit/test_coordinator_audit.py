"""R15: every change of state the coordinator records is in its hash-chained audit trail."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from services.coordinator import models
from services.coordinator.service import CoordinatorService
from shared import audit, migrations
from shared.actor import Actor
from shared.envelope import Envelope
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai

CLERK = Actor("u-ipb", "ipb_clerk", "IPB")
PAYLOAD = {
    "ref": "ZS2026-0001",
    "project_name": "示例",
    "investor_name": "X",
    "sector": "C3512",
    "planned_total_investment": "120000000",
    "planned_fixed_asset_investment": "100000000",
    "land_mu": "45.00",
    "location_kind": "park",
    "location_id": "hengdong",
    "registered_unit": "IPB",
    "reason": "材料齐全",
}


def test_transitions_are_chained_in_the_audit_trail_and_tampering_is_caught(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    migrations.upgrade("coordinator", engine)  # the migrated schema, triggers included
    coordinator = Harness(
        CoordinatorService, models.metadata, engine, policy=load_policy(), clock=TestClock(shanghai(2026, 11, 27))
    )
    coordinator.on_lead_registered(Envelope("intake.lead_registered", CLERK, PAYLOAD, project_id="p1").dump())
    coordinator.on_project_filed(Envelope("intake.project_filed", CLERK, PAYLOAD, project_id="p1").dump())
    with Session(engine) as s:
        entries = audit.entries_for(s, models.audit_trail, "project", "p1")
        assert [(e["action"], e["user_id"], e["position"], e["outcome"]) for e in entries] == [
            ("intake.lead_registered", "u-ipb", "ipb_clerk", "done"),
            ("intake.project_filed", "u-ipb", "ipb_clerk", "done"),
        ]
        assert entries[1]["reason"] == "材料齐全" and audit.verify(s, models.audit_trail).ok
    with engine.begin() as c:
        c.execute(text("DROP TRIGGER audit_trail_no_update"))
        c.execute(text("UPDATE audit_trail SET user_id = 'someone-else' WHERE seq = 1"))
    with Session(engine) as s:
        result = audit.verify(s, models.audit_trail)
    assert not result.ok and result.first_bad_seq == 1
