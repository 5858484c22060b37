"""The periodic (monthly, quarterly) summary of all units' work for the Leading Group (R14),
as a Word document (python-docx) and an Excel workbook (openpyxl), from ``targets.summary``."""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Mapping

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.coordinator.ledger import STATE_NAMES, unit_name
from services.coordinator.workbook import BORDER, WAN_FORMAT
from shared.policy import Policy
from shared.spreadsheet import cell_value
from shared.units import quantize_money, yuan_to_wan

HEADINGS = ("责任单位", "新增线索（个）", "新签约项目（个）", "新签约投资（万元）", "新增到位资金（万元）", "在谈项目（个）",
            "预警项目（个）", "重点项目（个）", "年度签约目标（个）", "累计签约（个）", "完成率",
            "年度合同投资目标（万元）", "累计合同投资（万元）", "完成率", "年度到位资金目标（万元）",
            "累计到位资金（万元）", "完成率")
WAN_COLUMNS = {3, 4, 11, 12, 14, 15}  # 0-based positions holding 万元


def title(summary: Mapping, county: str) -> str:
    return f"{county}招商引资工作{summary['label']}汇总"


def _wan(yuan) -> Decimal | None:
    return None if yuan is None else quantize_money(yuan_to_wan(yuan))


def _rate(rate) -> str:
    return f"{rate}%" if rate is not None else "—"


def table_rows(summary: Mapping, policy: Policy) -> list[list]:
    rows = []
    for line in summary["units"]:
        year = line["year"] or {"target": None, "done": {"projects_signed": 0, "contracted_investment": "0",
                                                          "funds_in_place": "0"},
                                "rate": {"projects_signed": None, "contracted_investment": None, "funds_in_place": None}}
        target = year["target"] or {}
        rows.append([
            unit_name(line["unit"], policy), line["new_leads"], line["signed"], _wan(line["signed_investment"]),
            _wan(line["funds_in_place"]), line["negotiating"], line["red_flagged"], line["key_projects"],
            target.get("projects_signed"), year["done"]["projects_signed"], _rate(year["rate"]["projects_signed"]),
            _wan(target.get("contracted_investment")), _wan(year["done"]["contracted_investment"]),
            _rate(year["rate"]["contracted_investment"]), _wan(target.get("funds_in_place")),
            _wan(year["done"]["funds_in_place"]), _rate(year["rate"]["funds_in_place"]),
        ])
    return rows


def overview(summary: Mapping) -> str:
    t = summary["totals"]
    return (f"{summary['label']}（{summary['start']}至{summary['end']}），全县新增招商线索{t['new_leads']}个，"
            f"新签约项目{t['signed']}个，合同投资{_wan(t['signed_investment']):,.2f}万元，"
            f"新增到位资金{_wan(t['funds_in_place']):,.2f}万元；"
            f"目前在谈项目{t['negotiating']}个，重点项目{t['key_projects']}个，预警项目{t['red_flagged']}个。"
            f"各责任单位工作情况及{summary['year']}年度目标完成情况如下。")


def render_docx(summary: Mapping, policy: Policy, county: str) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "SimSun", Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(title(summary, county), level=1)
    doc.add_paragraph("县招商引资工作领导小组：")
    doc.add_paragraph(overview(summary))
    doc.add_paragraph("一、各责任单位工作情况及年度目标完成情况")
    table = doc.add_table(rows=1, cols=len(HEADINGS))
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, HEADINGS):
        cell.text = head
    for values in table_rows(summary, policy):
        for cell, value in zip(table.add_row().cells, values):
            cell.text = "" if value is None else (f"{value:,.2f}" if isinstance(value, Decimal) else str(value))
    doc.add_paragraph("二、重点项目推进情况")
    if not summary["key_projects"]:
        doc.add_paragraph("本期无重点项目。")
    for item in summary["key_projects"]:
        flags = f"；预警：{'、'.join(item['red_flags'])}" if item["red_flags"] else ""
        doc.add_paragraph(f"{item['ref']} {item['name']}（{unit_name(item['unit'], policy) or '—'}，联系县级领导："
                          f"{item['liaison_leader'] or '未明确'}）：{STATE_NAMES.get(item['state'], item['state'])}{flags}")
    doc.add_paragraph("特此报告。")
    doc.add_paragraph("县招商引资工作领导小组办公室（县招商局）")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_xlsx(summary: Mapping, policy: Policy, county: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "工作汇总"
    last = get_column_letter(len(HEADINGS))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = cell_value(title(summary, county))
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = cell_value(f"统计期间：{summary['start']}至{summary['end']}　　金额单位：万元")
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
        for i, value in enumerate((item["ref"], item["name"], unit_name(item["unit"], policy), item["liaison_leader"],
                                   STATE_NAMES.get(item["state"], item["state"]), "；".join(item["red_flags"])), 1):
            key.cell(row=r, column=i, value=cell_value(value))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_docx(data: bytes) -> dict:
    doc = Document(io.BytesIO(data))
    return {"paragraphs": [p.text for p in doc.paragraphs],
            "tables": [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]}
