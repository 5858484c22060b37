"""R11: the coordinator terminates a project only with a special report to the Leading Group, on that project,
saying it cannot go ahead — checked in its own copy of the register, kept from ``supervision.special_report_filed``
(no call to another service).  A signed project, under construction too, can be terminated the same way.

The coordinator runs in ``worker_factory`` workers over a real SQLite database (tests/harness.py); the events
come as the bus delivers them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from services.coordinator import domain, models
from services.coordinator import service as coordinator_service
from services.coordinator.service import CoordinatorService
from shared.errors import InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai
from tests.ledger_events import HANDLERS, scenario

POLICY = load_policy()
DIRECTOR = {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"}
CLERK = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
REASON = "投资方撤资，项目无法推进"


def report(ref, project_id="p1", cause="cannot_go_ahead"):
    """``supervision.special_report_filed``'s payload (the register's view of the report, and the project's facts)."""
    return {
        "ref": "ZS2026-0001",
        "report_ref": ref,
        "project_id": project_id,
        "cause": cause,
        "cause_zh": "—",
        "summary": "资金链断裂",
        "filed_at": "2026-09-01T10:00:00+08:00",
        "obligation_key": None,
        "filed_by": {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"},
        "document": {"id": "a" * 64, "filename": "r.pdf", "content_type": "application/pdf", "size": 9},
        "reason": f"special report {ref} filed",
    }


class Coordinator(Harness):
    def __init__(self, engine):
        super().__init__(
            CoordinatorService, models.metadata, engine, policy=POLICY, clock=TestClock(shanghai(2026, 12, 1))
        )

    def feed(self, events) -> None:
        for event in events:
            self.call(HANDLERS[event.type], event.dump())

    def filed(self, payload: dict) -> None:
        self.event("on_special_report_to_lg", "supervision.special_report_filed", payload["project_id"], payload)


@pytest.fixture
def coordinator(tmp_path, monkeypatch):
    monkeypatch.setattr(coordinator_service, "bound_of", lambda policy: (0.5, 0.02))  # a missing report: 0.5 s
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    models.metadata.create_all(engine)
    coordinator = Coordinator(engine)
    coordinator.feed([e for e in scenario() if e.project_id == "p1" and e.type == "intake.lead_registered"])
    for payload in (report("SR-1"), report("SR-2", cause="unfinished_review"), report("SR-3", project_id="p9")):
        coordinator.filed(payload)
    yield coordinator
    engine.dispose()


@pytest.mark.parametrize(
    "ref, why",
    [
        ("SR-404", "no special report SR-404 is in the register"),
        ("SR-2", "does not report that the project cannot go ahead"),
        ("SR-3", "is about another project"),
    ],
)
def test_termination_is_refused_without_a_special_report_that_the_project_cannot_go_ahead(coordinator, ref, why):
    with pytest.raises(InvalidInput) as refused:
        coordinator.terminate_project(DIRECTOR, "p1", {"reason": REASON, "special_report_ref": ref})
    assert list(refused.value.details) == ["special_report_ref"] and why in refused.value.message
    assert coordinator.get_project(DIRECTOR, "p1")["state"] == "lead"


def test_termination_with_the_report_records_it(coordinator):
    coordinator.filed(report("SR-1"))  # the event delivered twice: one copy
    assert [r["ref"] for r in coordinator.rows("special_reports")] == ["SR-1", "SR-2", "SR-3"]
    project = coordinator.terminate_project(DIRECTOR, "p1", {"reason": REASON, "special_report_ref": "SR-1"})
    assert project["state"] == "terminated"
    assert project["facts"]["special_report_ref"] == "SR-1"
    assert project["facts"]["special_report"] == {
        "ref": "SR-1",
        "cause": domain.SPECIAL_REPORT_CAUSE,
        "summary": "资金链断裂",
        "filed_at": "2026-09-01T10:00:00+08:00",
        "document": report("SR-1")["document"],
    }


def test_a_report_filed_a_moment_before_is_waited_for(coordinator):
    """The clerk files the report and the director terminates at once: the report's event may still be on its
    way to the coordinator; it is waited for (briefly), not refused."""
    import eventlet

    eventlet.spawn_after(0.2, coordinator.filed, report("SR-9"))
    project = coordinator.terminate_project(DIRECTOR, "p1", {"reason": REASON, "special_report_ref": "SR-9"})
    assert project["state"] == "terminated"


def test_a_signed_project_under_construction_can_be_terminated_with_its_report(coordinator):
    coordinator.feed(
        [
            e
            for e in scenario()
            if e.project_id == "p1" and e.type != "intake.lead_registered" and e.occurred_at <= shanghai(2026, 10, 22)
        ]
    )
    assert coordinator.get_project(DIRECTOR, "p1")["state"] == "construction"
    project = coordinator.terminate_project(DIRECTOR, "p1", {"reason": REASON, "special_report_ref": "SR-1"})
    assert project["state"] == "terminated"
    assert coordinator.events("coordinator.project_state_changed")[-1]["payload"]["to_state"] == "terminated"


def test_the_contract_of_a_terminated_project_goes_to_the_archives_and_the_project_stays_terminated(coordinator):
    coordinator.feed(
        [
            e
            for e in scenario()
            if e.project_id == "p1" and e.type != "intake.lead_registered" and e.occurred_at <= shanghai(2026, 10, 20)
        ]
    )
    coordinator.terminate_project(DIRECTOR, "p1", {"reason": REASON, "special_report_ref": "SR-1"})
    coordinator.event(
        "on_contract_archived",
        "contracts.archived",
        "p1",
        {"state_change": False, "reason": "contract of the terminated project handed to the County Archives Bureau"},
    )
    project = coordinator.get_project(DIRECTOR, "p1")
    assert project["state"] == "terminated"
    assert [e["summary"] for e in project["timeline"] if e["kind"] == "contracts.archive"] == [
        "contract of the terminated project handed to the County Archives Bureau"
    ]


def test_termination_needs_the_director_and_a_known_project(coordinator):
    with pytest.raises(NotAllowed):
        coordinator.terminate_project(CLERK, "p1", {"reason": "投资方撤资", "special_report_ref": "SR-1"})
    with pytest.raises(NotFound):
        coordinator.terminate_project(DIRECTOR, "p404", {"reason": "投资方撤资", "special_report_ref": "SR-1"})
    with pytest.raises(InvalidInput) as missing:
        coordinator.terminate_project(DIRECTOR, "p1", {"reason": "投资方撤资"})
    assert "special_report_ref" in missing.value.details
