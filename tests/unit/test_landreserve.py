"""The land reserve (土地储备, landreserve): LAND's workbook imported whole or not at all, the supply status moved
along the policy's moves, a demand matched to the ready parcels, a contract's parcel, the plan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine

from services.landreserve import domain, models
from services.landreserve.service import LandReserveService, load_shapes
from shared.envelope import Envelope
from shared.actor import Actor
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.policy import load_policy
from tests.factories import SAMPLE_PARCELS, parcel_workbook, upload
from tests.harness import Harness, TestClock, shanghai

POLICY = load_policy()
LAND = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT"}


@pytest.fixture
def reserve(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'landreserve.db'}")
    models.metadata.create_all(engine)
    harness = Harness(
        LandReserveService,
        models.metadata,
        engine,
        policy=POLICY,
        clock=TestClock(shanghai(2026, 12, 1)),
        shapes=load_shapes(None, POLICY.get("land.reserve.plan_file")),
    )
    yield harness
    engine.dispose()


def row(**changes) -> list:
    """HD-01 of the sample with some columns changed (by heading key)."""
    keys = [c.key for c in domain.COLUMNS]
    values = dict(zip(keys, SAMPLE_PARCELS[0]))
    values.update(changes)
    return [values[k] for k in keys]


# -- the workbook -------------------------------------------------------------------------------------------------
def test_a_good_workbook_is_imported_whole_with_exact_figures(reserve):
    report = reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    assert report["imported"] == 8 and report["added"][:3] == ["HD-01", "HD-02", "HD-03"] and report["changed"] == []
    hd05 = reserve.get_parcel(IPB, "HD-05")
    assert hd05["area_mu"] == "66.5" and hd05["delisting_price"] == "185000.50" and hd05["location"] == "PARK:hengdong"
    assert hd05["use"] == "M1" and hd05["use_name"].render() == "一类工业用地" and hd05["status"] == "ready"
    assert hd05["indicators"] == {
        "investment_intensity": "260",
        "output_per_mu": "420",
        "tax_per_mu": "22",
        "energy_per_output": "0.45",
    }
    page = reserve.parcels(IPB)
    assert page["by_status"] == {"ready": 6, "in_listing": 1, "reserved": 1}
    assert page["area_by_status"]["ready"] == "346.50"  # 48 + 60 + 66.5 + 52 + 80 + 40
    # imported again: the same parcels, changed in place (no duplicate)
    again = reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    assert again["added"] == [] and len(again["changed"]) == 8 and reserve.parcels(IPB)["total"] == 8


def test_a_workbook_with_bad_rows_is_refused_naming_each_and_stores_nothing(reserve):
    rows = [
        row(),
        row(code="HD-09", area_mu=-3),
        row(code="HD-10", location="月球开发区", use="住宅用地"),
        row(code="HD-11", plot_ratio_min=3, plot_ratio_max=2),
        row(code="HD-12", status="挂牌中", delisting_price=None),
        row(code="HD-01"),
        row(code="HD-13", area_mu="四十亩"),
    ]
    with pytest.raises(InvalidInput) as refused:
        reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook(rows)))
    details = refused.value.details
    assert set(details) == {
        "土地储备!4.area_mu",
        "土地储备!5.location",
        "土地储备!5.use",
        "土地储备!6.plot_ratio_max",
        "土地储备!7.delisting_price",
        "土地储备!8.code",
        "土地储备!9.area_mu",
    }
    assert "6 row(s) of the workbook are invalid — nothing was imported" in str(refused.value)
    assert "appears twice (also row 3)" in str(details["土地储备!8.code"][0])
    assert "must be a number, not 四十亩" in str(details["土地储备!9.area_mu"][0])
    assert reserve.parcels(IPB)["total"] == 0 and reserve.rows("parcels") == []


def test_a_file_that_is_not_a_workbook_or_lacks_a_column_is_refused(reserve):
    with pytest.raises(InvalidInput) as refused:
        reserve.import_parcels(LAND, upload("土地储备.xlsx", b"PK\x03\x04 not really"))
    assert set(refused.value.details) == {"file"}
    from tests.factories import workbook

    without_status = workbook(
        "土地储备",
        ["地块编号", "地块名称", "位置", "面积（亩）", "规划用途", "容积率下限", "容积率上限"],
        [["HD-01", "一号", "衡东工业园", 10, "M1", 1, 2]],
    )
    with pytest.raises(InvalidInput) as refused:
        reserve.import_parcels(LAND, upload("x.xlsx", without_status))
    assert set(refused.value.details) == {"土地储备!1.status"}
    with pytest.raises(InvalidInput):
        reserve.import_parcels(LAND, upload("土地储备.xls", parcel_workbook()))


def test_only_land_keeps_the_reserve(reserve):
    with pytest.raises(NotAllowed):
        reserve.import_parcels(IPB, upload("土地储备.xlsx", parcel_workbook()))
    reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    with pytest.raises(NotAllowed):
        reserve.change_status(FIN, "HD-01", {"status": "in_listing", "reason": "x"})
    with pytest.raises(NotAllowed):
        reserve.parcels(AUDIT)


# -- status -------------------------------------------------------------------------------------------------------
def test_status_moves_along_the_policy_and_supplied_comes_only_from_a_contract(reserve):
    reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    listed = reserve.change_status(
        LAND, "HD-01", {"status": "in_listing", "reason": "第5批挂牌", "delisting_price": "190000"}
    )
    assert listed["status"] == "in_listing" and listed["delisting_price"] == "190000.00"
    assert [h["status"] for h in listed["history"]] == ["ready", "in_listing"]
    with pytest.raises(Conflict) as refused:
        reserve.change_status(LAND, "HD-04", {"status": "in_listing", "reason": "跳过"})  # reserved -> ready first
    assert "may become ready for supply" in str(refused.value)
    with pytest.raises(InvalidInput):
        reserve.change_status(LAND, "HD-01", {"status": "supplied", "reason": "x"})
    with pytest.raises(NotFound):
        reserve.change_status(LAND, "ZZ-99", {"status": "ready", "reason": "x"})


def test_a_contract_names_a_ready_parcel_and_its_signing_supplies_it(reserve):
    reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    facts = reserve.contract_parcel(IPB, "HD-01", "p-1")
    assert facts == {
        "code": "HD-01",
        "name": "衡东园一号地块",
        "location": "PARK:hengdong",
        "area_mu": "48",
        "use": "M1",
        "delisting_price": "180000.00",
    }
    with pytest.raises(Conflict):
        reserve.contract_parcel(IPB, "HD-04", "p-1")  # reserved: not yet for supply
    drafted = Envelope(
        "contracts.drafted",
        Actor.load(IPB),
        project_id="p-1",
        payload={"version": 1, "parcel": {**facts, "ref": "ZS2026-0001", "project_name": "铝型材项目"}},
    )
    reserve.on_contract_drafted(drafted.dump())
    assert reserve.get_parcel(IPB, "HD-01")["project"]["ref"] == "ZS2026-0001"
    on_plan = next(f["properties"] for f in reserve.plan(IPB)["features"] if f["properties"].get("code") == "HD-01")
    assert on_plan["project"] == {"project_id": "p-1", "ref": "ZS2026-0001", "name": "铝型材项目"}
    with pytest.raises(Conflict) as refused:
        reserve.contract_parcel(IPB, "HD-01", "p-2")
    assert "intended for ZS2026-0001" in str(refused.value)
    signed = Envelope("contracts.signed", Actor.load(IPB), project_id="p-1", payload={"terms": {"parcel": facts}})
    reserve.on_contract_signed(signed.dump())
    reserve.on_contract_signed(signed.dump())  # a redelivery changes nothing
    parcel = reserve.get_parcel(IPB, "HD-01")
    assert parcel["status"] == "supplied" and parcel["supplied_by"]["ref"] == "ZS2026-0001"
    assert [h["status"] for h in parcel["history"]] == ["ready", "supplied"]
    # LAND's next workbook cannot overwrite a parcel a contract supplied
    with pytest.raises(InvalidInput) as refused:
        reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    assert set(refused.value.details) == {"土地储备!3.code"}


# -- matching -----------------------------------------------------------------------------------------------------
def parcels() -> list[dict]:
    found, problems = domain.read_workbook(parcel_workbook(), POLICY, lambda code: None)
    assert problems == []
    return found


def test_a_demand_is_matched_to_ready_parcels_of_the_right_size_use_and_park():
    # C3252 (aluminium profiles) is in Hengdong's positioning (C32), not Hexi's; 45 mu asked, at most 50% more:
    # HD-01 48 mu (3 more), HD-02 60 (15 more), HD-05 66.5 (21.5 more); HD-03 is in listing, HD-04 reserved
    found = domain.match(parcels(), Decimal("45"), "C3252", "PARK:hengdong", POLICY)
    assert [m["parcel"]["code"] for m in found] == ["HD-01", "HD-02", "HD-05"]
    assert [m["excess_mu"] for m in found] == [Decimal("3.00"), Decimal("15.00"), Decimal("21.50")]
    assert all(m["preferred"] for m in found) and [m["rank"] for m in found] == [1, 2, 3]
    assert found[1]["reasons"][0].render("zh-CN") == "地块60.00 亩，需求45.00 亩（至多超出需求50%）"
    # 40 mu asked: at most 60 mu (50% more, 60 included) — HD-05's 66.5 mu is too large, and no parcel is too small
    assert [m["parcel"]["code"] for m in domain.match(parcels(), Decimal("40"), "C3252", None, POLICY)] == [
        "HD-01",
        "HD-02",
    ]
    assert [m["parcel"]["code"] for m in domain.match(parcels(), Decimal("50"), "C3252", None, POLICY)] == [
        "HD-02",
        "HD-05",
    ]
    # planned 222.22 万元/亩: HD-02's standard (220) is met, HD-01's (250) and HD-05's (260) are not — HD-02 first
    found = domain.match(
        parcels(), Decimal("45"), "C3252", "PARK:hengdong", POLICY, planned_intensity=Decimal("222.22")
    )
    assert [(m["parcel"]["code"], m["below_standard"]) for m in found] == [
        ("HD-02", False),
        ("HD-01", True),
        ("HD-05", True),
    ]
    assert (
        str(found[0]["reasons"][-1])
        == "planned intensity 222.22 10k yuan/mu meets the parcel's standard 220.00 10k yuan/mu"
    )
    assert (
        str(found[1]["reasons"][-1])
        == "planned intensity 222.22 10k yuan/mu is below the parcel's standard 250.00 10k yuan/mu"
    )


def test_a_sector_no_park_covers_goes_to_a_towns_parcel_and_the_wrong_use_is_left_out():
    # C2211 (paper) is in no park's positioning: the town's parcel; 40 mu asked
    assert [m["parcel"]["code"] for m in domain.match(parcels(), Decimal("40"), "C2211", None, POLICY)] == ["XT-01"]
    # I6510 (software) in Hexi: only the research parcel's use (B29) takes it
    assert [m["parcel"]["code"] for m in domain.match(parcels(), Decimal("60"), "I6510", None, POLICY)] == ["HX-02"]
    # 100 mu: nothing ready is that large (HD-03 is in listing)
    assert domain.match(parcels(), Decimal("100"), "C3252", None, POLICY) == []


def test_the_match_through_the_service(reserve):
    reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    found = reserve.match(IPB, {"land_mu": "45", "sector": "c3252", "location": "PARK:hengdong"})
    assert [m["parcel"]["code"] for m in found] == ["HD-01", "HD-02", "HD-05"] and found[0]["rank"] == 1
    with pytest.raises(InvalidInput):
        reserve.match(IPB, {"land_mu": "-1", "sector": "C3252"})


# -- the plan -----------------------------------------------------------------------------------------------------
def test_the_plan_joins_the_sample_shapes_to_the_parcels_with_their_status_and_project(reserve):
    shapes = load_shapes(None, POLICY.get("land.reserve.plan_file"))
    assert shapes["sample"] is True and domain.check_shapes(shapes) == []
    reserve.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    plan = reserve.plan(IPB)
    kinds = [f["properties"]["kind"] for f in plan["features"]]
    assert kinds.count("park") == 2 and kinds.count("town") == 3
    drawn = {f["properties"]["code"]: f["properties"] for f in plan["features"] if f["properties"]["kind"] == "parcel"}
    assert set(drawn) == {"HD-01", "HD-02", "HD-03", "HD-04", "HD-05", "HX-01", "HX-02", "XT-01"}
    assert drawn["HD-03"]["status"] == "in_listing" and drawn["HD-01"]["area_mu"] == "48"
    assert plan["unplaced"] == [] and plan["sample"] is True
    assert domain.check_shapes(
        {"type": "FeatureCollection", "features": [{"properties": {"kind": "parcel"}, "geometry": {"type": "Point"}}]}
    ) == ["feature 0: a parcel's shape names its code", "feature 0: geometry must be a Polygon or MultiPolygon"]


# -- search (shared/search.py: the database's own index) ----------------------------------------------------------
@pytest.fixture
def indexed(tmp_path):
    """The land reserve over a migrated database: its search entries with the FTS5 index and its triggers."""
    from shared import migrations

    engine = create_engine(f"sqlite:///{tmp_path / 'landreserve.db'}")
    migrations.upgrade("landreserve", engine)
    harness = Harness(
        LandReserveService,
        models.metadata,
        engine,
        policy=POLICY,
        clock=TestClock(shanghai(2026, 12, 1)),
        shapes=load_shapes(None, POLICY.get("land.reserve.plan_file")),
    )
    harness.import_parcels(LAND, upload("土地储备.xlsx", parcel_workbook()))
    yield harness
    engine.dispose()


def codes(answer) -> list[str]:
    """The codes found (names of one length rank newest first: sorted here)."""
    return sorted(hit["code"] for hit in answer["items"])


def test_parcels_are_found_by_two_characters_of_their_name_their_code_and_filters(indexed):
    assert codes(indexed.search(IPB, {"q": "河西"})) == ["HX-01", "HX-02"]  # two characters: the bigram index
    assert codes(indexed.search(IPB, {"q": "五号地块"})) == ["HD-05"]  # three and more: the trigram index
    assert codes(indexed.search(IPB, {"q": "HD-03"})) == ["HD-03"]  # its code
    (hit,) = indexed.search(IPB, {"q": "新塘"})["items"]
    assert (hit["kind"], hit["location"], hit["location_name"], hit["area_mu"], hit["status"]) == (
        "parcel",
        "TOWN:xintang",
        "新塘镇",
        "40",
        "ready",
    )
    assert hit["status_name"].render() == "可供地" and hit["use_name"].render() == "二类工业用地"
    assert codes(indexed.search(IPB, {"q": "衡东", "status": "in_listing"})) == ["HD-03"]
    assert codes(indexed.search(IPB, {"q": "地块", "location": "PARK:hexi"})) == ["HX-01", "HX-02"]
    assert indexed.search(IPB, {"q": "无此地块"})["items"] == []


def test_a_parcel_s_entry_follows_its_status_and_the_project_it_is_meant_for(indexed):
    indexed.change_status(LAND, "HD-04", {"status": "ready", "reason": "征收完成"})
    assert codes(indexed.search(IPB, {"q": "衡东", "status": "ready"})) == ["HD-01", "HD-02", "HD-04", "HD-05"]
    indexed.call(
        "on_contract_drafted",
        Envelope(
            "contracts.drafted",
            Actor(**IPB),
            project_id="p9",
            payload={
                "version": 1,
                "parcel": {"code": "HD-05", "ref": "ZS2026-0009", "project_name": "年产3万吨高端铝型材项目"},
            },
        ).dump(),
    )
    (hit,) = indexed.search(IPB, {"q": "铝型材"})["items"]  # found by the project it is meant for
    assert hit["code"] == "HD-05" and hit["project"]["ref"] == "ZS2026-0009"


def test_parcel_search_is_for_those_who_read_the_parcels_and_refuses_a_bad_query(indexed):
    with pytest.raises(NotAllowed):
        indexed.search(AUDIT, {"q": "河西"})
    with pytest.raises(InvalidInput) as bad:
        indexed.search(IPB, {"q": "河西", "status": "sold"})
    assert "status" in bad.value.details
    with pytest.raises(InvalidInput):
        indexed.search(IPB, {"q": ""})
