"""The project reserve (R8) and the public catalog (R9) in intake, with a real database, policy and documents."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from sqlalchemy import create_engine

from services.intake import models
from services.intake.service import IntakeService
from shared.documents import DocumentStore
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from shared.tiers import investment_tier, is_key_investment, tier_label
from shared.i18n import localize
from shared.wire.reserve import PUBLIC_FIELDS
from tests.harness import Harness, TestClock, shanghai

POLICY = load_policy()
DRB = {"user_id": "u-drb", "position": "bureau_head", "unit": "DRB"}
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
HEXI = {"user_id": "u-hexi", "position": "park_promotion:hexi", "unit": "PARK:hexi"}
HENGDONG = {"user_id": "u-hd", "position": "park_promotion:hengdong", "unit": "PARK:hengdong"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
PDF = base64.b64encode(b"%PDF-1.4 feasibility study").decode()


@pytest.fixture
def intake(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    models.metadata.create_all(engine)
    harness = Harness(
        IntakeService,
        models.metadata,
        engine,
        policy=POLICY,
        clock=TestClock(shanghai(2026, 11, 27)),
        documents=DocumentStore(tmp_path / "documents", POLICY.documents["documents"]),
    )
    yield harness
    engine.dispose()


def reserve(n=1, total="80000000", **changes) -> dict:
    body = {
        "year": 2026,
        "name": f"储备项目{n}",
        "sector": "C3985",
        "location": {"kind": "park", "id": "hexi"},
        "location_detail": "电子信息产业园",
        "total_investment": total,
        "cooperation_mode": "合资",
        "contact_office": "县发改局项目办 0734-5551234",
        "document": {"kind": "feasibility_study", "filename": f"可研{n}.pdf", "content_base64": PDF},
    }
    body.update(changes)
    return body


# -- tiers ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "amount, tier",
    [
        ("100000000.01", "A"),
        ("150000000", "A"),
        ("100000000", "B"),
        ("99999999.99", "B"),
        ("50000000", "B"),  # both ends in B
        ("49999999.99", "C"),
        ("5000000", "C"),  # 50,000,000 is B; 5,000,000 is C
        ("4999999.99", None),
        ("1", None),  # below 5,000,000: no tier
    ],
)
def test_every_tier_boundary(intake, amount, tier):
    assert investment_tier(amount, POLICY) == tier
    stored = intake.add_reserve_project(DRB, reserve(total=amount))
    assert stored["tier"] == tier and stored["total_investment"] == str(Decimal(amount))


def test_the_tier_labels_and_the_key_threshold_come_from_the_policy():
    assert [tier_label(t, POLICY).render("zh-CN") for t in ("A", "B", "C", None)] == [
        "A类（1亿元以上）",
        "B类（5000万元—1亿元）",
        "C类（500万元—5000万元）",
        "500万元以下（未入档）",
    ]
    assert is_key_investment("100000000", POLICY) and not is_key_investment("99999999.99", POLICY)


def test_the_yearly_count_per_tier_against_the_minimum_and_the_shortfall(intake):
    for n, total in enumerate(["120000000"] * 5 + ["60000000", "50000000"] + ["4000000"], 1):
        intake.add_reserve_project(DRB, reserve(n, total))
    intake.add_reserve_project(IPB, reserve(99, "300000000", year=2027))
    plan = localize(intake.reserve_plan(DRB, 2026), "zh-CN")
    assert plan == {
        "year": 2026,
        "minimum_per_tier": 5,
        "below_tiers": 1,
        "shortfall": 8,
        "tiers": [
            {"tier": "A", "label": "A类（1亿元以上）", "count": 5, "minimum": 5, "shortfall": 0},
            {"tier": "B", "label": "B类（5000万元—1亿元）", "count": 2, "minimum": 5, "shortfall": 3},
            {"tier": "C", "label": "C类（500万元—5000万元）", "count": 0, "minimum": 5, "shortfall": 5},
        ],
    }
    assert intake.reserve_plan(DRB, 2027)["shortfall"] == 14
    assert intake.reserve_plan(DRB, 2030)["shortfall"] == 15
    for year in ("this year", 1999, 10**12):
        with pytest.raises(InvalidInput) as refused:
            intake.reserve_plan(DRB, year)
        assert "year" in refused.value.details


def test_a_tier_follows_a_changed_investment_and_the_owner_or_drb_edits(intake):
    stored = intake.add_reserve_project(HEXI, reserve())
    with pytest.raises(NotAllowed):
        intake.update_reserve_project(HENGDONG, stored["id"], {"total_investment": "30000000"})
    changed = intake.update_reserve_project(HEXI, stored["id"], {"total_investment": "30000000"})
    assert changed["tier"] == "C" and changed["name"] == "储备项目1"
    assert intake.update_reserve_project(DRB, stored["id"], {"total_investment": "200000000"})["tier"] == "A"
    for body, field in [
        ({}, "body"),
        ({"location": {"id": "hexi"}}, "location.kind"),
        ({"document": {"filename": "new.pdf"}}, "document.kind"),
        ({"year": 2027}, "year"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            intake.update_reserve_project(DRB, stored["id"], body)
        assert field in refused.value.details
    replaced = intake.update_reserve_project(
        DRB,
        stored["id"],
        {
            "document": {
                "kind": "proposal",
                "filename": "建议书.docx",
                "content_base64": base64.b64encode(b"PK docx").decode(),
            }
        },
    )
    assert replaced["document"]["kind"] == "proposal" and replaced["tier"] == "A"


# -- the document and the rules of a reserve project ----------------------------------------------------------------
def test_the_proposal_or_feasibility_study_is_stored_with_type_and_size_limits(intake):
    stored = intake.add_reserve_project(DRB, reserve())
    assert stored["document"]["kind"] == "feasibility_study" and stored["document"]["content_type"] == "application/pdf"
    assert (
        base64.b64decode(intake.reserve_document(DRB, stored["id"])["content_base64"]) == b"%PDF-1.4 feasibility study"
    )
    limit = POLICY.documents["documents"]["max_size_bytes"]
    for document, field in [
        ({"kind": "proposal", "filename": "photo.png", "content_base64": PDF}, "document.filename"),
        ({"kind": "proposal", "filename": "sheet.xlsx", "content_base64": PDF}, "document.filename"),
        ({"kind": "proposal", "filename": "p.pdf", "content_base64": ""}, "document.content"),
        ({"kind": "proposal", "filename": "p.pdf", "content_base64": "@@@"}, "document.content_base64"),
        (
            {"kind": "proposal", "filename": "p.pdf", "content_base64": base64.b64encode(b"x" * (limit + 1)).decode()},
            "document.content",
        ),
        ({"kind": "brochure", "filename": "p.pdf", "content_base64": PDF}, "document.kind"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            intake.add_reserve_project(DRB, reserve(2, document=document))
        assert field in refused.value.details, (field, refused.value.details)
    with pytest.raises(InvalidInput) as missing:
        intake.add_reserve_project(DRB, {k: v for k, v in reserve(3).items() if k != "document"})
    assert "document" in missing.value.details
    assert intake.list_reserve_projects(DRB)["total"] == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"total_investment": "0"}, "total_investment"),
        ({"total_investment": "-1"}, "total_investment"),
        ({"total_investment": "1.001"}, "total_investment"),
        ({"total_investment": "1e999"}, "total_investment"),
        ({"sector": "C99"}, "sector"),
        ({"location": {"kind": "park", "id": "moon"}}, "location.id"),
        ({"cooperation_mode": "捐赠"}, "cooperation_mode"),
        ({"year": 1999}, "year"),
        ({"contact_office": ""}, "contact_office"),
        ({"name": "x"}, "name"),
        ({"contact_person": {"name": "张三", "phone": "call me"}}, "contact_person.phone"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(intake, change, field):
    with pytest.raises(InvalidInput) as refused:
        intake.add_reserve_project(DRB, reserve(**change))
    assert field in refused.value.details
    assert intake.rows("reserve_projects") == []


def test_who_may_enter_read_and_publish(intake):
    with pytest.raises(NotAllowed):
        intake.add_reserve_project(FIN, reserve())
    stored = intake.add_reserve_project(HEXI, reserve())
    with pytest.raises(NotAllowed):
        intake.publish_reserve_project(HEXI, stored["id"])
    with pytest.raises(NotAllowed):
        intake.get_reserve_project(FIN, stored["id"])
    intake.publish_reserve_project(IPB, stored["id"])
    with pytest.raises(Conflict):
        intake.publish_reserve_project(DRB, stored["id"])


# -- the public catalog ----------------------------------------------------------------------------------------------------
SECRETS = {
    "intended_investor": {"name": "深圳某某电子科技有限公司", "credit_code": "91440300MA5FXXXX1K"},
    "contact_person": {"name": "刘总", "phone": "13800138000", "email": "liu@secret.example"},
    "negotiation_notes": "第二轮洽谈：对方要求土地价格优惠30%",
    "contract_notes": "合同草案第七条违约金待定",
    "description": "内部评估：对方资金实力一般",
}


def test_the_catalog_never_shows_investor_contact_negotiation_or_contract_data(intake):
    stored = intake.add_reserve_project(DRB, reserve(total="120000000", **SECRETS))
    assert stored["intended_investor"] == SECRETS["intended_investor"]  # the keepers see it
    intake.publish_reserve_project(DRB, stored["id"])
    expected = {
        "ref": "CB2026-0001",
        "name": "储备项目1",
        "sector": "C3985",
        "sector_name": "电子专用材料制造（C3985）",
        "location": "河西新区电子信息产业园",
        "investment_scale": "12,000.00 万元（A类（1亿元以上））",
        "cooperation_mode": "合资",
        "contact_office": "县发改局项目办 0734-5551234",
    }
    page = localize(intake.public_catalog(), "zh-CN")  # as the gateway renders it for a reader of Chinese
    entry = localize(intake.public_catalog_entry("CB2026-0001"), "zh-CN")
    assert page == {"total": 1, "items": [expected]}  # the whole response
    assert entry == expected
    for answer in (page, entry):
        text = json.dumps(answer, ensure_ascii=False)
        for secret in (
            "深圳某某",
            "91440300",
            "刘总",
            "13800138000",
            "secret.example",
            "洽谈",
            "土地价格",
            "合同",
            "违约金",
            "资金实力",
            stored["id"],
            "u-drb",
            'DRB"',
        ):
            assert secret not in text
    assert set(expected) == PUBLIC_FIELDS


def test_only_published_projects_are_in_the_catalog_and_a_withdrawn_one_leaves_it(intake):
    first = intake.add_reserve_project(DRB, reserve(1, sector="C3985"))
    second = intake.add_reserve_project(
        DRB, reserve(2, "20000000", sector="I6510", location={"kind": "town", "id": "xintang"}, location_detail=None)
    )
    intake.add_reserve_project(DRB, reserve(3))
    with pytest.raises(NotFound):
        intake.public_catalog_entry(first["ref"])
    intake.publish_reserve_project(DRB, first["id"])
    intake.publish_reserve_project(IPB, second["id"])
    assert [e["ref"] for e in intake.public_catalog()["items"]] == ["CB2026-0001", "CB2026-0002"]
    assert [e["ref"] for e in intake.public_catalog({"sector": "i65"})["items"]] == ["CB2026-0002"]
    assert [localize(e["location"], "zh-CN") for e in intake.public_catalog({"location": "xintang"})["items"]] == [
        "新塘镇"
    ]
    with pytest.raises(InvalidInput):
        intake.withdraw_reserve_project(DRB, first["id"], {})
    withdrawn = intake.withdraw_reserve_project(DRB, first["id"], {"reason": "项目已落地"})
    assert not withdrawn["published"] and withdrawn["withdrawal_reason"] == "项目已落地"
    assert [e["ref"] for e in intake.public_catalog()["items"]] == ["CB2026-0002"]
    with pytest.raises(NotFound):
        intake.public_catalog_entry(first["ref"])
    with pytest.raises(InvalidInput) as refused:
        intake.public_catalog({"investor": "x"})
    assert "investor" in refused.value.details


# -- search (shared/search.py: the database's own index) ----------------------------------------------------------
@pytest.fixture
def indexed(tmp_path):
    """Intake over a migrated database: the reserve's search entries with the FTS5 index and its triggers."""
    from shared import migrations

    engine = create_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    migrations.upgrade("intake", engine)
    harness = Harness(
        IntakeService,
        models.metadata,
        engine,
        policy=POLICY,
        clock=TestClock(shanghai(2026, 11, 27)),
        documents=DocumentStore(tmp_path / "documents", POLICY.documents["documents"]),
    )
    yield harness
    engine.dispose()


def refs(answer) -> list[str]:
    return sorted(hit["ref"] for hit in answer["items"])


def test_reserve_projects_are_found_by_two_characters_their_reference_and_their_intended_investor(indexed):
    indexed.add_reserve_project(
        HEXI,
        reserve(
            1,
            name="河西电子信息产业园配套项目",
            intended_investor={"name": "衡阳华鑫铝业有限公司", "credit_code": "91430400MA4L12345X"},
        ),
    )
    indexed.add_reserve_project(
        HENGDONG, reserve(2, name="衡东铝型材深加工项目", location={"kind": "park", "id": "hengdong"})
    )
    indexed.add_reserve_project(DRB, reserve(3, name="电子信息产业园二期", year=2027))
    assert refs(indexed.search_reserve(DRB, {"q": "电子"})) == ["CB2026-0001", "CB2027-0001"]  # two characters: bigrams
    assert refs(indexed.search_reserve(DRB, {"q": "深加工"})) == ["CB2026-0002"]  # three and more: trigrams
    assert refs(indexed.search_reserve(DRB, {"q": "华鑫"})) == ["CB2026-0001"]  # the intended investor's name
    assert refs(indexed.search_reserve(DRB, {"q": "91430400MA4L12345X"})) == ["CB2026-0001"]  # its credit code
    assert refs(indexed.search_reserve(DRB, {"q": "CB2026-0002"})) == ["CB2026-0002"]
    assert refs(indexed.search_reserve(DRB, {"q": "电子", "year": 2027})) == ["CB2027-0001"]
    assert refs(indexed.search_reserve(DRB, {"q": "项目", "unit": "PARK:hengdong"})) == ["CB2026-0002"]
    (hit,) = indexed.search_reserve(IPB, {"q": "华鑫"})["items"]
    assert (hit["kind"], hit["name"], hit["unit"], hit["tier"], hit["published"]) == (
        "reserve",
        "河西电子信息产业园配套项目",
        "PARK:hexi",
        "B",
        False,
    )
    assert localize(hit, "zh-CN")["tier_label"] == "B类（5000万元—1亿元）"
    assert indexed.search_reserve(DRB, {"q": "无此项目"})["items"] == []


def test_a_reserve_entry_follows_its_changes_and_only_its_readers_find_it(indexed):
    stored = indexed.add_reserve_project(HEXI, reserve(1, name="河西电子信息产业园配套项目"))
    indexed.update_reserve_project(HEXI, stored["id"], {"name": "河西锂电池材料项目"})
    assert refs(indexed.search_reserve(DRB, {"q": "锂电"})) == ["CB2026-0001"]
    assert indexed.search_reserve(DRB, {"q": "电子"})["items"] == []
    assert refs(indexed.search_reserve(HEXI, {"q": "锂电"})) == ["CB2026-0001"]  # it entered it, and it is in Hexi
    assert indexed.search_reserve(HENGDONG, {"q": "锂电"})["items"] == []  # another park: need-to-know
    assert indexed.search_reserve(FIN, {"q": "锂电"})["items"] == []  # a bureau reads only those it takes part in
    with pytest.raises(InvalidInput) as bad:
        indexed.search_reserve(DRB, {"q": ""})
    assert "q" in bad.value.details
