"""The contract text as a Word document (R6) — pure Python, no nameko.

``render_contract`` turns the agreed terms of a project into a .docx (bytes) in
Simplified Chinese: the template's articles filled with the terms (investment,
fixed-asset investment, land, contracted investment intensity, the construction
start / completion / production dates and the obligations with due dates), a
header block naming the contract number and version, and signature blocks for
甲方 (the signing position routed by R5) and 乙方.  Until LEGAL (法制办) has
approved the version (``terms["approved"]``) the document says so at its top and
in the page header of every page.

``read_contract`` opens a .docx with python-docx and returns its title, body
paragraphs and tables, so tests (and the service) can prove a document opens and
carries the terms.

Figures are exact ``Decimal`` values throughout (``shared.units``); they are
rounded once, when shown, by the platform's one half-up rule.  A county supplies
its own wording by passing ``template`` (merged over ``DEFAULT_TEMPLATE``).
"""

from __future__ import annotations

import functools
import io
import json
import re
import string
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Mapping

from docx import Document
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from shared.clock import now_shanghai
from shared.docx_base import (
    Entry,
    Skeleton,
    Skeletons,
    entries_of,
    escape_text,
    fillable,
    new_document,
    token,
    write_zip,
)
from shared.units import (
    format_wan,
    mu_to_m2,
    parse_decimal,
    quantize_intensity,
    quantize_land,
    quantize_money,
)

__all__ = [
    "DEFAULT_TEMPLATE",
    "STANDARD_ARTICLES",
    "render_contract",
    "approve",
    "read_contract",
    "contract_number",
    "format_date_zh",
    "format_yuan",
    "signatory_title",
]

# The built-in articles, in the order of the default template.  A template may
# reorder them, drop ``other_terms`` or add articles of its own (a key with a
# heading in ``headings`` and a text in ``texts``).
STANDARD_ARTICLES = (
    "investment",
    "land",
    "intensity",
    "schedule",
    "obligations",
    "other_terms",
    "dispute",
    "effect",
)

# Text fields are ``str.format`` templates; the placeholders available are the
# keys of ``_fields`` below: project_name, ref, contract_no, version, party_a,
# party_b, total_wan, total_yuan, fixed_wan, fixed_yuan, land_mu, land_m2,
# intensity, construction_start, completion, production, copies (all originals), party_copies (each
# party's), filed_copies (the county's); where the terms name the land reserve's parcel the contract supplies,
# also parcel_code, parcel_name, parcel_location and parcel_mu (the land article is then ``land_parcel``).
DEFAULT_TEMPLATE: dict[str, Any] = {
    "title": "招商引资项目投资合同",
    "draft_notice": "草稿　未经县法制办审核",
    "header": {
        "contract_no": "合同编号：{contract_no}",
        "version": "版本：第{version}稿",
        "project": "项目名称：{project_name}",
        "party_a": "甲方：{party_a}",
        "party_b": "乙方：{party_b}",
    },
    "preamble": (
        "甲乙双方本着平等自愿、诚实信用、互利共赢的原则，经友好协商，"
        "就乙方投资建设“{project_name}”项目事宜，达成如下协议，共同遵守。"
    ),
    "articles": list(STANDARD_ARTICLES),
    "headings": {
        "investment": "投资规模",
        "land": "项目用地",
        "intensity": "投资强度",
        "schedule": "建设进度",
        "obligations": "其他义务",
        "other_terms": "其他约定",
        "dispute": "争议解决",
        "effect": "生效",
    },
    "texts": {
        "investment": (
            "本项目总投资 {total_wan}（人民币 {total_yuan}），其中固定资产投资 {fixed_wan}（人民币 {fixed_yuan}）。"
        ),
        "land": "本项目用地 {land_mu} 亩（折合 {land_m2} 平方米），以实际出让（划拨）面积为准。",
        "land_parcel": (
            "本项目用地 {land_mu} 亩（折合 {land_m2} 平方米），由县土地储备地块供应：地块编号 {parcel_code}"
            "（{parcel_name}），位于{parcel_location}，储备面积 {parcel_mu} 亩；以实际出让（划拨）面积为准。"
        ),
        "intensity": "乙方承诺本项目投资强度不低于 {intensity} 万元/亩。",
        "schedule": ("乙方应于 {construction_start} 前开工建设，于 {completion} 前竣工，于 {production} 前建成投产。"),
        "obligations": "双方除上述约定外，还应按下表约定的到期日履行各自义务：",
        "no_obligations": "本合同无其他约定义务。",
        "other_terms": "",
        "dispute": (
            "因本合同引起的或与本合同有关的任何争议，双方应友好协商解决；"
            "协商不成的，任何一方均可向项目所在地有管辖权的人民法院提起诉讼。"
        ),
        "effect": (
            "本合同经双方签约代表签字并加盖公章之日起生效。"
            "本合同一式{copies}份，甲乙双方各执{party_copies}份，其余{filed_copies}份由县政府办等单位存档，"
            "具有同等法律效力。"
        ),
    },
    "obligation_columns": ["序号", "义务", "到期日", "责任方"],
    # R13: at least 8 official copies filed by the county's units, besides each party's own originals; a
    # county passes its policy values (thresholds.contracts.minimum_copies, originals_per_party).
    "copies": 8,
    "party_copies": 1,
    "signature": {
        "party_a": "甲方（盖章）：{party_a}",
        "party_a_signatory": "签约代表：{signatory_title}（签字）：____________",
        "party_b": "乙方（盖章）：{party_b}",
        "party_b_signatory": "法定代表人或授权代表（签字）：____________",
        "date": "签订日期：______年____月____日",
    },
    # Position -> Chinese title.  "park_head" covers every "park_head:<park>".
    "signatory_titles": {
        "park_head": "园区管委会主任",
        "county_magistrate": "县长",
        "deputy_magistrate_investment": "分管招商副县长",
        "party_secretary": "县委书记",
        "county_leader_in_charge": "分管县领导",
    },
    # Obligation "party": investor -> 乙方, county -> 甲方, a unit code -> its name
    # here (SAMPLE names — a county supplies its own), anything else as written.
    "party_labels": {"investor": "乙方", "county": "甲方"},
    "unit_names": {
        "IPB": "县招商局",
        "LG": "县招商引资工作领导小组",
        "DRB": "县发展和改革局",
        "IND": "县工业和信息化局",
        "FIN": "县财政局",
        "EPB": "县环境保护局",
        "LAND": "县国土资源局",
        "PLAN": "县规划局",
        "AUDIT": "县审计局",
        "LEGAL": "县政府法制办公室",
        "GOV": "县政府办公室",
        "ARCH": "县档案局",
    },
    # GB/T 9704's faces as county offices have them: 仿宋 body, 黑体 articles, 小标宋 title (a contract is not a 公文:
    # its own sizes and layout)
    "fonts": {"body": "仿宋_GB2312", "heading": "黑体", "title": "方正小标宋简体", "latin": "Times New Roman"},
}

_CN_DIGITS = "零一二三四五六七八九"


# ---------------------------------------------------------------------------
# formatting helpers (public: the service and other documents reuse them)
# ---------------------------------------------------------------------------


def contract_number(ref: str, version: int) -> str:
    """``ZS-2026-0001`` and 3 -> ``ZS-2026-0001-V3``."""
    return f"{ref}-V{version}"


def format_date_zh(value: object, field: str = "date") -> str:
    """An ISO date (or ``date``) as ``YYYY年M月D日``: ``2026-03-01`` -> ``2026年3月1日``."""
    day = _parse_date(value, field)
    return f"{day.year}年{day.month}月{day.day}日"


def format_yuan(yuan: object) -> str:
    """An amount in 元 with 2 places and thousands separators: ``'150,000,000.00 元'``."""
    return f"{quantize_money(yuan):,.2f} 元"


def signatory_title(position: str, titles: Mapping[str, str] | None = None) -> str:
    """The Chinese title of a signing position; an unknown position is returned as given.

    ``park_head:hengdong`` -> 园区管委会主任 (a key without ``:<id>`` covers every id).
    """
    table = DEFAULT_TEMPLATE["signatory_titles"] if titles is None else titles
    if position in table:
        return table[position]
    prefix = position.split(":", 1)[0]
    if prefix != position and prefix in table:
        return table[prefix]
    return position


def _cn_number(n: int) -> str:
    """1..999 in Chinese numerals, as in 第十二条."""
    if not 0 < n < 1000:
        raise ValueError(f"article number out of range: {n}")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _CN_DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _CN_DIGITS[tens]) + "十"
    if ones:
        out += _CN_DIGITS[ones]
    return out


def _parse_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{field}: expected an ISO date (YYYY-MM-DD), got {value!r}")


def _non_negative(value: object, field: str) -> Decimal:
    number = parse_decimal(value, field)
    if number < 0:
        raise ValueError(f"{field}: must not be negative, got {number}")
    return number


def _required(mapping: Mapping, key: str, where: str) -> Any:
    value = mapping.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{where}.{key}: required")
    return value


def _merge_template(template: Mapping | None) -> dict[str, Any]:
    """``DEFAULT_TEMPLATE`` with ``template`` laid over it (nested mappings merged one level)."""
    merged: dict[str, Any] = {
        key: dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value
        for key, value in DEFAULT_TEMPLATE.items()
    }
    for key, value in (template or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------


def _fields(terms: Mapping, project: Mapping, version: int, tpl: Mapping) -> dict[str, Any]:
    total = _non_negative(_required(terms, "total_investment", "terms"), "terms.total_investment")
    fixed = _non_negative(_required(terms, "fixed_asset_investment", "terms"), "terms.fixed_asset_investment")
    land = _non_negative(_required(terms, "land_mu", "terms"), "terms.land_mu")
    intensity = _non_negative(_required(terms, "intensity_wan_per_mu", "terms"), "terms.intensity_wan_per_mu")
    ref = str(_required(project, "ref", "project"))
    return {
        "project_name": str(_required(project, "project_name", "project")),
        "ref": ref,
        "contract_no": contract_number(ref, version),
        "version": version,
        "party_a": str(project.get("party_a_name") or _required(project, "responsible_unit_name", "project")),
        "party_b": str(_required(project, "investor_name", "project")),
        "total_wan": format_wan(total),
        "total_yuan": format_yuan(total),
        "fixed_wan": format_wan(fixed),
        "fixed_yuan": format_yuan(fixed),
        "land_mu": f"{quantize_land(land):,.2f}",
        # m² from the contracted 亩, rounded once when shown (1 亩 = 2000/3 m²).
        "land_m2": f"{quantize_land(mu_to_m2(land)):,.2f}",
        "intensity": f"{quantize_intensity(intensity):,.2f}",
        "construction_start": format_date_zh(
            _required(terms, "construction_start", "terms"), "terms.construction_start"
        ),
        "completion": format_date_zh(_required(terms, "completion", "terms"), "terms.completion"),
        "production": format_date_zh(_required(terms, "production", "terms"), "terms.production"),
        # the copies line: every original (本合同一式十份), each party's, and the county's filed copies
        "copies": _cn_number(int(tpl["copies"]) + 2 * int(tpl["party_copies"])),
        "party_copies": _cn_number(int(tpl["party_copies"])),
        "filed_copies": _cn_number(int(tpl["copies"])),
        "signatory_title": signatory_title(
            str(_required(terms, "signatory_position", "terms")), tpl["signatory_titles"]
        ),
    }


def _parcel_fields(parcel: Mapping, tpl: Mapping) -> dict[str, str]:
    """The parcel of the land reserve the contract supplies (R6; issue: the contract records it): its number, name,
    location (the park's or town's name) and reserve area in 亩."""
    code = str(_required(parcel, "code", "terms.parcel")).strip()
    location = str(parcel.get("location_name") or "").strip() or str(parcel.get("location") or "").strip()
    return {
        "parcel_code": code,
        "parcel_name": str(parcel.get("name") or code).strip(),
        "parcel_location": tpl["unit_names"].get(location, location) or "—",
        "parcel_mu": format_mu(_non_negative(_required(parcel, "area_mu", "terms.parcel"), "terms.parcel.area_mu")),
    }


def format_mu(value: object) -> str:
    """亩 as the contract writes a parcel's area: 2 places, more (up to 4) where the area has them (a parcel of
    60.0045 亩 must not read as 60.00)."""
    exact = Decimal(str(value)).quantize(Decimal("0.0001"), rounding="ROUND_HALF_UP")
    places = min(max(2, -exact.normalize().as_tuple().exponent), 4) if exact != 0 else 2
    return f"{exact:,.{places}f}"


def _party_label(party: str, project: Mapping, tpl: Mapping) -> str:
    if party in tpl["party_labels"]:
        return tpl["party_labels"][party]
    if party in tpl["unit_names"]:
        return tpl["unit_names"][party]
    if project.get("responsible_unit") and party == project.get("responsible_unit"):
        return str(project["responsible_unit_name"])
    return party


def _obligation_rows(terms: Mapping, project: Mapping, tpl: Mapping) -> list[tuple[str, str, str, str]]:
    obligations = terms.get("obligations") or []
    if isinstance(obligations, (str, bytes)) or not hasattr(obligations, "__iter__"):
        raise ValueError("terms.obligations: expected a list of obligations")
    rows = []
    for number, item in enumerate(obligations, start=1):
        where = f"terms.obligations[{number - 1}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}: expected an object with text, due and party")
        text = str(_required(item, "text", where)).strip()
        due = format_date_zh(_required(item, "due", where), f"{where}.due")
        party = _party_label(str(_required(item, "party", where)), project, tpl)
        rows.append((str(number), text, due, party))
    return rows


def _set_fonts(target, east_asia: str, latin: str) -> None:
    """Set the Latin and East Asian fonts of a style or run; theme fonts would override them."""
    target.font.name = latin
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _set_language(style, lang: str = "zh-CN") -> None:
    rpr = style.element.get_or_add_rPr()
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:eastAsia"), lang)


def _setup_document(doc, tpl: Mapping) -> None:
    fonts = tpl["fonts"]
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(28)

    normal = doc.styles["Normal"]
    _set_fonts(normal, fonts["body"], fonts["latin"])
    _set_language(normal)
    normal.font.size = Pt(12)  # 小四
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)

    title = doc.styles["Title"]
    _set_fonts(title, fonts.get("title", fonts["heading"]), fonts["latin"])
    title.font.size = Pt(22)  # 二号
    title.font.bold = True
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)
    # The default Title style draws a blue rule under the text; a contract has none.
    ppr = title.element.pPr
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)

    heading = doc.styles["Heading 1"]
    _set_fonts(heading, fonts["heading"], fonts["latin"])
    heading.font.size = Pt(14)  # 四号
    heading.font.bold = True
    heading.font.color.rgb = RGBColor(0, 0, 0)
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.space_after = Pt(6)


# The styles a contract uses (python-docx's header and footer parts use "Header" and "Footer"): the base
# document keeps only these (shared.docx_base).
USED_STYLES = ("Normal", "Title", "Heading 1", "Table Grid", "Header", "Footer")


def _new_document(tpl: Mapping):
    """A fresh document for ``tpl``'s fonts: A4, the styles set up (the base is built once per fonts)."""
    return new_document(
        ("contract", json.dumps(tpl["fonts"], sort_keys=True)), lambda doc: _setup_document(doc, tpl), USED_STYLES
    )


def _draft_paragraph(container, text: str):
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.color.rgb = RGBColor(0xC0, 0, 0)
    return paragraph


def _add_page_number(paragraph) -> None:
    """A PAGE field (Word fills in the page number)."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(end)


def _body(doc, text: str):
    paragraph = doc.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = Pt(24)  # two characters
    return paragraph


def _obligations_table(doc, columns, rows):
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, columns):
        cell.text = ""
        run = cell.paragraphs[0].add_run(name)
        run.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, row)):
            cell.text = value
            if index != 1:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    widths = (Mm(14), Mm(86), Mm(30), Mm(24))
    if len(columns) == len(widths):
        for row in table.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = width
    return table


def render_contract(
    terms: Mapping,
    *,
    project: Mapping,
    version: int,
    template: Mapping | None = None,
) -> bytes:
    """The contract of ``project`` at ``version`` as .docx bytes (Simplified Chinese).

    ``terms``: total_investment and fixed_asset_investment (元), land_mu (亩),
    intensity_wan_per_mu (万元/亩) as decimal strings; construction_start,
    completion and production as ISO dates; obligations (list of
    ``{"id", "text", "due", "party"}``, party ``investor`` | ``county`` | a unit);
    signatory_position (R5 route); optional dispute_resolution (str),
    other_terms (list of str), approved (LEGAL-approved: no DRAFT line) and
    parcel (the land reserve's parcel supplied: code, name, location or
    location_name, area_mu — the land article names it).
    ``project``: ref, project_name, investor_name, responsible_unit_name
    (甲方 unless ``party_a_name`` is given); optional responsible_unit (code).
    ``template``: overrides laid over ``DEFAULT_TEMPLATE``.

    A missing or malformed term raises ``ValueError("<field>: ...")``.

    The document is python-docx's (``_compose``).  Where every text is plain (``shared.docx_base.fillable``)
    it is written from the skeleton of its shape — python-docx's rendering of the same template, number of
    obligations and other terms and approval, with tokens for the texts — which gives the same parts
    without python-docx's object model (tests/unit/test_contract_document.py holds the two to it).
    """
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"version: expected a positive integer, got {version!r}")
    tpl = _merge_template(template)
    fields = _fields(terms, project, version, tpl)
    if terms.get("parcel"):
        fields.update(_parcel_fields(terms["parcel"], tpl))
    obligations = _obligation_rows(terms, project, tpl)
    other_terms = [str(t).strip() for t in (terms.get("other_terms") or []) if str(t).strip()]
    dispute = (terms.get("dispute_resolution") or "").strip() or tpl["texts"]["dispute"].format(**fields)
    approved = bool(terms.get("approved"))
    # python-docx writes the clock time with a "Z" suffix, so hand it UTC.
    now = now_shanghai().astimezone(timezone.utc)

    texts = {name: str(value) for name, value in fields.items()}
    texts.update({f"ob{i}.{j}": value for i, row in enumerate(obligations) for j, value in enumerate(row)})
    texts.update({f"term{i}": text for i, text in enumerate(other_terms)})
    texts.update({"dispute": dispute, "revision": str(version), "now": now.strftime(_W3CDTF)})
    if all(map(fillable, texts.values())) and all(
        len(v) <= _CORE_TEXT_LIMIT for v in _core_texts(tpl, fields, version, approved).values()
    ):
        shape = (
            json.dumps(tpl, sort_keys=True, ensure_ascii=False, default=str),
            len(obligations),
            len(other_terms),
            approved,
            "parcel_code" in fields,
        )
        skeleton = _SKELETONS.get(shape, lambda: _skeleton(tpl, fields, len(obligations), len(other_terms), approved))
        if skeleton is not None:
            return skeleton.fill(texts)
    return _compose(tpl, fields, version, obligations, other_terms, dispute, approved, now)


_W3CDTF = "%Y-%m-%dT%H:%M:%SZ"  # how python-docx writes a document's times
_CORE_TEXT_LIMIT = 255  # python-docx refuses a longer text property (the composition raises its error)
_SKELETONS = Skeletons()
# typed values python-docx takes (a revision number, a time), given to the skeleton's rendering to be tokens
_REVISION_MARK, _TIME_MARK = 1234567890, datetime(1901, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def _skeleton(tpl: Mapping, fields: Mapping, obligations: int, other_terms: int, approved: bool) -> Skeleton | None:
    """python-docx's rendering of this shape with a token for every text; None for a template that formats a
    field otherwise than as it is (``{ref:>20}``, ``{version:03d}``, ``{project_name!r}``): its text depends on
    the value, not only where it goes (``{project_name[0]}`` too), so every contract of it is composed by
    python-docx."""
    if not _placed_as_they_are(tpl):
        return None
    rendered = _compose(
        tpl,
        {name: token(name) for name in fields},
        _REVISION_MARK,
        [tuple(token(f"ob{i}.{j}") for j in range(4)) for i in range(obligations)],
        [token(f"term{i}") for i in range(other_terms)],
        token("dispute"),
        approved,
        _TIME_MARK,
    )
    return Skeleton(
        rendered,
        {
            f"<cp:revision>{_REVISION_MARK}</cp:revision>": f"<cp:revision>{token('revision')}</cp:revision>",
            _TIME_MARK.strftime(_W3CDTF): token("now"),
        },
    )


def _placed_as_they_are(template: object) -> bool:
    """True if every ``{field}`` in the template's texts is placed as it is: a name alone, no index or
    attribute, no format spec, no conversion."""
    if isinstance(template, str):
        return all(
            name.isidentifier() and not spec and not conversion
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        )
    if isinstance(template, Mapping):
        return all(map(_placed_as_they_are, template.values()))
    if isinstance(template, (list, tuple)):
        return all(map(_placed_as_they_are, template))
    return True


def _core_texts(tpl: Mapping, fields: Mapping, version: int, approved: bool) -> dict[str, str]:
    """The document's text properties (python-docx: 255 characters at most each)."""
    return {
        "title": f"{tpl['title']}（{fields['project_name']}）",
        "subject": fields["contract_no"],
        "identifier": fields["contract_no"],
        "version": f"v{version}",
        "author": fields["party_a"],
        "last_modified_by": fields["party_a"],
        "language": "zh-CN",
        **_status_texts(fields["contract_no"], approved),
    }


def _compose(
    tpl: Mapping,
    fields: Mapping,
    version: int,
    obligations: list,
    other_terms: list[str],
    dispute: str,
    approved: bool,
    now: datetime,
) -> bytes:
    """The contract written by python-docx (``render_contract``'s texts; or tokens, for a skeleton)."""
    doc = _new_document(tpl)

    core = doc.core_properties
    for name, value in _core_texts(tpl, fields, fields["version"], approved).items():
        setattr(core, name, value)
        if name == "version":
            core.revision = version
    core.created = core.modified = now

    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = fields["contract_no"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if not approved:
        _draft_paragraph(section.header, tpl["draft_notice"])
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _add_page_number(footer)
    footer.add_run(" 页")

    if not approved:
        _draft_paragraph(doc, tpl["draft_notice"])

    title = doc.add_paragraph(style="Title")
    title.add_run(tpl["title"])
    title.add_run().add_break(WD_BREAK.LINE)
    name_run = title.add_run(fields["project_name"])
    name_run.font.size = Pt(16)  # 三号

    for key in ("contract_no", "version", "project", "party_a", "party_b"):
        line = tpl["header"].get(key)
        if line:
            doc.add_paragraph(line.format(**fields))

    if tpl.get("preamble"):
        _body(doc, tpl["preamble"].format(**fields))

    number = 0
    for key in tpl["articles"]:
        if key == "other_terms" and not other_terms:
            continue
        number += 1
        heading = tpl["headings"].get(key, key)
        doc.add_paragraph(f"第{_cn_number(number)}条　{heading}", style="Heading 1")
        if key == "obligations":
            if obligations:
                _body(doc, tpl["texts"]["obligations"].format(**fields))
                _obligations_table(doc, tpl["obligation_columns"], obligations)
            else:
                _body(doc, tpl["texts"]["no_obligations"].format(**fields))
        elif key == "other_terms":
            intro = tpl["texts"].get("other_terms", "")
            if intro:
                _body(doc, intro.format(**fields))
            for index, text in enumerate(other_terms, start=1):
                _body(doc, f"{index}. {text}")
        elif key == "dispute":
            _body(doc, dispute)
        else:
            text = tpl["texts"].get("land_parcel" if key == "land" and "parcel_code" in fields else key)
            if text is None:
                raise ValueError(f"template.texts.{key}: no text for article {key!r}")
            _body(doc, text.format(**fields))

    doc.add_paragraph()
    signature = tpl["signature"]
    for key in ("party_a", "party_a_signatory", "date"):
        doc.add_paragraph(signature[key].format(**fields))
    doc.add_paragraph()
    for key in ("party_b", "party_b_signatory", "date"):
        doc.add_paragraph(signature[key].format(**fields))

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _status_texts(contract_no: str, approved: bool) -> dict[str, str]:
    """The document properties that say whether the text is a draft or LEGAL's approved text."""
    return {
        "keywords": "招商引资; 投资合同" + ("" if approved else "; 草稿"),
        "category": "合同" if approved else "合同草稿",
        "comments": contract_no + ("" if approved else "（草稿，未经法制办审核）"),
    }


def approve(draft: bytes, *, template: Mapping | None = None) -> bytes:
    """The approved text of a drafted version: the very document LEGAL reviewed, without its DRAFT lines.

    The body, the tables, the header's contract number and the footer are the draft's own bytes, so the
    approved text is the reviewed text even if the template, the policy or a party's name changed
    between drafting and approval (a fresh render would take the new ones).  Its properties say it is
    approved and when it was last modified.  A document without the DRAFT line (not a draft of this
    platform, or approved already) raises ``ValueError``.

    A draft of this platform is approved part by part (``_approve_parts``), without opening the whole
    package in python-docx; any other shape goes through python-docx (``_approve_document``), which the
    tests hold the first to.
    """
    tpl = _merge_template(template)
    now = now_shanghai().astimezone(timezone.utc)
    notice = _notice_of(draft, tpl["draft_notice"])
    approved = _approve_parts(draft, notice, now)
    return approved if approved is not None else _approve_document(draft, notice, now)


LEGACY_DRAFT_NOTICES = ("DRAFT 草稿 — 未经法制办审核",)
"""DRAFT lines of earlier versions of the platform: a draft stored with one is approved all the same."""


def _notice_of(draft: bytes, notice: str) -> str:
    """The DRAFT line the draft carries: the template's, else an earlier platform's it carries."""
    for legacy in LEGACY_DRAFT_NOTICES:
        if legacy != notice and escape_text(legacy).encode("utf-8") in _body_xml(draft):
            return legacy
    return notice


def _body_xml(draft: bytes) -> bytes:
    entry = entries_of(draft).get(_BODY)
    return entry.content() if entry is not None else b""


def _approve_document(draft: bytes, notice: str, now: datetime) -> bytes:
    """``approve`` by python-docx: the body's and the first header's paragraphs reading ``notice`` removed."""
    doc = Document(io.BytesIO(draft))
    marks = [p for container in (doc.sections[0].header, doc) for p in container.paragraphs if p.text == notice]
    if not marks:
        raise ValueError("document: not a draft (it carries no DRAFT line)")
    for paragraph in marks:
        element = paragraph._p
        element.getparent().remove(element)
    _approved_properties(doc.core_properties, now)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _approved_properties(core, now: datetime) -> None:
    for name, value in _status_texts(core.subject or "", approved=True).items():
        setattr(core, name, value)
    core.modified = now


_BODY, _HEADER = "word/document.xml", re.compile(r"word/header\d+\.xml")


@functools.lru_cache(maxsize=16)
def _draft_mark(notice: str) -> str:
    """The XML of the DRAFT paragraph (``_draft_paragraph``) as python-docx writes it inside a part."""
    paragraph = _draft_paragraph(Document(), notice)._p
    return re.sub(r' xmlns:\w+="[^"]*"', "", etree.tostring(paragraph, encoding="unicode"))


def _approve_parts(draft: bytes, notice: str, now: datetime) -> bytes | None:
    """``approve`` on the package's parts: the DRAFT paragraphs cut out of the body and the header, the
    properties set; every other part copied.  None unless the draft is in the shape this platform writes:
    every text reading ``notice`` is one of its DRAFT paragraphs, in the body or the one header."""
    if not fillable(notice):
        return None
    mark, text = _draft_mark(notice), f"<w:t>{escape_text(notice)}</w:t>".encode("utf-8")
    entries = entries_of(draft)  # the members as stored: those not changed are copied without a new deflate
    if "docProps/core.xml" not in entries:
        return None
    parts, cut, headers = [], 0, 0
    for name, entry in entries.items():
        if name.endswith(".xml"):
            data = entry.content()
            if text in data:
                xml = data.decode("utf-8")
                marks = xml.count(mark)
                if marks != data.count(text) or not (name == _BODY or _HEADER.fullmatch(name)):
                    return None
                headers += name != _BODY
                cut += marks
                entry = Entry.deflate(name, xml.replace(mark, "").encode("utf-8"))
            elif name == "docProps/core.xml":
                core = CoreProperties(parse_xml(data))
                _approved_properties(core, now)
                entry = Entry.deflate(name, serialize_part_xml(core._element))
        parts.append(entry)
    if not cut or headers > 1:
        return None
    return write_zip(parts)


# ---------------------------------------------------------------------------
# reading back
# ---------------------------------------------------------------------------


def read_contract(data: bytes) -> dict:
    """Open a .docx with python-docx: ``{"title", "paragraphs", "tables"}``.

    ``title`` is the text of the first Title-style paragraph (line breaks as
    ``\\n``), else the document's core title; ``paragraphs`` the body paragraphs'
    text in order (table cells excluded); ``tables`` each table as rows of cell
    texts.
    """
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    title = next(
        (p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Title"), doc.core_properties.title
    )
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]
    return {"title": title, "paragraphs": paragraphs, "tables": tables}
