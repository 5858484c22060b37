"""R12, pure: the worked examples, no fee at or below the reasonable land, and the rounding boundary."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.accounting import domain
from shared.errors import Conflict, InvalidInput
from shared.policy import load_policy

policy = load_policy()


def figures(fai, land, intensity, price) -> dict:
    return {f.name: f for f in domain.compute(Decimal(fai), Decimal(land), Decimal(intensity), Decimal(price))}


def test_the_worked_example():
    """Actual FAI 120,000,000 yuan on 80 mu; contracted 2,000,000 yuan/mu (= 200 万元/亩); 150,000 yuan/mu.

    actual intensity = 12,000 万元 ÷ 80 mu = 150.00 万元/亩
    reasonable land  = 12,000 万元 ÷ 200 万元/亩 = 60.00 mu
    excess land      = 80.00 − 60.00 = 20.00 mu
    fee              = 20.00 mu × 150,000 yuan/mu = 3,000,000.00 yuan
    """
    f = figures("120000000", "80", "200", "150000")
    assert f["actual_intensity"].value == Decimal("150.00")
    assert f["reasonable_land"].value == Decimal("60.00")
    assert f["excess_land"].value == Decimal("20.00")
    assert f["fee_to_recover"].value == Decimal("3000000.00")
    assert f["actual_intensity"].formula == "12000 万元 ÷ 80.00 mu"
    assert f["fee_to_recover"].formula == "20.00 mu × 150000.00 yuan/mu"


@pytest.mark.parametrize("land", ["60", "59.99", "30"])
def test_no_fee_when_land_used_is_at_or_below_the_reasonable_land(land):
    f = figures("120000000", land, "200", "150000")
    assert f["excess_land"].value == Decimal("0.00") and f["fee_to_recover"].value == Decimal("0.00")
    assert "none" in f["excess_land"].formula


def test_a_second_worked_example_with_odd_figures():
    """FAI 98,765,432.10 yuan on 55.5 mu against 180 万元/亩 at 210,000 yuan/mu.

    actual intensity = 9876.54321 ÷ 55.50 = 177.955... → 177.96
    reasonable land  = 9876.54321 ÷ 180 = 54.8696... → 54.87
    excess land      = 55.50 − 54.87 = 0.63 mu;  fee = 0.63 × 210,000 = 132,300.00
    """
    f = figures("98765432.10", "55.5", "180", "210000")
    assert (f["actual_intensity"].value, f["reasonable_land"].value, f["excess_land"].value, f["fee_to_recover"].value) == (
        Decimal("177.96"), Decimal("54.87"), Decimal("0.63"), Decimal("132300.00"))


def test_rounding_at_its_boundary_is_half_up():
    # reasonable land = 1000.9 万元 ÷ 200 = 5.0045 mu → 5.00; 1001.0 万元 ÷ 200 = 5.005 → 5.01 (half up)
    assert figures("10009000", "6", "200", "100000")["reasonable_land"].value == Decimal("5.00")
    assert figures("10010000", "6", "200", "100000")["reasonable_land"].value == Decimal("5.01")
    # intensity: 100.05 万元 ÷ 1 mu... 1000500 yuan on 2 mu = 50.025 → 50.03
    assert figures("1000500", "2", "20", "1")["actual_intensity"].value == Decimal("50.03")
    # fee: reasonable 11.98 万元 ÷ 2 = 5.99 mu, excess 0.01 mu × 150,000.50 = 1,500.005 → 1,500.01
    assert figures("119800", "6", "2", "150000.5")["fee_to_recover"].value == Decimal("1500.01")


def test_inputs_must_be_positive_and_plausible():
    ceiling = Decimal("100000")
    with pytest.raises(InvalidInput) as e:
        domain.positive(Decimal("0"), "land.value", ceiling, "mu")
    assert "land.value" in e.value.details
    with pytest.raises(InvalidInput):
        domain.positive(Decimal("-1"), "amount", ceiling, "yuan")
    with pytest.raises(InvalidInput) as e:
        domain.positive(Decimal("1e9"), "land.value", ceiling, "mu")
    assert "ceiling" in e.value.message
    with pytest.raises(Conflict):
        domain.compute(Decimal("1"), Decimal("1"), Decimal("0"), Decimal("1"))


def test_delisting_price_from_policy_and_participants():
    assert domain.delisting_price(policy, "PARK:hengdong") == (Decimal("180000"), "policy land.yaml: park hengdong")
    assert domain.delisting_price(policy, "TOWN:xintang")[0] == Decimal("150000")
    assert domain.participants("PARK:hexi") == ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hexi"]


def test_closing_needs_figures_report_and_settled_tasks():
    with pytest.raises(Conflict) as e:
        domain.check_can_close("open", False, [{"unit": "FIN", "status": "open"}])
    assert len(e.value.details["missing"]) == 3
    domain.check_can_close("computed", True, [{"unit": "FIN", "status": "settled"}, {"unit": "LAND", "status": "waived"}])


def test_the_construction_period_is_over_the_day_after_the_contracted_completion():
    from datetime import date

    assert not domain.construction_period_over(date(2027, 2, 28), date(2027, 2, 28))
    assert domain.construction_period_over(date(2027, 2, 28), date(2027, 3, 1))
    due = domain.accountings_due([{"project_id": "a", "contract_terms": {"completion": "2027-02-28"}},
                                  {"project_id": "b", "contract_terms": {"completion": "2027-03-01"}},
                                  {"project_id": "c", "contract_terms": None}], date(2027, 3, 1))
    assert [p["project_id"] for p in due] == ["a"]
