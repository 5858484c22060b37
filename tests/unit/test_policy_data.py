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
