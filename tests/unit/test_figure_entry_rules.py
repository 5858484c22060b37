"""A figure entered by hand, pure: its year from policy's first year to this year, its value in policy's range."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.supervision import figures
from shared.errors import InvalidInput
from shared.policy import load_policy

POLICY = load_policy()
FIRST = int(POLICY.get("benefit.figures.first_year"))


def test_a_figure_is_entered_for_a_year_from_the_first_kept_to_this_year():
    figures.check_entered_year(FIRST, 2026, POLICY)
    figures.check_entered_year(2026, 2026, POLICY)
    for year in (FIRST - 1, 2027):
        with pytest.raises(InvalidInput) as refused:
            figures.check_entered_year(year, 2026, POLICY)
        assert list(refused.value.details) == ["year"]


def test_a_figure_entered_is_in_the_plausible_range():
    low, high = (Decimal(v) for v in figures.kinds(POLICY)["tax"]["range"])
    assert figures.check_entered_value("tax", high, POLICY) == high
    for value in (low - 1, high + 1):
        with pytest.raises(InvalidInput) as refused:
            figures.check_entered_value("tax", value, POLICY)
        assert list(refused.value.details) == ["value"]
