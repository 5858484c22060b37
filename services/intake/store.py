"""Intake's persistence: rows in, facts out (SQLAlchemy Core on the service's own database)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from services.intake import models
from services.intake.domain import FILED, LEAD, LeadFacts, OpenLead
from shared.clock import to_shanghai
from shared.errors import NotFound
from shared.i18n import _
from shared.location_checks import location_unit
from shared.units import exact_mu

L = models.leads


def next_ref(session: Session, year: int) -> tuple[int, str]:
    seq = (session.execute(select(func.max(L.c.seq)).where(L.c.year == year)).scalar() or 0) + 1
    return seq, f"ZS{year}-{seq:04d}"


def insert_lead(session: Session, facts: LeadFacts, actor: dict, at: datetime, confirmed_new_by: dict | None) -> str:
    year = to_shanghai(at).year
    seq, ref = next_ref(session, year)
    lead_id = uuid.uuid4().hex
    session.execute(
        insert(L).values(
            id=lead_id,
            ref=ref,
            year=year,
            seq=seq,
            status=LEAD,
            investor_name=facts.investor_name,
            investor_kind=facts.investor_kind,
            credit_code=facts.credit_code,
            registration_id=facts.registration_id,
            investor_country=facts.investor_country,
            investor_key=facts.investor_key,
            contact_name=facts.contact_name,
            contact_phone=facts.contact_phone,
            contact_email=facts.contact_email,
            project_name=facts.project_name,
            project_key=facts.project_key,
            sector=facts.sector,
            total_investment=facts.total_investment,
            fixed_asset_investment=facts.fixed_asset_investment,
            land_mu=facts.land_mu,
            land_input_value=facts.land_input_value,
            land_input_unit=facts.land_input_unit,
            location_kind=facts.location_kind,
            location_id=facts.location_id,
            source_channel=facts.source_channel,
            notes=facts.notes,
            annual_output=facts.annual_output,
            annual_tax=facts.annual_tax,
            annual_energy=facts.annual_energy,
            registered_by=actor,
            registered_unit=actor["unit"],
            registered_at=at,
            confirmed_new_by=confirmed_new_by,
        )
    )
    return lead_id


def open_leads_of(session: Session, investor_key: str) -> list[OpenLead]:
    rows = session.execute(
        select(L.c.id, L.c.ref, L.c.investor_key, L.c.project_key).where(
            L.c.investor_key == investor_key, L.c.status.in_([LEAD, FILED])
        )
    )
    return [OpenLead(r.id, r.ref, r.investor_key, r.project_key) for r in rows]


def get_lead_row(session: Session, lead_id: str):
    row = session.execute(select(L).where(L.c.id == lead_id)).mappings().first()
    if row is None:
        raise NotFound(_("there is no lead {lead_id}", lead_id=lead_id), {"lead_id": lead_id})
    return row


def set_status(session: Session, lead_id: str, status: str, **values) -> None:
    session.execute(update(L).where(L.c.id == lead_id).values(status=status, **values))


def list_rows(session: Session, status: str | None, limit: int, offset: int, unit: str | None):
    query = select(L).order_by(L.c.registered_at.desc(), L.c.seq.desc()).limit(limit).offset(offset)
    count = select(func.count()).select_from(L)
    if status:
        query, count = query.where(L.c.status == status), count.where(L.c.status == status)
    if unit:
        query, count = query.where(L.c.registered_unit == unit), count.where(L.c.registered_unit == unit)
    return list(session.execute(query).mappings()), session.execute(count).scalar_one()


def as_lead(row) -> dict:
    """A stored row in the shape of ``LeadSchema``."""
    return {
        "id": row["id"],
        "ref": row["ref"],
        "status": row["status"],
        "investor": {
            "name": row["investor_name"],
            "kind": row["investor_kind"],
            "credit_code": row["credit_code"],
            "registration_id": row["registration_id"],
            "country": row["investor_country"],
        },
        "contact": {"name": row["contact_name"], "phone": row["contact_phone"], "email": row["contact_email"]},
        "project_name": row["project_name"],
        "sector": row["sector"],
        "planned_total_investment": row["total_investment"],
        "planned_fixed_asset_investment": row["fixed_asset_investment"],
        "land_mu": exact_mu(row["land_mu"]),  # exactly as given: 40,003 m² is 60.0045 mu
        "land_demand": {"value": row["land_input_value"], "unit": row["land_input_unit"]},
        "preferred_location": {"kind": row["location_kind"], "id": row["location_id"]},
        "sector_name": _("{sector:sector}", sector=row["sector"]),
        "location_name": _("{unit:unit}", unit=location_unit(row["location_kind"], row["location_id"]))
        if row["location_id"]
        else _("{location:location}", location=row["location_kind"]),
        "source_channel": row["source_channel"],
        "source_channel_name": _("{channel:channel}", channel=row["source_channel"]),
        "notes": row["notes"],
        "planned_annual_output": row["annual_output"],
        "planned_annual_tax": row["annual_tax"],
        "planned_annual_energy": row["annual_energy"],
        "registered_by": row["registered_by"],
        "registered_at": to_shanghai(row["registered_at"]),
        "filed_by": row["filed_by"],
        "filed_at": row["filed_at"] and to_shanghai(row["filed_at"]),
        "confirmed_new_by": row["confirmed_new_by"],
    }


def lead_ids(session: Session, refs: list[str]) -> dict[str, str]:
    """The id of each lead among ``refs`` (its reference number) that is registered."""
    if not refs:
        return {}
    return {ref: id_ for id_, ref in session.execute(select(L.c.id, L.c.ref).where(L.c.ref.in_(refs))).all()}
