"""The yearly per-mu benefit evaluation (R17 §4): the formulas, the ranking with its ties and the grades by rank,
as pure functions of services/supervision/benefit.py over the sample policy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.supervision import benefit
from shared.i18n import text
from shared.policy import load_policy

POLICY = load_policy()
R = benefit.rules(POLICY, 2025)  # baselines 28 万元/亩, 560 万元/亩, 1.1 万元/吨标准煤; cap 1.2; 45/35/20 %


def firm(code: str, tax, output, energy, land, production_year=2015, sector="C3512") -> benefit.Enterprise:
    return benefit.Enterprise(
        code,
        f"企业{code}",
        "PARK:hengdong",
        sector,
        production_year,
        {
            "tax": Decimal(str(tax)),
            "output": Decimal(str(output)),
            "energy": Decimal(str(energy)),
            "land": Decimal(str(land)),
        },
    )


def test_twenty_graded_enterprises_give_a4_b8_c7_d1():
    assert benefit.grade_counts(20) == {"A": 4, "B": 8, "C": 7, "D": 1}


@pytest.mark.parametrize(
    "n, counts",
    [
        (0, {"A": 0, "B": 0, "C": 0, "D": 0}),
        (1, {"A": 0, "B": 0, "C": 1, "D": 0}),
        (9, {"A": 2, "B": 4, "C": 3, "D": 0}),  # 0.05·9 + 0.5 = 0.95 → 0, and N < 10
        (10, {"A": 2, "B": 4, "C": 3, "D": 1}),  # 0.05·10 + 0.5 = 1.0 → 1
        (11, {"A": 2, "B": 4, "C": 4, "D": 1}),  # 0.20·11 + 0.5 = 2.7 → 2; 0.40·11 + 0.5 = 4.9 → 4
        (13, {"A": 3, "B": 5, "C": 4, "D": 1}),  # 3.1 → 3; 5.7 → 5; 1.15 → 1
        (30, {"A": 6, "B": 12, "C": 10, "D": 2}),  # 0.05·30 + 0.5 = 2.0 → 2
        (10000, {"A": 2000, "B": 4000, "C": 3500, "D": 500}),
    ],
)
def test_grade_counts_round_half_up_and_d_is_at_least_one_from_ten(n, counts):
    assert benefit.grade_counts(n) == counts
    assert sum(counts.values()) == n


def test_the_score_of_each_indicator_and_the_total_half_up_to_two_places():
    # tax 840 on 40 mu = 21 万元/亩 → 21/28 = 0.75 × 45 = 33.75
    # output 16800 / 40 = 420 万元/亩 → 420/560 = 0.75 × 35 = 26.25
    # tax / energy = 840 / 700 = 1.2 → 1.2/1.1 = 1.0909… × 20 = 21.8181…   total 81.8181… → 81.82
    values = benefit.indicator_values(
        {"tax": Decimal(840), "output": Decimal(16800), "energy": Decimal(700), "land": Decimal(40)}
    )
    assert values == {"tax_per_mu": Decimal(21), "output_per_mu": Decimal(420), "tax_per_energy": Decimal("1.2")}
    each, total = benefit.scores(values, R)
    assert each["tax_per_mu"] == Decimal("33.75") and each["output_per_mu"] == Decimal("26.25")
    assert benefit.half_up(each["tax_per_energy"]) == Decimal("21.82")
    assert total == Decimal("81.82")


def test_an_indicator_counts_at_most_the_cap_and_no_energy_used_counts_the_cap():
    each, total = benefit.scores(
        {"tax_per_mu": Decimal(280), "output_per_mu": Decimal(5600), "tax_per_energy": None}, R
    )
    assert each == {"tax_per_mu": Decimal("54.0"), "output_per_mu": Decimal("42.0"), "tax_per_energy": Decimal("24.0")}
    assert total == Decimal("120.00")


def test_the_total_rounds_half_up_at_its_boundary():
    # tax 0.028 万元/亩 … score 0.045 exactly → 0.05 (half-up), every other indicator zero
    each, total = benefit.scores(
        {"tax_per_mu": Decimal("0.028"), "output_per_mu": Decimal(0), "tax_per_energy": Decimal(0)}, R
    )
    assert each["tax_per_mu"] == Decimal("0.045") and total == Decimal("0.05")


def test_a_tie_on_the_total_goes_to_the_higher_tax_per_mu_then_to_the_credit_code():
    # X: 28 万元/亩 (45) + no output (0) + no energy (the cap: 24)         = 69.00
    # Y: 14 万元/亩 (22.5) + 360 万元/亩 of output (22.5) + the cap (24)   = 69.00, less tax per mu
    # B1, B2: Y's figures exactly; only their codes differ
    x = firm("X1", tax=280, output=0, energy=0, land=10)
    y, b2, b1 = (firm(c, tax=140, output=3600, energy=0, land=10) for c in ("Y1", "B2", "B1"))
    results = benefit.evaluate([y, b2, x, b1], R)
    assert {r.total for r in results} == {Decimal("69.00")}
    assert [r.credit_code for r in results] == ["X1", "B1", "B2", "Y1"]
    assert [r.rank for r in results] == [1, 2, 3, 4]


def test_twenty_enterprises_are_graded_a4_b8_c7_d1_in_rank_order_and_the_others_are_t_or_not_evaluated():
    firms = [firm(f"C{i:02d}", tax=10 + i, output=200 + 10 * i, energy=20, land=10) for i in range(20)]
    firms += [
        firm("NEW", 100, 2000, 10, 10, production_year=2024),  # second year of production: T
        firm("POWER", 100, 2000, 10, 10, sector="D4411"),  # an exempt sector: T
        firm("SMALL", 100, 2000, 10, "2.99"),  # under 3 mu
        benefit.Enterprise("GAP", "缺数据", "TOWN:xintang", "C3512", 2010, {"tax": Decimal(1)}),
    ]
    results = benefit.evaluate(firms, R)
    graded = [x for x in results if x.status == benefit.GRADED]
    assert [x.credit_code for x in graded] == [f"C{i:02d}" for i in range(19, -1, -1)]
    assert [x.grade for x in graded] == ["A"] * 4 + ["B"] * 8 + ["C"] * 7 + ["D"]
    assert [x.rank for x in graded] == list(range(1, 21))
    by_code = {x.credit_code: x for x in results}
    assert by_code["NEW"].grade == "T" and by_code["POWER"].grade == "T" and by_code["NEW"].total is not None
    assert by_code["SMALL"].grade is None and "3" in text(by_code["SMALL"].reason, "zh_CN")
    assert by_code["GAP"].status == benefit.NOT_EVALUATED and "综合能耗" in text(by_code["GAP"].reason, "zh_CN")
    s = benefit.summary(results)
    assert s["per_grade"] == {"A": 4, "B": 8, "C": 7, "D": 1, "T": 2} and s["graded"] == 20 and s["not_evaluated"] == 2
    assert s["per_location"]["PARK:hengdong"]["A"] == 4


def test_a_year_without_baselines_in_policy_is_refused_naming_the_year():
    with pytest.raises(Exception) as refused:
        benefit.rules(POLICY, 2019)
    assert "2019" in text(refused.value.msg, "zh_CN")


def test_a_forecast_takes_its_place_among_the_graded():
    firms = [firm(f"C{i:02d}", tax=10 + i, output=200 + 10 * i, energy=20, land=10) for i in range(20)]
    graded = [x for x in benefit.evaluate(firms, R) if x.status == benefit.GRADED]
    best = benefit.forecast(
        {"tax": Decimal(3000), "output": Decimal(60000), "energy": Decimal(100), "land": Decimal(100)}, R, graded
    )
    assert best["grade"] == "A" and best["rank"] == 1 and best["of"] == 21
    worst = benefit.forecast(
        {"tax": Decimal(1), "output": Decimal(1), "energy": Decimal(100), "land": Decimal(100)}, R, graded
    )
    assert worst["grade"] == "D" and worst["rank"] == 21
    assert (
        benefit.forecast({"tax": Decimal(1), "output": Decimal(1), "energy": Decimal(1), "land": Decimal(1)}, R, [])[
            "grade"
        ]
        is None
    )


def test_only_a_year_that_is_over_is_evaluated():
    from shared.errors import InvalidInput

    assert benefit.check_year_over(2025, 2026) == 2025
    for year in (2026, 2027):
        with pytest.raises(InvalidInput) as refused:
            benefit.check_year_over(year, 2026)
        assert list(refused.value.details) == ["year"]


def test_outcomes_are_public_only_where_policy_discloses_them():
    from shared.errors import NotFound

    assert benefit.check_disclosed({"enabled": True, "public": ["grade"]})["public"] == ["grade"]
    for spec in ({}, {"enabled": False}):
        with pytest.raises(NotFound):
            benefit.check_disclosed(spec)


def test_a_forecast_needs_land():
    from shared.errors import InvalidInput

    planned = {"tax": Decimal("100"), "output": Decimal("1000"), "energy": Decimal("0"), "land": Decimal("10")}
    assert benefit.check_planned(planned) is planned
    for land in ("0", "-1"):
        with pytest.raises(InvalidInput) as refused:
            benefit.check_planned({**planned, "land": Decimal(land)})
        assert list(refused.value.details) == ["land_mu"]
