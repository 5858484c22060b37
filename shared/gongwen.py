"""Official documents (公文) in the form GB/T 9704-2012 (党政机关公文格式) gives them, as Word and as PDF.

One builder for every document the platform issues (the periodic work summary, the investment accounting
report, the special reports, …): a service fills an ``OfficialDocument`` — who issues it, its number, to whom,
its title, body, attachments, date and copies — and ``render_docx`` / ``render_pdf`` lay it out:

* 版心 156 mm × 225 mm on A4 (top margin 37 mm, left 28 mm), body in 3号 (16 pt) 仿宋, 22 lines a page;
* 发文机关标志 in red 小标宋, centred, 35 mm below the top of the 版心; 发文字号 (县招商〔2026〕12号) two lines
  below it, centred; a red line across the 版心 under it;
* the title in 2号 (22 pt) 小标宋, centred; 主送机关 flush left with a full-width colon;
* the body: paragraphs indented two characters, headings of the first level (一、) in 黑体, of the second
  (（一）) in 楷体;
* 附件说明 (附件：1. …) after the body; 发文机关署名 and 成文日期 at the right (no seal: the date two characters
  from the right edge, the issuer's first character two characters left of the date's);
* each attachment on a page of its own (a wide table on landscape pages), ``附件1`` at the top left in 黑体;
* 版记 at the foot of the last page: 抄送 in 4号 仿宋, 印发机关 and 印发日期, between black lines;
* page numbers ``— 1 —`` in 4号 宋体 7 mm below the 版心, odd pages at the right, even pages at the left.

Fonts.  GB/T 9704 names 仿宋_GB2312 (body), 小标宋 (titles), 黑体 and 楷体 (headings): commercial fonts a county
office's computers have, so the Word document names them (``DOCX_FONTS``) and Word or WPS shows them there.  The
PDF embeds free fonts from Debian packages (``PDF_FONTS``; ``./zs`` installs them): no free 仿宋 covers
Simplified Chinese (cwTeX 仿宋 lacks most simplified characters), so the body is AR PL UKai CN (楷体, the
closest hand in a free font), titles AR PL UMing CN (明体, the free 宋 face) drawn a little heavier as 小标宋
is, headings WenQuanYi Micro Hei (黑体).

Numbers.  A document's 文号 is numbered per issuing unit and year, and kept in the issuing service's own
database (``numbers_table``): ``allocate`` gives the document for a ``subject`` (``work_summary:2026-11``) the
same number and date however often it is asked for again, so a retried or repeated request issues no second
number.  The issuers, their marks and number prefixes, and what each kind of document is sent to and copied
to are policy (``documents.official_documents``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError

from shared.docx_base import Skeleton, Skeletons, fillable, token
from shared.errors import Conflict
from shared.i18n import _

# -- the document --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """一、… (level 1, 黑体) or （一）… (level 2, 楷体): the text with its number."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Grid:
    """A table: headings, rows of cells (text), relative column widths; numbers right-aligned."""

    headings: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] = ()
    numeric: frozenset[int] = frozenset()
    note: str | None = None  # above the table, at the right: 金额单位：万元


Block = str | Heading | Grid
"""A paragraph of the body (a plain string), a heading or a table."""


@dataclass(frozen=True)
class Attachment:
    title: str
    blocks: Sequence[Block]
    landscape: bool = False


@dataclass(frozen=True)
class Issuer:
    """A unit that issues documents: its mark (发文机关标志), its name as it signs (署名), its number prefix
    (县招商 → 县招商〔2026〕12号) and who prints (印发机关)."""

    unit: str
    mark: str
    signature: str
    prefix: str
    printer: str


@dataclass(frozen=True)
class OfficialDocument:
    issuer: Issuer
    number: str
    title: str
    to: Sequence[str]
    body: Sequence[Block]
    signed_on: date
    attachments: Sequence[Attachment] = ()
    cc: Sequence[str] = ()
    printed_on: date | None = None
    note: str | None = None  # 附注: （此件公开发布）
    numerals: str = "hanzi"  # 成文日期: hanzi (二〇二六年十二月六日) or arabic (2026年12月6日)

    @property
    def date_text(self) -> str:
        return chinese_date(self.signed_on, self.numerals)


HANZI_DIGITS = "〇一二三四五六七八九"


def _hanzi_number(n: int) -> str:
    """1..31 as a date writes it: 一, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return HANZI_DIGITS[ones]
    return ("" if tens == 1 else HANZI_DIGITS[tens]) + "十" + (HANZI_DIGITS[ones] if ones else "")


def chinese_date(day: date, numerals: str = "hanzi") -> str:
    """二〇二六年十二月六日 (``hanzi``) or 2026年12月6日 (``arabic``, as GB/T 9704-2012 §7.3.5.1 writes it)."""
    if numerals == "arabic":
        return f"{day.year}年{day.month}月{day.day}日"
    year = "".join(HANZI_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_hanzi_number(day.month)}月{_hanzi_number(day.day)}日"


def document_number(prefix: str, year: int, seq: int) -> str:
    """县招商〔2026〕12号: the year in 六角括号, the number without leading zeros."""
    return f"{prefix}〔{year}〕{seq}号"


def attachment_line(attachments: Sequence[Attachment]) -> list[str]:
    """附件说明: 附件：xx, or 附件：1. xx / 2. xx, one a line."""
    if not attachments:
        return []
    if len(attachments) == 1:
        return [f"附件：{attachments[0].title}"]
    return [("附件：" if i == 1 else "　　　") + f"{i}. {a.title}" for i, a in enumerate(attachments, 1)]


# -- the policy: issuers and where each kind of document goes ------------------------------------------------------


@dataclass(frozen=True)
class Routing:
    issuer: Issuer
    to: tuple[str, ...]
    cc: tuple[str, ...]
    numerals: str


def routing(policy, kind: str, unit: str | None = None) -> Routing:
    """Who issues a document of ``kind`` (``work_summary``, ``accounting_report``, ``special_report``), to whom
    it goes and who gets a copy (policy ``documents.official_documents``); ``unit`` issues it when the kind
    says ``issuer: "{unit}"`` (a park's or a town's special report)."""
    config = policy.get("documents.official_documents")
    spec = config["kinds"][kind]
    code = spec["issuer"].format(unit=unit or "")
    entry = config["issuers"][code]
    issuer = Issuer(
        code, entry["mark"], entry["signature"], entry["prefix"], entry.get("printer") or entry["signature"]
    )
    return Routing(
        issuer, tuple(spec.get("to") or ()), tuple(spec.get("cc") or ()), config.get("date_numerals", "hanzi")
    )


# -- the numbers: kept in the issuing service's database --------------------------------------------------------------


def numbers_table(metadata: MetaData) -> Table:
    """发文字号 issued: one row per document (issuer, year, number), found again by its subject."""
    return Table(
        "document_numbers",
        metadata,
        Column("issuer", String(40), primary_key=True),
        Column("year", Integer, primary_key=True),
        Column("seq", Integer, primary_key=True),
        Column("subject", String(200), nullable=False),
        Column("number", String(80), nullable=False),
        Column("issued_on", Date, nullable=False),
        UniqueConstraint("issuer", "subject", name="uq_document_numbers_subject"),
    )


@dataclass(frozen=True)
class Number:
    text: str
    seq: int
    issued_on: date


def allocate(session, table: Table, issuer: Issuer, subject: str, today: date) -> Number:
    """The number of the document on ``subject``: the one it was given, else the issuer's next of the year.
    Two requests at once: one inserts, the other's insert conflicts and it reads the winner's number (or, for two
    subjects racing for the same number, gets a Conflict to retry)."""
    found = session.execute(select(table).where(table.c.issuer == issuer.unit, table.c.subject == subject)).first()
    if found is not None:
        return Number(found.number, found.seq, found.issued_on)
    last = session.execute(
        select(func.max(table.c.seq)).where(table.c.issuer == issuer.unit, table.c.year == today.year)
    ).scalar()
    seq = (last or 0) + 1
    number = document_number(issuer.prefix, today.year, seq)
    try:
        with session.begin_nested():
            session.execute(
                table.insert().values(
                    issuer=issuer.unit, year=today.year, seq=seq, subject=subject, number=number, issued_on=today
                )
            )
    except IntegrityError:
        raise Conflict(
            _("another document took the number {number} at the same moment; try again", number=number),
            {"number": [number]},
        ) from None
    return Number(number, seq, today)


# -- Word ----------------------------------------------------------------------------------------------------------

DOCX_FONTS = {
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "h1": "黑体",
    "h2": "楷体_GB2312",
    "page": "宋体",
    "latin": "Times New Roman",
}
"""GB/T 9704's fonts as a county office's Word or WPS knows them."""

BODY_PT, TITLE_PT, MARK_PT, NOTE_PT, TABLE_PT = 16, 22, 42, 14, 10.5
TEXT_WIDTH_PT = 156 * 72 / 25.4


def mark_size(mark: str) -> float:
    """The 发文机关标志's size: as large as ``MARK_PT``, smaller for a long name so it stays on one line."""
    return min(MARK_PT, round(TEXT_WIDTH_PT * 0.96 / max(1, len(mark)), 1))


LINE_PT = 28.95  # 22 lines in 225 mm
RED = "FF0000"
MM = 72 / 25.4


@dataclass(frozen=True)
class _Layout:
    """What the Word layout computes from a document's texts (sizes, indents) and the texts made from its dates."""

    mark_pt: float
    signature_indent: float
    date_indent: float
    date_text: str
    printed_text: str


def _layout(document: OfficialDocument) -> _Layout:
    signature_indent, date_indent = _signature_indents(document.issuer.signature, document.date_text)
    printed = document.printed_on or document.signed_on
    return _Layout(
        mark_size(document.issuer.mark),
        signature_indent,
        date_indent,
        document.date_text,
        f"{printed.year}年{printed.month}月{printed.day}日印发",
    )


_SKELETONS = Skeletons()


def render_docx(document: OfficialDocument) -> bytes:
    """The document as Word.  python-docx composes one document of each shape (its blocks, tables and rows, the
    sizes its texts give) with tokens for its texts, once; each document of that shape is that skeleton filled
    (``shared.docx_base``: the very parts python-docx writes, without its object model's cost).  A text python-docx
    writes otherwise than as plain text (a line break, surrounding spaces) is composed by python-docx itself."""
    layout = _layout(document)
    shape, shaped_layout, values = _tokenized(document, layout)
    if not all(map(fillable, values.values())):
        return _compose_docx(document, layout)
    key = (repr(shape), layout.mark_pt, layout.signature_indent, layout.date_indent)
    return _SKELETONS.get(key, lambda: Skeleton(_compose_docx(shape, shaped_layout))).fill(values)


def _tokenized(document: OfficialDocument, layout: _Layout) -> tuple[OfficialDocument, _Layout, dict[str, str]]:
    """The document with a token in place of each of its texts (named by where it stands), the layout likewise,
    and the texts by name."""
    values: dict[str, str] = {}

    def say(name: str, value: str) -> str:
        values[name] = value
        return token(name)

    def blocks(prefix: str, items: Sequence[Block]) -> list:
        out = []
        for i, block in enumerate(items):
            name = f"{prefix}.{i}"
            if isinstance(block, Heading):
                out.append(Heading(say(name, block.text), block.level))
            elif isinstance(block, Grid):
                out.append(
                    Grid(
                        [say(f"{name}.h{j}", h) for j, h in enumerate(block.headings)],
                        [
                            [say(f"{name}.r{r}.c{c}", str(v)) for c, v in enumerate(row)]
                            for r, row in enumerate(block.rows)
                        ],
                        tuple(block.widths),
                        block.numeric,
                        block.note and say(f"{name}.note", block.note),
                    )
                )
            else:
                out.append(say(name, block))
        return out

    issuer = document.issuer
    shape = OfficialDocument(
        Issuer(
            issuer.unit,
            say("mark", issuer.mark),
            say("signature", issuer.signature),
            "",
            say("printer", issuer.printer),
        ),
        say("number", document.number),
        say("title", document.title),
        [say(f"to.{i}", t) for i, t in enumerate(document.to)],
        blocks("body", document.body),
        date(2000, 1, 1),
        [
            Attachment(say(f"attachment.{i}", a.title), blocks(f"attachment.{i}", a.blocks), a.landscape)
            for i, a in enumerate(document.attachments)
        ],
        [say(f"cc.{i}", c) for i, c in enumerate(document.cc)],
        None,
        document.note and say("note", document.note),
    )
    shaped = _Layout(
        layout.mark_pt,
        layout.signature_indent,
        layout.date_indent,
        say("date", layout.date_text),
        say("printed", layout.printed_text),
    )
    return shape, shaped, values


def _compose_docx(document: OfficialDocument, layout: _Layout) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    doc.settings.odd_and_even_pages_header_footer = True
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.font.name = DOCX_FONTS["latin"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONTS["body"])
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)

    def page(section, landscape: bool = False) -> None:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        if landscape:
            section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
                Mm(28),
                Mm(26),
                Mm(37),
                Mm(35),
            )
        else:
            section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
                Mm(37),
                Mm(35),
                Mm(28),
                Mm(26),
            )
        section.footer_distance = Mm(21) if not landscape else Mm(14)
        for footer, align, indent in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
        ):
            footer.is_linked_to_previous = False
            par = footer.paragraphs[0]
            par.alignment = align
            setattr(par.paragraph_format, f"{indent}_indent", Pt(NOTE_PT))
            run(par, "— ", "page", NOTE_PT)
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), "PAGE")
            inner = OxmlElement("w:r")
            props = OxmlElement("w:rPr")
            size = OxmlElement("w:sz")
            size.set(qn("w:val"), str(NOTE_PT * 2))
            props.append(size)
            inner.append(props)
            number = OxmlElement("w:t")
            number.text = "1"
            inner.append(number)
            field.append(inner)
            par._p.append(field)
            run(par, " —", "page", NOTE_PT)

    def run(par, text: str, font: str, size: float, bold: bool = False, color: str | None = None):
        r = par.add_run(text)
        r.font.size = Pt(size)
        r.font.bold = bold
        r.font.name = DOCX_FONTS["latin"]
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONTS[font])
        if color:
            r.font.color.rgb = RGBColor.from_string(color)
        return r

    def paragraph(
        text: str = "",
        font: str = "body",
        size: float = BODY_PT,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent_chars: float = 0,
        **style,
    ):
        par = doc.add_paragraph()
        par.alignment = align
        if indent_chars:
            par.paragraph_format.first_line_indent = Pt(size * indent_chars)
        for key, value in style.items():
            setattr(par.paragraph_format, key, value)
        if text:
            run(par, text, font, size, bold=font == "title")
        return par

    def border(par, side: str, color: str, eighths: int) -> None:
        props = par._p.get_or_add_pPr()
        borders = props.find(qn("w:pBdr"))
        if borders is None:
            borders = OxmlElement("w:pBdr")
            props.append(borders)
        line = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", str(eighths)), ("space", "1"), ("color", color)):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)

    def blocks(items: Sequence[Block]) -> None:
        for block in items:
            if isinstance(block, Heading):
                paragraph(block.text, "h1" if block.level == 1 else "h2", indent_chars=2)
            elif isinstance(block, Grid):
                grid(block)
            else:
                paragraph(block, indent_chars=2)

    def grid(block: Grid) -> None:
        if block.note:
            paragraph(block.note, size=NOTE_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
        table = doc.add_table(rows=1, cols=len(block.headings))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, (cell, head) in enumerate(zip(table.rows[0].cells, block.headings)):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _cell(cell, head, "h1", i)
        for values in block.rows:
            for i, (cell, value) in enumerate(zip(table.add_row().cells, values)):
                cell.paragraphs[0].alignment = (
                    WD_ALIGN_PARAGRAPH.RIGHT if i in block.numeric else WD_ALIGN_PARAGRAPH.LEFT
                )
                _cell(cell, value, "body", i)

    def _cell(cell, text: str, font: str, i: int) -> None:
        par = cell.paragraphs[0]
        par.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        run(par, str(text), font, TABLE_PT)

    section = doc.sections[0]
    page(section)
    size = layout.mark_pt
    mark = paragraph(
        document.issuer.mark,
        "title",
        size,
        WD_ALIGN_PARAGRAPH.CENTER,
        space_before=Mm(35) - Pt(size),
        line_spacing_rule=WD_LINE_SPACING.SINGLE,
    )
    for r in mark.runs:
        r.font.color.rgb = RGBColor.from_string(RED)
    paragraph()
    paragraph()
    number = paragraph(document.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    border(number, "bottom", RED, 12)
    paragraph()
    paragraph(document.title, "title", TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER)
    paragraph()
    if document.to:
        paragraph("、".join(document.to) + "：", align=WD_ALIGN_PARAGRAPH.LEFT)
    blocks(document.body)
    doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the signature is never on a page of its own
    lines = attachment_line(document.attachments)
    if lines:
        paragraph(keep_with_next=True)
        for line in lines:
            paragraph(line, indent_chars=2, align=WD_ALIGN_PARAGRAPH.LEFT, keep_with_next=True)
    paragraph(keep_with_next=True)
    paragraph(
        document.issuer.signature,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        right_indent=Pt(layout.signature_indent),
        keep_with_next=True,
    )
    paragraph(layout.date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=Pt(layout.date_indent))
    if document.note:
        paragraph(document.note, indent_chars=2, align=WD_ALIGN_PARAGRAPH.LEFT)
    for i, attachment in enumerate(document.attachments, 1):
        new = doc.add_section(WD_SECTION.NEW_PAGE)
        page(new, attachment.landscape)
        label = f"附件{i}" if len(document.attachments) > 1 else "附件"
        paragraph(label, "h1", align=WD_ALIGN_PARAGRAPH.LEFT)
        paragraph()
        paragraph(attachment.title, "title", TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER)
        paragraph()
        blocks(attachment.blocks)
    _docx_imprint(doc, document, layout, run, OxmlElement, qn, Pt, WD_ALIGN_PARAGRAPH)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_imprint(
    doc, document: OfficialDocument, layout: _Layout, run, OxmlElement, qn, Pt, WD_ALIGN_PARAGRAPH
) -> None:
    """版记: a one-column table anchored at the foot of the last page's text area (Word and WPS keep a floating
    table there), 抄送 and 印发 between black lines (0.35 mm outside, 0.25 mm between)."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    table = doc.add_table(rows=0, cols=1)
    props = table._tbl.tblPr
    position = OxmlElement("w:tblpPr")
    for key, value in (
        ("vertAnchor", "margin"),
        ("horzAnchor", "margin"),
        ("tblpYSpec", "bottom"),
        ("tblpXSpec", "center"),
    ):
        position.set(qn(f"w:{key}"), value)
    style = props.find(qn("w:tblStyle"))
    if style is not None:  # the schema's order: tblStyle, then tblpPr
        style.addnext(position)
    else:
        props.insert(0, position)
    rows = []
    if document.cc:
        rows.append(("抄送：" + "，".join(document.cc) + "。", None))
    rows.append((document.issuer.printer, layout.printed_text))
    width = doc.sections[-1].page_width - doc.sections[-1].left_margin - doc.sections[-1].right_margin
    for i, (left, right) in enumerate(rows):
        cell = table.add_row().cells[0]
        cell.width = width
        par = cell.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.LEFT
        par.paragraph_format.left_indent = Pt(NOTE_PT)
        par.paragraph_format.right_indent = Pt(NOTE_PT)
        run(par, left, "body", NOTE_PT)
        if right:
            par.paragraph_format.tab_stops.add_tab_stop(width - Pt(2 * NOTE_PT), WD_TAB_ALIGNMENT.RIGHT)
            run(par, "\t" + right, "body", NOTE_PT)
        cell_props = cell._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        for side, eighths in (("top", 8 if i == 0 else 6), ("bottom", 8 if i == len(rows) - 1 else 6)):
            line = OxmlElement(f"w:{side}")
            for key, value in (("val", "single"), ("sz", str(eighths)), ("space", "0"), ("color", "000000")):
                line.set(qn(f"w:{key}"), value)
            borders.append(line)
        for side in ("left", "right"):
            line = OxmlElement(f"w:{side}")
            line.set(qn("w:val"), "nil")
            borders.append(line)
        cell_props.append(borders)
    doc.add_paragraph()  # a document ends with a paragraph (Word's rule), after the floating table


def _signature_indents(signature: str, date_text: str) -> tuple[float, float]:
    """Right indents (pt) of 署名 and 成文日期 without a seal: the date two characters from the right edge, the
    issuer's first character two characters left of the date's first (GB/T 9704-2012 §7.3.5.2)."""
    char = BODY_PT
    signature_indent = 2 * char + len(date_text) * char + 2 * char - len(signature) * char
    date_indent = 2 * char
    if signature_indent < 2 * char:  # a name longer than the date: the name two characters from the edge
        date_indent += 2 * char - signature_indent
        signature_indent = 2 * char
    return signature_indent, date_indent


# -- PDF -------------------------------------------------------------------------------------------------------------

FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/local/share/fonts"))
PDF_FONTS = {
    "body": ("ZsFangSong", "arphic/ukai.ttc", 0),  # AR PL UKai CN (楷体: the closest free hand to 仿宋)
    "h2": ("ZsKai", "arphic/ukai.ttc", 0),
    "title": ("ZsSong", "arphic/uming.ttc", 0),  # AR PL UMing CN (宋/明体), drawn heavier as 小标宋
    "page": ("ZsSong", "arphic/uming.ttc", 0),
    "h1": ("ZsHei", "wqy/wqy-microhei.ttc", 0),  # WenQuanYi Micro Hei (黑体)
}
"""The fonts the PDF embeds (Debian's fonts-arphic-ukai, fonts-arphic-uming and fonts-wqy-microhei)."""


def _font_file(relative: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / relative).exists():
            return folder / relative
    raise FileNotFoundError(
        f"{relative} is not installed (Debian fonts-arphic-ukai, fonts-arphic-uming, "
        "fonts-wqy-microhei; ./zs installs them)"
    )


@lru_cache(maxsize=1)
def pdf_fonts() -> dict[str, str]:
    """Register the embedded fonts once a process; role -> reportlab font name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = {}
    for role, (name, relative, index) in PDF_FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(_font_file(relative)), subfontIndex=index))
        names[role] = name
    return names


CANNOT_START_LINE = "，。、；：？！”’）》〉」』】〕…—％"
"""Chinese punctuation that never starts a line (避头点): a line that would start with one takes it along instead."""


@lru_cache(maxsize=1)
def _chinese_line_breaks() -> None:
    """reportlab's CJK line breaking knows the Japanese marks that may not start a line, not all the Chinese ones
    (，；：？！ and the closing quotes): they are added to its table once a process."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):  # a one-run paragraph is split by textsplit, a mixed one by paragraph
        module.ALL_CANNOT_START += "".join(c for c in CANNOT_START_LINE if c not in module.ALL_CANNOT_START)


def render_pdf(document: OfficialDocument) -> bytes:
    from reportlab.lib.colors import black, red
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        BaseDocTemplate,
        Flowable,
        Frame,
        KeepTogether,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    fonts = pdf_fonts()
    _chinese_line_breaks()
    mm = MM

    def style(
        name: str,
        font: str = "body",
        size: float = BODY_PT,
        align=TA_JUSTIFY,
        indent_chars: float = 0,
        leading: float = LINE_PT,
        **more,
    ) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=fonts[font],
            fontSize=size,
            leading=leading,
            alignment=align,
            firstLineIndent=size * indent_chars,
            wordWrap="CJK",
            **more,
        )

    body = style("body", indent_chars=2)
    h1 = style("h1", "h1", indent_chars=2)
    h2 = style("h2", "h2", indent_chars=2)
    centred = style("centred", align=TA_CENTER)
    left = style("left", align=TA_LEFT)
    label = style("label", "h1", align=TA_LEFT)
    note = style("note", size=NOTE_PT, align=TA_RIGHT, leading=NOTE_PT * 1.6)
    cell = style("cell", size=TABLE_PT, align=TA_LEFT, leading=TABLE_PT * 1.35)
    cell_number = style("cell_number", size=TABLE_PT, align=TA_RIGHT, leading=TABLE_PT * 1.35)
    cell_head = style("cell_head", "h1", size=TABLE_PT, align=TA_CENTER, leading=TABLE_PT * 1.35)

    class HeavyText(Flowable):
        """A line of 小标宋 (drawn with a thin outline, as the free 宋 face is light), centred, maybe red."""

        def __init__(self, text: str, size: float, colour=black, leading: float | None = None):
            super().__init__()
            self.text, self.size, self.colour = text, size, colour
            self.leading = leading or size * 1.45

        def wrap(self, available_width, available_height):
            self.width = available_width
            self.fit = min(self.size, available_width * 0.96 / max(1, len(self.text)))  # a long line is set smaller
            return available_width, self.leading

        def draw(self):
            canvas = self.canv
            canvas.saveState()
            canvas.setFillColor(self.colour)
            canvas.setStrokeColor(self.colour)
            canvas.setLineWidth(self.fit * 0.03)
            text = canvas.beginText()
            text.setTextRenderMode(2)  # fill and stroke: the weight of 小标宋
            text.setFont(fonts["title"], self.fit)
            width = canvas.stringWidth(self.text, fonts["title"], self.fit)
            text.setTextOrigin((self.width - width) / 2, (self.leading - self.fit) / 2 + self.fit * 0.12)
            text.textOut(self.text)
            canvas.drawText(text)
            canvas.restoreState()

    class Rule(Flowable):
        def __init__(self, colour, thickness: float, space: float = 0):
            super().__init__()
            self.colour, self.thickness, self.space = colour, thickness, space

        def wrap(self, available_width, available_height):
            self.width = available_width
            return available_width, self.thickness + self.space

        def draw(self):
            self.canv.setStrokeColor(self.colour)
            self.canv.setLineWidth(self.thickness)
            self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)

    class Imprint(Flowable):
        """版记 at the foot of the page (it takes the rest of the page; where too little is left, a new page)."""

        def __init__(self, lines: list[tuple[str, str | None]]):
            super().__init__()
            self.lines = lines
            self.row = NOTE_PT * 2

        def wrap(self, available_width, available_height):
            self.width = available_width
            self.needed = self.row * len(self.lines) + 2
            self.height = max(self.needed, available_height)
            return available_width, self.height

        def draw(self):
            canvas = self.canv
            canvas.setStrokeColor(black)
            y = 0.0
            rows = list(reversed(self.lines))
            for i, (left_text, right_text) in enumerate(rows):
                canvas.setLineWidth(0.35 * mm if i == 0 else 0.25 * mm)
                canvas.line(0, y, self.width, y)
                base = y + (self.row - NOTE_PT) / 2 + 2
                canvas.setFont(fonts["body"], NOTE_PT)
                canvas.drawString(NOTE_PT, base, left_text)
                if right_text:
                    canvas.drawRightString(self.width - NOTE_PT, base, right_text)
                y += self.row
            canvas.setLineWidth(0.35 * mm)
            canvas.line(0, y, self.width, y)

    def grid(block: Grid) -> list:
        out = []
        if block.note:
            out.append(Paragraph(block.note, note))
        data = [[Paragraph(_escape(h), cell_head) for h in block.headings]]
        data += [
            [Paragraph(_escape(str(v)), cell_number if i in block.numeric else cell) for i, v in enumerate(row)]
            for row in block.rows
        ]
        table = Table(data, colWidths=None, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        table._zs_widths = block.widths
        out.append(table)
        return out

    def blocks(items: Sequence[Block]) -> list:
        out = []
        for block in items:
            if isinstance(block, Heading):
                out.append(Paragraph(_escape(block.text), h1 if block.level == 1 else h2))
            elif isinstance(block, Grid):
                out.extend(grid(block))
            else:
                out.append(Paragraph(_escape(block), body))
        return out

    blank = Spacer(1, LINE_PT)
    story = [
        Spacer(1, 35 * mm - MARK_PT * 0.25),
        HeavyText(document.issuer.mark, MARK_PT, red, MARK_PT * 1.3),
        blank,
        blank,
        Paragraph(_escape(document.number), centred),
        Spacer(1, 4 * mm - (LINE_PT - BODY_PT) / 2),
        Rule(red, 1.5),
        blank,
        HeavyText(document.title, TITLE_PT, leading=TITLE_PT * 1.6),
        blank,
    ]
    if document.to:
        story.append(Paragraph(_escape("、".join(document.to) + "："), left))
    body_flowables = blocks(document.body)
    story += body_flowables[:-1]
    closing = body_flowables[-1:]  # the body's last block keeps the signature company (never a page of its own)
    lines = attachment_line(document.attachments)
    if lines:
        closing.append(blank)
        closing += [
            Paragraph(_escape(line), style(f"att{i}", indent_chars=2, align=TA_LEFT)) for i, line in enumerate(lines)
        ]
    signature_indent, date_indent = _signature_indents(document.issuer.signature, document.date_text)
    closing += [
        blank,
        Paragraph(_escape(document.issuer.signature), style("sig", align=TA_RIGHT, rightIndent=signature_indent)),
        Paragraph(_escape(document.date_text), style("date", align=TA_RIGHT, rightIndent=date_indent)),
    ]
    story.append(KeepTogether(closing))
    if document.note:
        story.append(Paragraph(_escape(document.note), body))
    for i, attachment in enumerate(document.attachments, 1):
        story += [
            NextPageTemplate("landscape" if attachment.landscape else "portrait"),
            PageBreak(),
            Paragraph(f"附件{i}" if len(document.attachments) > 1 else "附件", label),
            blank,
            HeavyText(attachment.title, TITLE_PT, leading=TITLE_PT * 1.6),
            blank,
        ]
        story += blocks(attachment.blocks)
    printed = document.printed_on or document.signed_on
    imprint = ([("抄送：" + "，".join(document.cc) + "。", None)] if document.cc else []) + [
        (document.issuer.printer, f"{printed.year}年{printed.month}月{printed.day}日印发")
    ]
    story.append(Imprint(imprint))

    def number_pages(canvas, doc):
        canvas.saveState()
        canvas.setFont(fonts["page"], NOTE_PT)
        frame = doc.pageTemplate.frames[0]
        text = f"— {doc.page} —"
        y = frame._y1 - 7 * mm - NOTE_PT
        if doc.page % 2:
            canvas.drawRightString(frame._x1 + frame._width - NOTE_PT, y, text)
        else:
            canvas.drawString(frame._x1 + NOTE_PT, y, text)
        canvas.restoreState()

    out = io.BytesIO()
    portrait_frame = Frame(
        28 * mm,
        35 * mm,
        156 * mm,
        225 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="portrait",
    )
    wide = landscape(A4)
    landscape_frame = Frame(
        37 * mm,
        26 * mm,
        wide[0] - 72 * mm,
        wide[1] - 54 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="landscape",
    )
    template = BaseDocTemplate(
        out,
        pagesize=A4,
        title=document.title,
        author=document.issuer.signature,
        subject=document.number,
        creator="Zhaoshang",
    )
    template.addPageTemplates(
        [
            PageTemplate("portrait", [portrait_frame], onPage=number_pages, pagesize=A4),
            PageTemplate("landscape", [landscape_frame], onPage=number_pages, pagesize=wide),
        ]
    )
    _size_tables(story, portrait_frame._width, landscape_frame._width)
    template.build(story)
    return out.getvalue()


def _size_tables(story: list, portrait_width: float, landscape_width: float) -> None:
    """Give each table its column widths: the block's relative widths across the width of its page's frame."""
    from reportlab.platypus import NextPageTemplate, Table

    width = portrait_width
    for flowable in story:
        if isinstance(flowable, NextPageTemplate):
            width = landscape_width if flowable.action[1] == "landscape" else portrait_width
        if isinstance(flowable, Table):
            columns = len(flowable._cellvalues[0])
            weights = list(getattr(flowable, "_zs_widths", None) or [1] * columns)
            total = sum(weights)
            flowable._argW = [width * w / total for w in weights]
            flowable._colWidths = list(flowable._argW)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def read_docx_text(data: bytes) -> list[str]:
    """Every paragraph of a Word document, the tables' and footers' included (tests read documents back)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        texts += [c.text for row in table.rows for c in row.cells]
    return texts
