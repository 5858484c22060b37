"""Intake's own database: leads (R1), the project reserve (R8) and its entries' search (shared/search.py)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.outbox import messaging_tables
from shared.search import entries_table
from shared.types import UtcDateTime, decimal_column_type, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

leads = Table(
    "leads",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("investor_name", String(200), nullable=False),
    Column("investor_kind", String(10), nullable=False),
    Column("credit_code", String(18)),
    Column("registration_id", String(64)),
    Column("investor_country", String(2)),
    Column("investor_key", String(120), nullable=False, index=True),
    Column("contact_name", String(100), nullable=False),
    Column("contact_phone", String(24), nullable=False),
    Column("contact_email", String(200)),
    Column("project_name", String(200), nullable=False),
    Column("project_key", String(200), nullable=False),
    Column("sector", String(8), nullable=False),
    Column("total_investment", money_column_type(), nullable=False),
    Column("fixed_asset_investment", money_column_type(), nullable=False),
    Column("annual_output", money_column_type()),  # planned, yuan a year at full production (R17 forecast)
    Column("annual_tax", money_column_type()),
    Column("annual_energy", decimal_column_type()),  # 吨标准煤 a year
    Column("land_mu", decimal_column_type(), nullable=False),  # exactly as given (R16), in mu
    Column("land_input_value", String(40), nullable=False),
    Column("land_input_unit", String(8), nullable=False),
    Column("location_kind", String(8), nullable=False),
    Column("location_id", String(40)),
    Column("source_channel", String(20), nullable=False),
    Column("notes", Text),
    Column("registered_by", JSON, nullable=False),
    Column("registered_unit", String(40), nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("filed_by", JSON),
    Column("filed_at", UtcDateTime()),
    Column("confirmed_new_by", JSON),
    UniqueConstraint("year", "seq", name="uq_lead_year_seq"),
)

# R8 the project reserve, R9 its public catalog. The confidential columns (intended investor,
# contact person, negotiation and contract notes) never leave through the catalog: see reserve.public_entry.
reserve_projects = Table(
    "reserve_projects",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False, unique=True),
    Column("year", Integer, nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("sector", String(8), nullable=False),
    Column("location_kind", String(8), nullable=False),
    Column("location_id", String(40)),
    Column("location_detail", String(200)),
    Column("total_investment", money_column_type(), nullable=False),
    Column("tier", String(4)),
    Column("cooperation_mode", String(40), nullable=False),
    Column("contact_office", String(200), nullable=False),
    Column("description", Text),
    Column("intended_investor", JSON),
    Column("contact_person", JSON),
    Column("negotiation_notes", Text),
    Column("contract_notes", Text),
    Column("document", JSON, nullable=False),
    Column("owner_unit", String(40), nullable=False),
    Column("entered_by", JSON, nullable=False),
    Column("entered_at", UtcDateTime(), nullable=False),
    Column("published", Boolean, nullable=False),
    Column("published_at", UtcDateTime()),
    Column("published_by", JSON),
    Column("withdrawn_at", UtcDateTime()),
    Column("withdrawn_by", JSON),
    Column("withdrawal_reason", Text),
    Column("version", Integer, nullable=False),
    UniqueConstraint("year", "seq", name="uq_reserve_year_seq"),
)

search_entries = entries_table(metadata, "search_entries")
"""One entry a reserve project (``key`` its id, ``kind`` reserve, ``ref`` CB<year>-<seq>, ``investor`` and ``code``
the intended investor's name and credit code, ``state`` its tier, ``unit`` its park or town, ``owner_unit`` the unit
that entered it, ``year`` its plan year), kept with the reserve project in the same transaction (``reserve_store``)."""
