"""one receivable: the excess-land fee is one amount owed by the investor, recovered by FIN, LAND and LEGAL in
their roles (receivables, recovery_entries), instead of a recovery task of the full fee for each of them; an
accounting whose report is issued is ``reported`` until nothing is owed

Data: each accounting's tasks become its one receivable (the fee once); every entry of every task becomes a
recovery entry of its unit (a payment when it carried an amount, else an act).  A closed accounting whose
payments fall short of the fee had its tasks waived: the remainder is recorded as written off, with the waivers'
reasons.  Downgrade gives back a task per unit over the same figures.

Revision ID: accounting_0003
Revises: accounting_0002
Create Date: 2026-12-07 09:00:00
"""

from datetime import datetime, timezone
from decimal import Decimal

from alembic import op
import sqlalchemy as sa

import shared.types


revision = "accounting_0003"
down_revision = "accounting_0002"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=20, scale=2).with_variant(shared.types.DecimalText(length=48), "sqlite")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UNITS = ("FIN", "LAND", "LEGAL")


def _tables():
    meta = sa.MetaData()
    accountings = sa.Table(
        "accountings",
        meta,
        sa.Column("project_id", sa.String(40)),
        sa.Column("state", sa.String(12)),
        sa.Column("report", sa.JSON()),
        sa.Column("opened_at", shared.types.UtcDateTime()),
        sa.Column("closed_at", shared.types.UtcDateTime()),
    )
    tasks = sa.Table(
        "recovery_tasks",
        meta,
        sa.Column("id", ID),
        sa.Column("project_id", sa.String(40)),
        sa.Column("unit", sa.String(8)),
        sa.Column("status", sa.String(8)),
        sa.Column("amount_due", MONEY),
        sa.Column("amount_recovered", MONEY),
        sa.Column("entries", sa.JSON()),
        sa.Column("waived", sa.JSON()),
    )
    receivables = sa.Table(
        "receivables",
        meta,
        sa.Column("project_id", sa.String(40)),
        sa.Column("amount", MONEY),
        sa.Column("paid", MONEY),
        sa.Column("written_off", MONEY),
        sa.Column("status", sa.String(12)),
        sa.Column("write_off_round", sa.JSON()),
        sa.Column("decisions", sa.JSON()),
        sa.Column("opened_at", shared.types.UtcDateTime()),
        sa.Column("ended_at", shared.types.UtcDateTime()),
    )
    entries = sa.Table(
        "recovery_entries",
        meta,
        sa.Column("project_id", sa.String(40)),
        sa.Column("unit", sa.String(8)),
        sa.Column("kind", sa.String(8)),
        sa.Column("amount", MONEY),
        sa.Column("voucher", sa.String(64)),
        sa.Column("note", sa.Text()),
        sa.Column("by", sa.JSON()),
        sa.Column("at", shared.types.UtcDateTime()),
    )
    return accountings, tasks, receivables, entries


def _moment(text, fallback):
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def upgrade() -> None:
    op.create_table(
        "receivables",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("paid", MONEY, nullable=False),
        sa.Column("written_off", MONEY, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("write_off_round", sa.JSON(), nullable=True),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("opened_at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", shared.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["accountings.project_id"],
        ),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.create_table(
        "recovery_entries",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("voucher", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.JSON(), nullable=False),
        sa.Column("at", shared.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["receivables.project_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "voucher", name="uq_recovery_entry_voucher"),
    )
    with op.batch_alter_table("recovery_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_entries_project_id"), ["project_id"], unique=False)

    bind = op.get_bind()
    accountings, tasks, receivables, entries = _tables()
    by_project: dict[str, list] = {}
    for task in bind.execute(sa.select(tasks).order_by(tasks.c.id)).mappings():
        by_project.setdefault(task["project_id"], []).append(task)
    for acct in bind.execute(sa.select(accountings)).mappings():
        if acct["state"] == "computed" and acct["report"]:
            bind.execute(
                accountings.update().where(accountings.c.project_id == acct["project_id"]).values(state="reported")
            )
        project_tasks = by_project.get(acct["project_id"])
        if not project_tasks:
            continue
        opened = _moment((acct["report"] or {}).get("at"), acct["opened_at"])
        amount = max(Decimal(t["amount_due"]) for t in project_tasks)
        paid = Decimal("0.00")
        rows = []
        for task in project_tasks:
            for entry in task["entries"] or []:
                value = Decimal(entry.get("amount") or "0")
                paid += value
                rows.append(
                    {
                        "project_id": acct["project_id"],
                        "unit": task["unit"],
                        "kind": "payment" if value > 0 else "action",
                        "amount": value if value > 0 else None,
                        "voucher": None,
                        "note": entry.get("note") or "",
                        "by": entry.get("by") or {},
                        "at": _moment(entry.get("at"), opened),
                    }
                )
        waivers = [
            {
                "position": (t["waived"].get("by") or {}).get("position"),
                "decision": "agree",
                "reason": f"{t['unit']} task waived (before one receivable): {t['waived'].get('reason')}",
                "by": t["waived"].get("by"),
                "at": t["waived"].get("at"),
            }
            for t in project_tasks
            if t["waived"]
        ]
        closed = acct["state"] == "closed"
        written_off = amount - paid if closed and paid < amount else Decimal("0.00")
        status = "settled" if paid >= amount else "written_off" if closed else "outstanding"
        bind.execute(
            receivables.insert().values(
                project_id=acct["project_id"],
                amount=amount,
                paid=paid,
                written_off=written_off,
                status=status,
                write_off_round=None,
                decisions=waivers if status == "written_off" else [],
                opened_at=opened,
                ended_at=acct["closed_at"] if status != "outstanding" else None,
            )
        )
        if rows:
            bind.execute(entries.insert(), rows)

    with op.batch_alter_table("recovery_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_tasks_project_id"))
    op.drop_table("recovery_tasks")


def downgrade() -> None:
    op.create_table(
        "recovery_tasks",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("amount_due", MONEY, nullable=False),
        sa.Column("amount_recovered", MONEY, nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("waived", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["accountings.project_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "unit", name="uq_recovery_task_unit"),
    )
    with op.batch_alter_table("recovery_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_tasks_project_id"), ["project_id"], unique=False)

    bind = op.get_bind()
    accountings, tasks, receivables, entries = _tables()
    for receivable in bind.execute(sa.select(receivables)).mappings():
        done = receivable["status"] != "outstanding"
        for unit in UNITS:
            mine = (
                bind.execute(
                    sa.select(entries).where(entries.c.project_id == receivable["project_id"], entries.c.unit == unit)
                )
                .mappings()
                .all()
            )
            bind.execute(
                tasks.insert().values(
                    project_id=receivable["project_id"],
                    unit=unit,
                    amount_due=receivable["amount"],
                    amount_recovered=sum((Decimal(e["amount"] or 0) for e in mine), Decimal("0.00")),
                    status=("settled" if receivable["status"] == "settled" else "waived" if done else "open"),
                    entries=[
                        {
                            "amount": str(e["amount"] or "0.00"),
                            "note": e["note"],
                            "by": e["by"],
                            "at": e["at"].isoformat(),
                        }
                        for e in mine
                    ],
                    waived=(
                        {"by": None, "reason": "written off by the principals", "at": None}
                        if receivable["status"] == "written_off"
                        else None
                    ),
                )
            )
    bind.execute(accountings.update().where(accountings.c.state == "reported").values(state="computed"))

    with op.batch_alter_table("recovery_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_entries_project_id"))
    op.drop_table("recovery_entries")
    op.drop_table("receivables")
