"""A service's own copy of a project's lifecycle state, fed by ``coordinator.project_state_changed``.

Each service handles the events of its queues with several workers at once, so two state changes of one
project (``filed_copies`` then ``construction``, published a few milliseconds apart) can be applied in
either order; writing ``to_state`` blindly let the older one win and the copy stayed behind for good
(accounting then refused to open: "ZS… is filed_copies" while the project was in construction — found by
the lifecycle benchmark).  The coordinator numbers each project's transitions (``seq``): a change is
applied only over an older one.
"""
from __future__ import annotations

from sqlalchemy import Table, or_, update


def follow_state_change(session, projects: Table, project_id: str, to_state: str, seq: int,
                        state_column: str = "lifecycle_state", seq_column: str = "lifecycle_seq") -> bool:
    """Set the copy to ``to_state`` unless a later transition (higher ``seq``) is there; True if applied."""
    state, number = projects.c[state_column], projects.c[seq_column]
    result = session.execute(
        update(projects)
        .where(projects.c.project_id == project_id, or_(number.is_(None), number < seq))
        .values({state: to_state, number: seq})
    )
    return result.rowcount > 0
