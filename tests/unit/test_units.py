"""Land and money units: exact conversions and the one half-up rounding rule."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from shared import units
from shared.units import (
    ROUNDING,
    UnitError,
    format_wan,
    land_in_mu,
    mu_to_ha,
    mu_to_m2,
    parse_decimal,
    quantize_intensity,
    quantize_land,
    quantize_money,
    to_mu,
    wan_per_mu,
    wan_to_yuan,
    yuan_to_wan,
)


def test_rounding_rule_is_half_up_and_documented():
    assert ROUNDING == decimal.ROUND_HALF_UP
    assert "ROUND_HALF_UP" in units.__doc__


# --- conversions -----------------------------------------------------------


def test_40000_square_metres_is_exactly_60_mu():
    assert to_mu(40000, "m2") == Decimal(60)
    assert to_mu("40000", "平方米") == Decimal(60)


def test_4_hectares_is_60_mu():
    assert to_mu(4, "ha") == Decimal(60)
    assert to_mu("4", "公顷") == Decimal(60)


def test_one_square_metre_is_exactly_0_0015_mu_unrounded():
    result = to_mu(1, "m2")
    assert result == Decimal("0.0015")
    assert str(result) == "0.0015"
    assert land_in_mu(1, "m2") == Decimal("0.00")


def test_mu_is_identity_and_aliases_are_accepted():
    assert to_mu("12.345", "mu") == Decimal("12.345")
    assert to_mu("12.345", "亩") == Decimal("12.345")
    assert to_mu(3, " M2 ") == Decimal("0.0045")
    assert to_mu(1, "HA") == Decimal(15)
    assert to_mu(2000, "㎡") == Decimal(3)


def test_land_in_mu_rounds_once_at_the_end():
    # 10 m² = 0.015 亩 -> 0.02 half-up (exact intermediate, no double rounding)
    assert land_in_mu(10, "m2") == Decimal("0.02")
    assert land_in_mu("6666.67", "m2") == Decimal("10.00")  # 10.000005 亩
    assert land_in_mu("1.23456", "ha") == Decimal("18.52")  # 18.5184 亩


def test_mu_to_square_metres_and_hectares():
    assert mu_to_m2(60) == Decimal(40000)
    assert mu_to_m2(3) == Decimal(2000)
    assert mu_to_ha(60) == Decimal(4)
    assert mu_to_ha("7.5") == Decimal("0.5")
    assert mu_to_m2(1).quantize(Decimal("0.01"), rounding=ROUNDING) == Decimal("666.67")


def test_unknown_unit_is_rejected_with_its_name():
    with pytest.raises(UnitError, match="acre") as refused:
        to_mu(1, "acre")
    assert refused.value.field == "unit" and str(refused.value.rule).startswith("unknown land unit 'acre'")
    assert refused.value.rule.render("zh-CN").startswith("未知的面积单位'acre'")
    with pytest.raises(UnitError, match="unknown land unit") as refused:
        land_in_mu(1, "")
    assert refused.value.field == "unit"


@pytest.mark.parametrize("bad", ["-1", -0.5, "NaN", "Infinity", "-Infinity", Decimal("NaN")])
def test_negative_and_non_finite_land_is_rejected(bad):
    with pytest.raises(UnitError) as refused:  # a ValueError too: callers that only know that still catch it
        to_mu(bad, "m2")
    assert refused.value.field == "value" and isinstance(refused.value, ValueError)
    assert str(refused.value) == f"value: {refused.value.rule}"


def test_a_land_area_too_large_to_store_names_the_value():
    with pytest.raises(UnitError, match="too large to store") as refused:
        land_in_mu("1e30", "mu")
    assert refused.value.field == "value"


# --- rounding boundaries ---------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0.005", "0.01"),
        ("0.004999", "0.00"),
        ("2.675", "2.68"),
        ("2.665", "2.67"),
        ("1.004", "1.00"),
        ("1.995", "2.00"),
        ("-0.005", "-0.01"),
        ("-2.675", "-2.68"),
        ("-0.004", "0.00"),
        (7, "7.00"),
        (2.675, "2.68"),  # float goes through str(), i.e. the decimal 2.675
    ],
)
def test_half_up_boundaries(raw, expected):
    for quantize in (quantize_money, quantize_land, quantize_intensity):
        result = quantize(raw)
        assert result == Decimal(expected)
        assert str(result) == expected


def test_rounded_zero_is_never_negative():
    assert str(quantize_money("-0.004")) == "0.00"
    assert not quantize_money("-0.004").is_signed()


def test_rounding_ignores_the_callers_decimal_context():
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_EVEN
        ctx.prec = 3
        assert quantize_money("2.665") == Decimal("2.67")
        assert quantize_money("12345.675") == Decimal("12345.68")
        assert to_mu(40000, "m2") == Decimal(60)


def test_absurdly_large_money_is_a_value_error():
    with pytest.raises(ValueError, match="money"):
        quantize_money("1e40")


# --- parsing ---------------------------------------------------------------


def test_parse_decimal_accepts_int_str_decimal_and_float():
    assert parse_decimal(12, "f") == Decimal(12)
    assert parse_decimal(" 12.50 ", "f") == Decimal("12.50")
    assert parse_decimal(Decimal("3.3"), "f") == Decimal("3.3")
    assert parse_decimal(0.1, "f") == Decimal("0.1")
    assert parse_decimal("-4", "f") == Decimal(-4)


@pytest.mark.parametrize(
    "bad", [True, False, None, "NaN", "nan", "Infinity", float("inf"), float("nan"), "", "  ", "12,5", "abc", [1]]
)
def test_parse_decimal_rejects_with_field_name(bad):
    with pytest.raises(UnitError, match=r"^investment: ") as refused:
        parse_decimal(bad, "investment")
    assert refused.value.field == "investment" and refused.value.rule


# --- 万元 -------------------------------------------------------------------


def test_yuan_wan_conversions_are_exact():
    assert yuan_to_wan(12345678) == Decimal("1234.5678")
    assert yuan_to_wan("1") == Decimal("0.0001")
    assert wan_to_yuan("1234.5678") == Decimal(12345678)
    assert wan_to_yuan("1.5") == Decimal(15000)


def test_intensity_is_unrounded_until_quantized():
    # 30,000,000 元 on 60 亩 = 50 万元/亩; 10,000,000 元 on 3 亩 = 333.33... 万元/亩
    assert wan_per_mu(30_000_000, 60) == Decimal(50)
    raw = wan_per_mu(10_000_000, 3)
    assert raw > Decimal("333.3333")
    assert quantize_intensity(raw) == Decimal("333.33")
    with pytest.raises(ValueError, match="more than 0"):
        wan_per_mu(1, 0)


@pytest.mark.parametrize(
    "yuan, shown",
    [
        (12345678, "1,234.57 万元"),
        ("12345650", "1,234.57 万元"),  # 1234.565 -> half-up
        ("12345649.99", "1,234.56 万元"),
        (0, "0.00 万元"),
        (-40, "0.00 万元"),  # -0.004 万元 rounds to zero, shown unsigned
        (-12345678, "-1,234.57 万元"),
        ("500000000000", "50,000,000.00 万元"),
    ],
)
def test_format_wan(yuan, shown):
    assert format_wan(yuan) == shown
