"""R1 intake rules: USCC check character, every field rule of a lead, duplicates, filing.

Pure Python: schema (shared.wire.intake) + domain (services.intake.domain) + the
sample policy; no broker, no database.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from services.intake import domain
from services.intake.domain import (
    LeadFacts,
    OpenLead,
    check_can_file,
    find_duplicate,
    normalise_name,
    refuse_duplicate,
    uscc_check_character,
    uscc_problem,
    validate_lead,
)
from shared.errors import Conflict, InvalidInput
from shared.policy import load_policy
from shared.i18n import Message
from shared.vocabulary import field_name, state_name
from shared.wire.intake import load_lead_input

# --- an independent reference implementation of GB 32100-2015 (SPEC R1) ----------

REF_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 0-9, A-H, J-N, P-R, T-U, W-Y
assert len(REF_CHARSET) == 31


def ref_check(first17: str) -> str:
    weights = [pow(3, i - 1) % 31 for i in range(1, 18)]  # 3^(i-1) mod 31, i = 1..17
    total = sum(REF_CHARSET.index(c) * w for c, w in zip(first17, weights))
    check = 31 - (total % 31)
    return REF_CHARSET[0 if check == 31 else check]


def ref_valid(code: str) -> bool:
    return len(code) == 18 and all(c in REF_CHARSET for c in code) and ref_check(code[:17]) == code[17]


PUBLISHED_VALID = [
    "91350100M000100Y43",
    "91110108551385082Q",
    "91440300708461136T",
    "914403001922038216",
]


@pytest.fixture(scope="module")
def policy():
    return load_policy()


# --- USCC -----------------------------------------------------------------------


def test_reference_weights_are_powers_of_three_mod_31():
    assert [pow(3, i - 1) % 31 for i in range(1, 18)] == [
        1,
        3,
        9,
        27,
        19,
        26,
        16,
        17,
        20,
        29,
        25,
        13,
        8,
        24,
        10,
        30,
        28,
    ]
    assert list(domain.USCC_WEIGHTS) == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_published_codes_are_valid(code):
    assert ref_valid(code), "reference implementation disagrees with the published code"
    assert uscc_check_character(code[:17]) == code[17]
    assert uscc_problem(code) is None


def test_check_character_agrees_with_reference_on_many_bodies():
    import random

    rng = random.Random(4754)
    seen = set()
    for _ in range(3000):
        body = "".join(rng.choice(REF_CHARSET) for _ in range(17))
        expected = ref_check(body)
        seen.add(expected)
        assert uscc_check_character(body) == expected, body
        assert uscc_problem(body + expected) is None
    # the '31 -> 0' case and letter check characters both occur
    assert "0" in seen and "Y" in seen


def test_sum_divisible_by_31_gives_check_character_zero():
    body = "0" * 17  # sum 0 -> 31 - 0 = 31 -> '0'
    assert ref_check(body) == "0"
    assert uscc_check_character(body) == "0"
    assert uscc_problem("0" * 18) is None


def test_widely_quoted_code_911100001011064864_is_invalid_naming_expected_F():
    code = "911100001011064864"
    assert ref_check(code[:17]) == "F"
    problem = uscc_problem(code)
    assert problem is not None
    assert "expected F" in problem


def test_wrong_check_character_names_the_expected_one():
    good = "91350100M000100Y43"
    bad = good[:17] + "4"
    problem = uscc_problem(bad)
    assert problem is not None and "expected 3" in problem


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters_are_refused(letter):
    body = "91350100M000100Y4"
    code = body[:8] + letter + body[9:] + "3"
    assert len(code) == 18
    problem = uscc_problem(code)
    assert problem is not None and "no I, O, S, V, Z" in problem


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433", "9" * 30])
def test_wrong_length_is_refused(code):
    assert uscc_problem(code) == "must be 18 characters (GB 32100-2015)"


def test_lowercase_code_is_not_valid_raw_but_validate_lead_upper_cases_it(policy):
    code = "91350100m000100y43"
    assert uscc_problem(code) is not None
    facts = validate_lead(lead_input(credit_code=code), policy)
    assert facts.credit_code == "91350100M000100Y43"


# --- building inputs through the wire schema --------------------------------------

VALID_CODE = "91350100M000100Y43"


def raw_lead(**changes) -> dict:
    raw = {
        "investor": {"name": "  Fujian Example Co., Ltd. ", "kind": "domestic", "credit_code": VALID_CODE},
        "contact": {"name": "Zhang San", "phone": "+86 591-1234567", "email": "zhang@example.com"},
        "project_name": "Precision Bearings Phase I",
        "sector": "C3451",
        "planned_total_investment": "300000000",
        "planned_fixed_asset_investment": "200000000.50",
        "land_demand": {"value": "50", "unit": "mu"},
        "preferred_location": {"kind": "park", "id": "hengdong"},
        "source_channel": "fair",
        "notes": "met at the autumn fair",
    }
    for key, value in changes.items():
        if key in ("credit_code", "registration_id", "country", "kind", "investor_name"):
            raw["investor"]["name" if key == "investor_name" else key] = value
        else:
            raw[key] = value
    return raw


def lead_input(**changes) -> dict:
    return load_lead_input(raw_lead(**changes))


def problems_of(data, policy) -> dict:
    with pytest.raises(InvalidInput) as info:
        validate_lead(data, policy)
    assert isinstance(info.value.details, dict) and info.value.details
    return info.value.details


def test_fully_valid_domestic_lead(policy):
    facts = validate_lead(lead_input(), policy)
    assert isinstance(facts, LeadFacts)
    assert facts.investor_name == "Fujian Example Co., Ltd."
    assert facts.investor_kind == "domestic"
    assert facts.credit_code == VALID_CODE
    assert facts.registration_id is None and facts.investor_country is None
    assert facts.contact_name == "Zhang San"
    assert facts.contact_phone == "+86 591-1234567"
    assert facts.contact_email == "zhang@example.com"
    assert facts.project_name == "Precision Bearings Phase I"
    assert facts.sector == "C3451"
    assert facts.total_investment == Decimal("300000000")
    assert facts.fixed_asset_investment == Decimal("200000000.50")
    assert facts.land_mu == Decimal("50.00")
    assert facts.land_input_value == "50" and facts.land_input_unit == "mu"
    assert facts.location_kind == "park" and facts.location_id == "hengdong"
    assert facts.source_channel == "fair"
    assert facts.notes == "met at the autumn fair"
    assert facts.investor_key == f"uscc:{VALID_CODE}"
    assert facts.project_key == "precisionbearingsphasei"


def test_valid_foreign_lead(policy):
    raw = raw_lead(kind="foreign", credit_code=None, registration_id=" HRB 12345 ", country="de")
    facts = validate_lead(load_lead_input(raw), policy)
    assert facts.investor_kind == "foreign"
    assert facts.credit_code is None
    assert facts.registration_id == "HRB 12345"
    assert facts.investor_country == "DE"
    assert facts.investor_key == "reg:DE:hrb12345"


def test_foreign_lead_without_credit_code_key_at_all(policy):
    raw = raw_lead(kind="foreign", registration_id="K-998", country="SG")
    del raw["investor"]["credit_code"]
    facts = validate_lead(load_lead_input(raw), policy)
    assert facts.credit_code is None and facts.investor_country == "SG"


# --- investor rules ----------------------------------------------------------------


def test_domestic_without_credit_code(policy):
    for missing in (None, "", "   "):
        details = problems_of(lead_input(credit_code=missing), policy)
        assert list(details) == ["investor.credit_code"]
        assert "required" in details["investor.credit_code"][0]


def test_domestic_with_invalid_credit_code(policy):
    details = problems_of(lead_input(credit_code=VALID_CODE[:17] + "X"), policy)
    assert list(details) == ["investor.credit_code"]
    assert "expected 3" in details["investor.credit_code"][0]


def test_domestic_with_registration_id(policy):
    details = problems_of(lead_input(registration_id="HRB 1"), policy)
    assert list(details) == ["investor.registration_id"]


def test_foreign_with_credit_code(policy):
    details = problems_of(lead_input(kind="foreign", registration_id="HRB 1", country="DE"), policy)
    assert list(details) == ["investor.credit_code"]
    assert "registration id" in details["investor.credit_code"][0]


def test_foreign_without_registration_id_and_country(policy):
    details = problems_of(lead_input(kind="foreign", credit_code=None), policy)
    assert set(details) == {"investor.registration_id", "investor.country"}


def test_foreign_without_country_only(policy):
    details = problems_of(lead_input(kind="foreign", credit_code=None, registration_id="HRB 1"), policy)
    assert list(details) == ["investor.country"]


# --- sector ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, stored",
    [
        ("C3612", "C3612"),
        ("c3612", "C3612"),
        (" C36 ", "C36"),
        ("C361", "C361"),
        ("A01", "A01"),
        ("A05", "A05"),
        ("T97", "T97"),
        ("C13", "C13"),
        ("C43", "C43"),
    ],
)
def test_sector_accepted(policy, code, stored):
    assert validate_lead(lead_input(sector=code), policy).sector == stored


@pytest.mark.parametrize("code", ["C3", "X1234", "C36123", "3612", "", "CC3612", "U99"])
def test_sector_bad_shape(policy, code):
    details = problems_of(lead_input(sector=code), policy)
    assert list(details) == ["sector"]
    assert "GB/T 4754" in details["sector"][0]


@pytest.mark.parametrize("code, section", [("A13", "A"), ("C12", "C"), ("C44", "C"), ("A00", "A"), ("B13", "B")])
def test_sector_division_outside_its_section(policy, code, section):
    details = problems_of(lead_input(sector=code), policy)
    assert list(details) == ["sector"]
    assert f"does not belong to section {section}" in details["sector"][0]


# --- amounts -----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["planned_total_investment", "planned_fixed_asset_investment"])
@pytest.mark.parametrize("value", ["0", "0.00", "-1", "-300000000"])
def test_amount_must_be_positive(policy, field, value):
    details = problems_of(lead_input(**{field: value}), policy)
    assert field in details
    assert details[field] == ["must be a positive amount in yuan"]


@pytest.mark.parametrize("field", ["planned_total_investment", "planned_fixed_asset_investment"])
def test_amount_more_than_two_places(policy, field):
    details = problems_of(lead_input(**{field: "1000.005"}), policy)
    assert details[field] == ["yuan are kept to 2 decimal places (fen)"]


def test_amount_with_two_places_and_trailing_zeros_accepted(policy):
    facts = validate_lead(
        lead_input(planned_total_investment="300000000.10", planned_fixed_asset_investment="1000.000"), policy
    )
    assert facts.total_investment == Decimal("300000000.10")
    assert facts.fixed_asset_investment == Decimal("1000")


def test_integer_amounts_accepted(policy):
    facts = validate_lead(lead_input(planned_total_investment=5000000, planned_fixed_asset_investment=4000000), policy)
    assert facts.total_investment == Decimal(5000000) and facts.fixed_asset_investment == Decimal(4000000)


def test_fixed_asset_above_total(policy):
    details = problems_of(lead_input(planned_total_investment="100", planned_fixed_asset_investment="100.01"), policy)
    assert details == {"planned_fixed_asset_investment": ["cannot exceed the planned total investment"]}


def test_fixed_asset_equal_to_total_accepted(policy):
    facts = validate_lead(lead_input(planned_total_investment="100", planned_fixed_asset_investment="100.00"), policy)
    assert facts.fixed_asset_investment == facts.total_investment


def test_amount_ceiling(policy):
    ceiling = policy.decimal("thresholds.intake.max_total_investment_yuan")
    assert ceiling == Decimal("1000000000000")
    ok = validate_lead(lead_input(planned_total_investment=str(ceiling)), policy)
    assert ok.total_investment == ceiling
    details = problems_of(lead_input(planned_total_investment=str(ceiling + Decimal("0.01"))), policy)
    assert list(details) == ["planned_total_investment"]
    assert "ceiling" in details["planned_total_investment"][0]


@pytest.mark.parametrize("value", ["1e26", "1e30", "123456789012345678901234567890"])
def test_absurdly_large_amount_is_reported_not_crashing(policy, value):
    """A typing error of many digits must be an InvalidInput on the field, never a bare ValueError."""
    details = problems_of(lead_input(planned_total_investment=value), policy)
    assert "planned_total_investment" in details


# --- land --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, unit, mu",
    [
        ("50", "mu", "50.00"),
        ("60", "亩", "60.00"),
        ("40000", "m2", "60.00"),
        ("40000", "平方米", "60.00"),
        ("4", "ha", "60.00"),
        ("4", "公顷", "60.00"),
        ("1.5", "ha", "22.50"),
        ("1000", "m2", "1.50"),
        ("40003", "m2", "60.0045"),  # exactly, not 60.00: above 60 mu
        ("4.0002", "ha", "60.003"),
        ("60.004", "mu", "60.004"),
        ("1", "m2", "0.0015"),
        ("10", "m2", "0.015"),  # not rounded half up to 0.02
    ],
)
def test_land_is_kept_exactly_as_given_in_mu(policy, value, unit, mu):
    facts = validate_lead(lead_input(land_demand={"value": value, "unit": unit}), policy)
    assert str(facts.land_mu) == mu
    assert facts.land_input_value == value and facts.land_input_unit == unit


def test_40003_square_metres_is_above_the_60_mu_threshold(policy):
    facts = validate_lead(lead_input(land_demand={"value": "40003", "unit": "m2"}), policy)
    assert facts.land_mu > policy.decimal("thresholds.decision.land_threshold_mu") == Decimal("60")


def test_land_with_more_places_than_are_kept_exactly_is_refused(policy):
    details = problems_of(lead_input(land_demand={"value": "40003.1234567", "unit": "m2"}), policy)
    assert list(details) == ["land_demand.value"] and "decimal places" in details["land_demand.value"][0]


@pytest.mark.parametrize("value", ["0", "-5"])
def test_land_must_be_positive(policy, value):
    details = problems_of(lead_input(land_demand={"value": value, "unit": "mu"}), policy)
    assert list(details) == ["land_demand.value"]


def test_unknown_land_unit_refused_by_schema():
    with pytest.raises(InvalidInput) as info:
        lead_input(land_demand={"value": "5", "unit": "acre"})
    assert "land_demand.unit" in info.value.details


def test_unknown_land_unit_refused_by_domain(policy):
    data = lead_input()
    data["land_demand"] = {"value": Decimal("5"), "unit": "acre"}
    details = problems_of(data, policy)
    assert list(details) == ["land_demand.unit"]
    assert "unknown land unit" in details["land_demand.unit"][0]


# --- location and channel ------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        {"kind": "park", "id": "hengdong"},
        {"kind": "park", "id": "hexi"},
        {"kind": "town", "id": "xintang"},
        {"kind": "open"},
        {"kind": "open", "id": None},
        {"kind": "open", "id": ""},
    ],
)
def test_known_locations_accepted(policy, location):
    facts = validate_lead(lead_input(preferred_location=location), policy)
    assert facts.location_kind == location["kind"]
    assert facts.location_id == (location.get("id") or None)


def test_unknown_park(policy):
    details = problems_of(lead_input(preferred_location={"kind": "park", "id": "nowhere"}), policy)
    assert list(details) == ["preferred_location.id"]
    assert "no such park" in details["preferred_location.id"][0]
    rule = details["preferred_location.id"][0]
    assert "Hengdong Industrial Park" in rule and "Hexi New District" in rule  # the parks by name
    assert "衡东工业园" in rule.render("zh-CN") and "河西新区" in rule.render("zh-CN")


def test_park_without_id(policy):
    details = problems_of(lead_input(preferred_location={"kind": "park"}), policy)
    assert list(details) == ["preferred_location.id"]


def test_unknown_town(policy):
    details = problems_of(lead_input(preferred_location={"kind": "town", "id": "hengdong"}), policy)
    assert list(details) == ["preferred_location.id"]
    assert "no such town" in details["preferred_location.id"][0]


def test_open_location_with_an_id(policy):
    details = problems_of(lead_input(preferred_location={"kind": "open", "id": "hengdong"}), policy)
    assert details == {"preferred_location.id": ["must be empty when the location is open"]}


def test_unknown_source_channel(policy):
    details = problems_of(lead_input(source_channel="telepathy"), policy)
    assert list(details) == ["source_channel"]
    assert "fair" in details["source_channel"][0]


@pytest.mark.parametrize("channel", ["fair", "visit", "referral", "intermediary", "online", "other"])
def test_every_sample_channel_accepted(policy, channel):
    assert validate_lead(lead_input(source_channel=channel), policy).source_channel == channel


# --- all problems together ------------------------------------------------------------


def test_all_problems_reported_together(policy):
    data = lead_input(
        credit_code="91350100M000100Y44",
        registration_id="X-1",
        sector="A13",
        planned_total_investment="100",
        planned_fixed_asset_investment="0.001",
        land_demand={"value": "-1", "unit": "ha"},
        preferred_location={"kind": "town", "id": "atlantis"},
        source_channel="telepathy",
    )
    with pytest.raises(InvalidInput) as info:
        validate_lead(data, policy)
    details = info.value.details
    assert set(details) == {
        "investor.credit_code",
        "investor.registration_id",
        "sector",
        "planned_fixed_asset_investment",
        "land_demand.value",
        "preferred_location.id",
        "source_channel",
    }
    for rules in details.values():
        assert isinstance(rules, list) and all(isinstance(r, (str, Message)) and str(r) for r in rules)
    # the message names every field too, as a person calls it
    for field in details:
        assert field_name(field, "en") in info.value.message
        assert field_name(field, "zh-CN") in info.value.to_dict("zh-CN")["message"]


def test_fixed_above_total_and_both_fields_reported_together(policy):
    data = lead_input(planned_total_investment="-5", planned_fixed_asset_investment="10.123")
    details = problems_of(data, policy)
    assert details == {
        "planned_total_investment": ["must be a positive amount in yuan"],
        "planned_fixed_asset_investment": ["yuan are kept to 2 decimal places (fen)"],
    }


# --- the wire schema -----------------------------------------------------------------------


def test_schema_loads_decimal_amounts():
    data = lead_input()
    assert data["planned_total_investment"] == Decimal("300000000")
    assert data["land_demand"]["value"] == Decimal("50")
    assert data["confirmed_new"] is False


def test_schema_rejects_unknown_top_level_field():
    raw = raw_lead()
    raw["budget"] = "1"
    with pytest.raises(InvalidInput) as info:
        load_lead_input(raw)
    assert "budget" in info.value.details


def test_schema_rejects_unknown_nested_field():
    raw = raw_lead()
    raw["investor"]["nickname"] = "x"
    with pytest.raises(InvalidInput) as info:
        load_lead_input(raw)
    assert "investor.nickname" in info.value.details


@pytest.mark.parametrize(
    "path",
    [
        "project_name",
        "sector",
        "planned_total_investment",
        "investor",
        "contact",
        "land_demand",
        "preferred_location",
        "source_channel",
        "investor.name",
        "investor.kind",
        "contact.phone",
        "land_demand.unit",
        "land_demand.value",
        "preferred_location.kind",
    ],
)
def test_schema_rejects_missing_required_field(path):
    raw = raw_lead()
    node = raw
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    del node[parts[-1]]
    with pytest.raises(InvalidInput) as info:
        load_lead_input(raw)
    assert path in info.value.details
    assert info.value.details[path]


def test_schema_reports_several_fields_at_once():
    raw = raw_lead()
    del raw["sector"]
    raw["contact"]["phone"] = "call me"
    raw["investor"]["kind"] = "martian"
    with pytest.raises(InvalidInput) as info:
        load_lead_input(raw)
    assert {"sector", "contact.phone", "investor.kind"} <= set(info.value.details)


@pytest.mark.parametrize("body", [None, [], "lead", 42, [("project_name", "x")]])
def test_schema_rejects_non_object_body(body):
    with pytest.raises(InvalidInput) as info:
        load_lead_input(body)
    assert info.value.details == {"body": ["must be a JSON object"]}


def test_schema_rejects_nan_amount():
    with pytest.raises(InvalidInput) as info:
        lead_input(planned_total_investment="NaN")
    assert "planned_total_investment" in info.value.details


# --- duplicates ----------------------------------------------------------------------------


def open_lead_like(facts: LeadFacts, ref="ZS-2026-0001", lead_id="lead-1") -> OpenLead:
    return OpenLead(lead_id=lead_id, ref=ref, investor_key=facts.investor_key, project_key=facts.project_key)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Precision Bearings Phase I", "precision bearings phase i"),
        ("Precision Bearings Phase I", "PrecisionBearingsPhaseI"),
        ("Precision Bearings Phase I", "Ｐｒｅｃｉｓｉｏｎ　Ｂｅａｒｉｎｇｓ　Ｐｈａｓｅ　Ｉ"),
        ("精密轴承一期项目", "精密轴承 一期项目"),
        ("精密轴承（一期）", "精密轴承(一期)"),
        ("Project A1", "PROJECT Ａ１"),
    ],
)
def test_normalise_name_folds_spaces_width_and_case(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_normalise_name_keeps_different_names_apart():
    assert normalise_name("Precision Bearings Phase I") != normalise_name("Precision Bearings Phase II")
    assert normalise_name("精密轴承一期") != normalise_name("精密轴承二期")
    assert normalise_name("Project A1") == "projecta1"


def test_same_investor_same_name_is_duplicate(policy):
    existing = validate_lead(lead_input(project_name="Precision Bearings Phase I"), policy)
    new = validate_lead(lead_input(project_name="  ＰＲＥＣＩＳＩＯＮ bearings　phase i "), policy)
    leads = [
        OpenLead("other", "ZS-2026-0009", "uscc:914403001922038216", new.project_key),
        open_lead_like(existing, ref="ZS-2026-0007", lead_id="lead-7"),
    ]
    dup = find_duplicate(new, leads)
    assert dup is not None and dup.ref == "ZS-2026-0007" and dup.lead_id == "lead-7"


def test_same_investor_lowercase_credit_code_is_duplicate(policy):
    existing = validate_lead(lead_input(), policy)
    new = validate_lead(lead_input(credit_code=VALID_CODE.lower()), policy)
    assert find_duplicate(new, [open_lead_like(existing)]) is not None


def test_different_investor_same_name_is_not_duplicate(policy):
    existing = validate_lead(lead_input(), policy)
    other = validate_lead(lead_input(credit_code="914403001922038216"), policy)
    assert find_duplicate(other, [open_lead_like(existing)]) is None


def test_same_investor_different_name_is_not_duplicate(policy):
    existing = validate_lead(lead_input(), policy)
    new = validate_lead(lead_input(project_name="Precision Bearings Phase II"), policy)
    assert find_duplicate(new, [open_lead_like(existing)]) is None


def test_foreign_investor_duplicate_by_registration_id_and_country(policy):
    def foreign(reg, country):
        return validate_lead(lead_input(kind="foreign", credit_code=None, registration_id=reg, country=country), policy)

    existing = foreign("HRB 12345", "DE")
    assert find_duplicate(foreign("hrb12345", "de"), [open_lead_like(existing)]) is not None
    assert find_duplicate(foreign("HRB 12345", "AT"), [open_lead_like(existing)]) is None


def test_no_open_leads_no_duplicate(policy):
    assert find_duplicate(validate_lead(lead_input(), policy), []) is None


def test_refuse_duplicate_names_the_existing_ref():
    dup = OpenLead(lead_id="lead-7", ref="ZS-2026-0007", investor_key="uscc:x", project_key="p")
    error = refuse_duplicate(dup)
    assert isinstance(error, Conflict)
    assert "ZS-2026-0007" in error.message
    assert error.details["duplicate_ref"] == "ZS-2026-0007"
    assert error.details["duplicate_of"] == "lead-7"
    assert "confirmed_new" in error.details


# --- filing --------------------------------------------------------------------------------


def test_a_lead_can_be_filed():
    assert check_can_file("lead", "ZS-2026-0001") is None


@pytest.mark.parametrize("status", ["filed", "closed", "rejected", "terminated", "archived"])
def test_only_a_lead_can_be_filed(status):
    with pytest.raises(Conflict) as info:
        check_can_file(status, "ZS-2026-0001")
    assert "ZS-2026-0001" in info.value.message and state_name(status, "en") in info.value.message
    assert info.value.details["status"] == [f"is {state_name(status, 'en')}, must be a lead"]
    assert state_name(status, "zh-CN") in info.value.to_dict("zh-CN")["message"]


def test_validate_lead_does_not_mutate_its_input(policy):
    data = lead_input(sector="c3612")
    before = copy.deepcopy(data)
    validate_lead(data, policy)
    assert data == before


def test_the_planned_yearly_figures_for_the_benefit_forecast_are_kept_when_given(policy):
    """R17 §5: a lead may state its planned yearly output, tax (yuan) and energy (吨标准煤) at full production."""
    assert validate_lead(lead_input(), policy).annual_output is None
    facts = validate_lead(
        lead_input(planned_annual_output="600000000", planned_annual_tax="30000000.5", planned_annual_energy="1200"),
        policy,
    )
    assert (facts.annual_output, facts.annual_tax, facts.annual_energy) == (
        Decimal("600000000.00"),
        Decimal("30000000.50"),
        Decimal("1200"),
    )
