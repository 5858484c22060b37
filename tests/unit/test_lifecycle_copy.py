"""A service's copy of a project: made once from ``intake.project_filed``, its responsible unit from
``negotiation.unit_assigned`` (a project not known yet is refused, to be retried), and its lifecycle state
following the coordinator's transition numbers: state changes of one project handled out of order (several
workers per queue) leave the latest one."""

from __future__ import annotations

import pytest

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import Session

from shared.actor import SYSTEM
from shared.envelope import Envelope
from shared.errors import NotFound
from shared.lifecycle_copy import copy_filed_project, copy_responsible_unit, follow_state_change

metadata = MetaData()
projects = Table(
    "projects",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20)),
    Column("name", String(200)),
    Column("land", String(20)),
    Column("responsible_unit", String(40)),
    Column("stage", String(20)),
    Column("lifecycle_state", String(20)),
    Column("lifecycle_seq", Integer),
)
FILED = {"ref": "ref", "name": "project_name", "land": lambda event: f"{event.payload['land_mu']} mu"}


def test_the_copy_is_made_once_from_the_filing_and_takes_the_assigned_unit():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    filed = Envelope(
        "intake.project_filed", SYSTEM, {"ref": "ZS1", "project_name": "铝型材", "land_mu": "45.00"}, project_id="p1"
    )
    with Session(engine) as s:
        assert copy_filed_project(s, projects, filed, FILED, stage="filed")
        assert not copy_filed_project(s, projects, filed, {"ref": lambda e: "changed"})  # a repeat: left as it is
        with pytest.raises(NotFound) as refused:  # assigned before its filing arrived here: retried later
            copy_responsible_unit(
                s, projects, Envelope("negotiation.unit_assigned", SYSTEM, {"unit": "PARK:hexi"}, project_id="p2")
            )
        assert refused.value.details == {"project_id": ["p2"]}
        copy_responsible_unit(
            s, projects, Envelope("negotiation.unit_assigned", SYSTEM, {"unit": "PARK:hengdong"}, project_id="p1")
        )
        row = s.execute(select(projects)).mappings().one()
    assert dict(row) == {
        "project_id": "p1",
        "ref": "ZS1",
        "name": "铝型材",
        "land": "45.00 mu",
        "responsible_unit": "PARK:hengdong",
        "stage": "filed",
        "lifecycle_state": None,
        "lifecycle_seq": None,
    }


def test_an_older_state_change_handled_after_a_newer_one_is_ignored():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as s:
        s.execute(insert(projects).values(project_id="p1", lifecycle_state="signed"))  # known before any change
        assert follow_state_change(s, projects, "p1", "construction", 12)
        assert not follow_state_change(s, projects, "p1", "filed_copies", 11)  # arrived late
        assert not follow_state_change(s, projects, "p1", "construction", 12)  # a duplicate
        assert s.execute(select(projects.c.lifecycle_state, projects.c.lifecycle_seq)).one() == ("construction", 12)
        assert follow_state_change(s, projects, "p1", "accounting", 13)
        assert not follow_state_change(s, projects, "p1", "accounting", 13)
        with pytest.raises(NotFound) as refused:  # not known yet (its project_filed still queued): retried later
            follow_state_change(s, projects, "nobody", "accounting", 1)
        assert refused.value.details == {"project_id": ["nobody"]}
        assert s.execute(select(projects.c.project_id)).scalars().all() == ["p1"]
