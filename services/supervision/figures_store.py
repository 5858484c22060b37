"""The enterprise data store's tables and their persistence (supervision's database): the register of enterprises,
their yearly figures keyed by credit code, year and kind, each import (file, checksum, who, when) and the audit
of every figure entered by hand or replaced by an import (``figure_changes``, append-only by use: nothing updates
or deletes it)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Iterable

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    func,
    insert,
    select,
    tuple_,
    update,
)

from services.supervision.models import metadata
from shared.errors import NotFound
from shared.outbox import ID
from shared.types import UtcDateTime, decimal_column_type

enterprises = Table(
    "enterprises",
    metadata,
    Column("credit_code", String(18), primary_key=True),
    Column("name", String(200)),
    Column("location", String(40)),  # PARK:<id> | TOWN:<id>
    Column("sector", String(8)),  # GB/T 4754
    Column("production_year", Integer),  # the year production started (class T)
    Column("source", String(200)),
    Column("updated_by", JSON),
    Column("updated_at", UtcDateTime()),
)

enterprise_figures = Table(
    "enterprise_figures",
    metadata,
    Column("credit_code", String(18), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("kind", String(20), primary_key=True),  # figures.KINDS
    Column("value", decimal_column_type(), nullable=False),  # in the kind's unit (figures.UNIT_OF)
    Column("import_id", Integer),  # the import that brought it; None: entered by hand
    Column("entered_by", JSON, nullable=False),
    Column("entered_at", UtcDateTime(), nullable=False),
    Index("ix_enterprise_figures_year", "year", "kind"),
)

figure_imports = Table(
    "figure_imports",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("filename", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("what", String(20), nullable=False),  # figures | register
    Column("kinds", JSON, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

figure_changes = Table(
    "figure_changes",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("credit_code", String(18), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("old_value", decimal_column_type()),
    Column("new_value", decimal_column_type(), nullable=False),
    Column("import_id", Integer),
    Column("reason", Text),
    Column("by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

E, F, I, C = enterprises, enterprise_figures, figure_imports, figure_changes


# -- the register --------------------------------------------------------------------------------------------------
def enterprise(session, code: str) -> dict | None:
    row = session.execute(select(E).where(E.c.credit_code == code)).mappings().first()
    return dict(row) if row else None


REGISTER = ("credit_code", "name", "location", "sector", "production_year")


def enterprises_of(session) -> dict[str, dict]:
    """The register: code -> its facts (name, park or town, sector, year production started)."""
    return {r.credit_code: r._asdict() for r in session.execute(select(*(E.c[k] for k in REGISTER)))}


def known_codes(session, codes: Iterable[str]) -> set[str]:
    codes, found = list(codes), set()
    for start in range(0, len(codes), 900):
        found.update(
            session.execute(select(E.c.credit_code).where(E.c.credit_code.in_(codes[start : start + 900]))).scalars()
        )
    return found


def save_register(
    session, facts: dict[str, dict], source: str, by: dict, at: datetime, names_only: bool = False
) -> tuple[int, int]:
    """Add or update the register's rows (``names_only``: a figures file's names, for codes not yet known)."""
    kept = known_codes(session, facts)
    new = [
        {
            "credit_code": code,
            "name": f.get("name"),
            "location": f.get("location"),
            "sector": f.get("sector"),
            "production_year": f.get("production_year"),
            "source": source,
            "updated_by": by,
            "updated_at": at,
        }
        for code, f in facts.items()
        if code not in kept
    ]
    if new:
        session.execute(insert(E), new)
    changed = 0
    if not names_only:
        for code, f in facts.items():
            if code in kept:
                session.execute(
                    update(E)
                    .where(E.c.credit_code == code)
                    .values(
                        **{k: f.get(k) for k in ("name", "location", "sector", "production_year")},
                        source=source,
                        updated_by=by,
                        updated_at=at,
                    )
                )
                changed += 1
    return len(new), changed


# -- the figures ---------------------------------------------------------------------------------------------------
def figures_for(session, keys: set[tuple[str, int]], kinds: Iterable[str]) -> dict[tuple[str, int, str], Decimal]:
    """The kept values of these (code, year) pairs and kinds: one code's by its key, many (a file's) by their years
    and kinds in one read, kept where the pair is asked for."""
    kinds = list(kinds)
    if len(keys) <= 20:
        rows = (
            session.execute(
                select(F.c.credit_code, F.c.year, F.c.kind, F.c.value).where(
                    tuple_(F.c.credit_code, F.c.year).in_(sorted(keys)), F.c.kind.in_(kinds)
                )
            )
            if keys
            else []
        )
    else:
        rows = session.execute(
            select(F.c.credit_code, F.c.year, F.c.kind, F.c.value).where(
                F.c.year.in_(sorted({y for _c, y in keys})), F.c.kind.in_(kinds)
            )
        )
    return {(r.credit_code, r.year, r.kind): r.value for r in rows if (r.credit_code, r.year) in keys}


def save_figures(
    session,
    figures: list[tuple[str, int, str, Decimal]],
    import_id: int | None,
    by: dict,
    at: datetime,
    reason: str | None = None,
) -> tuple[int, int]:
    """Store the figures (added, or replacing a kept value); every replaced value, and every figure entered by hand
    (``import_id`` None), is written to ``figure_changes``.  Returns (added, changed)."""
    kept = figures_for(session, {(c, y) for c, y, _k, _v in figures}, {k for _c, _y, k, _v in figures})
    new, changes, replaced = [], [], []
    for code, year, kind, value in figures:
        old = kept.get((code, year, kind))
        row = {
            "credit_code": code,
            "year": year,
            "kind": kind,
            "value": value,
            "import_id": import_id,
            "entered_by": by,
            "entered_at": at,
        }
        if old is None:
            new.append(row)
        elif old != value or import_id is None:
            replaced.append(
                {
                    **{f"k_{k}": row[k] for k in ("credit_code", "year", "kind")},
                    "value": value,
                    "import_id": import_id,
                    "entered_by": by,
                    "entered_at": at,
                }
            )
        if import_id is None or (old is not None and old != value):
            changes.append(
                {
                    "credit_code": code,
                    "year": year,
                    "kind": kind,
                    "old_value": old,
                    "new_value": value,
                    "import_id": import_id,
                    "reason": reason,
                    "by": by,
                    "at": at,
                }
            )
    if new:
        session.execute(insert(F), new)
    if replaced:
        session.execute(
            update(F).where(
                F.c.credit_code == bindparam("k_credit_code"),
                F.c.year == bindparam("k_year"),
                F.c.kind == bindparam("k_kind"),
            ),
            replaced,
        )
    if changes:
        session.execute(insert(C), changes)
    return len(new), len(replaced)


def add_import(session, **values) -> int:
    return session.execute(insert(I).values(**values)).inserted_primary_key[0]


def set_import_counts(session, import_id: int, added: int, changed: int) -> None:
    session.execute(update(I).where(I.c.id == import_id).values(added=added, changed=changed))


def imports(session, limit: int = 50) -> list[dict]:
    return [dict(r) for r in session.execute(select(I).order_by(I.c.id.desc()).limit(limit)).mappings()]


def figures_of(session, code: str) -> list[dict]:
    rows = session.execute(select(F).where(F.c.credit_code == code).order_by(F.c.year, F.c.kind)).mappings()
    return [dict(r) for r in rows]


def changes_of(session, code: str) -> list[dict]:
    rows = session.execute(select(C).where(C.c.credit_code == code).order_by(C.c.id)).mappings()
    return [dict(r) for r in rows]


def year_figures(session, year: int) -> dict[str, dict[str, Decimal]]:
    """Every enterprise's figures of a year: code -> kind -> value."""
    found: dict[str, dict[str, Decimal]] = {}
    for r in session.execute(select(F.c.credit_code, F.c.kind, F.c.value).where(F.c.year == year)):
        found.setdefault(r.credit_code, {})[r.kind] = r.value
    return found


def listing(session, year: int | None, location: str | None, limit: int, offset: int) -> tuple[int, list[dict]]:
    """The register's rows (a park's or town's), with their figures of ``year``."""
    query = select(E)
    if location:
        query = query.where(E.c.location == location)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = [dict(r) for r in session.execute(query.order_by(E.c.credit_code).limit(limit).offset(offset)).mappings()]
    if year is not None and rows:
        values = session.execute(
            select(F.c.credit_code, F.c.kind, F.c.value).where(
                and_(F.c.year == year, F.c.credit_code.in_([r["credit_code"] for r in rows]))
            )
        )
        by_code: dict[str, dict] = {}
        for v in values:
            by_code.setdefault(v.credit_code, {})[v.kind] = v.value
        for r in rows:
            r["figures"] = by_code.get(r["credit_code"], {})
    return total, rows


def require(row, code: str) -> dict:
    if row is None:
        raise NotFound(f"no enterprise {code} in the data store", {"credit_code": code})
    return row
