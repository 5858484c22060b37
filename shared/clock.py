"""The platform's wall clock: every calendar date is a date in Asia/Shanghai.

Dates (deadlines, working days, "today") are always taken in Beijing time, never
in the server's local zone, so an instant at 2026-01-01 16:30 UTC is already
2026-01-02 for the county.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ["SHANGHAI", "now_shanghai", "today_shanghai", "to_shanghai"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_shanghai() -> datetime:
    """The current instant as an aware datetime in Asia/Shanghai."""
    return datetime.now(SHANGHAI)


def today_shanghai() -> date:
    """Today's date in Asia/Shanghai."""
    return now_shanghai().date()


def to_shanghai(moment: datetime) -> datetime:
    """An aware datetime converted to Asia/Shanghai; naive datetimes raise ValueError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment: a timezone-aware datetime is required, got naive {moment!r}")
    return moment.astimezone(SHANGHAI)
