"""The assessment notice (考核通报) of the Leading Group as a 公文 (Word) and the assessment as an Excel workbook.

``notice(result, policy, number, day)`` says what the notice is — issuer, number, title, to whom, body, table,
signature, date, copies — as data; ``render_docx`` lays it out in the form of GB/T 9704 as far as a small renderer
goes (red issuer mark and line, 文号, title, 主送, body, the table, signature and date, 抄送).  The layout is meant
to be replaced by the platform's shared 公文 builder: only ``render_docx`` changes then.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Mapping, Sequence

from services.coordinator.scoring import INDICATOR_ZH, INDICATORS, MARK_ZH
from shared.policy import Policy
from shared.sheets import Table, workbook
from shared.units import quantize_money, yuan_to_wan
from shared.vocabulary import unit_name

HEADINGS = ["排名", "单位", "签约项目", "合同投资", "到位资金", "重点项目开工", "专题报告按时报送", "项目进展及时记录",
            "总分", "等次"]


@dataclass(frozen=True)
class Notice:
    issuer: str
    number: str
    title: str
    to: str
    paragraphs: Sequence[str]
    table: tuple[Sequence[str], Sequence[Sequence[str]]]
    closing: Sequence[str]
    signature: str
    day: date
    copy_to: str


def _hanzi_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rows(result: Mapping) -> list[list[str]]:
    return [[str(u["rank"]), unit_name(u["unit"]), *[u["scores"][k] for k in INDICATORS], u["total"],
             MARK_ZH[u["mark"]]] for u in result["units"]]


def notice(result: Mapping, policy: Policy, number: str, day: date) -> Notice:
    spec = policy.get("assessment")
    weights = "、".join(f"{INDICATOR_ZH[k]}{Decimal(result['weights'][k]).normalize()}分" for k in INDICATORS)
    marks = spec["marks"]
    red = [unit_name(u["unit"]) for u in result["units"] if u["mark"] == "red"]
    first = [unit_name(u["unit"]) for u in result["units"] if u["rank"] == 1]
    share = "" if Decimal(result["share"]) == 1 else f"（按年度目标的{Decimal(result['share']) * 100:.0f}%计）"
    paragraphs = [
        f"根据县招商引资目标考核办法，县招商引资工作领导小组办公室对各责任单位{result['label']}（截至"
        f"{_hanzi_date(date.fromisoformat(result['end']))}）招商引资目标任务完成情况进行了考核。现将考核结果通报如下：",
        "一、考核办法",
        f"考核满分100分，其中{weights}。签约项目、合同投资、到位资金按完成目标任务的比例计分{share}，超额完成的不加分；"
        f"重点项目开工、专题报告按时报送、项目进展及时记录按完成比例计分，当期无此项任务的得满分。总分{marks['green']}分以上为"
        f"绿色等次，{marks['yellow']}分以上不足{marks['green']}分为黄色等次，不足{marks['yellow']}分为红色等次。",
        "二、考核结果",
        f"{'、'.join(first) or '—'}得分最高，列第一名。各单位得分及等次见下表。",
    ]
    closing = ["三、有关要求"]
    if red:
        closing.append(f"{'、'.join(red)}被评为红色等次，要认真分析原因，于通报印发之日起15日内向县招商引资工作领导小组"
                       "书面报告整改措施。")
    closing.append("各单位要对照年度目标任务，查找差距，加快项目签约、开工和资金到位，按时报送专题报告，及时记录项目进展，"
                   "确保完成全年目标任务。")
    return Notice(spec["notice"]["issuer"], number, f"关于{result['label']}招商引资目标考核结果的通报",
                  spec["notice"]["to"], paragraphs, (HEADINGS, rows(result)), closing, spec["notice"]["issuer"], day,
                  spec["notice"]["copy_to"])


def document_number(policy: Policy, result: Mapping) -> str:
    """The notice's 文号: the policy's prefix, the year and the period (a quarter its number, the year 5)."""
    period = result["period"]
    seq = int(period[-1]) if "Q" in period else 5
    return f"{policy.get('assessment.notice.number_prefix')}〔{result['year']}〕{seq}号"


def render_docx(n: Notice) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "仿宋_GB2312", Pt(16)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")

    def paragraph(text: str, size: int = 16, bold: bool = False, align=None, font: str | None = None,
                  color: RGBColor | None = None, indent: bool = False):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(32)
        run = p.add_run(text)
        run.font.size, run.bold = Pt(size), bold
        if font:
            run.font.name = font
            run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
        if color is not None:
            run.font.color.rgb = color
        return p

    red = RGBColor(0xC0, 0x00, 0x00)
    paragraph(f"{n.issuer}文件", 26, True, WD_ALIGN_PARAGRAPH.CENTER, "方正小标宋简体", red)
    paragraph(n.number, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph("—" * 22, 12, align=WD_ALIGN_PARAGRAPH.CENTER, color=red)
    paragraph(n.title, 22, align=WD_ALIGN_PARAGRAPH.CENTER, font="方正小标宋简体")
    paragraph(f"{n.to}：")
    for text in n.paragraphs:
        heading = text[:2] in ("一、", "二、", "三、")
        paragraph(text, font="黑体" if heading else None, indent=True)
    headings, body = n.table
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, headings):
        cell.text = head
    for values in body:
        for cell, value in zip(table.add_row().cells, values):
            cell.text = value
    for text in n.closing:
        paragraph(text, font="黑体" if text[:2] in ("一、", "二、", "三、") else None, indent=True)
    paragraph("")
    paragraph(n.signature, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(_hanzi_date(n.day), align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph("")
    paragraph(f"抄送：{n.copy_to}。", 14)
    paragraph(f"{n.issuer}办公室　　　　{_hanzi_date(n.day)}印发", 14)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _wan(yuan) -> Decimal:
    return quantize_money(yuan_to_wan(Decimal(yuan)))


def render_xlsx(result: Mapping, policy: Policy) -> bytes:
    county = policy.get("county.county.name_zh")
    title = f"{county}{result['label']}招商引资目标考核结果"
    note = f"考核截至{_hanzi_date(date.fromisoformat(result['end']))}；金额单位：万元；等次：绿、黄、红"
    scores = Table("考核得分", title, note, HEADINGS, [[int(r[0]), r[1], *[Decimal(x) for x in r[2:9]], r[9]]
                                                      for r in rows(result)], widths={1: 18})
    detail = Table("完成情况", title, note, ["单位", "签约目标（个）", "已签约（个）", "合同投资目标", "合同投资",
                                           "到位资金目标", "到位资金", "重点项目（签约/开工）", "专题报告（应报/按时）",
                                           "在推进项目（个/及时记录）"],
                   [[unit_name(u["unit"]), Decimal(u["target"]["projects_signed"]), u["done"]["projects_signed"],
                     _wan(u["target"]["contracted_investment"]), _wan(u["done"]["contracted_investment"]),
                     _wan(u["target"]["funds_in_place"]), _wan(u["done"]["funds_in_place"]),
                     f"{u['figures']['key_projects_signed']}/{u['figures']['key_projects_started']}",
                     f"{u['figures']['special_reports_due']}/{u['figures']['special_reports_on_time']}",
                     f"{u['figures']['projects_carried_out']}/{u['figures']['progress_on_time']}"]
                    for u in result["units"]], money=(3, 4, 5, 6), widths={0: 18})
    return workbook([scores, detail])


def read_docx_text(data: bytes) -> list[str]:
    """Every paragraph and table cell of a Word document, in order (tests read the notice back)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
