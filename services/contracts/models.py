"""contracts' own database: contracts, versions, obligations, custodians, copies, grants, audit."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.audit import audit_table
from shared.holidays import holiday_years_table
from shared.outbox import ID, messaging_tables
from shared.types import UtcDateTime, decimal_column_type, money_column_type

metadata = MetaData()
outbox, processed_events = messaging_tables(metadata)
audit_trail = audit_table(metadata)

# What contracts knows of a project (from intake and negotiation events).
projects = Table(
    "projects",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("ref", String(20), nullable=False),
    Column("project_name", String(200), nullable=False),
    Column("investor_name", String(200), nullable=False),
    Column("planned_total_investment", money_column_type(), nullable=False),
    Column("planned_fixed_asset_investment", money_column_type(), nullable=False),
    Column("planned_land_mu", decimal_column_type(), nullable=False),  # exact, as filed
    Column("responsible_unit", String(40)),
    Column("sector", String(8)),  # GB/T 4754, as filed: the standard-land floors are per sector (R17)
    Column("route", JSON),  # the decision route the agreement was reached on (R5): who signs
    Column(
        "decided_terms", JSON
    ),  # the terms of that decision (R5): a draft is composed from them, a signature checks them
    Column("decision_round", Integer),  # the negotiation round of that decision
    Column("negotiation_round", Integer),  # the latest round heard of: a decision of an older one is not in force
    Column("lifecycle_state", String(20)),  # from coordinator.project_state_changed
    Column("lifecycle_seq", Integer),  # the coordinator's transition number of lifecycle_state
    # pending | negotiating | agreed | refused | drafting | legal_review | signed | filed_copies | construction
    # | archived (services/contracts/domain.MOVES)
    Column("state", String(16), nullable=False, index=True),
    Column("signed_version", Integer),
    Column("signed_by", JSON),
    Column("investor_signatory", JSON),
    Column("signed_at", UtcDateTime()),
    Column("handed_over_at", UtcDateTime()),
    Column("archived", JSON),
    Column("version", Integer, nullable=False),
)

versions = Table(
    "versions",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.project_id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("terms", JSON, nullable=False),
    Column("document", LargeBinary, nullable=False),  # the .docx text of this version
    Column("status", String(12), nullable=False),  # draft | submitted | approved | returned
    Column("drafted_by", JSON, nullable=False),
    Column("drafted_at", UtcDateTime(), nullable=False),
    Column("legal_comments", JSON, nullable=False),
    Column("reviewed_by", JSON),
    Column("reviewed_at", UtcDateTime()),
    UniqueConstraint("project_id", "version", name="uq_contract_version"),
)

obligations = Table(
    "obligations",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.project_id"), nullable=False, index=True),
    Column("key", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("party", String(40), nullable=False),
    Column("status", String(8), nullable=False, index=True),  # open | met | lapsed
    Column("progress", JSON, nullable=False),
    Column("met_at", UtcDateTime()),
    Column("lapsed_at", UtcDateTime()),
    Column("report_due", Date),
    Column("report_due_provisional", Boolean),
    Column("report", JSON),  # the filed special report: document ref, summary, by, at
    Column("red_flag_at", UtcDateTime()),
    UniqueConstraint("project_id", "key", name="uq_obligation_key"),
)

custodians = Table(
    "custodians",
    metadata,
    Column("unit", String(40), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("cabinet", String(100), nullable=False),
    Column("designated_by", JSON, nullable=False),
    Column("designated_at", UtcDateTime(), nullable=False),
)

# Every custodian a unit has had, with when and by whom their term ended (the current one is in ``custodians``).
custodian_terms = Table(
    "custodian_terms",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("unit", String(40), nullable=False, index=True),
    Column("user_id", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("cabinet", String(100), nullable=False),
    Column("designated_by", JSON, nullable=False),
    Column("designated_at", UtcDateTime(), nullable=False),
    Column("ended_by", JSON, nullable=False),
    Column("ended_at", UtcDateTime(), nullable=False),
    Column("end_reason", Text, nullable=False),
)

copies = Table(
    "copies",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.project_id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("unit", String(40), nullable=False),
    Column("custodian_user_id", String(64), nullable=False),
    Column("cabinet", String(100), nullable=False),
    Column("registered_by", JSON, nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
    UniqueConstraint("project_id", "number", name="uq_copy_number"),
)

grants = Table(
    "grants",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("project_id", String(40), ForeignKey("projects.project_id"), nullable=False, index=True),
    Column("grantee_user_id", String(64), nullable=False),
    Column("grantor", JSON, nullable=False),
    Column("grantor_position", String(80), nullable=False),
    Column("reason", Text, nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

holiday_years = holiday_years_table(metadata)
