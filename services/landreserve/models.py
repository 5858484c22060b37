"""landreserve's own database: the parcels of the county's land reserve (土地储备), kept by LAND, and their search
entries (shared/search.py: the database's own index beside them)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, Text

from shared.outbox import messaging_tables
from shared.search import entries_table
from shared.types import UtcDateTime, decimal_column_type, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

parcels = Table(
    "parcels",
    metadata,
    Column("code", String(40), primary_key=True),  # 地块编号, LAND's own
    Column("name", String(100), nullable=False),
    Column("location", String(40), nullable=False, index=True),  # PARK:<id> or TOWN:<id>
    Column("address", String(200)),
    Column("area_mu", decimal_column_type(), nullable=False),  # exact, as LAND gives it
    Column("use", String(8), nullable=False),  # planning use, policy land.reserve.uses
    Column("plot_ratio_min", decimal_column_type(), nullable=False),
    Column("plot_ratio_max", decimal_column_type(), nullable=False),
    Column("status", String(12), nullable=False, index=True),  # reserved | ready | in_listing | supplied
    Column("delisting_price", money_column_type()),  # yuan per mu
    Column("indicators", JSON, nullable=False),  # standard-land indicators (Decimal strings)
    Column("notes", Text),
    Column("project", JSON),  # the project a contract draft names it for: project_id, ref, name
    Column("supplied_by", JSON),  # the signed contract that supplied it: project_id, ref, name, signed_on
    Column("source", String(200), nullable=False),  # the workbook it came from, or "api"
    Column("updated_by", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("history", JSON, nullable=False),  # [{status, at, by, reason}] — each change of status
    Column("version", Integer, nullable=False),
)

search_entries = entries_table(metadata, "search_entries")
"""One entry a parcel (``key`` its code, ``kind`` parcel, ``state`` its status, ``unit`` its park or town), kept with
the parcel in the same transaction (``store``)."""
