"""R12, pure: the worked examples, no fee at or below the reasonable land, and the rounding boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.accounting import domain
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import text
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
    assert f["actual_intensity"].formula.render() == "12,000万元 ÷ 80.00 亩"  # the formula in the county's units
    assert f["fee_to_recover"].formula.render() == "20.00 亩 × 15.00 万元/亩"
    assert f["reasonable_land"].formula.render() == "12,000万元 ÷ 200.00 万元/亩"


@pytest.mark.parametrize("land", ["60", "59.99", "30"])
def test_no_fee_when_land_used_is_at_or_below_the_reasonable_land(land):
    f = figures("120000000", land, "200", "150000")
    assert f["excess_land"].value == Decimal("0.00") and f["fee_to_recover"].value == Decimal("0.00")
    assert f["excess_land"].formula.render().endswith("未超出")


def test_a_second_worked_example_with_odd_figures():
    """FAI 98,765,432.10 yuan on 55.5 mu against 180 万元/亩 at 210,000 yuan/mu.

    actual intensity = 9876.54321 ÷ 55.50 = 177.955... → 177.96
    reasonable land  = 9876.54321 ÷ 180 = 54.8696... → 54.87
    excess land      = 55.50 − 54.87 = 0.63 mu;  fee = 0.63 × 210,000 = 132,300.00
    """
    f = figures("98765432.10", "55.5", "180", "210000")
    assert (
        f["actual_intensity"].value,
        f["reasonable_land"].value,
        f["excess_land"].value,
        f["fee_to_recover"].value,
    ) == (Decimal("177.96"), Decimal("54.87"), Decimal("0.63"), Decimal("132300.00"))


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
    assert domain.delisting_price(policy, "PARK:hengdong") == (Decimal("180000"), "policy:PARK:hengdong")
    assert domain.delisting_price(policy, "TOWN:xintang") == (Decimal("150000"), "policy:town")
    # the source is a code; a person reads where the price came from
    assert domain.price_source("policy:PARK:hengdong").render() == "县土地政策：衡东工业园地块价格"
    assert domain.price_source("parcel:HD-01").render() == "县国土资源局储备地块HD-01"
    assert domain.price_source("land_record").render() == "土地登记记录（由县国土资源局录入）"
    assert domain.participants("PARK:hexi") == ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hexi"]


def test_the_construction_period_is_over_the_day_after_the_contracted_completion():
    from datetime import date

    assert not domain.construction_period_over(date(2027, 2, 28), date(2027, 2, 28))
    assert domain.construction_period_over(date(2027, 2, 28), date(2027, 3, 1))
    due = domain.accountings_due(
        [
            {"project_id": "a", "contract_terms": {"completion": "2027-02-28"}},
            {"project_id": "b", "contract_terms": {"completion": "2027-03-01"}},
            {"project_id": "c", "contract_terms": None},
        ],
        date(2027, 3, 1),
    )
    assert [p["project_id"] for p in due] == ["a"]


def test_the_state_table_allows_each_act_only_in_its_states():
    allowed = {act: {state for state in domain.STATES if _allowed(state, act)} for act in domain.ACTS}
    assert allowed == {
        "record_figure": {"open", "computed"},
        "issue_report": {"computed"},
        "record_recovery": {"reported"},
        "write_off": {"reported"},
    }
    with pytest.raises(Conflict) as refused:
        domain.check_act("reported", "record_figure")
    assert "reported" in refused.value.message and refused.value.details == {"state": ["reported"]}
    assert domain.state_after_figures(Decimal("1"), None) == "open"
    assert domain.state_after_figures(Decimal("1"), Decimal("2")) == "computed"


def _allowed(state, act) -> bool:
    try:
        domain.check_act(state, act)
    except Conflict:
        return False
    return True


def test_the_fee_is_one_receivable_and_nothing_owed_closes():
    assert domain.new_receivable(Decimal("0.00")) is None
    assert domain.state_after(None) == "closed"
    owed = domain.new_receivable(Decimal("3000000.00"))
    assert (owed.amount, owed.paid, owed.outstanding, owed.status) == (
        Decimal("3000000.00"),
        Decimal("0.00"),
        Decimal("3000000.00"),
        "outstanding",
    )
    assert domain.state_after(owed) == "reported"
    assert set(domain.RECOVERY_ROLES) == {"FIN", "LAND", "LEGAL"}


def test_payments_by_any_unit_add_up_to_the_one_amount_and_settle_it():
    owed = domain.new_receivable(Decimal("3000000.00"))
    once = domain.record_payment(owed, Decimal("1000000.00"))  # e.g. FIN
    twice = domain.record_payment(once, Decimal("1500000.50"))  # e.g. LEGAL, after a judgement
    assert (twice.paid, twice.outstanding, twice.status) == (Decimal("2500000.50"), Decimal("499999.50"), "outstanding")
    settled = domain.record_payment(twice, Decimal("499999.50"))
    assert (settled.paid, settled.outstanding, settled.status) == (Decimal("3000000.00"), Decimal("0.00"), "settled")
    assert domain.state_after(settled) == "closed"
    with pytest.raises(Conflict):  # nothing is owed any more
        domain.record_payment(settled, Decimal("0.01"))


def test_over_payment_is_refused_naming_the_outstanding_amount():
    owed = domain.record_payment(domain.new_receivable(Decimal("3000000.00")), Decimal("2000000.00"))
    with pytest.raises(InvalidInput) as refused:
        domain.record_payment(owed, Decimal("1000000.01"))
    assert "amount" in refused.value.details and "1,000,000.00" in text(refused.value.details["amount"][0], "en")
    for bad in ("0", "-5", "1.001"):
        with pytest.raises(InvalidInput):
            domain.record_payment(owed, Decimal(bad))
    with pytest.raises(Conflict):
        domain.record_payment(None, Decimal("1"))


def test_only_units_with_a_role_record_recovery():
    for unit in ("FIN", "LAND", "LEGAL"):
        domain.check_recovery_unit(unit)
    with pytest.raises(NotAllowed):
        domain.check_recovery_unit("AUDIT")


PRINCIPALS = ("party_secretary", "county_magistrate")


def test_the_principals_write_off_the_remainder_together():
    owed = domain.record_payment(domain.new_receivable(Decimal("3000000.00")), Decimal("1000000.00"))
    round_, outcome = domain.decide_write_off(owed, None, PRINCIPALS, "county_magistrate", "agree")
    assert outcome is None and round_.amount == Decimal("2000000.00")
    with pytest.raises(Conflict):  # one decision each
        domain.decide_write_off(owed, round_, PRINCIPALS, "county_magistrate", "agree")
    round_, outcome = domain.decide_write_off(owed, round_, PRINCIPALS, "party_secretary", "agree")
    assert outcome == "written_off"
    after = domain.after_write_off(owed, round_)
    assert (after.paid, after.written_off, after.outstanding, after.status) == (
        Decimal("1000000.00"),
        Decimal("2000000.00"),
        Decimal("0.00"),
        "written_off",
    )
    assert domain.state_after(after) == "closed"
    assert "written off by the principals" in domain.closing_reason(after)


def test_a_refusal_refuses_and_a_payment_starts_the_round_again():
    owed = domain.new_receivable(Decimal("3000000.00"))
    round_, outcome = domain.decide_write_off(owed, None, PRINCIPALS, "party_secretary", "refuse")
    assert outcome == "refused"
    round_, outcome = domain.decide_write_off(owed, None, PRINCIPALS, "county_magistrate", "agree")
    paid = domain.record_payment(owed, Decimal("500000.00"))
    assert domain.still_pending(round_, owed) == round_ and domain.still_pending(round_, paid) is None
    again, outcome = domain.decide_write_off(
        paid, domain.still_pending(round_, paid), PRINCIPALS, "party_secretary", "agree"
    )
    assert (
        outcome is None
        and again.amount == Decimal("2500000.00")
        and dict(again.decisions) == {"party_secretary": "agree"}
    )


def test_no_one_but_the_principals_writes_off():
    owed = domain.new_receivable(Decimal("100.00"))
    for position in ("deputy_magistrate_investment", "ipb_director", "bureau_head"):
        with pytest.raises(NotAllowed) as refused:
            domain.decide_write_off(owed, None, PRINCIPALS, position, "agree")
        assert refused.value.details == {"position": ["party_secretary", "county_magistrate"]}
    with pytest.raises(Conflict):
        domain.decide_write_off(
            domain.record_payment(owed, Decimal("100.00")), None, PRINCIPALS, "party_secretary", "agree"
        )


def test_an_accounting_opens_once_and_only_for_a_signed_project_under_construction():
    domain.check_not_open(False, "p1")
    with pytest.raises(Conflict) as twice:
        domain.check_not_open(True, "p1")
    assert twice.value.details == {"project_id": ["p1"]}
    assert text(twice.value.msg, "en") == "an investment accounting is already open for this project"
    domain.check_can_open({"ref": "HD-1", "lifecycle_state": "construction", "contract_terms": {"completion": "x"}})
    for state, terms in (("signing", {"completion": "x"}), ("construction", None), (None, None)):
        with pytest.raises(Conflict) as early:
            domain.check_can_open({"ref": "HD-1", "lifecycle_state": state, "contract_terms": terms})
        assert early.value.details == {"state": [state or "-"]}
        assert "HD-1" in text(early.value.msg, "en")


def test_an_amount_finer_than_a_fen_is_refused():
    assert domain.check_fen(Decimal("1200.50"), "amount") == Decimal("1200.50")
    with pytest.raises(InvalidInput) as refused:
        domain.check_fen(Decimal("1200.505"), "amount")
    assert list(refused.value.details) == ["amount"]


def test_a_voucher_recorded_again_counts_once_and_with_other_figures_is_a_conflict():
    seen = {"unit": "FIN", "amount": Decimal("100.00")}
    assert domain.is_repeated_voucher(None, "V1", "FIN", Decimal("100.00")) is False
    assert domain.is_repeated_voucher(seen, None, "FIN", Decimal("100.00")) is False
    assert domain.is_repeated_voucher(seen, "V1", "FIN", Decimal("100.00")) is True
    for unit, amount in (("LAND", Decimal("100.00")), ("FIN", Decimal("99.00"))):
        with pytest.raises(Conflict) as refused:
            domain.is_repeated_voucher(seen, "V1", unit, amount)
        assert refused.value.details == {"voucher": ["V1"]}
        assert "V1" in text(refused.value.msg, "en")


def test_the_report_file_is_read_only_once_issued():
    assert domain.check_report_issued({"docx": {"id": 1}}) == {"docx": {"id": 1}}
    with pytest.raises(Conflict):
        domain.check_report_issued(None)
