"""The written accounting report to the county party committee and government (R12):
a Word document, and the same content as a PDF (reportlab, with its built-in Chinese font)."""
from __future__ import annotations

import io
from typing import Mapping

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
TASK_STATUS = {"open": "进行中", "settled": "已办结", "waived": "经批准免于追缴"}


def _lines(project: Mapping, accounting: Mapping, tasks: list[Mapping], opinion: str) -> dict:
    intro = (f"按照县招商引资工作机制，项目到达合同约定的建设期限后，由县招商局牵头，会同"
             f"{'、'.join(accounting['participants'][1:])}对{project['project_name']}（{project['ref']}，"
             f"投资方：{project['investor_name']}）进行了投资核算。现将核算情况报告如下：")
    rows = [(FIGURE_NAMES.get(f["name"], f["name"]), f"{f['value']} {UNIT_NAMES.get(f['unit'], f['unit'])}", f["formula"])
            for f in accounting["figures"]]
    recovery = ([f"{t['unit']}：应追缴 {t['amount_due']} 元，已追缴 {t['amount_recovered']} 元，{TASK_STATUS[t['status']]}"
                 for t in tasks] or ["无需追缴费用。"])
    return {"title": TITLE.format(name=project["project_name"]), "intro": intro, "rows": rows, "opinion": opinion,
            "recovery": recovery, "closing": "特此报告。", "signature": "县招商引资工作领导小组办公室（县招商局）"}


def _setup(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "SimSun", Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def render_docx(project: Mapping, accounting: Mapping, tasks: list[Mapping], opinion: str) -> bytes:
    """The report as Word: python-docx's (``_compose_docx``), written from the skeleton of its shape (how many
    figures and recovery lines) when every text is plain (``shared.docx_base``)."""
    text = _lines(project, accounting, tasks, opinion)
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
    return {key: ([tuple(token(f"rows.{i}.{j}") for j in range(len(row))) for i, row in enumerate(value)]
                  if key == "rows" else [token(f"recovery.{i}") for i in range(len(value))]
                  if key == "recovery" else token(key)) for key, value in text.items()}


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


def render_pdf(project: Mapping, accounting: Mapping, tasks: list[Mapping], opinion: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("body", fontName=pdf_font(), fontSize=11, leading=17, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=24, alignment=1)
    text = _lines(project, accounting, tasks, opinion)
    story = [Paragraph(text["title"], head), Spacer(1, 12), Paragraph(ADDRESSEE, body), Paragraph(text["intro"], body),
             Spacer(1, 8), Paragraph("一、核算结果", body)]
    table = Table([[Paragraph(c, body) for c in ("项目", "数值", "计算方法及依据")]]
                  + [[Paragraph(c, body) for c in row] for row in text["rows"]], colWidths=[110, 130, 220])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    story += [table, Spacer(1, 8), Paragraph("二、用地情况意见", body), Paragraph(text["opinion"], body),
              Paragraph("三、费用追缴", body)] + [Paragraph(line, body) for line in text["recovery"]]
    story += [Spacer(1, 8), Paragraph(text["closing"], body), Paragraph(text["signature"], body)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=text["title"]).build(story)
    return out.getvalue()


def read_docx(data: bytes) -> dict:
    doc = Document(io.BytesIO(data))
    return {"paragraphs": [p.text for p in doc.paragraphs],
            "tables": [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]}
