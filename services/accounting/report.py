"""The written accounting report to the county party committee and government (R12):
a Word document, and the same content as a PDF (reportlab, with its built-in Chinese font)."""
from __future__ import annotations

import io
from typing import Mapping
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from shared.docx_base import Skeleton, Skeletons, fillable, new_document, token

TITLE = "关于{name}项目投资核算情况的报告"
ADDRESSEE = "县委、县政府："
FIGURE_NAMES = {
    "actual_fixed_asset_investment": "实际固定资产投资", "land_used": "实际用地", "actual_intensity": "实际投资强度",
    "contracted_intensity": "合同约定投资强度", "reasonable_land": "合理用地", "excess_land": "超出合理用地",
    "delisting_price": "土地摘牌价", "fee_to_recover": "应追缴费用",
}
UNIT_NAMES = {"yuan": "元", "mu": "亩", "万元/亩": "万元/亩", "yuan/mu": "元/亩"}
ROLE_LINES = {"FIN": "县财政局负责向投资方收缴", "LAND": "县国土资源局负责土地方面的处置",
              "LEGAL": "县法制办负责投资方不缴纳时依法追索"}


def recovery_lines(receivable: Mapping | None) -> list[str]:
    """The fee once, as one amount owed by the investor, and who does what to recover it."""
    if receivable is None:
        return ["无需追缴费用。"]
    roles = "；".join(ROLE_LINES.get(r["unit"], r["unit"]) for r in receivable["roles"])
    return [f"应追缴费用 {receivable['amount']} 元，为投资方应缴纳的一笔款项。",
            f"{roles}。各单位登记的缴款合并计入这一笔款项，缴足即结清，超出部分不予登记；"
            f"确实无法追缴的余额，由县委书记、县长决定核销并说明理由。"]


def _lines(project: Mapping, accounting: Mapping, receivable: Mapping | None, opinion: str) -> dict:
    intro = (f"按照县招商引资工作机制，项目到达合同约定的建设期限后，由县招商局牵头，会同"
             f"{'、'.join(accounting['participants'][1:])}对{project['project_name']}（{project['ref']}，"
             f"投资方：{project['investor_name']}）进行了投资核算。现将核算情况报告如下：")
    rows = [(FIGURE_NAMES.get(f["name"], f["name"]), f"{f['value']} {UNIT_NAMES.get(f['unit'], f['unit'])}", f["formula"])
            for f in accounting["figures"]]
    recovery = recovery_lines(receivable)
    return {"title": TITLE.format(name=project["project_name"]), "intro": intro, "rows": rows, "opinion": opinion,
            "recovery": recovery, "closing": "特此报告。", "signature": "县招商引资工作领导小组办公室（县招商局）"}


def _setup(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "SimSun", Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def render_docx(project: Mapping, accounting: Mapping, receivable: Mapping | None, opinion: str) -> bytes:
    """The report as Word: python-docx's (``_compose_docx``), written from the skeleton of its shape (how many
    figures and recovery lines) when every text is plain (``shared.docx_base``)."""
    text = _lines(project, accounting, receivable, opinion)
    values = _flat(text)
    if all(map(fillable, values.values())):
        shape = (len(text["rows"]), len(text["recovery"]))
        return _SKELETONS.get(shape, lambda: Skeleton(_compose_docx(_tokens(text)))).fill(values)
    return _compose_docx(text)


_SKELETONS = Skeletons()


def _flat(text: Mapping) -> dict[str, str]:
    """The report's texts by name: ``title``, …, ``rows.<i>.<j>`` (a figure's cell), ``recovery.<i>``."""
    flat = {}
    for key, value in text.items():
        if key == "rows":
            flat.update({f"rows.{i}.{j}": cell for i, row in enumerate(value) for j, cell in enumerate(row)})
        elif key == "recovery":
            flat.update({f"recovery.{i}": line for i, line in enumerate(value)})
        else:
            flat[key] = value
    return flat


def _tokens(text: Mapping) -> dict:
    """``text`` in its shape with the token of each text in its place (``_flat``'s names)."""
    tokens = {key: token(key) for key in text}
    tokens["rows"] = [tuple(token(f"rows.{i}.{j}") for j in range(len(row))) for i, row in enumerate(text["rows"])]
    tokens["recovery"] = [token(f"recovery.{i}") for i in range(len(text["recovery"]))]
    return tokens


def _compose_docx(text: Mapping) -> bytes:
    doc = new_document("accounting-report", _setup, ("Normal", "Heading 1", "Table Grid"))
    doc.add_heading(text["title"], level=1)
    doc.add_paragraph(ADDRESSEE)
    doc.add_paragraph(text["intro"])
    doc.add_paragraph("一、核算结果")
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, ("项目", "数值", "计算方法及依据")):
        cell.text = head
    for row in text["rows"]:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = value
    doc.add_paragraph("二、用地情况意见")
    doc.add_paragraph(text["opinion"])
    doc.add_paragraph("三、费用追缴")
    for line in text["recovery"]:
        doc.add_paragraph(line)
    doc.add_paragraph(text["closing"])
    doc.add_paragraph(text["signature"])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def pdf_font() -> str:
    """A Chinese font embedded in the PDF (Debian's fonts-wqy-microhei, a TrueType collection) so every
    viewer shows it; without one, reportlab's built-in STSong-Light, which viewers must supply themselves."""
    import os

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    for path in filter(None, (os.environ.get("ZS_PDF_FONT"), *CJK_FONTS)):
        if os.path.isfile(path):
            if "ZhaoshangCJK" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("ZhaoshangCJK", path, subfontIndex=0))
            return "ZhaoshangCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def render_pdf(project: Mapping, accounting: Mapping, receivable: Mapping | None, opinion: str) -> bytes:
    """The report as PDF.  Every text is escaped for reportlab's paragraph markup (an ``&`` or a ``<`` in a
    project's name or an opinion is text); a table cell that fits its column on one line is drawn as plain
    text, the others as a paragraph that wraps (a paragraph costs its markup's parse and its line breaking:
    two thirds of the cells fit, docs/PERFORMANCE.md)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=24, alignment=1)
    text = _lines(project, accounting, receivable, opinion)

    def para(line: str, style=body):
        return Paragraph(escape(line), style)

    def cell(line: str, width: float):
        fits = "\n" not in line and stringWidth(line, font, body.fontSize) <= width - 2 * _CELL_PADDING
        return line if fits else para(line)

    widths = (110, 130, 220)
    story = [para(text["title"], head), Spacer(1, 12), para(ADDRESSEE), para(text["intro"]), Spacer(1, 8),
             para("一、核算结果")]
    table = Table([[cell(c, w) for c, w in zip(row, widths)]
                   for row in [("项目", "数值", "计算方法及依据"), *text["rows"]]], colWidths=widths)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"),
                               ("FONT", (0, 0), (-1, -1), font, body.fontSize, body.leading),
                               ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
                               ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING)]))
    story += [table, Spacer(1, 8), para("二、用地情况意见"), para(text["opinion"]), para("三、费用追缴")]
    story += [para(line) for line in text["recovery"]]
    story += [Spacer(1, 8), para(text["closing"]), para(text["signature"])]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=text["title"]).build(story)
    return out.getvalue()


_CELL_PADDING = 6  # points left and right of a table cell's text (reportlab's default)


def read_docx(data: bytes) -> dict:
    doc = Document(io.BytesIO(data))
    return {"paragraphs": [p.text for p in doc.paragraphs],
            "tables": [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]}
