"""The accounting service (R12) through its own methods, with a real database, policy and documents."""
from __future__ import annotations


import pytest
from sqlalchemy import create_engine

from services.accounting import models, report
from services.accounting.service import AccountingService
from shared.actor import Actor
from shared.documents import DocumentStore
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai

POLICY = load_policy()
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT"}
LAND = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
LEGAL = {"user_id": "u-legal", "position": "legal_officer", "unit": "LEGAL"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG"}
TERMS = {"total_investment": "150000000", "fixed_asset_investment": "160000000", "land_mu": "80",
         "intensity_wan_per_mu": "200.00", "construction_start": "2025-03-01", "completion": "2026-10-31",
         "production": "2026-12-31"}


@pytest.fixture
def acct(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'accounting.db'}")
    models.metadata.create_all(engine)
    harness = Harness(AccountingService, models.metadata, engine, policy=POLICY, clock=TestClock(shanghai(2026, 11, 27)),
                      documents=DocumentStore(tmp_path / "documents", POLICY.documents["documents"]))
    yield harness
    engine.dispose()


def feed(acct, event_type, project_id, payload, handler):
    acct.call(handler, Envelope(event_type, Actor(**IPB), payload=payload, project_id=project_id).dump())


def in_construction(acct, project_id="p1", unit="PARK:hengdong"):
    feed(acct, "intake.project_filed", project_id, {"ref": "ZS2026-0001", "project_name": "示例项目",
                                                     "investor_name": "示例公司"}, "on_project_filed")
    feed(acct, "negotiation.unit_assigned", project_id, {"unit": unit}, "on_unit_assigned")
    feed(acct, "contracts.signed", project_id, {"terms": TERMS}, "on_contract_signed")
    feed(acct, "coordinator.project_state_changed", project_id, {"to_state": "construction", "seq": 12}, "on_project_state_changed")


def test_the_construction_period_end_opens_the_accounting_once(acct):
    in_construction(acct)
    acct.dependencies["clock"].now = shanghai(2026, 10, 31, 23, 59)  # the completion day itself: not yet
    assert acct.open_due_accountings() == 0
    acct.dependencies["clock"].now = shanghai(2026, 11, 1, 0, 0)  # the day after: the period is over
    assert acct.open_due_accountings() == 1
    assert acct.open_due_accountings() == 0  # once
    opened = acct.events("accounting.opened")
    assert len(opened) == 1 and opened[0]["payload"]["cause"] == "construction_period_ended"
    assert opened[0]["payload"]["completion"] == "2026-10-31" and opened[0]["actor"]["unit"] == "SYSTEM"
    assert opened[0]["payload"]["participants"] == ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hengdong"]


def test_no_accounting_opens_for_a_project_not_in_construction_or_terminated(acct):
    in_construction(acct)
    feed(acct, "coordinator.project_state_changed", "p1", {"to_state": "terminated", "seq": 13},
         "on_project_state_changed")
    feed(acct, "intake.project_filed", "p2", {"ref": "ZS2026-0002", "project_name": "x", "investor_name": "y"},
         "on_project_filed")
    feed(acct, "contracts.signed", "p2", {"terms": TERMS}, "on_contract_signed")  # signed, not handed over yet
    assert acct.open_due_accountings() == 0 and acct.events("accounting.opened") == []


def test_only_a_project_in_construction_is_accounted(acct):
    feed(acct, "intake.project_filed", "p2", {"ref": "ZS2026-0002", "project_name": "x", "investor_name": "y"},
         "on_project_filed")
    with pytest.raises(Conflict):
        acct.open_accounting(IPB, "p2")
    in_construction(acct)
    with pytest.raises(NotAllowed):
        acct.open_accounting(FIN, "p1")


def test_the_worked_example_end_to_end_with_report_recovery_and_closing(acct):
    in_construction(acct)
    acct.open_accounting(IPB, "p1", {"reason": "建设期满"})
    with pytest.raises(NotAllowed):  # a figure entered by the wrong unit
        acct.record_actual_fai(LAND, "p1", {"amount": "120000000", "basis": "审计报告"})
    with pytest.raises(NotAllowed):
        acct.record_land_used(AUDIT, "p1", {"land": {"value": "80", "unit": "mu"}, "basis": "实测"})
    acct.record_actual_fai(AUDIT, "p1", {"amount": "120000000", "basis": "县审计局审计报告〔2026〕12号"})
    result = acct.record_land_used(LAND, "p1", {"land": {"value": "53333.33", "unit": "m2"}, "basis": "实测",
                                                "delisting_price_per_mu": "150000"})
    figures = {f["name"]: f for f in result["figures"]}
    assert result["land_used_mu"] == "80.00"  # 53,333.33 m² = 79.999995 mu → 80.00
    assert (figures["actual_intensity"]["value"], figures["reasonable_land"]["value"], figures["excess_land"]["value"],
            figures["fee_to_recover"]["value"]) == ("150.00", "60.00", "20.00", "3000000.00")
    assert "land record" in figures["delisting_price"]["formula"]
    assert [(t["unit"], t["amount_due"], t["status"]) for t in result["tasks"]] == [
        ("FIN", "3000000.00", "open"), ("LAND", "3000000.00", "open"), ("LEGAL", "3000000.00", "open")]
    with pytest.raises(Conflict):  # recovery is recorded on issued figures
        acct.record_recovery(FIN, "p1", "FIN", {"amount": "1", "note": "x"})

    issued = acct.issue_report(IPB, "p1")
    docx_ref = issued["report"]["docx"]
    document = report.read_docx(acct.dependencies["documents"].load(docx_ref["id"]))
    text = "\n".join(document["paragraphs"])
    assert "关于示例项目项目投资核算情况的报告" in text and "超出合理用地 20.00 亩" in text and "3000000.00 元" in text
    rows = {row[0]: row[1] for row in document["tables"][0]}
    assert rows["实际投资强度"] == "150.00 万元/亩" and rows["应追缴费用"] == "3000000.00 元"
    pdf = acct.dependencies["documents"].load(issued["report"]["pdf"]["id"])
    assert pdf.startswith(b"%PDF")
    with pytest.raises(Conflict):  # the figures are final once reported
        acct.record_actual_fai(AUDIT, "p1", {"amount": "1", "basis": "x"})

    with pytest.raises(NotAllowed):  # each unit on its own task
        acct.record_recovery(LAND, "p1", "FIN", {"amount": "1", "note": "x"})
    acct.record_recovery(FIN, "p1", "FIN", {"amount": "1000000", "note": "第一笔"})
    acct.record_recovery(FIN, "p1", "FIN", {"amount": "2000000", "note": "缴清", "settled": True})
    acct.record_recovery(LAND, "p1", "LAND", {"amount": "0", "note": "土地复核完毕", "settled": True})
    with pytest.raises(Conflict) as early:
        acct.close(IPB, "p1")
    assert "LEGAL" in early.value.message
    with pytest.raises(NotAllowed):  # waiving is the authorised leader's
        acct.waive_recovery(IPB, "p1", "LEGAL", {"reason": "已足额缴纳"})
    with pytest.raises(InvalidInput):
        acct.waive_recovery(MAGISTRATE, "p1", "LEGAL", {})
    acct.waive_recovery(MAGISTRATE, "p1", "LEGAL", {"reason": "费用已足额缴纳，无需诉讼"})
    closed = acct.close(IPB, "p1")
    assert closed["state"] == "closed"
    assert acct.events("accounting.closed")[0]["payload"] == {"fee": "3000000.00", "recovered": "3000000.00",
                                                              "reason": "accounting report issued; recovery settled or waived"}


def test_no_fee_no_tasks_and_the_report_says_the_land_use_is_reasonable(acct):
    in_construction(acct)
    acct.open_accounting(IPB, "p1")
    acct.record_actual_fai(AUDIT, "p1", {"amount": "200000000", "basis": "审计"})
    result = acct.record_land_used(LAND, "p1", {"land": {"value": "80", "unit": "mu"}, "basis": "实测"})
    assert result["tasks"] == [] and {f["name"]: f["value"] for f in result["figures"]}["fee_to_recover"] == "0.00"
    assert {f["name"]: f for f in result["figures"]}["delisting_price"]["value"] == "180000.00"  # Hengdong, policy
    issued = acct.issue_report(IPB, "p1")
    assert "用地合理" in issued["report"]["opinion"]
    assert acct.close(IPB, "p1")["state"] == "closed"


@pytest.mark.parametrize("method, actor, body, field", [
    ("record_actual_fai", AUDIT, {"amount": "-5", "basis": "x"}, "amount"),
    ("record_actual_fai", AUDIT, {"amount": "0", "basis": "x"}, "amount"),
    ("record_actual_fai", AUDIT, {"amount": "1e30", "basis": "x"}, "amount"),
    ("record_actual_fai", AUDIT, {"amount": "1.001", "basis": "x"}, "amount"),
    ("record_actual_fai", AUDIT, {"basis": "x"}, "amount"),
    ("record_land_used", LAND, {"land": {"value": "0", "unit": "mu"}, "basis": "x"}, "land.value"),
    ("record_land_used", LAND, {"land": {"value": "-3", "unit": "ha"}, "basis": "x"}, "land.value"),
    ("record_land_used", LAND, {"land": {"value": "5", "unit": "acre"}, "basis": "x"}, "land.unit"),
    ("record_land_used", LAND, {"land": {"value": "5", "unit": "mu"}, "basis": "x", "delisting_price_per_mu": "0"},
     "delisting_price_per_mu"),
])
def test_bad_figures_are_refused_naming_the_field_and_nothing_is_stored(acct, method, actor, body, field):
    in_construction(acct)
    acct.open_accounting(IPB, "p1")
    with pytest.raises(InvalidInput) as refused:
        acct.call(method, actor, "p1", body)
    assert field in refused.value.details
    stored = acct.rows("accountings")[0]
    assert stored["actual_fai"] is None and stored["land_used_mu"] is None
    assert acct.events("accounting.figures_computed") == []


def test_the_pdf_report_embeds_a_chinese_font_so_any_viewer_shows_it(acct):
    in_construction(acct)
    acct.open_accounting(IPB, "p1")
    acct.record_actual_fai(AUDIT, "p1", {"amount": "120000000", "basis": "审计"})
    acct.record_land_used(LAND, "p1", {"land": {"value": "80", "unit": "mu"}, "basis": "实测"})
    pdf = acct.dependencies["documents"].load(acct.issue_report(IPB, "p1")["report"]["pdf"]["id"])
    assert b"FontFile2" in pdf and b"WenQuanYi" in pdf  # an embedded TrueType subset, not a font the viewer must own


def test_reportlab_measures_and_formats_with_its_c_accelerator():
    # the pinned rl_accel: string widths and number formatting of every report's PDF in C, not in Python
    from reportlab.lib import rl_accel

    import _rl_accel

    assert rl_accel.fp_str is _rl_accel.fp_str
    assert rl_accel.instanceStringWidthTTF is _rl_accel.instanceStringWidthTTF
