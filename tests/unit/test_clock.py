"""The platform clock reads dates in Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from shared.clock import SHANGHAI, now_shanghai, to_shanghai, today_shanghai


def test_now_is_aware_and_eight_hours_ahead_of_utc():
    now = now_shanghai()
    assert now.tzinfo is SHANGHAI
    assert now.utcoffset() == timedelta(hours=8)
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_today_is_the_shanghai_date():
    for _ in range(3):  # retry if the test straddles midnight
        expected = (datetime.now(timezone.utc) + timedelta(hours=8)).date()
        if today_shanghai() == expected:
            break
    else:
        pytest.fail("today_shanghai() disagrees with UTC+8")
    assert type(today_shanghai()) is date


def test_late_utc_afternoon_is_already_tomorrow_in_shanghai():
    moment = to_shanghai(datetime(2026, 1, 1, 16, 30, tzinfo=timezone.utc))
    assert moment.date() == date(2026, 1, 2)
    assert (moment.hour, moment.minute) == (0, 30)


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        to_shanghai(datetime(2026, 1, 1, 12, 0))
