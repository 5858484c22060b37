"""The per-mu benefit evaluation's tables (supervision's database): each year's evaluation (its rules as applied,
counts, who ran it and when) and each enterprise's result; the 文号 of the yearly notice; the enterprises the
projects followed belong to (by the investor's credit code), so a grade reaches the project's ledger row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Integer, String, Table, delete, func, insert, select

from services.supervision.models import metadata
from shared import gongwen
from shared.outbox import ID
from shared.statements import insert_new
from shared.types import UtcDateTime, decimal_column_type

benefit_evaluations = Table(
    "benefit_evaluations",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("rules", JSON, nullable=False),  # baselines, weights, cap, minimum land as applied
    Column("summary", JSON, nullable=False),  # per grade, per park or town
    Column("enterprises", Integer, nullable=False),
    Column("evaluated_by", JSON, nullable=False),
    Column("evaluated_at", UtcDateTime(), nullable=False),
)

benefit_results = Table(
    "benefit_results",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("credit_code", String(18), nullable=False),
    Column("name", String(200)),
    Column("location", String(40)),
    Column("sector", String(8)),
    Column("status", String(16), nullable=False),  # graded | T | not_evaluated
    Column("grade", String(1)),  # A B C D T, None
    Column("rank", Integer),
    Column("total", decimal_column_type()),
    Column("values", JSON, nullable=False),  # indicator -> value (text, exact)
    Column("scores", JSON, nullable=False),  # indicator -> score (text, exact)
    Column("reason", JSON),  # a wire message: why T or not evaluated
    Index("ix_benefit_results_year_code", "year", "credit_code", unique=True),
    Index("ix_benefit_results_year_rank", "year", "status", "rank"),
)

# Each filed project's enterprise as intake filed it: its investor's credit code (normalised; None when the lead
# gave none that is valid), sector and name.  The evaluation tells a project its investor's grade by the code; the
# standard-land checks read the enterprise's figures by it and the floors by the sector.
project_enterprises = Table(
    "project_enterprises",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("credit_code", String(18), index=True),
    Column("sector", String(8)),
    Column("investor_name", String(200)),
)

document_numbers = metadata.tables.get("document_numbers")
if document_numbers is None:
    document_numbers = gongwen.numbers_table(metadata)

EV, RS, PE = benefit_evaluations, benefit_results, project_enterprises


def replace_evaluation(
    session, year: int, rules: dict, summary: dict, rows: list[dict], by: dict, at: datetime
) -> None:
    """The year's evaluation, replacing one run before (its results with it)."""
    session.execute(delete(RS).where(RS.c.year == year))
    session.execute(delete(EV).where(EV.c.year == year))
    session.execute(
        insert(EV).values(
            year=year, rules=rules, summary=summary, enterprises=len(rows), evaluated_by=by, evaluated_at=at
        )
    )
    for start in range(0, len(rows), 2000):
        session.execute(insert(RS), rows[start : start + 2000])


def evaluation(session, year: int) -> dict | None:
    row = session.execute(select(EV).where(EV.c.year == year)).mappings().first()
    return dict(row) if row else None


def latest_year(session) -> int | None:
    return session.execute(select(func.max(EV.c.year))).scalar()


def _selected(query, year: int, grade: str | None, location: str | None, status: str | None):
    query = query.where(RS.c.year == year)
    if grade:
        query = query.where(RS.c.grade == grade)
    if location:
        query = query.where(RS.c.location == location)
    if status:
        query = query.where(RS.c.status == status)
    return query


def results(
    session,
    year: int,
    grade: str | None = None,
    location: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict]:
    query = _selected(select(RS), year, grade, location, status).order_by(RS.c.id)  # stored ranked first
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [dict(r) for r in session.execute(query).mappings()]


def count(session, year: int, grade: str | None = None, location: str | None = None) -> int:
    return session.execute(_selected(select(func.count()).select_from(RS), year, grade, location, None)).scalar_one()


def result(session, year: int, code: str) -> dict | None:
    row = session.execute(select(RS).where(RS.c.year == year, RS.c.credit_code == code)).mappings().first()
    return dict(row) if row else None


def results_of(session, code: str) -> list[dict]:
    return [dict(r) for r in session.execute(select(RS).where(RS.c.credit_code == code).order_by(RS.c.year)).mappings()]


def link_project(session, project_id: str, code: str | None, sector: str | None, investor_name: str | None) -> None:
    """A filed project's enterprise, once (a filing heard again changes nothing)."""
    insert_new(
        session,
        PE,
        ("project_id",),
        {"project_id": project_id, "credit_code": code, "sector": sector, "investor_name": investor_name},
    )


def project_facts(session, project_id: str) -> dict:
    """A filed project's enterprise: credit code, sector, investor name (empty if its filing is not known)."""
    row = session.execute(select(PE).where(PE.c.project_id == project_id)).mappings().first()
    return dict(row) if row else {}


def signed_outcomes(session, year: int, states: tuple[str, ...]) -> list[dict]:
    """The projects followed in ``states`` whose investor has a result of ``year``: the project's ref and name with
    the result."""
    from services.supervision.models import projects

    query = (
        select(projects.c.project_id, projects.c.ref, projects.c.name, RS)
        .select_from(
            projects.join(PE, PE.c.project_id == projects.c.project_id).join(
                RS, (RS.c.credit_code == PE.c.credit_code) & (RS.c.year == year)
            )
        )
        .where(projects.c.state.in_(states))
        .order_by(projects.c.ref)
    )
    return [dict(r) for r in session.execute(query).mappings()]


def projects_by_code(session) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for r in session.execute(select(PE).where(PE.c.credit_code.is_not(None))):
        found.setdefault(r.credit_code, []).append(r.project_id)
    return found
