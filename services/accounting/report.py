"""The written accounting report to the county party committee and government (R12), a 公文 laid out by the
platform's builder (``shared.gongwen``: Word and PDF in GB/T 9704 form, the 文号 allocated once in accounting's own
``document_numbers``).  Written in Chinese, as official documents are; amounts in 万元, exact.

``document(project, accounting, receivable, opinion, number, routing, policy)`` says what the report is — issuer,
number, to whom, title, body with the figures' table, signature, date, copies — and ``render_docx`` /
``render_pdf`` lay it out.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Mapping

from docx import Document

from shared import gongwen
from shared.gongwen import Grid, Heading, OfficialDocument
from shared.i18n import text
from shared.units import quantize_intensity, quantize_land, yuan_to_wan
from shared.vocabulary import position_name, unit_name

FIGURE_NAMES = {
    "actual_fixed_asset_investment": "实际固定资产投资",
    "land_used": "实际用地",
    "actual_intensity": "实际投资强度",
    "contracted_intensity": "合同约定投资强度",
    "reasonable_land": "合理用地",
    "excess_land": "超出合理用地",
    "delisting_price": "土地摘牌价",
    "fee_to_recover": "应追缴费用",
}
HEADINGS = ("项目", "数值", "计算方法及依据")
ROLE_LINES = {
    "FIN": "{unit}负责向投资方收缴",
    "LAND": "{unit}负责土地方面的处置",
    "LEGAL": "{unit}负责投资方不缴纳时依法追索",
}
ZH = "zh-CN"


def wan(yuan) -> str:
    """An amount of yuan in 万元, exact: 9,000.00 万元; 8.123456 万元 where the yuan are not whole hundreds."""
    amount = yuan_to_wan(Decimal(str(yuan)))
    shown = amount.quantize(Decimal("0.01")) if amount == amount.quantize(Decimal("0.01")) else amount.normalize()
    return f"{shown:,f}万元"


def value_text(figure: Mapping) -> str:
    """A figure's value in the county's units: money in 万元, land in 亩, intensity in 万元/亩."""
    value, unit = figure["value"], figure["unit"]
    if unit == "yuan":
        return wan(value)
    if unit == "yuan/mu":
        return f"{wan(value)}/亩"
    if unit == "mu":
        return f"{quantize_land(value):,f}亩"
    if unit == "万元/亩":
        return f"{quantize_intensity(value):,f}万元/亩"
    return f"{value} {unit}"


def title(project: Mapping) -> str:
    name = project["project_name"]
    return f"关于{name}{'' if name.endswith('项目') else '项目'}投资核算情况的报告"


def recovery_lines(receivable: Mapping | None, principals: list[str]) -> list[str]:
    """The fee once, as one amount owed by the investor, and who does what to recover it."""
    if receivable is None:
        return ["经核算，项目实际用地未超出合理用地，无需追缴费用。"]
    roles = "；".join(
        ROLE_LINES.get(r["unit"], "{unit}").format(unit=unit_name(r["unit"], ZH)) for r in receivable["roles"]
    )
    deciders = "、".join(position_name(p, ZH) for p in principals)
    return [
        f"应追缴费用{wan(receivable['amount'])}，为投资方应缴纳的一笔款项。",
        f"{roles}。各单位登记的缴款合并计入这一笔款项，缴足即结清，超出部分不予登记；确实无法追缴的余额，"
        f"由{deciders}决定核销并说明理由。",
    ]


def document(
    project: Mapping,
    accounting: Mapping,
    receivable: Mapping | None,
    opinion,
    number: gongwen.Number,
    routing: gongwen.Routing,
    principals: list[str],
) -> OfficialDocument:
    """The report as a 公文 (``number`` from ``gongwen.allocate``, issuer, 主送 and 抄送 from ``routing``)."""
    units = "、".join(unit_name(u, ZH) for u in accounting["participants"] if u != "IPB")
    figures = {f["name"]: f for f in accounting["figures"]}
    intro = (
        f"按照县招商引资工作机制，{project['project_name']}（项目编号{project['ref']}，投资方{project['investor_name']}）"
        f"已到达合同约定的建设期限。{unit_name('IPB', ZH)}牵头，会同{units}对该项目进行了投资核算。"
        f"现将核算情况报告如下："
    )
    found = ""
    if "actual_fixed_asset_investment" in figures and "land_used" in figures:
        found = (
            f"经{unit_name('AUDIT', ZH)}审计，项目实际完成固定资产投资"
            f"{value_text(figures['actual_fixed_asset_investment'])}；经{unit_name('LAND', ZH)}测量，实际用地"
            f"{value_text(figures['land_used'])}。各项核算结果及计算方法见下表。"
        )
    rows = [
        (FIGURE_NAMES.get(f["name"], f["name"]), value_text(f), text(f["formula"], ZH)) for f in accounting["figures"]
    ]
    body = [
        intro,
        gongwen.Heading("一、核算结果"),
        *([found] if found else []),
        Grid(HEADINGS, rows, widths=(3, 3, 5), numeric=frozenset({1})),
        Heading("二、用地情况意见"),
        text(opinion, ZH),
        Heading("三、费用追缴"),
        *recovery_lines(receivable, principals),
        "特此报告。",
    ]
    return OfficialDocument(
        routing.issuer,
        number.text,
        title(project),
        routing.to,
        body,
        number.issued_on,
        cc=routing.cc,
        numerals=routing.numerals,
    )


def render_docx(report: OfficialDocument) -> bytes:
    return gongwen.render_docx(report)


def render_pdf(report: OfficialDocument) -> bytes:
    return gongwen.render_pdf(report)


def read_docx(data: bytes) -> dict:
    doc = Document(io.BytesIO(data))
    return {
        "paragraphs": [p.text for p in doc.paragraphs],
        "tables": [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables],
    }
