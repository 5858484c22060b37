"""review's own database: the filed projects it may review, reviews, opinions."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

from shared.holidays import holiday_years_table
from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime, decimal_column_type, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)

# What review knows of a project, from intake.project_filed (R1: only filed projects are reviewed).
filed_projects = Table(
    "filed_projects",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False),
    Column("project_name", String(200), nullable=False),
    Column("sector", String(8), nullable=False),
    Column("fixed_asset_investment", money_column_type(), nullable=False),
    Column("total_investment", money_column_type(), nullable=False),
    Column("land_mu", decimal_column_type(), nullable=False),  # exact
    Column("location_kind", String(8), nullable=False),
    Column("location_id", String(40)),
    Column("filed_at", UtcDateTime(), nullable=False),
)

reviews = Table(
    "reviews",
    metadata,
    Column("project_id", String(40), ForeignKey("filed_projects.project_id"), primary_key=True),
    Column("state", String(12), nullable=False, index=True),  # open | returned | concluded
    Column("round", Integer, nullable=False),
    # the first round of the opinions that count now: a resubmission asks every unit again (base = round); a park
    # IPB assigns that did not review the project is asked alone in a new round, the others' opinions standing
    Column("base_round", Integer),
    Column("outcome", String(12)),  # approved | rejected
    Column("required_units", JSON, nullable=False),
    Column("findings", JSON, nullable=False),
    Column("outside_policy", Boolean, nullable=False),
    Column("convened_by", JSON, nullable=False),
    Column("convened_at", UtcDateTime(), nullable=False),
    Column("period_start", Date, nullable=False),  # the day the round's review period started (Asia/Shanghai)
    Column("deadline", Date, nullable=False),
    Column("deadline_provisional", Boolean, nullable=False),
    Column("escalated_at", UtcDateTime()),
    Column("concluded_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
)

opinions = Table(
    "opinions",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("reviews.project_id"), nullable=False, index=True),
    Column("round", Integer, nullable=False),
    Column("unit", String(40), nullable=False),
    Column("opinion", String(12), nullable=False),
    Column("conditions", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("actor", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("project_id", "round", "unit", name="uq_one_opinion_per_unit_and_round"),
)

returns = Table(
    "returns",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("reviews.project_id"), nullable=False, index=True),
    Column("round", Integer, nullable=False),
    Column("unit", String(40), nullable=False),
    Column("request", Text, nullable=False),
    Column("recorded_by", JSON, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("resubmitted_at", UtcDateTime()),
    Column("resubmission_note", Text),
)

holiday_years = holiday_years_table(metadata)
