"""Persistence of the project reserve (R8, R9)."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, func, insert, or_, select, update

from services.intake import models
from shared import need_to_know
from shared import search as fulltext
from shared.i18n import _
from shared.clock import to_shanghai
from shared.errors import Conflict, NotFound

R, S = models.reserve_projects, models.search_entries


def insert_reserve(session, year: int, values: dict) -> str:
    seq = (session.execute(select(func.max(R.c.seq)).where(R.c.year == year)).scalar() or 0) + 1
    reserve_id = uuid.uuid4().hex
    session.execute(
        insert(R).values(
            id=reserve_id, ref=f"CB{year}-{seq:04d}", year=year, seq=seq, published=False, version=1, **values
        )
    )
    _index(session, reserve_id)
    return reserve_id


def get(session, reserve_id: str, lock: bool = False):
    query = select(R).where(R.c.id == reserve_id)
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(_("there is no reserve project {reserve_id}", reserve_id=reserve_id), {"reserve_id": reserve_id})
    return row


def published_by_ref(session, ref: str):
    row = session.execute(select(R).where(R.c.ref == ref, R.c.published.is_(True))).mappings().first()
    if row is None:
        raise NotFound(_("the public catalog has no project {ref}", ref=ref), {"ref": ref})
    return row


def change(session, current, **values) -> None:
    done = session.execute(
        update(R)
        .where(R.c.id == current["id"], R.c.version == current["version"])
        .values(version=current["version"] + 1, **values)
    ).rowcount
    if done != 1:
        raise Conflict(_("the reserve project changed meanwhile; try again"), {"version": [str(current["version"])]})
    _index(session, current["id"])


def list_rows(
    session,
    year=None,
    tier=None,
    published=None,
    owner_unit=None,
    sector=None,
    location=None,
    limit=50,
    offset=0,
    involving=None,
):
    """``involving``: only the reserve projects that unit entered or that are located in it (need-to-know)."""
    conditions = []
    if involving:
        kind, _, ident = involving.partition(":")
        conditions.append(
            or_(R.c.owner_unit == involving, and_(R.c.location_kind == kind.lower(), R.c.location_id == ident))
        )
    if year is not None:
        conditions.append(R.c.year == year)
    if tier == "none":
        conditions.append(R.c.tier.is_(None))
    elif tier:
        conditions.append(R.c.tier == tier)
    if published is not None:
        conditions.append(R.c.published.is_(published))
    if owner_unit:
        conditions.append(R.c.owner_unit == owner_unit)
    if sector:
        conditions.append(R.c.sector.like(f"{sector}%"))
    if location:
        conditions.append(R.c.location_id == location)
    query = select(R).where(*conditions).order_by(R.c.year.desc(), R.c.seq).limit(limit).offset(offset)
    total = session.execute(select(func.count()).select_from(R).where(*conditions)).scalar_one()
    return list(session.execute(query).mappings()), total


def tiers_of_year(session, year: int) -> list[str | None]:
    return list(session.execute(select(R.c.tier).where(R.c.year == year)).scalars())


def as_reserve(row, location_name, tier_label) -> dict:
    """A stored row in the shape of ``ReserveSchema`` (the keepers' view, confidential fields included)."""

    def sh(moment):
        return moment and to_shanghai(moment)

    return {
        **{
            k: row[k]
            for k in (
                "id",
                "ref",
                "year",
                "name",
                "sector",
                "location_detail",
                "total_investment",
                "tier",
                "cooperation_mode",
                "contact_office",
                "description",
                "intended_investor",
                "contact_person",
                "negotiation_notes",
                "contract_notes",
                "document",
                "owner_unit",
                "entered_by",
                "published",
                "published_by",
                "withdrawal_reason",
            )
        },
        "location": {"kind": row["location_kind"], "id": row["location_id"]},
        "location_name": location_name,
        "tier_label": tier_label,
        "sector_name": _("{sector:sector}", sector=row["sector"]),
        "entered_at": sh(row["entered_at"]),
        "published_at": sh(row["published_at"]),
        "withdrawn_at": sh(row["withdrawn_at"]),
    }


# -- search (shared/search.py) ---------------------------------------------------------------------------------------
def entry_of(row) -> dict:
    """A reserve project's search entry: found by its name, its reference and its intended investor's name and credit
    code; filtered by plan year and park or town; read by the unit that entered it or where it is located."""
    investor = row["intended_investor"] or {}
    return fulltext.entry_values(
        key=row["id"],
        kind="reserve",
        name=row["name"],
        ref=row["ref"],
        investor=investor.get("name"),
        code=investor.get("credit_code"),
        state=row["tier"],
        unit=need_to_know.location_unit(row["location_kind"], row["location_id"]),
        owner_unit=row["owner_unit"],
        year=row["year"],
    )


def _index(session, reserve_id: str) -> None:
    fulltext.upsert(session, S, entry_of(get(session, reserve_id)))


def search(
    session,
    fragment: str,
    year: int | None = None,
    unit: str | None = None,
    involving: str | None = None,
    limit: int = 20,
) -> list:
    """The reserve projects whose name, reference or intended investor holds ``fragment``, ranked
    (``shared.search.rank``); ``involving``: only those that unit entered or that are located in it."""
    conditions = []
    if year is not None:
        conditions.append(S.c.year == year)
    if unit:
        conditions.append(or_(S.c.unit == unit, S.c.owner_unit == unit))
    if involving:
        conditions.append(or_(S.c.owner_unit == involving, S.c.unit == involving))
    found = fulltext.search(session, S, fragment, conditions, limit)
    rows = {r["id"]: r for r in session.execute(select(R).where(R.c.id.in_(fulltext.keys_of(found)))).mappings()}
    return [rows[e["key"]] for e in found if e["key"] in rows]
