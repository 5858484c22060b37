"""The periodic (monthly, quarterly) summary of all units' work for the Leading Group (R14), from
``targets.summary``: a report in 公文 form (``shared.gongwen``: Word and PDF, numbered by the Leading Group's
office) and an Excel workbook (openpyxl) with the same table.  Written in Chinese (official documents are)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Mapping

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.coordinator.ledger import state_name, unit_name
from services.coordinator.workbook import BORDER, WAN_FORMAT, sheet_heading
from shared import gongwen
from shared.gongwen import Attachment, Grid, Heading, OfficialDocument, chinese_date, routing
from shared.i18n import text
from shared.policy import Policy
from shared.spreadsheet import cell_value
from shared.units import quantize_money, yuan_to_wan

HEADINGS = (
    "责任单位",
    "新增线索（个）",
    "新签约项目（个）",
    "新签约投资（万元）",
    "新增到位资金（万元）",
    "在谈项目（个）",
    "预警项目（个）",
    "重点项目（个）",
    "年度签约目标（个）",
    "累计签约（个）",
    "完成率",
    "年度合同投资目标（万元）",
    "累计合同投资（万元）",
    "完成率",
    "年度到位资金目标（万元）",
    "累计到位资金（万元）",
    "完成率",
)
WAN_COLUMNS = {3, 4, 11, 12, 14, 15}  # 0-based positions holding 万元


def title(summary: Mapping, county: str) -> str:
    return f"{county}招商引资工作{summary['label']}汇总"


def document_title(summary: Mapping, county: str) -> str:
    return f"关于{summary['label']}{county}招商引资工作情况的报告"


def _wan(yuan) -> Decimal | None:
    return None if yuan is None else quantize_money(yuan_to_wan(yuan))


def _rate(rate) -> str:
    return f"{rate}%" if rate is not None else "—"


def _day(iso: str) -> str:
    return chinese_date(date.fromisoformat(iso), "arabic")


def table_rows(summary: Mapping, policy: Policy) -> list[list]:
    rows = []
    for line in summary["units"]:
        year = line["year"] or {
            "target": None,
            "done": {"projects_signed": 0, "contracted_investment": "0", "funds_in_place": "0"},
            "rate": {"projects_signed": None, "contracted_investment": None, "funds_in_place": None},
        }
        target = year["target"] or {}
        rows.append(
            [
                unit_name(line["unit"]),
                line["new_leads"],
                line["signed"],
                _wan(line["signed_investment"]),
                _wan(line["funds_in_place"]),
                line["negotiating"],
                line["red_flagged"],
                line["key_projects"],
                target.get("projects_signed"),
                year["done"]["projects_signed"],
                _rate(year["rate"]["projects_signed"]),
                _wan(target.get("contracted_investment")),
                _wan(year["done"]["contracted_investment"]),
                _rate(year["rate"]["contracted_investment"]),
                _wan(target.get("funds_in_place")),
                _wan(year["done"]["funds_in_place"]),
                _rate(year["rate"]["funds_in_place"]),
            ]
        )
    return rows


def overview(summary: Mapping, county: str = "全县") -> str:
    t = summary["totals"]
    return (
        f"{summary['label']}（{_day(summary['start'])}至{_day(summary['end'])}），全县新增招商线索{t['new_leads']}个，"
        f"新签约项目{t['signed']}个，合同投资{_wan(t['signed_investment']):,.2f}万元，"
        f"新增到位资金{_wan(t['funds_in_place']):,.2f}万元；"
        f"目前在谈项目{t['negotiating']}个，重点项目{t['key_projects']}个，预警项目{t['red_flagged']}个。"
        f"各责任单位工作情况及{summary['year']}年度目标完成情况见附件。"
    )


def _cell(value) -> str:
    return "" if value is None else (f"{value:,.2f}" if isinstance(value, Decimal) else str(value))


def unit_paragraphs(summary: Mapping) -> list[str]:
    """One sentence a unit: what it did in the period and where it stands against the year's targets."""
    out = []
    for line in summary["units"]:
        text = (
            f"{unit_name(line['unit'])}：新增线索{line['new_leads']}个，新签约项目{line['signed']}个"
            f"（合同投资{_wan(line['signed_investment']):,.2f}万元），新增到位资金{_wan(line['funds_in_place']):,.2f}万元，"
            f"在谈项目{line['negotiating']}个"
        )
        year = line["year"]
        if year and year["target"]:
            text += (
                f"；年度签约目标{year['target']['projects_signed']}个，已完成{year['done']['projects_signed']}个"
                f"（{_rate(year['rate']['projects_signed'])}）"
            )
        out.append(text + "。")
    return out


def key_project_paragraphs(summary: Mapping) -> list[str]:
    if not summary["key_projects"]:
        return ["本期无重点项目。"]
    out = []
    for item in summary["key_projects"]:
        flags = "；预警事项：" + "、".join(text(f, "zh-CN") for f in item["red_flags"]) if item["red_flags"] else ""
        out.append(
            f"{item['name']}（{item['ref']}，责任单位{unit_name(item['unit']) or '待定'}，联系县级领导"
            f"{item['liaison_leader'] or '未明确'}）：{state_name(item['state'], 'zh-CN')}{flags}。"
        )
    return out


def official_document(summary: Mapping, policy: Policy, county: str, number: str, signed_on: date) -> OfficialDocument:
    """The summary as a report (报告) of the Leading Group's office to the Leading Group, in 公文 form; the table of
    every unit's work and the year's completion is its attachment (landscape)."""
    route = routing(policy, "work_summary")
    body = [
        overview(summary),
        Heading("一、各责任单位工作情况"),
        *unit_paragraphs(summary),
        Heading("二、重点项目推进情况"),
        *key_project_paragraphs(summary),
        "特此报告。",
    ]
    table = Grid(
        HEADINGS,
        [[_cell(v) for v in row] for row in table_rows(summary, policy)],
        widths=(2.2,) + (1,) * (len(HEADINGS) - 1),
        numeric=frozenset(range(1, len(HEADINGS))),
        note="金额单位：万元",
    )
    attachment = Attachment(
        f"{summary['label']}各责任单位工作情况及{summary['year']}年度目标完成情况表", [table], landscape=True
    )
    return OfficialDocument(
        route.issuer,
        number,
        document_title(summary, county),
        route.to,
        body,
        signed_on,
        attachments=[attachment],
        cc=route.cc,
        numerals=route.numerals,
    )


def render_docx(summary: Mapping, policy: Policy, county: str, number: str, signed_on: date) -> bytes:
    return gongwen.render_docx(official_document(summary, policy, county, number, signed_on))


def render_pdf(summary: Mapping, policy: Policy, county: str, number: str, signed_on: date) -> bytes:
    return gongwen.render_pdf(official_document(summary, policy, county, number, signed_on))


def render_xlsx(summary: Mapping, policy: Policy, county: str, as_of: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "工作汇总"
    last = get_column_letter(len(HEADINGS))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = cell_value(title(summary, county))
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = cell_value(
        sheet_heading(policy, "work_summary", as_of, f"统计期间：{_day(summary['start'])}至{_day(summary['end'])}")
    )
    for i, head in enumerate(HEADINGS, 1):
        cell = ws.cell(row=3, column=i, value=cell_value(head))
        cell.font = Font(name="宋体", bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(i)].width = 16 if i == 1 else 12
    for r, values in enumerate(table_rows(summary, policy), 4):
        for i, value in enumerate(values):
            cell = ws.cell(row=r, column=i + 1, value=cell_value(value))
            cell.border = BORDER
            if i in WAN_COLUMNS:
                cell.number_format = WAN_FORMAT
    key = wb.create_sheet("重点项目")
    for i, head in enumerate(("项目编号", "项目名称", "责任单位", "联系县级领导", "当前状态", "预警事项"), 1):
        key.cell(row=1, column=i, value=cell_value(head)).font = Font(name="宋体", bold=True)
    for r, item in enumerate(summary["key_projects"], 2):
        for i, value in enumerate(
            (
                item["ref"],
                item["name"],
                unit_name(item["unit"]),
                item["liaison_leader"],
                state_name(item["state"], "zh-CN"),
                "；".join(text(f, "zh-CN") for f in item["red_flags"]),
            ),
            1,
        ):
            key.cell(row=r, column=i, value=cell_value(value))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_docx(data: bytes) -> dict:
    doc = Document(io.BytesIO(data))
    return {
        "paragraphs": [p.text for p in doc.paragraphs],
        "tables": [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables],
    }
