"""The accounting report to the county party committee and government (R12, R18): a 公文 of the platform's builder
(shared/gongwen.py) — issuer, 文号, 主送, title, the figures in 万元 with their formulas, the fee once and who
recovers it, signature, date, 抄送 — as Word (python-docx's document, written from its shape's skeleton) and PDF.

Pure Python: services.accounting.report and shared.gongwen only.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from services.accounting import report
from shared import gongwen
from shared.i18n import _
from shared.policy import load_policy
from tests.factories import package_parts

POLICY = load_policy()
PROJECT = {"project_name": "年产10万吨新型建材项目", "ref": "ZS2026-0007", "investor_name": "湖南某某建材有限公司"}
FIGURES = [
    {
        "name": "actual_fixed_asset_investment",
        "value": "120000000.00",
        "unit": "yuan",
        "formula": _("audited by {unit:unit}", unit="AUDIT").to_wire(),
    },
    {
        "name": "land_used",
        "value": "80.00",
        "unit": "mu",
        "formula": _("measured by {unit:unit}", unit="LAND").to_wire(),
    },
    {
        "name": "actual_intensity",
        "value": "150.00",
        "unit": "万元/亩",
        "formula": _("{fai} 10k yuan ÷ {land:mu}", fai="12,000", land="80.00").to_wire(),
    },
    {"name": "fee_to_recover", "value": "3000000.00", "unit": "yuan", "formula": "实际固定资产投资 ÷ 实际用地"},
]
ACCOUNTING = {"participants": ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hengdong"], "figures": FIGURES}
OWED = {"amount": "3000000.00", "roles": [{"unit": unit} for unit in ("FIN", "LAND", "LEGAL")]}
ROUTING = gongwen.routing(POLICY, "accounting_report")
NUMBER = gongwen.Number("示招商〔2026〕7号", 7, date(2026, 12, 8))
PRINCIPALS = ["party_secretary", "county_magistrate"]


def document(project=PROJECT, accounting=ACCOUNTING, receivable=OWED, opinion="用地合理。"):
    return report.document(project, accounting, receivable, opinion, NUMBER, ROUTING, PRINCIPALS)


def paragraphs(data: bytes) -> list[str]:
    return report.read_docx(data)["paragraphs"]


def test_the_report_is_an_official_document_with_its_number_addressees_and_the_fee_once():
    written = report.render_docx(document())
    text = paragraphs(written)
    assert text[0] == "示例县招商局文件" and "示招商〔2026〕7号" in text  # 发文机关标志, 文号 (policy)
    assert "关于年产10万吨新型建材项目投资核算情况的报告" in text  # a name ending in 项目 is not followed by 项目 again
    assert "中共示例县委、示例县人民政府：" in text  # 主送 (policy)
    assert text.count("一、核算结果") == 1 and "二、用地情况意见" in text and "三、费用追缴" in text
    assert "示例县招商局" in text and "二〇二六年十二月八日" in text  # 署名, 成文日期 in Chinese
    fee = [line for line in text if "300.00万元" in line]
    assert fee == ["应追缴费用300.00万元，为投资方应缴纳的一笔款项。"]  # the fee once, in 万元
    roles = text[text.index(fee[0]) + 1]
    assert "县财政局负责向投资方收缴" in roles and "县国土资源局负责土地方面的处置" in roles
    assert "县法制办负责投资方不缴纳时依法追索" in roles and "由县委书记、县长决定核销" in roles
    table = report.read_docx(written)["tables"][0]
    assert table[0] == ["项目", "数值", "计算方法及依据"]
    assert table[1] == ["实际固定资产投资", "12,000.00万元", "经县审计局审计"]  # the formula in Chinese, units named
    assert table[3] == ["实际投资强度", "150.00万元/亩", "12,000万元 ÷ 80.00 亩"]
    imprint = report.read_docx(written)["tables"][-1]
    assert imprint[0][0].startswith("抄送：县财政局，县发改局")  # 版记


def test_no_fee_says_so_and_an_amount_not_in_whole_hundreds_stays_exact():
    text = paragraphs(report.render_docx(document(receivable=None)))
    assert text[text.index("三、费用追缴") + 1] == "经核算，项目实际用地未超出合理用地，无需追缴费用。"
    assert report.wan("81234.56") == "8.123456万元" and report.wan("3000000") == "300.00万元"


@pytest.mark.parametrize(
    "project, opinion",
    [
        (PROJECT, "用地合理。"),
        ({**PROJECT, "project_name": 'A&B <一期> "扩建"'}, "超出 > 合理 & 应追缴"),
    ],
)
def test_the_skeleton_writes_the_very_parts_python_docx_writes(project, opinion):
    official = document(project=project, opinion=opinion)
    written = report.render_docx(official)
    composed = gongwen._compose_docx(official, gongwen._layout(official))
    assert package_parts(written) == package_parts(composed)
    assert list(package_parts(written)) == list(package_parts(composed))


def test_an_opinion_in_lines_is_composed_by_python_docx():
    official = document(opinion="第一，用地合理。\n第二，无需追缴。")
    written = report.render_docx(official)
    assert package_parts(written) == package_parts(gongwen._compose_docx(official, gongwen._layout(official)))
    assert "第一，用地合理。\n第二，无需追缴。" in paragraphs(written)


def test_a_shape_is_composed_by_python_docx_once(monkeypatch):
    calls = []
    compose = gongwen._compose_docx
    monkeypatch.setattr(gongwen, "_compose_docx", lambda *args: calls.append(args) or compose(*args))
    monkeypatch.setattr(gongwen, "_SKELETONS", gongwen.Skeletons())
    first = report.render_docx(document())
    second = report.render_docx(document(project={**PROJECT, "project_name": "另一个项目"}, opinion="超出合理用地。"))
    assert len(calls) == 1
    assert "关于另一个项目投资核算情况的报告" in paragraphs(second) and "超出合理用地。" in paragraphs(second)
    assert report.read_docx(first)["tables"] == report.read_docx(second)["tables"]


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_reads_as_the_report_and_markup_characters_are_text():
    project = {**PROJECT, "project_name": "R&D <一期> 中心"}
    text = pdf_text(report.render_pdf(document(project=project, opinion="超出合理用地 > 0 & 应追缴 <b>费用</b>")))
    flat = text.replace("\n", "")
    assert "关于R&D <一期> 中心项目投资核算情况的报告" in flat  # an & or a < is text, not reportlab's markup
    assert "超出合理用地 > 0 & 应追缴 <b>费用</b>" in flat
    assert "示招商〔2026〕7号" in flat and flat.count("应追缴费用300.00万元，为投资方应缴纳的一笔款项。") == 1
    for name in ("实际固定资产投资", "实际用地", "实际投资强度", "应追缴费用"):
        assert name in flat
