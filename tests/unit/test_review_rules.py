"""R2: the department checks at their boundaries, plugin discovery and the outcome rule."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from services.review import checks as c
from services.review.domain import REVIEWING_BUREAUS, check_opinion, outcome, required_units
from shared.errors import InvalidInput
from shared.policy import load_policy

policy = load_policy()


def facts(sector="C3612", fai="20000000", land="10", kind="park", where="hengdong"):
    return c.ProjectFacts(sector, Decimal(fai), Decimal(land), kind, where)


@pytest.mark.parametrize(
    "fai, verdict",
    [
        ("20000000", "ok"),  # 2000 万元 / 10 mu = 200.00: exactly the park minimum passes
        ("19999999.99", "fail"),  # just under
        ("20000000.01", "ok"),  # just over
    ],
)
def test_intensity_at_the_park_minimum(fai, verdict):
    finding = c.InvestmentIntensity().run(facts(fai=fai), policy)
    assert finding.verdict == verdict
    assert finding.policy_values["minimum_wan_per_mu"] == "200"


def test_intensity_uses_the_sector_override_and_the_town_minimum():
    assert c.InvestmentIntensity().run(facts(sector="C2710", fai="25000000"), policy).verdict == "fail"  # 250 < 300
    town = c.InvestmentIntensity().run(facts(fai="12000000", kind="town", where="xintang"), policy)
    assert town.verdict == "ok" and town.policy_values["minimum_wan_per_mu"] == "120"


@pytest.mark.parametrize(
    "sector, verdict, cls, outside",
    [
        ("C3841", "ok", "encouraged", False),
        ("C3612", "ok", "permitted", False),
        ("C3011", "flag", "restricted", True),
        ("C3041", "fail", "eliminated", False),
    ],
)
def test_each_catalogue_class(sector, verdict, cls, outside):
    finding = c.NationalIndustrialPolicy().run(facts(sector=sector), policy)
    assert (finding.verdict, finding.policy_values["class"], finding.outside_policy) == (verdict, cls, outside)


def test_county_plan_priority_park_positioning_or_flag():
    priority = c.CountyIndustrialPlan().run(facts(sector="C3252"), policy)
    assert priority.verdict == "ok"
    assert priority.reason.render("zh-CN") == "铝压延加工（C3252）属本县重点发展产业"  # the code named once
    assert "衡东工业园" in c.CountyIndustrialPlan().run(facts(sector="C3511"), policy).reason.render("zh-CN")
    assert c.CountyIndustrialPlan().run(facts(sector="A0111"), policy).verdict == "flag"


def test_environment_category_and_bars_at_the_location():
    ok = c.EnvironmentalProtection().run(facts(sector="C2511", kind="park", where="hengdong"), policy)
    assert ok.verdict == "ok" and ok.policy_values["category"] == "report_form"
    barred = c.EnvironmentalProtection().run(facts(sector="C2511", kind="town", where="xintang"), policy)
    assert barred.verdict == "fail"
    assert c.EnvironmentalProtection().run(facts(sector="C3110", where="hexi"), policy).verdict == "fail"
    assert c.EnvironmentalProtection().run(facts(sector="C3110", where="hengdong"), policy).verdict == "ok"


def test_the_four_shipped_plugins_are_discovered_through_entry_points():
    names = {check.name for check in c.discover_checks()}
    assert {
        "national_industrial_policy",
        "county_industrial_plan",
        "environmental_protection",
        "investment_intensity",
    } <= names


def test_a_plugin_that_raises_is_recorded_and_the_others_still_run():
    class Broken:
        name, unit = "broken", "EPB"

        def run(self, project, policy):
            raise ZeroDivisionError("oops")

    findings = c.run_checks([Broken(), c.InvestmentIntensity()], facts(), policy)
    assert [f.verdict for f in findings] == ["error", "ok"]
    assert "ZeroDivisionError" in findings[0].reason


def test_required_units_include_the_park_only_for_a_park_project():
    assert required_units("park", "hexi") == REVIEWING_BUREAUS + ("PARK:hexi",)
    assert required_units("town", "xintang") == REVIEWING_BUREAUS


@pytest.mark.parametrize("mix", list(itertools.product(["pass", "conditional", "fail", None], repeat=3)))
def test_outcome_for_every_mix_of_opinions(mix):
    required = ("DRB", "IND", "PARK:hexi")
    opinions = {u: o for u, o in zip(required, mix) if o}
    expected = "rejected" if "fail" in mix else ("pending" if None in mix else "approved")
    assert outcome(required, opinions) == expected


def test_an_opinion_needs_its_conditions_or_reasons():
    check_opinion("pass", [], [])
    with pytest.raises(InvalidInput) as e:
        check_opinion("conditional", [], [])
    assert "conditions" in e.value.details
    with pytest.raises(InvalidInput) as e:
        check_opinion("fail", [], [])
    assert "reasons" in e.value.details
    with pytest.raises(InvalidInput):
        check_opinion("maybe", [], [])


@pytest.mark.parametrize(
    "answer, why",
    [
        (None, "not a Finding"),
        ({"verdict": "ok"}, "not a Finding"),
        (c.Finding("x", "EPB", "FAIL", "shouting"), "verdict 'FAIL'"),
    ],
)
def test_a_plugin_answering_out_of_contract_is_an_error_finding(answer, why):
    class Odd:
        name, unit = "odd", "EPB"

        def run(self, project, policy):
            return answer

    findings = c.run_checks([Odd(), c.InvestmentIntensity()], facts(), policy)
    assert findings[0].verdict == "error" and why in findings[0].reason
    assert findings[1].verdict == "ok"


def test_policy_values_are_made_json_safe():
    class Decimals:
        name, unit = "decimals", "LAND"

        def run(self, project, policy):
            return c.Finding("decimals", "LAND", "ok", "fine", {"minimum": Decimal("200")})

    assert c.run_checks([Decimals()], facts(), policy)[0].policy_values == {"minimum": "200"}


def test_a_review_is_convened_once_and_resubmitted_only_when_returned():
    from services.review import domain
    from shared.errors import Conflict

    domain.check_not_convened(False, "HD-1", "p1")
    with pytest.raises(Conflict) as twice:
        domain.check_not_convened(True, "HD-1", "p1")
    assert twice.value.details == {"project_id": ["p1"]}
    domain.check_can_resubmit(domain.RETURNED)
    for state in (domain.OPEN, domain.CONCLUDED):
        with pytest.raises(Conflict) as refused:
            domain.check_can_resubmit(state)
        assert list(refused.value.details) == ["state"]


def test_a_reviewer_records_the_opinion_of_its_own_unit_only():
    from services.review import domain
    from shared.errors import NotAllowed

    domain.check_own_unit("drb_reviewer", "DRB", None)
    domain.check_own_unit("drb_reviewer", "DRB", "DRB")
    with pytest.raises(NotAllowed) as refused:
        domain.check_own_unit("drb_reviewer", "DRB", "FIN")
    assert list(refused.value.details) == ["unit"]
