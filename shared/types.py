"""Column types that keep money, land and time exact on every database.

SQLite has no decimal type (SQLAlchemy would go through float), so Decimal
columns are stored there as text; PostgreSQL uses NUMERIC.  Timestamps are
stored in UTC and always come back timezone-aware.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.types import TypeDecorator


class DecimalText(TypeDecorator):
    impl = String(48)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


def money_column_type():
    """Yuan, exact to the fen."""
    return Numeric(20, 2, asdecimal=True).with_variant(DecimalText(), "sqlite")


def land_column_type():
    """Mu, 2 places."""
    return Numeric(14, 2, asdecimal=True).with_variant(DecimalText(), "sqlite")


def decimal_column_type():
    """Any other exact figure (intensity, ratios) without fixed places."""
    return Numeric(28, 10, asdecimal=True).with_variant(DecimalText(), "sqlite")


class UtcDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out (naive values are refused)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
