"""The accounting report as Word (R12): python-docx's document, written from its shape's skeleton.

Pure Python: services.accounting.report only.
"""
from __future__ import annotations

import pytest

from services.accounting import report
from tests.factories import package_parts

PROJECT = {"project_name": "年产10万吨新型建材项目", "ref": "ZS-2026-0007", "investor_name": "湖南某某建材有限公司"}
FIGURES = [{"name": name, "value": "123.45", "unit": "yuan", "formula": "实际固定资产投资 ÷ 实际用地（依据合同第三条）"}
           for name in report.FIGURE_NAMES]
ACCOUNTING = {"participants": ["IPB", "FIN", "DRB", "IND", "LAND", "AUDIT", "PARK:hengdong"], "figures": FIGURES}
OWED = {"amount": "3000000.00", "roles": [{"unit": unit} for unit in ("FIN", "LAND", "LEGAL")]}


@pytest.fixture
def composed(monkeypatch):
    """The report composed by python-docx (no text taken for plain)."""
    def render_composed(*args):
        with monkeypatch.context() as patch:
            patch.setattr(report, "fillable", lambda value: False)
            return report.render_docx(*args)
    return render_composed


@pytest.mark.parametrize("project, accounting, receivable, opinion", [
    (PROJECT, ACCOUNTING, OWED, "用地合理。"),
    (PROJECT, ACCOUNTING, None, "实际用地超出合理用地 20.00 亩，应追缴费用 3000000.00 元。"),
    ({**PROJECT, "project_name": "A&B <一期> \"扩建\""}, {**ACCOUNTING, "figures": FIGURES[:3]}, OWED,
     "超出 > 合理 & 应追缴"),
])
def test_a_skeleton_writes_the_very_parts_python_docx_writes(composed, project, accounting, receivable, opinion):
    written = report.render_docx(project, accounting, receivable, opinion)
    reference = composed(project, accounting, receivable, opinion)
    assert package_parts(written) == package_parts(reference)
    assert list(package_parts(written)) == list(package_parts(reference))
    assert project["project_name"] in report.read_docx(written)["paragraphs"][0]


def test_an_opinion_in_lines_is_composed_by_python_docx(composed):
    args = (PROJECT, ACCOUNTING, OWED, "第一，用地合理。\n第二，无需追缴。")
    written = report.render_docx(*args)
    assert package_parts(written) == package_parts(composed(*args))
    assert "第一，用地合理。\n第二，无需追缴。" in report.read_docx(written)["paragraphs"]


def test_a_shape_is_composed_by_python_docx_once(monkeypatch):
    calls = []
    compose = report._compose_docx
    monkeypatch.setattr(report, "_compose_docx", lambda text: calls.append(text) or compose(text))
    monkeypatch.setattr(report, "_SKELETONS", report.Skeletons())
    first = report.render_docx(PROJECT, ACCOUNTING, OWED, "用地合理。")
    second = report.render_docx({**PROJECT, "project_name": "另一个项目"}, ACCOUNTING, OWED, "超出合理用地。")
    assert len(calls) == 1
    assert report.read_docx(second)["paragraphs"][0] == "关于另一个项目项目投资核算情况的报告"
    assert report.read_docx(first)["tables"] == report.read_docx(second)["tables"]


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_reads_as_the_report_and_markup_characters_are_text():
    project = {**PROJECT, "project_name": "R&D <一期> 中心"}
    text = pdf_text(report.render_pdf(project, ACCOUNTING, OWED, "超出合理用地 > 0 & 应追缴 <b>费用</b>"))
    lines = text.splitlines()
    assert "关于R&D <一期> 中心项目投资核算情况的报告" in lines  # an & or a < is text, not reportlab's markup
    assert "超出合理用地 > 0 & 应追缴 <b>费用</b>" in lines
    for name in report.FIGURE_NAMES.values():  # a cell that fits its column is one line of its own
        assert name in lines
    assert "应追缴费用 3000000.00 元，为投资方应缴纳的一笔款项。" in lines  # the fee once


def test_the_report_states_the_fee_once_and_who_does_what():
    paragraphs = report.read_docx(report.render_docx(PROJECT, ACCOUNTING, OWED, "用地合理。"))["paragraphs"]
    recovery = paragraphs[paragraphs.index("三、费用追缴") + 1:paragraphs.index("特此报告。")]
    assert sum(line.count("3000000.00") for line in recovery) == 1
    assert "县财政局负责向投资方收缴" in recovery[1] and "县国土资源局负责土地方面的处置" in recovery[1]
    assert "县法制办负责投资方不缴纳时依法追索" in recovery[1] and "县委书记、县长决定核销" in recovery[1]
    none = report.read_docx(report.render_docx(PROJECT, ACCOUNTING, None, "用地合理。"))["paragraphs"]
    assert none[none.index("三、费用追缴") + 1] == "无需追缴费用。"


def test_a_table_cell_too_wide_for_its_column_wraps_instead_of_running_over():
    long_value = "1234567890123456789012345678901234567890.00"
    figures = [{**FIGURES[0], "value": long_value}, *FIGURES[1:]]
    text = pdf_text(report.render_pdf(PROJECT, {**ACCOUNTING, "figures": figures}, OWED, "用地合理。"))
    assert f"{long_value} 元" not in text.splitlines()  # broken over lines inside its cell
    assert f"{long_value} 元" in text.replace("\n", "")
    assert "实际固定资产投资 ÷ 实际用地（依据合同\n第三条）" in text  # the formula column wraps as before
