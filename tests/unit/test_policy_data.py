"""The sample county's policy data carries every threshold of SPEC §4, typed."""

from __future__ import annotations

from decimal import Decimal

from shared.policy import load_policy
from shared.workdays import WorkingDayCalendar

policy = load_policy()


def test_parks_towns_and_their_units():
    assert set(policy.parks) == {"hengdong", "hexi"}
    assert policy.parks["hengdong"].unit == "PARK:hengdong"
    assert policy.parks["hengdong"].covers("C3512") and not policy.parks["hengdong"].covers("C1391")
    assert len(policy.towns) >= 3 and all(t.unit.startswith("TOWN:") for t in policy.towns.values())
    assert policy.documents["county"]["sample"] is True


def test_every_threshold_of_spec_section_4_is_policy_data():
    assert policy.decimal("thresholds.decision.land_threshold_mu") == Decimal("60")
    assert policy.integer("thresholds.review.period_working_days") == 10
    assert policy.integer("thresholds.tracking.stale_days") == 14
    assert policy.integer("thresholds.tracking.problem_escalation_days") == 7
    assert policy.decimal("thresholds.key_project.total_investment_yuan") == Decimal("100000000")
    assert policy.integer("thresholds.contracts.special_report_working_days") == 3
    assert policy.integer("thresholds.contracts.minimum_copies") == 8
    assert policy.integer("thresholds.reserve.yearly_minimum_per_tier") == 5
    assert [t["tier"] for t in policy.get("thresholds.reserve.tiers")] == ["A", "B", "C"]
    assert policy.decimal("industry.intensity_minimum_wan_per_mu.park") == Decimal("200")
    assert set(policy.get("industry.catalogue")) == {"encouraged", "restricted", "eliminated"}
    assert policy.get("industry.county_priorities")
    assert policy.get("industry.environment.bars")
    assert policy.decimal("land.delisting_price_yuan_per_mu.park.hengdong") == Decimal("180000")
    assert policy.get("authority.decision_authority.principals") == ["party_secretary", "county_magistrate"]


def test_holiday_years_feed_the_working_day_calendar():
    calendar = WorkingDayCalendar(policy.holiday_years)
    assert calendar.is_known_year(2026)
    assert policy.version.startswith("2026.1-sample#")


def test_what_is_derived_from_the_policy_is_built_once_per_policy_and_refused_when_malformed():
    import pytest

    from shared.policy import PolicyError
    from shared.tiers import investment_tier, reserve_tiers

    mine = load_policy()
    built = []
    assert mine.derived("x", lambda p: built.append(p) or 7) == 7
    assert mine.derived("x", lambda p: built.append(p) or 8) == 7 and built == [mine]
    assert reserve_tiers(mine) is reserve_tiers(mine)  # checked once, not at every ledger event
    assert investment_tier("100000001", mine) == "A" and investment_tier("50000000", mine) == "B"
    # a policy loaded again derives from its own data: a changed tier bound is seen there
    changed = load_policy()
    changed.documents["thresholds"]["reserve"]["tiers"][0]["above"] = "200000000"
    assert investment_tier("150000000", changed) is None and investment_tier("150000000", mine) == "A"
    broken = load_policy()
    broken.documents["thresholds"]["reserve"]["tiers"][1] = {"tier": "B", "over": "1"}
    with pytest.raises(PolicyError, match=r"thresholds\.reserve\.tiers\[1\]"):
        investment_tier("1", broken)
    with pytest.raises(PolicyError, match=r"thresholds\.reserve\.tiers\[1\]"):  # refused again, never kept
        reserve_tiers(broken)
