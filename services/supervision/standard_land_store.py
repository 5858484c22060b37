"""Standard land's tables in supervision's database and their queries (R17): the commitments a signed contract
made, their checks, the figures the owning units entered, the rectifications and the damages (one receivable each,
with its payments and reductions).  A filed project's enterprise (credit code, sector) is
``benefit_store.project_enterprises``, which the per-mu evaluation reads too."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Index, Integer, String, Table, Text, UniqueConstraint, select, update

from services.supervision.benefit_store import project_enterprises as PE
from services.supervision.models import metadata
from shared.errors import NotFound
from shared.i18n import _
from shared.outbox import ID
from shared.statements import first, insert_new, insert_row
from shared.types import UtcDateTime

commitments = Table(
    "commitments",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("indicator", String(40), nullable=False),
    Column("value", String(40), nullable=False),  # exact decimal text
    Column("floor", String(40), nullable=False),
    Column("direction", String(2), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("clause", String(40), nullable=False),
    Column("base_amount", String(40)),  # yuan, proportional clauses
    Column("land_mu", String(40), nullable=False),  # the contracted land
    Column("text", Text, nullable=False),
    Column("exceeds_policy", Integer, nullable=False),
    Column("signed_at", UtcDateTime(), nullable=False),
    UniqueConstraint("project_id", "indicator"),
)

checks = Table(
    "sl_checks",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("stage", String(16), nullable=False),  # completion | production | yearly | rectification
    Column("due", Date, nullable=False),
    Column("data_year", Integer),
    Column("indicators", JSON, nullable=False),  # the indicators it looks at
    Column("status", String(16), nullable=False),  # pending | awaiting_data | done
    Column("results", JSON),  # [{indicator, committed, actual, formula, result}]
    Column("checked_at", UtcDateTime()),
    UniqueConstraint("project_id", "stage", "due"),
)

figures = Table(
    "sl_figures",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("figure", String(40), nullable=False),
    Column("year", Integer),  # None: the completion's figures
    Column("value", String(40), nullable=False),
    Column("source", String(20), nullable=False),  # hand | accounting
    Column("reason", Text),
    Column("entered_by", JSON, nullable=False),
    Column("entered_at", UtcDateTime(), nullable=False),
)

rectifications = Table(
    "rectifications",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("indicator", String(40), nullable=False),
    Column("check_id", Integer, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("due", Date, nullable=False),
    Column("status", String(16), nullable=False),  # open | rectified | damages
    Column("shortfall", JSON, nullable=False),  # the result that opened it
    Column("closed_on", Date),
    Column("closed_by_check", Integer),
    Index("ix_rectifications_open", "project_id", "indicator", "status"),
)

damages = Table(
    "damages",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("indicator", String(40), nullable=False),
    Column("rectification_id", Integer, nullable=False, unique=True),
    Column("clause", String(40), nullable=False),
    Column("amount", String(40), nullable=False),  # yuan, to the fen
    Column("formula", JSON, nullable=False),  # a Message on the wire
    Column("paid", String(40), nullable=False),
    Column("reduced", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # outstanding | settled
    Column("applied_on", Date, nullable=False),
    Column("reduction_round", JSON),  # the principals' round on a reduction: amount, outstanding, decisions
    Column("reduction_decisions", JSON),  # every principal's decision: position, decision, reason, amount, outcome…
)

damages_entries = Table(
    "damages_entries",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("damages_id", Integer, nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # payment | reduction
    Column("amount", String(40), nullable=False),
    Column("voucher", String(80)),
    Column("reason", Text),
    Column("by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("damages_id", "voucher"),
)


def _rows(session, statement) -> list[dict]:
    return [dict(r) for r in session.execute(statement).mappings()]


def add_commitment(session, **values) -> bool:
    return insert_new(session, commitments, ("project_id", "indicator"), values)


def commitments_of(session, project_id: str) -> list[dict]:
    return _rows(session, select(commitments).where(commitments.c.project_id == project_id).order_by(commitments.c.id))


def add_check(session, **values) -> int | None:
    if first(session, checks, project_id=values["project_id"], stage=values["stage"], due=values["due"]):
        return None
    return insert_row(session, checks, values).inserted_primary_key[0]


def check(session, project_id: str, check_id: int) -> dict:
    row = first(session, checks, project_id=project_id, id=check_id)
    if row is None:
        raise NotFound(_("the project has no check number {n}", n=str(check_id)), {"check_id": [str(check_id)]})
    return dict(row)


def checks_of(session, project_id: str) -> list[dict]:
    return _rows(session, select(checks).where(checks.c.project_id == project_id).order_by(checks.c.due, checks.c.id))


def awaiting_checks(session, project_id: str) -> list[dict]:
    """The checks not done yet (pending, or awaiting data)."""
    return [c for c in checks_of(session, project_id) if c["status"] != "done"]


def set_check(session, check_id: int, **values) -> None:
    session.execute(update(checks).where(checks.c.id == check_id).values(**values))


def add_figure(session, **values) -> None:
    insert_row(session, figures, values)


def figures_of(session, project_id: str) -> list[dict]:
    return _rows(session, select(figures).where(figures.c.project_id == project_id).order_by(figures.c.id))


def open_rectification(session, project_id: str, indicator: str) -> dict | None:
    row = (
        session.execute(
            select(rectifications).where(
                rectifications.c.project_id == project_id,
                rectifications.c.indicator == indicator,
                rectifications.c.status == "open",
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def add_rectification(session, **values) -> int:
    return insert_row(session, rectifications, values).inserted_primary_key[0]


def set_rectification(session, rectification_id: int, **values) -> None:
    session.execute(update(rectifications).where(rectifications.c.id == rectification_id).values(**values))


def rectification(session, project_id: str, rectification_id: int) -> dict:
    row = first(session, rectifications, project_id=project_id, id=rectification_id)
    if row is None:
        raise NotFound(
            _("the project has no rectification number {n}", n=str(rectification_id)),
            {"rectification_id": [str(rectification_id)]},
        )
    return dict(row)


def rectifications_of(session, project_id: str) -> list[dict]:
    return _rows(
        session, select(rectifications).where(rectifications.c.project_id == project_id).order_by(rectifications.c.id)
    )


def add_damages(session, **values) -> int:
    return insert_row(session, damages, values).inserted_primary_key[0]


def damages_item(session, project_id: str, damages_id: int, lock: bool = False) -> dict:
    statement = select(damages).where(damages.c.project_id == project_id, damages.c.id == damages_id)
    row = session.execute(statement.with_for_update() if lock else statement).mappings().first()
    if row is None:
        raise NotFound(_("the project has no damages number {n}", n=str(damages_id)), {"damages_id": [str(damages_id)]})
    return dict(row)


def set_damages(session, damages_id: int, **values) -> None:
    session.execute(update(damages).where(damages.c.id == damages_id).values(**values))


def damages_of(session, project_id: str) -> list[dict]:
    return _rows(session, select(damages).where(damages.c.project_id == project_id).order_by(damages.c.id))


def add_entry(session, **values) -> None:
    insert_row(session, damages_entries, values)


def voucher_used(session, damages_id: int, voucher: str | None) -> bool:
    return bool(voucher) and first(session, damages_entries, damages_id=damages_id, voucher=voucher) is not None


def entries_of(session, damages_id: int) -> list[dict]:
    return _rows(
        session,
        select(damages_entries).where(damages_entries.c.damages_id == damages_id).order_by(damages_entries.c.id),
    )


def projects_of_codes(session, codes: set[str]) -> list[str]:
    """The projects with commitments whose enterprise has one of these credit codes."""
    if not codes:
        return []
    rows = session.execute(
        select(PE.c.project_id).where(
            PE.c.credit_code.in_(sorted(codes)), PE.c.project_id.in_(select(commitments.c.project_id))
        )
    )
    return [r.project_id for r in rows]
