"""R11: the coordinator terminates a project only with a special report in the notifications
service's register, on that project, saying it cannot go ahead.

The coordinator runs in a ``worker_factory`` worker over a real SQLite database; the register
it asks over RPC is a small fake with the same call shape as nameko's RpcProxy
(``special_report.call_async(actor, ref).result()``), answering as the notifications service does.
"""
from __future__ import annotations

import datetime as dt

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import create_engine

from services.coordinator import domain, models
from services.coordinator.service import CoordinatorService
from shared.actor import Actor
from shared.clock import SHANGHAI
from shared.db import ServiceStore
from shared.envelope import Envelope
from shared.errors import InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy

POLICY = load_policy()
DIRECTOR = {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"}
CLERK = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}


class Register:
    """The register of special reports as the coordinator sees it over RPC."""

    def __init__(self, reports: dict):
        self.reports = reports
        self.asked = []
        self.special_report = self

    def call_async(self, actor, ref):
        self.asked.append((actor["position"], ref))
        return self

    def result(self):
        ref = self.asked[-1][1]
        if ref not in self.reports:
            raise NotFound(f"no special report {ref} in the register", {"special_report_ref": [ref]})
        return self.reports[ref]


class Provider:
    def __init__(self, engine):
        self.engine = engine
        self.outbox = models.metadata.tables["outbox"]
        self.processed = models.metadata.tables["processed_events"]

    def committed(self, rows=()):
        pass


def report(ref, project_id="p1", cause="cannot_go_ahead"):
    return {"ref": ref, "project_id": project_id, "cause": cause, "summary": "资金链断裂",
            "filed_at": "2026-09-01T10:00:00+08:00",
            "document": {"id": "a" * 64, "filename": "r.pdf", "content_type": "application/pdf", "size": 9}}


@pytest.fixture
def coordinator(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    models.metadata.create_all(engine)
    register = Register({"SR-1": report("SR-1"), "SR-2": report("SR-2", cause="unfinished_review"),
                         "SR-3": report("SR-3", project_id="p9")})

    def call(method, *args):
        store = ServiceStore(Provider(engine))
        worker = worker_factory(CoordinatorService, db=store, policy=POLICY, notifications=register,
                                config={"RPC_TIMEOUT": 5})
        try:
            return getattr(worker, method)(*args)
        finally:
            store.close()

    at = dt.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI)
    call("on_lead_registered", Envelope("intake.lead_registered", Actor(**CLERK), {"ref": "ZS2026-0001",
                                        "project_name": "铝型材项目"}, project_id="p1", occurred_at=at).dump())
    call.register = register
    yield call
    engine.dispose()


@pytest.mark.parametrize("ref, why", [
    ("SR-404", "no special report SR-404 is in the register"),
    ("SR-2", "reports unfinished_review"),
    ("SR-3", "is about project p9"),
])
def test_termination_is_refused_without_a_special_report_that_the_project_cannot_go_ahead(coordinator, ref, why):
    with pytest.raises(InvalidInput) as refused:
        coordinator("terminate_project", DIRECTOR, "p1", {"reason": "投资方撤资，项目无法推进", "special_report_ref": ref})
    assert list(refused.value.details) == ["special_report_ref"] and why in refused.value.message
    assert coordinator("get_project", DIRECTOR, "p1")["state"] == "lead"
    assert coordinator.register.asked[-1] == ("ipb_director", ref)


def test_termination_with_the_report_records_it(coordinator):
    project = coordinator("terminate_project", DIRECTOR, "p1", {"reason": "投资方撤资，项目无法推进",
                                                                "special_report_ref": "SR-1"})
    assert project["state"] == "terminated"
    assert project["facts"]["special_report_ref"] == "SR-1"
    assert project["facts"]["special_report"]["cause"] == domain.SPECIAL_REPORT_CAUSE


def test_termination_needs_the_director_and_a_known_project(coordinator):
    with pytest.raises(NotAllowed):
        coordinator("terminate_project", CLERK, "p1", {"reason": "投资方撤资", "special_report_ref": "SR-1"})
    with pytest.raises(NotFound):
        coordinator("terminate_project", DIRECTOR, "p404", {"reason": "投资方撤资", "special_report_ref": "SR-1"})
    with pytest.raises(InvalidInput) as missing:
        coordinator("terminate_project", DIRECTOR, "p1", {"reason": "投资方撤资"})
    assert "special_report_ref" in missing.value.details
