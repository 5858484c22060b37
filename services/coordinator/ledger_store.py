"""The ledger's persistence: the journal of events, the rows folded from it, the targets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from sqlalchemy import bindparam, delete, func, insert, or_, select, update

from services.coordinator import ledger, models, workbench_store
from shared.envelope import Envelope
from shared import fastpath
from shared.errors import InvalidInput, NotFound
from shared.outbox import UnitOfWork
from shared.policy import Policy
from shared.statements import insert_new, insert_row
from shared.i18n import _

L, J, TG = models.ledger, models.ledger_journal, models.targets

SORTS = {
    "ref": L.c.ref,
    "name": L.c.name,
    "state": L.c.state,
    "state_since": L.c.state_since,
    "responsible_unit": L.c.responsible_unit,
    "total_investment": L.c.investment_fen,
    "tier": L.c.tier,
    "next_due": L.c.next_due,
    "last_progress": L.c.last_progress_at,
}


def _columns(row: dict) -> dict:
    total = row["total_investment"]
    last = row["last_progress"]["at"] if row["last_progress"] else None
    return {
        "ref": row["ref"] or row["project_id"],
        "name": row["name"] or "",
        "book": row["book"] or "information",
        "state": row["state"] or "lead",
        "state_since": datetime.fromisoformat(row["state_since"]) if row["state_since"] else None,
        "responsible_unit": row["responsible_unit"],
        "sector": row["sector"],
        "tier": row["tier"],
        "is_key": row["is_key"],
        "liaison_user": (row["liaison_leader"] or {}).get("user_id"),
        "next_due": date.fromisoformat(row["next_due"]) if row["next_due"] else None,
        "investment_fen": int(Decimal(total) * 100) if total is not None else None,
        "last_progress_at": datetime.fromisoformat(last) if last else None,
        "data": row,
    }


# built once: SQLAlchemy then compiles it from its cache, without coercing every value of every call (the
# coordinator's profile during the benchmark: a fifth of its time went to building these statements)
_ROW_COLUMNS = (
    "ref",
    "name",
    "book",
    "state",
    "state_since",
    "responsible_unit",
    "sector",
    "tier",
    "is_key",
    "liaison_user",
    "next_due",
    "investment_fen",
    "last_progress_at",
    "data",
)
_UPDATES: dict[tuple[str, ...], object] = {}


def _update_row(names: tuple[str, ...]):
    """``UPDATE ledger SET <names> WHERE project_id = ?``, built once per set of columns.

    Only the columns whose value changed are set: SQLite rewrites the entry of every index on a column named in
    SET, changed or not, and the ledger has an index per filter and sort (a dozen) — each a page more in the
    write-ahead log at every event (a table with 12 indexes: 13 WAL pages an update of every column to the
    same values, 1 for the one changed column; docs/PERFORMANCE.md)."""
    statement = _UPDATES.get(names)
    if statement is None:
        statement = _UPDATES[names] = (
            update(L)
            .where(L.c.project_id == bindparam("b_project_id"))
            .values({name: bindparam(f"b_{name}", type_=L.c[name].type) for name in names})
        )
    return statement


_ROW_DATA = select(L.c.data).where(L.c.project_id == bindparam("b_project_id"))
_ROW_DATA_LOCKED = _ROW_DATA.with_for_update()


def record(uow: UnitOfWork, events: Iterable[Envelope], policy: Policy) -> None:
    """Journal each event not journaled yet and fold them into their projects' rows, in the caller's
    transaction: one insert per event (``ON CONFLICT DO NOTHING``: a journaled one is skipped), then one read
    and one write of each project's row for all its events (an event handled and the state change it caused)."""
    session = uow.session
    new: dict[str, list[Envelope]] = {}
    for event in events:
        if event.project_id and insert_new(
            session,
            J,
            ("event_id",),
            {"event_id": event.event_id, "project_id": event.project_id, "type": event.type, "body": event.dump()},
        ):
            new.setdefault(event.project_id, []).append(event)
    for project_id, folded in new.items():
        current = row_data(session, project_id, missing_ok=True, lock=True)
        before = _columns(current) if current is not None else None
        seen = workbench_store.snapshot(current)  # the fold changes the row in place
        row = ledger.fold(current, folded, policy, own=True)  # read for this fold alone
        after = _columns(row)
        if before is None:
            insert_row(session, L, {"project_id": project_id, **after})
        else:
            names = tuple(k for k in _ROW_COLUMNS if k == "data" or after[k] != before[k])
            fastpath.execute(
                session, _update_row(names), {"b_project_id": project_id, **{f"b_{k}": after[k] for k in names}}
            )
        workbench_store.keep(session, project_id, seen, row, folded)


def row_data(session, project_id: str, missing_ok: bool = False, lock: bool = False) -> dict | None:
    """A project's row; ``lock`` holds it (PostgreSQL) until the transaction ends, so two instances
    of the coordinator folding events of one project take turns."""
    data = fastpath.execute(session, _ROW_DATA_LOCKED if lock else _ROW_DATA, {"b_project_id": project_id}).scalar()
    if data is None and not missing_ok:
        raise NotFound(_("the ledger has no project {project_id}", project_id=project_id), {"project_id": project_id})
    return data


def journal(session, project_id: str | None = None) -> list[Envelope]:
    query = select(J.c.body).order_by(J.c.id)
    if project_id:
        query = query.where(J.c.project_id == project_id)
    return [Envelope.load(body) for body in session.execute(query).scalars()]


def all_rows(session) -> dict[str, dict]:
    return {r.project_id: r.data for r in session.execute(select(L.c.project_id, L.c.data))}


def rebuild(uow: UnitOfWork, policy: Policy) -> int:
    """Drop every row and fold the journal again; returns the number of rows."""
    rows = ledger.replay(journal(uow.session), policy)
    uow.session.execute(delete(L))
    for project_id, row in rows.items():
        uow.session.execute(insert(L).values(project_id=project_id, **_columns(row)))
    workbench_store.rebuild(uow.session, rows)
    return len(rows)


def ref_taken(session, ref: str) -> bool:
    return session.execute(select(L.c.project_id).where(L.c.ref == ref)).first() is not None


def _conditions(
    *,
    book=None,
    unit=None,
    state=None,
    sector=None,
    tier=None,
    key=None,
    overdue=None,
    today: date | None = None,
    liaison_user=None,
) -> list:
    conditions = []
    if book:
        conditions.append(L.c.book == book)
    if unit:
        conditions.append(L.c.responsible_unit == unit)
    if state:
        conditions.append(L.c.state == state)
    if sector:  # a GB/T 4754 prefix; the range lets the sector's index seek it (LIKE alone cannot, on either database)
        conditions += [L.c.sector.like(f"{sector}%"), L.c.sector >= sector]
        if (after := _after_prefix(sector)) is not None:
            conditions.append(L.c.sector < after)
    if tier == "none":
        conditions.append(L.c.tier.is_(None))
    elif tier:
        conditions.append(L.c.tier == tier)
    if key is not None:
        conditions.append(L.c.is_key == key)
    if overdue is True:
        conditions.append(L.c.next_due < today)
    elif overdue is False:
        conditions.append(or_(L.c.next_due.is_(None), L.c.next_due >= today))
    if liaison_user:
        conditions.append(L.c.liaison_user == liaison_user)
    return conditions


def _after_prefix(prefix: str) -> str | None:
    """The first code after every code that starts with ``prefix`` (sector codes are an upper-case letter and
    digits): C35 -> C36, C39 -> C4, C9 -> D; None when there is none."""
    chars = list(prefix)
    while chars:
        last = chars.pop()
        if last not in "9Z":
            return "".join(chars) + chr(ord(last) + 1)
    return None


def _order(sort: str, descending: bool) -> list:
    if sort not in SORTS:
        raise InvalidInput.for_field("sort", _("must be one of: {choices:list}", choices=list(SORTS)))
    column = SORTS[sort]
    return [(column.desc() if descending else column.asc()).nulls_last(), L.c.ref.asc()]


def _page_ids(session, conditions: list, sort: str, descending: bool, limit: int | None, offset: int) -> list[str]:
    """The ids of a page, in order: read from the indexes alone (``models._ledger_indexes``), not the rows."""
    query = select(L.c.project_id).where(*conditions).order_by(*_order(sort, descending)).offset(offset or None)
    return list(session.execute(query if limit is None else query.limit(limit)).scalars())


BATCH = 500
"""Rows read by primary key in one query (well below SQLite's and PostgreSQL's limits on parameters)."""


def rows_of(session, ids: list[str], conditions: Iterable = ()) -> list[dict]:
    """The rows of ``ids``, in that order (read by primary key, ``BATCH`` at a time); with ``conditions``, the
    rows that still match them."""
    found: dict[str, dict] = {}
    for i in range(0, len(ids), BATCH):
        query = select(L.c.project_id, L.c.data).where(L.c.project_id.in_(ids[i : i + BATCH]), *conditions)
        found.update((r.project_id, r.data) for r in session.execute(query))
    return [found[i] for i in ids if i in found]


def list_rows(session, *, sort="ref", descending=False, limit=50, offset=0, **filters) -> tuple[list[dict], int]:
    """A page of rows matching every filter given (``_conditions``; ``limit=None``: all) and the number of rows
    that match; ``overdue`` keeps the rows with an open advancement requirement due before ``today`` (or, false,
    the others).  The page's ids come from an index, then only its rows are read; the matching rows are counted
    only when the page does not tell (a full page, or none past the first)."""
    conditions = _conditions(**filters)
    ids = _page_ids(session, conditions, sort, descending, limit, offset)
    if (ids or not offset) and (limit is None or (limit and len(ids) < limit)):
        total = offset + len(ids)  # the page is the last one: it tells how many rows match
    else:
        total = session.execute(select(func.count()).select_from(L).where(*conditions)).scalar_one()
    return rows_of(session, ids), total


def iter_rows(
    session, *, sort="ref", descending=False, batch: int = 1000, pause: Callable[[], None] | None = None, **filters
) -> Iterator[dict]:
    """Every row matching the filters, in order, ``batch`` rows at a time (a workbook of 100,000 rows is written
    without holding them all): the ids are taken once, then each batch is read by primary key — a row changed
    meanwhile so that it no longer matches is left out.  ``pause()`` runs between batches (the caller ends its
    read transaction there, so the service's other work gets the database)."""
    conditions = _conditions(**filters)
    ids = _page_ids(session, conditions, sort, descending, None, 0)
    for i in range(0, len(ids), batch):
        if i and pause is not None:
            pause()
        yield from rows_of(session, ids[i : i + batch], conditions)


# -- targets (R14) -------------------------------------------------------------------------------------------------------
def set_targets(session, year: int, items: list[dict], actor: dict, at: datetime) -> None:
    for item in items:
        values = {
            "projects_signed": item["projects_signed"],
            "contracted_investment": item["contracted_investment"],
            "funds_in_place": item["funds_in_place"],
            "set_by": actor,
            "set_at": at,
        }
        done = session.execute(update(TG).where(TG.c.year == year, TG.c.unit == item["unit"]).values(**values)).rowcount
        if not done:
            session.execute(insert(TG).values(year=year, unit=item["unit"], **values))


def targets_of(session, year: int) -> list[dict]:
    rows = session.execute(select(TG).where(TG.c.year == year).order_by(TG.c.unit)).mappings()
    return [dict(r) for r in rows]
