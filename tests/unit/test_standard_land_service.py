"""Standard land in the supervision service (R17): signing makes the commitments obligations with their checks; the
owners' figures (by hand, or the accounting's) decide each check; a shortfall opens a rectification and says so;
still short at the check after it, damages by the contract's clause become one receivable paid in parts."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from shared.actor import Actor
from shared import standard_land
from shared.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import credit_code
from tests.unit import test_supervision_service as tracking
from tests.unit.test_supervision_service import IPB, PARK, POLICY, Supervision, project

s, clock, documents = tracking.s, tracking.clock, tracking.documents  # the same fixtures
T0 = tracking.T0
CODE = credit_code("91430100MA4L00001")
FIN = {"user_id": "u-fin", "position": "fin_clerk", "unit": "FIN"}
IND = {"user_id": "u-ind", "position": "ind_clerk", "unit": "IND"}
LAND = {"user_id": "u-land", "position": "land_clerk", "unit": "LAND"}
AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT"}
LEGAL = {"user_id": "u-legal", "position": "legal_clerk", "unit": "LEGAL"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "GOV"}
SECRETARY = {"user_id": "u-sec", "position": "party_secretary", "unit": "LG"}


def signed(s: Supervision, completion="2026-09-01", production="2026-09-01") -> list[dict]:
    """A hengdong aluminium project (40 mu, 1.2 亿元 fixed assets) signed on standard land at the floors."""
    s.event(
        "on_project_filed",
        "intake.project_filed",
        "p1",
        {"ref": "ZS2026-0001", "project_name": "铝型材项目", "credit_code": CODE, "sector": "C3252"},
    )
    project(s, state="signed", seq=12)
    items = standard_land.compose(
        POLICY,
        "PARK:hengdong",
        "C3252",
        [{"indicator": "intensity", "base_amount": "5000000"}],
        [],
        Decimal("40"),
        Decimal("120000000"),
        Decimal("300"),
    )
    s.event(
        "on_contract_signed",
        "contracts.signed",
        "p1",
        {
            "version": 1,
            "terms": {"completion": completion, "production": production, "land_mu": "40"},
            "commitments": items,
        },
    )
    return items


def short_of_tax(s: Supervision, year: int = 2025) -> dict:
    """A year's figures entered by their owners: 960 万元 of tax on 40 mu (24 万元/亩 of 30 committed) opens the tax
    rectification, returned."""
    s.record_figure(FIN, "p1", {"figure": "tax", "year": year, "value": "9600000", "reason": "x"})
    s.record_figure(IND, "p1", {"figure": "output", "year": year, "value": "240000000", "reason": "x"})
    s.record_figure(
        {"user_id": "u-drb", "position": "drb_clerk", "unit": "DRB"},
        "p1",
        {"figure": "energy", "year": year, "value": "4800", "reason": "x"},
    )
    return next(r for r in s.standard_land(IPB, "p1")["rectifications"] if r["indicator"] == "tax_per_mu")


def test_signing_makes_the_commitments_obligations_with_their_checks(s):
    signed(s, completion="2027-06-30", production="2028-06-30")
    view = s.standard_land(IPB, "p1")
    assert [c["indicator"] for c in view["commitments"]] == list(standard_land.floors(POLICY, "PARK:hengdong", "C3252"))
    assert [(c["stage"], c["due"]) for c in view["checks"]][:3] == [
        ("completion", "2027-06-30"),
        ("production", "2028-06-30"),
        ("yearly", "2029-06-30"),
    ]
    assert len(view["checks"]) == 2 + 5
    assert {r["kind"] for r in s.rows("deadlines") if r["project_id"] == "p1"} >= {"standard_land_check"}
    floors = s.standard_land_floors(IPB, "p1")
    assert [f["floor"] for f in floors if f["indicator"] == "tax_per_mu"] == ["30"]


def test_a_shortfall_opens_a_rectification_still_short_after_it_the_damages_are_one_receivable(s, clock, documents):
    signed(s)
    s.fire_due_deadlines()  # both checks due today: awaiting the figures
    view = s.standard_land(IPB, "p1")
    assert {c["status"] for c in view["checks"] if c["stage"] in ("completion", "production")} == {"awaiting_data"}
    # the completion figures: the accounting's audited investment and LAND's measured land; LAND's plot ratio
    s.event(
        "on_accounting_figures",
        "accounting.figures_computed",
        "p1",
        {
            "figures": [
                {"name": "actual_fixed_asset_investment", "value": "108000000.00"},
                {"name": "land_used", "value": "40.00"},
            ],
            "fee": "0",
            "entered_by": {"actual_fixed_asset_investment": AUDIT, "land_used": LAND},
        },
        actor=Actor.load(LAND),  # the last figure entered computed them
    )
    entered = {f["figure"]: f["entered_by"]["unit"] for f in s.standard_land(IPB, "p1")["figures"]}
    assert entered == {"fixed_asset_investment": "AUDIT", "land_used_mu": "LAND"}  # each by whom entered it
    s.record_figure(LAND, "p1", {"figure": "plot_ratio", "value": "1.3", "reason": "竣工测绘"})
    completion = next(c for c in s.standard_land(IPB, "p1")["checks"] if c["stage"] == "completion")
    intensity = next(r for r in completion["results"] if r["indicator"] == "intensity")
    assert (intensity["actual"], intensity["result"]) == ("270", "short")  # 10 800 万元 ÷ 40 mu
    # the production figures of 2025, each by its owner
    with pytest.raises(NotAllowed):
        s.record_figure(IND, "p1", {"figure": "tax", "year": 2025, "value": "9600000", "reason": "x"})
    with pytest.raises(InvalidInput):
        s.record_figure(FIN, "p1", {"figure": "tax", "value": "9600000", "reason": "no year"})
    s.record_figure(FIN, "p1", {"figure": "tax", "year": 2025, "value": "9600000", "reason": "税务局2025年度入库数"})
    s.record_figure(IND, "p1", {"figure": "output", "year": 2025, "value": "240000000", "reason": "统计局"})
    view = s.record_figure(
        {"user_id": "u-drb", "position": "drb_clerk", "unit": "DRB"},
        "p1",
        {"figure": "energy", "year": 2025, "value": "4800", "reason": "供电公司"},
    )
    production = next(c for c in view["checks"] if c["stage"] == "production")
    assert {r["indicator"]: r["result"] for r in production["results"]} == {
        "output_per_mu": "met",
        "tax_per_mu": "short",
        "energy_per_output": "met",
    }
    opened = s.said("supervision.rectification_opened")
    assert sorted(e["indicator"] for e in opened) == ["intensity", "tax_per_mu"]
    assert opened[0]["responsible_unit"] == "PARK:hengdong" and opened[0]["due"] == "2027-09-01"
    tax_rect = next(r for r in view["rectifications"] if r["indicator"] == "tax_per_mu")
    # the enterprise reports it done; checked again on the same year's data: still short → damages
    view = s.request_recheck(PARK, "p1", tax_rect["id"], {"note": "补报了税收"})
    damages = next(d for d in view["damages"] if d["indicator"] == "tax_per_mu")
    assert (damages["amount"], damages["outstanding"], damages["status"]) == ("2400000.00", "2400000.00", "outstanding")
    assert s.said("supervision.commitment_unmet")[0]["amount_wan"] == "240"
    # R7: still unmet after the rectification is a special report to the Leading Group, in the register by itself
    [filed] = [r for r in s.special_reports(IPB, "p1") if r["cause"] == "unmet_commitment"]
    assert filed["rectification_id"] == tax_rect["id"] and filed["filed_by"]["unit"] == "SYSTEM"
    assert "亩均税收" in filed["summary"] and "240" in filed["summary"] and "24" in filed["summary"]
    assert s.said("supervision.special_report_filed")[-1]["report_ref"] == filed["ref"]
    assert next(r for r in view["rectifications"] if r["id"] == tax_rect["id"])["special_report_ref"] == filed["ref"]
    with zipfile.ZipFile(io.BytesIO(documents.load(filed["document"]["id"]))) as docx:
        body = docx.read("word/document.xml").decode()
    assert "专题报告" in body and "衡园管" in body and "县招商引资工作领导小组" in body and "240万元" in body
    with pytest.raises(Conflict):
        s.request_recheck(PARK, "p1", tax_rect["id"], {})
    # one receivable: paid in parts by FIN and LEGAL, reduced only by a principal with a reason
    with pytest.raises(NotAllowed):
        s.record_damages_payment(IND, "p1", damages["id"], {"amount": "1.00"})
    s.record_damages_payment(FIN, "p1", damages["id"], {"amount": "1000000.00", "voucher": "V1"})
    # the ledger hears what is still outstanding (its row's red flag)
    assert s.said("supervision.damages_recorded")[-1]["outstanding"] == "1400000.00"
    with pytest.raises(Conflict):
        s.record_damages_payment(LEGAL, "p1", damages["id"], {"amount": "1.00", "voucher": "V1"})
    with pytest.raises(NotAllowed):
        s.reduce_damages(FIN, "p1", damages["id"], {"decision": "agree", "amount": "400000.00", "reason": "x"})
    with pytest.raises(InvalidInput):
        s.reduce_damages(MAGISTRATE, "p1", damages["id"], {"decision": "agree", "amount": "400000.00"})
    # the principals read the damages they decide on; one principal's agreement reduces nothing: the round awaits
    # the other principal
    assert s.standard_land(MAGISTRATE, "p1")["damages"][0]["outstanding"] == "1400000.00"
    with pytest.raises(NotAllowed):
        s.standard_land({"user_id": "u-gov", "position": "clerk", "unit": "GOV"}, "p1")
    view = s.reduce_damages(
        MAGISTRATE, "p1", damages["id"], {"decision": "agree", "amount": "400000.00", "reason": "受灾停产两个月"}
    )
    waiting = next(d for d in view["damages"] if d["id"] == damages["id"])
    assert (waiting["reduced"], waiting["outstanding"]) == ("0.00", "1400000.00")
    assert waiting["reduction"]["pending"] == {
        "amount": "400000.00",
        "decisions": {"county_magistrate": "agree"},
        "awaiting": ["party_secretary"],
    }
    decided = s.said("supervision.damages_reduction_decided")
    assert (decided[-1]["outcome"], decided[-1]["awaiting"]) == (None, ["party_secretary"])
    view = s.reduce_damages(SECRETARY, "p1", damages["id"], {"decision": "agree", "reason": "同意减免"})
    reduced = next(d for d in view["damages"] if d["id"] == damages["id"])
    assert (reduced["reduced"], reduced["outstanding"], reduced["reduction"]["pending"]) == (
        "400000.00",
        "1000000.00",
        None,
    )
    assert [(d["position"], d["outcome"]) for d in reduced["reduction"]["decisions"]] == [
        ("county_magistrate", None),
        ("party_secretary", "reduced"),
    ]
    assert s.said("supervision.damages_recorded")[-1]["reduced"] == "400000.00"
    with pytest.raises(InvalidInput):
        s.record_damages_payment(LEGAL, "p1", damages["id"], {"amount": "1000000.01"})
    view = s.record_damages_payment(LEGAL, "p1", damages["id"], {"amount": "1000000.00", "voucher": "V2"})
    damages = next(d for d in view["damages"] if d["indicator"] == "tax_per_mu")
    assert (damages["outstanding"], damages["status"]) == ("0.00", "settled")
    assert len(s.said("supervision.damages_settled")) == 1


def test_a_principals_refusal_reduces_nothing_and_a_payment_meanwhile_starts_the_round_again(s, clock):
    signed(s)
    rect = short_of_tax(s)
    [damages] = s.request_recheck(IPB, "p1", rect["id"], {})["damages"]
    act = damages["id"]
    s.reduce_damages(SECRETARY, "p1", act, {"decision": "agree", "amount": "100000.00", "reason": "受灾"})
    [after] = s.reduce_damages(MAGISTRATE, "p1", act, {"decision": "refuse", "reason": "证据不足"})["damages"]
    assert (after["reduced"], after["outstanding"], after["reduction"]["pending"]) == ("0.00", "2400000.00", None)
    assert s.said("supervision.damages_reduction_decided")[-1]["outcome"] == "refused"
    with pytest.raises(Conflict):  # the round is over: nothing awaits a decision
        s.reduce_damages(SECRETARY, "p1", act, {"decision": "refuse", "reason": "again"})
    s.reduce_damages(SECRETARY, "p1", act, {"decision": "agree", "amount": "100000.00", "reason": "再议"})
    s.record_damages_payment(FIN, "p1", act, {"amount": "1000000.00", "voucher": "V1"})
    [after] = s.standard_land(IPB, "p1")["damages"]
    assert after["reduction"]["pending"] is None  # the payment changed what is owed: decided again
    with pytest.raises(InvalidInput):
        s.reduce_damages(MAGISTRATE, "p1", act, {"decision": "agree", "reason": "同意"})  # no amount proposed
    assert s.standard_land(IPB, "p1")["damages"][0]["reduced"] == "0.00"
    # the rectification's own check, due a year later, finds it short again: a new rectification, no second report
    clock.now = T0 + dt.timedelta(days=400)
    s.fire_due_deadlines()
    short_of_tax(s, 2026)
    tax = [r for r in s.standard_land(IPB, "p1")["rectifications"] if r["indicator"] == "tax_per_mu"]
    assert [(r["status"], bool(r["special_report_ref"])) for r in tax] == [("damages", True), ("open", False)]
    assert [r["rectification_id"] for r in s.rows("special_reports")] == [rect["id"]]


def test_met_after_a_shortfall_closes_the_rectification(s, clock):
    signed(s, completion="2026-09-01", production="2026-09-01")
    rect = short_of_tax(s)
    s.record_figure(FIN, "p1", {"figure": "tax", "year": 2025, "value": "12000000", "reason": "更正：补缴入库"})
    view = s.request_recheck(IPB, "p1", rect["id"], {})
    assert next(r for r in view["rectifications"] if r["id"] == rect["id"])["status"] == "rectified"
    assert view["damages"] == []
    clock.now = T0 + dt.timedelta(days=1)


def test_the_checks_read_the_enterprise_data_store_and_run_when_its_figures_arrive(s):
    """The year's tax, output and energy of the project's enterprise (by its credit code) in the data store, as the
    owning units import or enter them there: a check awaiting them runs when they arrive."""
    signed(s)
    s.fire_due_deadlines()
    s.enter_figure(IND, CODE, 2025, "output", {"value": "24000", "reason": "统计年报"})
    s.enter_figure(
        {"user_id": "u-drb", "position": "drb_clerk", "unit": "DRB"},
        CODE,
        2025,
        "energy",
        {"value": "4800", "reason": "供电公司"},
    )
    production = next(c for c in s.standard_land(IPB, "p1")["checks"] if c["stage"] == "production")
    assert production["status"] == "awaiting_data"
    s.enter_figure(FIN, CODE, 2025, "tax", {"value": "960", "reason": "税务局入库数"})  # 万元
    production = next(c for c in s.standard_land(IPB, "p1")["checks"] if c["stage"] == "production")
    assert {r["indicator"]: (r["actual"], r["result"]) for r in production["results"]} == {
        "output_per_mu": ("600", "met"),
        "tax_per_mu": ("24", "short"),
        "energy_per_output": ("0.2", "met"),
    }
    assert [r["indicator"] for r in s.standard_land(IPB, "p1")["rectifications"]] == ["tax_per_mu"]
