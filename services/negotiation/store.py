"""negotiation persistence (SQLAlchemy Core on its own database)."""

from __future__ import annotations

from sqlalchemy import select

from services.negotiation import models
from shared.errors import Conflict, NotFound
from shared.i18n import _
from shared.statements import first, insert_row, largest, rows, update_rows

N, S = models.negotiations, models.sessions


def row(session, project_id: str, lock: bool = False):
    found = first(session, N, lock=lock, project_id=project_id)
    if found is None:
        raise NotFound(
            _("the project has not been filed: negotiation knows only filed projects"), {"project_id": project_id}
        )
    return found


NEW = {"stage": "filed", "version": 1, "decisions": {}, "review_conditions": [], "outside_policy": False}
"""A filed project's negotiation row, beside what it copies of the filing."""


def change(session, current, **values) -> None:
    done = update_rows(
        session,
        N,
        {"project_id": current["project_id"], "version": current["version"]},
        {**values, "version": current["version"] + 1},
    )
    if done != 1:
        raise Conflict(_("the negotiation changed meanwhile; try again"), {"version": [str(current["version"])]})


def sessions_of(session, project_id: str) -> list[dict]:
    return [dict(r) for r in rows(session, S, order_by=("seq",), project_id=project_id)]


def add_session(session, project_id: str, **values) -> int:
    seq = (largest(session, S, "seq", project_id=project_id) or 0) + 1
    insert_row(session, S, {"project_id": project_id, "seq": seq, **values})
    return seq


def in_stages(session, stages) -> list[dict]:
    return [dict(r) for r in session.execute(select(N).where(N.c.stage.in_(list(stages))).order_by(N.c.ref)).mappings()]


# -- policy terms (R4/R5) ------------------------------------------------------------------------------
T = models.policy_terms


def terms_of(session, project_id: str) -> list[dict]:
    return [{**dict(r), "limit": r["limit_value"]} for r in rows(session, T, order_by=("id",), project_id=project_id)]


def add_term(session, project_id: str, term: dict) -> None:
    insert_row(
        session,
        T,
        {
            "project_id": project_id,
            "term_id": term["term_id"],
            "key": term["key"],
            "text": term["text"],
            "clause": term["clause"],
            "value": term["value"],
            "limit_value": term["limit"],
            "unit": term["unit"],
            "exceeds": term["exceeds"],
            "status": "open",
            "recorded_in": term["seq"],
            "recorded_on": term["held_on"],
        },
    )


def withdraw_term(session, project_id: str, withdrawal: dict, by: dict) -> None:
    update_rows(
        session,
        T,
        {"project_id": project_id, "term_id": withdrawal["term_id"], "status": "open"},
        {
            "status": "withdrawn",
            "withdrawn_in": withdrawal["seq"],
            "withdrawn_on": withdrawal["held_on"],
            "withdrawn_by": by,
            "withdrawal_reason": withdrawal["reason"],
        },
    )
