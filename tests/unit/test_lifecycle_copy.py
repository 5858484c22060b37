"""A service's copy of the lifecycle state follows the coordinator's transition numbers: state changes of
one project handled out of order (several workers per queue) leave the latest one."""
from __future__ import annotations

import pytest

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.lifecycle_copy import follow_state_change

metadata = MetaData()
projects = Table("projects", metadata, Column("project_id", String(40), primary_key=True),
                 Column("lifecycle_state", String(20)), Column("lifecycle_seq", Integer))


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
