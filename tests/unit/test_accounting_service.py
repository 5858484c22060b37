"""The accounting service (R12) through its own methods, with a real database, policy and documents."""

from __future__ import annotations

import base64
import io


from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine

from services.accounting import models, report
from services.accounting.service import AccountingService
from shared.actor import Actor
from shared.documents import DocumentStore
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import text as rendered
from shared.policy import load_policy
from tests.harness import Harness, TestClock, shanghai

POLICY = load_policy()
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT"}
LAND = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
LEGAL = {"user_id": "u-legal", "position": "legal_officer", "unit": "LEGAL"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG"}
SECRETARY = {"user_id": "u-sec", "position": "party_secretary", "unit": "LG"}
DEPUTY = {"user_id": "u-dep", "position": "deputy_magistrate_investment", "unit": "LG"}
TERMS = {
    "total_investment": "150000000",
    "fixed_asset_investment": "160000000",
    "land_mu": "80",
    "intensity_wan_per_mu": "200.00",
    "construction_start": "2025-03-01",
    "completion": "2026-10-31",
    "production": "2026-12-31",
}


@pytest.fixture
def acct(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'accounting.db'}")
    models.metadata.create_all(engine)
    harness = Harness(
        AccountingService,
        models.metadata,
        engine,
        policy=POLICY,
        clock=TestClock(shanghai(2026, 11, 27)),
        documents=DocumentStore(tmp_path / "documents", POLICY.documents["documents"]),
    )
    yield harness
    engine.dispose()


def feed(acct, event_type, project_id, payload, handler):
    acct.call(handler, Envelope(event_type, Actor(**IPB), payload=payload, project_id=project_id).dump())


def in_construction(acct, project_id="p1", unit="PARK:hengdong"):
    feed(
        acct,
        "intake.project_filed",
        project_id,
        {"ref": "ZS2026-0001", "project_name": "示例项目", "investor_name": "示例公司"},
        "on_project_filed",
    )
    feed(acct, "negotiation.unit_assigned", project_id, {"unit": unit}, "on_unit_assigned")
    feed(acct, "contracts.signed", project_id, {"terms": TERMS}, "on_contract_signed")
    feed(
        acct,
        "coordinator.project_state_changed",
        project_id,
        {"to_state": "construction", "seq": 12},
        "on_project_state_changed",
    )


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
    feed(
        acct,
        "coordinator.project_state_changed",
        "p1",
        {"to_state": "terminated", "seq": 13},
        "on_project_state_changed",
    )
    feed(
        acct,
        "intake.project_filed",
        "p2",
        {"ref": "ZS2026-0002", "project_name": "x", "investor_name": "y"},
        "on_project_filed",
    )
    feed(acct, "contracts.signed", "p2", {"terms": TERMS}, "on_contract_signed")  # signed, not handed over yet
    assert acct.open_due_accountings() == 0 and acct.events("accounting.opened") == []


def test_only_a_project_in_construction_is_accounted(acct):
    feed(
        acct,
        "intake.project_filed",
        "p2",
        {"ref": "ZS2026-0002", "project_name": "x", "investor_name": "y"},
        "on_project_filed",
    )
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
    result = acct.record_land_used(
        LAND, "p1", {"land": {"value": "53333.33", "unit": "m2"}, "basis": "实测", "delisting_price_per_mu": "150000"}
    )
    figures = {f["name"]: f for f in result["figures"]}
    assert result["land_used_mu"] == "80.00"  # 53,333.33 m² = 79.999995 mu → 80.00
    [computed] = acct.events("accounting.figures_computed")  # LAND's act computed them; each names who entered it
    assert computed["actor"]["unit"] == "LAND"
    assert {k: v["unit"] for k, v in computed["payload"]["entered_by"].items()} == {
        "actual_fixed_asset_investment": "AUDIT",
        "land_used": "LAND",
    }
    assert (
        figures["actual_intensity"]["value"],
        figures["reasonable_land"]["value"],
        figures["excess_land"]["value"],
        figures["fee_to_recover"]["value"],
    ) == ("150.00", "60.00", "20.00", "3000000.00")
    assert rendered(figures["delisting_price"]["formula"]) == "土地摘牌价（土地登记记录（由县国土资源局录入））"
    assert result["state"] == "computed" and result["receivable"] is None  # the fee is owed once it is reported
    with pytest.raises(Conflict):  # recovery is recorded on issued figures
        acct.record_recovery(FIN, "p1", {"amount": "1", "note": "x"})

    issued = acct.issue_report(IPB, "p1")
    assert issued["state"] == "reported"
    docx_ref = issued["report"]["docx"]
    document = report.read_docx(acct.dependencies["documents"].load(docx_ref["id"]))
    text = "\n".join(document["paragraphs"])
    # a 公文: issuer's mark, 文号 numbered per year, 主送, the title once, the fee once in 万元, signature and date
    assert document["paragraphs"][0] == "示例县招商局文件" and "示招商〔2026〕1号" in document["paragraphs"]
    assert "关于示例项目投资核算情况的报告" in text and "中共示例县委、示例县人民政府：" in text
    assert "实际用地超出合理用地20.00 亩" in text and text.count("应追缴费用300.00万元") == 1
    rows = {row[0]: row[1] for row in document["tables"][0]}
    assert rows["实际投资强度"] == "150.00万元/亩" and rows["应追缴费用"] == "300.00万元"
    assert rows["实际固定资产投资"] == "12,000.00万元" and rows["实际用地"] == "80.00亩"
    formulas = {row[0]: row[2] for row in document["tables"][0]}
    assert formulas["实际投资强度"] == "12,000万元 ÷ 80.00 亩" and formulas["应追缴费用"] == "20.00 亩 × 15.00 万元/亩"
    # the PDF is the same document, laid out when first read (none at issue) and kept
    assert issued["report"]["pdf"] is None
    read = acct.report_document(IPB, "p1", "pdf")
    pdf = base64.b64decode(read["content_base64"])
    assert pdf.startswith(b"%PDF") and read["filename"].endswith("-accounting.pdf")
    laid_out = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "示招商〔2026〕1号" in laid_out and "300.00万元" in laid_out  # the number and the fee as issued
    assert acct.get_accounting(IPB, "p1")["report"]["pdf"]["id"] == read["id"]
    assert acct.report_document(IPB, "p1", "pdf")["id"] == read["id"]  # laid out once
    with pytest.raises(Conflict):  # the figures are final once reported
        acct.record_actual_fai(AUDIT, "p1", {"amount": "1", "basis": "x"})
    owed = issued["receivable"]
    assert (owed["amount"], owed["paid"], owed["outstanding"], owed["status"]) == (
        "3000000.00",
        "0.00",
        "3000000.00",
        "outstanding",
    )
    assert [r["unit"] for r in owed["roles"]] == ["FIN", "LAND", "LEGAL"]
    assert acct.rows("receivables")[0]["amount"] == Decimal("3000000.00") and len(acct.rows("receivables")) == 1

    with pytest.raises(NotAllowed):  # only FIN, LAND and LEGAL recover
        acct.record_recovery(AUDIT, "p1", {"amount": "1", "note": "x"})
    acct.record_recovery(FIN, "p1", {"amount": "1000000", "note": "第一笔", "voucher": "FIN-2026-001"})
    again = acct.record_recovery(FIN, "p1", {"amount": "1000000", "note": "第一笔", "voucher": "FIN-2026-001"})
    assert again["receivable"]["paid"] == "1000000.00"  # the same voucher is counted once
    acct.record_recovery(LAND, "p1", {"note": "已发出土地处置通知"})  # an act without money
    with pytest.raises(InvalidInput) as over:  # LEGAL may not take more than is owed
        acct.record_recovery(LEGAL, "p1", {"amount": "2000000.01", "note": "执行款"})
    assert "2,000,000.00" in rendered(over.value.details["amount"][0], "en")
    assert acct.get_accounting(IPB, "p1")["receivable"]["paid"] == "1000000.00"  # nothing changed
    partial = acct.record_recovery(LEGAL, "p1", {"amount": "1500000", "note": "法院执行款"})
    assert (partial["state"], partial["receivable"]["outstanding"]) == ("reported", "500000.00")
    settled = acct.record_recovery(FIN, "p1", {"amount": "500000", "note": "缴清"})
    assert settled["state"] == "closed" and settled["receivable"]["status"] == "settled"
    assert [(e["unit"], e["kind"], e["amount"]) for e in settled["receivable"]["entries"]] == [
        ("FIN", "payment", "1000000.00"),
        ("LAND", "action", None),
        ("LEGAL", "payment", "1500000.00"),
        ("FIN", "payment", "500000.00"),
    ]
    recorded = acct.events("accounting.recovery_recorded")
    assert len(recorded) == 4 and recorded[-1]["payload"]["status"] == "settled"
    assert acct.events("accounting.closed")[0]["payload"] == {
        "fee": "3000000.00",
        "recovered": "3000000.00",
        "written_off": "0.00",
        "reason": "核算报告已出具，应追缴费用3,000,000.00 元已缴清",
        "reason_message": {
            "msgid": "accounting report issued; the fee of {fee:yuan} is paid",
            "params": {"fee": "3000000.00"},
        },
    }
    with pytest.raises(Conflict):  # closed: nothing more is recorded
        acct.record_recovery(FIN, "p1", {"amount": "1", "note": "x"})


def test_only_the_principals_write_off_the_remainder_and_the_accounting_closes(acct):
    in_construction(acct)
    acct.open_accounting(IPB, "p1")
    acct.record_actual_fai(AUDIT, "p1", {"amount": "120000000", "basis": "审计"})
    acct.record_land_used(
        LAND, "p1", {"land": {"value": "80", "unit": "mu"}, "basis": "实测", "delisting_price_per_mu": "150000"}
    )
    with pytest.raises(Conflict):  # nothing is owed before the report
        acct.write_off(MAGISTRATE, "p1", {"decision": "agree", "reason": "x"})
    acct.issue_report(IPB, "p1")
    acct.record_recovery(FIN, "p1", {"amount": "1000000", "note": "第一笔"})
    for leader in (DEPUTY, IPB):
        with pytest.raises(NotAllowed):
            acct.write_off(leader, "p1", {"decision": "agree", "reason": "企业经营困难"})
    with pytest.raises(InvalidInput):  # with a reason
        acct.write_off(MAGISTRATE, "p1", {"decision": "agree"})
    first = acct.write_off(MAGISTRATE, "p1", {"decision": "agree", "reason": "企业经营困难，经县政府常务会议研究"})
    assert first["state"] == "reported" and first["receivable"]["write_off"]["pending"] == {
        "amount": "2000000.00",
        "decisions": {"county_magistrate": "agree"},
    }
    done = acct.write_off(SECRETARY, "p1", {"decision": "agree", "reason": "同意核销"})
    assert done["state"] == "closed"
    assert (done["receivable"]["status"], done["receivable"]["written_off"], done["receivable"]["outstanding"]) == (
        "written_off",
        "2000000.00",
        "0.00",
    )
    decided = [e["payload"] for e in acct.events("accounting.write_off_decided")]
    assert [(d["position"], d["outcome"]) for d in decided] == [
        ("county_magistrate", None),
        ("party_secretary", "written_off"),
    ]
    assert "同意核销" in decided[1]["reason"] and decided[1]["reason"].endswith("经县主要领导决定予以核销")
    assert acct.events("accounting.closed")[0]["payload"]["written_off"] == "2000000.00"


def test_no_fee_nothing_owed_and_the_report_closes_the_accounting(acct):
    in_construction(acct)
    acct.open_accounting(IPB, "p1")
    acct.record_actual_fai(AUDIT, "p1", {"amount": "200000000", "basis": "审计"})
    result = acct.record_land_used(LAND, "p1", {"land": {"value": "80", "unit": "mu"}, "basis": "实测"})
    assert {f["name"]: f["value"] for f in result["figures"]}["fee_to_recover"] == "0.00"
    assert {f["name"]: f for f in result["figures"]}["delisting_price"]["value"] == "180000.00"  # Hengdong, policy
    issued = acct.issue_report(IPB, "p1")
    assert "用地合理" in rendered(issued["report"]["opinion"])
    assert issued["state"] == "closed" and issued["receivable"] is None
    assert acct.events("accounting.closed")[0]["payload"]["reason"] == "核算报告已出具，无需追缴费用"


@pytest.mark.parametrize(
    "method, actor, body, field",
    [
        ("record_actual_fai", AUDIT, {"amount": "-5", "basis": "x"}, "amount"),
        ("record_actual_fai", AUDIT, {"amount": "0", "basis": "x"}, "amount"),
        ("record_actual_fai", AUDIT, {"amount": "1e30", "basis": "x"}, "amount"),
        ("record_actual_fai", AUDIT, {"amount": "1.001", "basis": "x"}, "amount"),
        ("record_actual_fai", AUDIT, {"basis": "x"}, "amount"),
        ("record_land_used", LAND, {"land": {"value": "0", "unit": "mu"}, "basis": "x"}, "land.value"),
        ("record_land_used", LAND, {"land": {"value": "-3", "unit": "ha"}, "basis": "x"}, "land.value"),
        ("record_land_used", LAND, {"land": {"value": "5", "unit": "acre"}, "basis": "x"}, "land.unit"),
        (
            "record_land_used",
            LAND,
            {"land": {"value": "5", "unit": "mu"}, "basis": "x", "delisting_price_per_mu": "0"},
            "delisting_price_per_mu",
        ),
    ],
)
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
    acct.issue_report(IPB, "p1")
    pdf = base64.b64decode(acct.report_document(IPB, "p1", "pdf")["content_base64"])
    assert b"FontFile2" in pdf and b"WenQuanYi" in pdf  # an embedded TrueType subset, not a font the viewer must own


def test_reportlab_measures_and_formats_with_its_c_accelerator():
    # the pinned rl_accel: string widths and number formatting of every report's PDF in C, not in Python
    from reportlab.lib import rl_accel

    import _rl_accel

    assert rl_accel.fp_str is _rl_accel.fp_str
    assert rl_accel.instanceStringWidthTTF is _rl_accel.instanceStringWidthTTF


def test_the_fee_uses_the_delisting_price_of_the_parcel_the_contract_supplies(acct):
    """A contract that names a parcel of the land reserve carries its delisting price (190,000 yuan per mu for
    HD-01, above Hengdong's policy price of 180,000): 80 mu used, 160,000,000 yuan actual FAI at the contracted
    200 万元/亩 is 80 mu reasonable — so with 90 mu used the excess is 10 mu and the fee 10 × 190,000."""
    parcel = {
        "code": "HD-01",
        "name": "衡东园一号地块",
        "location": "PARK:hengdong",
        "area_mu": "90",
        "use": "M1",
        "delisting_price": "190000.00",
    }
    feed(
        acct,
        "intake.project_filed",
        "p1",
        {"ref": "ZS2026-0001", "project_name": "铝型材项目", "investor_name": "某铝业"},
        "on_project_filed",
    )
    feed(acct, "negotiation.unit_assigned", "p1", {"unit": "PARK:hengdong"}, "on_unit_assigned")
    feed(acct, "contracts.signed", "p1", {"terms": {**TERMS, "parcel": parcel}}, "on_contract_signed")
    feed(
        acct,
        "coordinator.project_state_changed",
        "p1",
        {"ref": "ZS2026-0001", "from_state": "filed_copies", "to_state": "construction", "seq": 16},
        "on_project_state_changed",
    )
    acct.open_accounting(IPB, "p1")
    acct.record_actual_fai(AUDIT, "p1", {"amount": "160000000", "basis": "审计"})
    result = acct.record_land_used(LAND, "p1", {"land": {"value": "90", "unit": "mu"}, "basis": "实测"})
    figures = {f["name"]: f for f in result["figures"]}
    assert figures["delisting_price"]["value"] == "190000.00"
    assert rendered(figures["delisting_price"]["formula"]) == "土地摘牌价（县国土资源局储备地块HD-01）"
    assert figures["excess_land"]["value"] == "10.00" and figures["fee_to_recover"]["value"] == "1900000.00"
