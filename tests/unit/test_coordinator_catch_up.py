"""The coordinator asked which state changes it made for a project (``emitted``, shared/catch_up.py) answers once it
has caught up on every step on its way: from each state it reaches, the events that can move the project on (the
accounting opened right after the hand-over waits for signed → copies filed → construction, not for the first)."""

from __future__ import annotations

import eventlet
from eventlet.semaphore import Semaphore
from sqlalchemy import create_engine

from services.coordinator import domain, models
from services.coordinator.service import CoordinatorService
from shared import migrations
from shared.documents import DocumentStore
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai
from tests.ledger_events import feed, scenario
from tests.unit.test_workbench import Contracts

POLICY = load_policy()
LATE = ("contracts.signed", "contracts.file_completed", "contracts.handed_over")


class Owners:
    """The owners' answers as their outboxes would give them: only the asked types of what was committed."""

    def __init__(self, committed):
        self.committed, self.asked, self.slots = committed, [], Semaphore(5)

    def emitted(self, project_id, by_owner):
        types = {t for ts in by_owner.values() for t in ts}
        self.asked.append(sorted(types))
        return [{"event_id": e.event_id, "type": e.type} for e in self.committed if e.type in types]


def test_a_copy_two_steps_behind_gets_every_state_change_on_its_way(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'coordinator.db'}")
    migrations.upgrade("coordinator", engine)
    events = [e for e in scenario() if e.project_id == "p1"]
    before = events[: [e.type for e in events].index("contracts.signed")]  # up to LEGAL's approval
    late = [e for e in events if e.type in LATE]
    owners = Owners(late)  # contracts committed the signature, the copies and the hand-over: all on their way
    h = Harness(
        CoordinatorService,
        models.metadata,
        engine,
        policy=POLICY,
        documents=DocumentStore(tmp_path / "documents", POLICY.documents["documents"]),
        contracts=Contracts(),
        clock=TestClock(shanghai(2026, 12, 10)),
        catch_up=owners,
    )
    for event in before:
        feed(h, event)

    def arrive():  # the three events reach the coordinator one after another, while it is asked
        for event in late:
            eventlet.sleep(0.05)
            feed(h, event)

    arriving = eventlet.spawn(arrive)
    answer = h.emitted("p1", [domain.STATE_CHANGED])
    arriving.wait()
    moved_to = [e.get("to_state") for e in answer]
    assert "construction" in moved_to, moved_to
    assert owners.asked == [  # from each state reached, only what can move it on; nothing left on its way: done
        ["contracts.returned", "contracts.signed", "negotiation.reopened"],
        ["contracts.file_completed"],
        ["contracts.handed_over"],
        ["accounting.opened"],
    ]
    engine.dispose()
