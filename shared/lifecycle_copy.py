"""A service's own copy of a project: the row ``intake.project_filed`` creates (``copy_filed_project``, or
``ensure_project`` for a copy made from whichever event comes first), its responsible unit from ``negotiation.unit_assigned`` (``copy_responsible_unit``), and its lifecycle state, fed
by ``coordinator.project_state_changed`` (``follow_state_change``, ``follow_event``).

The lifecycle state.  Each service handles the events of its queues with several workers at once, so two state changes of one
project (``filed_copies`` then ``construction``, published a few milliseconds apart) can be applied in
either order; writing ``to_state`` blindly let the older one win and the copy stayed behind for good
(accounting then refused to open: "ZS… is filed_copies" while the project was in construction — found by
the lifecycle benchmark).  The coordinator numbers each project's transitions (``seq``): a change is
applied only over an older one.

A change for a project the service does not know yet is refused, to be retried (``shared.bus``: at once
when the same process applies another event of that project, its ``intake.project_filed`` most likely).
A service started late has both queues full, and the change used to be dropped when it came first: the
copy then lagged until the next change (accounting refused to open a project in construction).  Each copy
takes only states a filed project reaches (``shared.topology.TAKES_ONLY``), so its project is bound to be
filed.
"""

from __future__ import annotations

from typing import Callable, Mapping

from sqlalchemy import Table, bindparam, or_, update

from shared.errors import NotFound
from shared.i18n import _
from shared.statements import exists, first, insert_new, once, update_rows
from shared import fastpath


def copy_filed_project(session, projects: Table, event, columns: Mapping[str, str | Callable], **fixed) -> bool:
    """``intake.project_filed`` into this service's ``projects``: a row for ``event.project_id`` with each of
    ``columns`` taken from the event (a payload key, or a function of the envelope) and the ``fixed`` values.
    A project already there is left as it is (a repeat, or a copy made another way); True if added."""
    payload = event.payload
    values = {column: source(event) if callable(source) else payload.get(source) for column, source in columns.items()}
    return insert_new(session, projects, ("project_id",), {"project_id": event.project_id, **values, **fixed})


def ensure_project(session, projects: Table, project_id: str, defaults: Mapping | None = None, **values) -> dict:
    """A copy that takes a project's events in any order (notifications', supervision's): the project's row,
    created on first sight with ``defaults`` and the ``values`` known, and the values it lacked filled in."""
    row = first(session, projects, project_id=project_id)
    if row is None:  # a concurrent worker's insert may win: filled below
        insert_new(
            session,
            projects,
            ("project_id",),
            {"project_id": project_id, **(defaults or {}), **{k: v for k, v in values.items() if v is not None}},
        )
        row = first(session, projects, project_id=project_id)
    row = dict(row)
    fill = {k: v for k, v in values.items() if v is not None and row.get(k) is None}
    if fill:
        update_rows(session, projects, {"project_id": project_id}, fill)
        row.update(fill)
    return row


def copy_responsible_unit(session, projects: Table, event, column: str = "responsible_unit") -> None:
    """``negotiation.unit_assigned`` onto this service's copy of the project.  ``NotFound`` if the project is
    not known here yet (its ``intake.project_filed`` still queued): the bus retries it."""
    if not update_rows(session, projects, {"project_id": event.project_id}, {column: event.payload["unit"]}):
        raise NotFound(
            _("the project is not known here yet: its responsible unit waits for it"),
            {"project_id": [event.project_id]},
        )


def follow_state_change(
    session,
    projects: Table,
    project_id: str,
    to_state: str,
    seq: int,
    state_column: str = "lifecycle_state",
    seq_column: str = "lifecycle_seq",
) -> bool:
    """Set the copy to ``to_state`` unless a later transition (higher ``seq``) is there; True if applied.
    ``NotFound`` if the project is not known here."""

    def build():
        state, number = projects.c[state_column], projects.c[seq_column]
        return (
            update(projects)
            .where(
                projects.c.project_id == bindparam("b_project_id"),
                or_(number.is_(None), number < bindparam("b_seq", type_=number.type)),
            )
            .values({state: bindparam("b_state", type_=state.type), number: bindparam("b_seq")})
        )

    statement = once((projects, "follow", state_column, seq_column), build)
    if (
        fastpath.execute(session, statement, {"b_project_id": project_id, "b_seq": seq, "b_state": to_state}).rowcount
        > 0
    ):
        return True
    if not exists(session, projects, project_id=project_id):
        raise NotFound(
            _("the project is not known here yet: its change to {state:state} waits for it", state=to_state),
            {"project_id": [project_id]},
        )
    return False  # a repeat, or older than the change already applied


def follow_event(db, projects: Table, event) -> bool:
    """Apply a ``coordinator.project_state_changed`` envelope to the copy in ``projects``, in its own unit of work.

    Idempotent by the transition's number (a repeat is never newer than itself), so it keeps no
    processed-event row: one statement and a commit per change; a project not known here yet is refused
    (``NotFound``: the bus retries it).
    """
    with db.unit_of_work() as uow:
        return follow_state_change(
            uow.session, projects, event.project_id, event.payload["to_state"], event.payload["seq"]
        )
