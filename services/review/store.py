"""review persistence (SQLAlchemy Core on review's own database)."""

from __future__ import annotations

from sqlalchemy import select, update

from services.review import domain, models
from shared.errors import Conflict, NotFound
from shared.statements import exists, first, insert_row, rows, update_rows
from shared.i18n import _

F, R, O, RET = models.filed_projects, models.reviews, models.opinions, models.returns


def filed_project(session, project_id: str):
    row = first(session, F, project_id=project_id)
    if row is None:
        raise NotFound(
            _("the project has not been filed: only a filed project is reviewed"), {"project_id": project_id}
        )
    return row


FILED = {
    "ref": "ref",
    "project_name": "project_name",
    "sector": "sector",
    "fixed_asset_investment": "planned_fixed_asset_investment",
    "total_investment": "planned_total_investment",
    "land_mu": "land_mu",
    "location_kind": "location_kind",
    "location_id": "location_id",
    "filed_at": lambda event: event.occurred_at,
}
"""What review keeps of ``intake.project_filed`` (column: payload key, or a function of the event)."""


def review_row(session, project_id: str, lock: bool = False):
    """The review; ``lock`` holds its row (PostgreSQL) so concurrent acts on it take turns."""
    row = first(session, R, lock=lock, project_id=project_id)
    if row is None:
        raise NotFound(_("no joint review has been convened for this project"), {"project_id": project_id})
    return row


def has_review(session, project_id: str) -> bool:
    return exists(session, R, project_id=project_id)


def insert_review(session, **values) -> None:
    insert_row(session, R, {"version": 1, "round": 1, **values})


def change_review(session, row, **values) -> None:
    """Optimistic update: a concurrent change makes this a Conflict and changes nothing."""
    done = update_rows(
        session,
        R,
        {"project_id": row["project_id"], "version": row["version"]},
        {**values, "version": row["version"] + 1},
    )
    if done != 1:
        raise Conflict(_("the review changed meanwhile; try again"), {"version": [str(row["version"])]})


def opinions_of(session, project_id: str, round_: int | None = None) -> list[dict]:
    keys = {"project_id": project_id} if round_ is None else {"project_id": project_id, "round": round_}
    return [dict(r) for r in rows(session, O, order_by=("id",), **keys)]


def current_opinions(session, review) -> list[dict]:
    """The opinions that count now: those of the rounds since the last one that asked every unit."""
    first_round = domain.first_counting_round(review)
    return [o for o in opinions_of(session, review["project_id"]) if first_round <= o["round"] <= review["round"]]


def add_opinion(session, **values) -> None:
    insert_row(session, O, values)


def returns_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in rows(session, RET, order_by=("id",), project_id=project_id)]


def add_return(session, **values) -> None:
    insert_row(session, RET, values)


def close_returns(session, project_id: str, round_: int, at, note: str | None) -> None:
    session.execute(
        update(RET)
        .where(RET.c.project_id == project_id, RET.c.round == round_)
        .values(resubmitted_at=at, resubmission_note=note)
    )


def provisional_reviews(session) -> list[dict]:
    """Reviews not concluded whose deadline was counted on weekends only (a year's schedule unknown)."""
    found = session.execute(select(R).where(R.c.state != "concluded", R.c.deadline_provisional.is_(True))).mappings()
    return [dict(r) for r in found]


def open_reviews(session) -> list:
    return list(session.execute(select(R).where(R.c.state == "open", R.c.escalated_at.is_(None))).mappings())


def queue_for(session, unit: str) -> list[dict]:
    """Open reviews awaiting this unit's opinion in their current round."""
    found = session.execute(
        select(R, F.c.ref, F.c.project_name).join(F, F.c.project_id == R.c.project_id).where(R.c.state == "open")
    ).mappings()
    out = []
    for row in found:
        if unit not in row["required_units"]:
            continue
        given = {o["unit"] for o in current_opinions(session, row)}
        if unit not in given:
            out.append(dict(row))
    return out
