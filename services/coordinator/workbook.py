"""The ledger as an Excel workbook in the layout county offices keep (R10), and back.

Export: one sheet per book (重点招商信息台账, 在谈项目台账, 签约项目台账); a title row, a row with
the keeping office and the date, then the Chinese column headings and one row per project.
Money is shown in 万元 (number format ``#,##0.00``), dates as real Excel dates
(``yyyy"年"m"月"d"日"``).

Import: the same layout (columns found by their headings, in any order; columns the
platform computes — 序号, 投资档次, 状态持续天数, 预警事项 — are ignored).  Every row is
validated and every problem is reported with its sheet, row number and column; the
caller imports nothing when any row is invalid (or, in the explicit ``partial`` mode,
only the valid rows).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable, Iterator, Mapping
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from services.coordinator.ledger import BOOK_OF_STATE, BOOKS, book_name, state_name, unit_name, unit_of_name
from shared import vocabulary
from shared.clock import SHANGHAI
from shared.errors import InvalidInput
from shared.gongwen import chinese_date, routing
from shared.i18n import _, text, to_wire
from shared.industry import sector_problem
from shared.policy import Policy
from shared.spreadsheet import cell_value, text_of_cell
from shared.units import quantize_money, wan_to_yuan, yuan_to_wan

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
WAN_FORMAT = "#,##0.00"
NUMBER_FORMATS = {"wan": WAN_FORMAT, "date": DATE_FORMAT}


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str  # text | wan | date | int
    width: int


COLUMNS = {
    c.key: c
    for c in (
        Column("seq", "序号", "int", 6),
        Column("ref", "项目编号", "text", 14),
        Column("name", "项目名称", "text", 34),
        Column("investor_name", "投资方", "text", 26),
        Column("sector", "所属行业", "text", 22),
        Column("location", "项目地点", "text", 12),
        Column("total_investment", "总投资（万元）", "wan", 14),
        Column("tier", "投资档次", "text", 8),
        Column("is_key", "重点项目", "text", 8),
        Column("liaison_leader", "联系县级领导", "text", 14),
        Column("service_team", "专职服务团队", "text", 22),
        Column("responsible_leader", "责任领导", "text", 18),
        Column("responsible_unit", "责任单位", "text", 14),
        Column("responsible_person", "责任人", "text", 10),
        Column("requirements", "推进要求", "text", 40),
        Column("next_due", "完成时限", "date", 14),
        Column("state", "当前状态", "text", 14),
        Column("state_since", "状态起始日期", "date", 14),
        Column("time_in_state_days", "状态持续天数", "int", 8),
        Column("last_progress", "最新进展", "text", 36),
        Column("last_progress_on", "最新进展日期", "date", 14),
        Column("signed_on", "签约日期", "date", 14),
        Column("contracted_investment", "合同投资（万元）", "wan", 14),
        Column("funds_in_place", "到位资金（万元）", "wan", 14),
        Column("benefit_grade", "亩均效益评价", "text", 14),
        Column("red_flags", "预警事项", "text", 30),
    )
}
COMMON = (
    "seq",
    "ref",
    "name",
    "investor_name",
    "sector",
    "location",
    "total_investment",
    "tier",
    "is_key",
    "liaison_leader",
    "service_team",
    "responsible_leader",
    "responsible_unit",
    "responsible_person",
    "requirements",
    "next_due",
    "state",
    "state_since",
    "time_in_state_days",
    "last_progress",
    "last_progress_on",
)
BOOK_COLUMNS = {
    "information": COMMON + ("red_flags",),
    "negotiation": COMMON + ("red_flags",),
    "contracted": COMMON + ("signed_on", "contracted_investment", "funds_in_place", "benefit_grade", "red_flags"),
}
COMPUTED = frozenset({"seq", "tier", "time_in_state_days", "benefit_grade", "red_flags"})
REQUIRED = {"name", "sector", "total_investment", "responsible_unit", "state"}
REQUIRED_CONTRACTED = {"signed_on", "contracted_investment"}
HEADING_KEYS = {**{c.heading: c.key for c in COLUMNS.values()}, "行业代码": "sector"}
"""A heading -> its column (行业代码: the heading of the sector column in workbooks exported before the names)."""
ZH = "zh-CN"
SHEET_BOOKS = {book_name(book, ZH): book for book in BOOKS}
STATES_HINT = (
    "lead",
    "filed",
    "under_review",
    "approved",
    "assigned",
    "negotiating",
    "agreed",
    "signed",
    "construction",
    "accounting",
    "closed",
    "archived",
    "terminated",
)
"""The states a ledger's 当前状态 column names most often (an import's error lists them)."""
SECTOR_IN_LABEL = re.compile(r"[（(]\s*([A-Ta-t]\d{0,4})\s*[）)]\s*$")


def sheet_heading(policy: Policy, kind: str, as_of: date, *middle: str) -> str:
    """The line under a sheet's title: the keeping office (policy ``documents.official_documents``), what the sheet
    covers, the date (as official documents write it) and the unit of the amounts."""
    route = routing(policy, kind)
    return "　　".join(
        [
            f"填报单位：{route.issuer.signature}",
            *middle,
            f"截至：{chinese_date(as_of, route.numerals)}",
            "金额单位：万元",
        ]
    )


# -- export ---------------------------------------------------------------------------------------------------------
def _day(iso: str | None) -> date | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).date() if "T" in iso else date.fromisoformat(iso)


def _wan(yuan) -> Decimal | None:
    return None if yuan in (None, "") else quantize_money(yuan_to_wan(yuan))


def _grade(benefit: Mapping | None) -> str:
    """R17: the latest yearly per-mu benefit grade (2025年度A类; class T reads as not graded)."""
    if not benefit:
        return ""
    return f"{benefit['year']}年度" + ("不参评" if benefit["grade"] == "T" else f"{benefit['grade']}类")


def cell_values(row: Mapping, seq: int, policy: Policy) -> dict:
    """A ledger row (as ``ledger.view`` shows it) as the values of its workbook cells."""
    open_steps = [r for r in row["requirements"] if not r["done"]]
    return {
        "seq": seq,
        "ref": row["ref"],
        "name": row["name"],
        "investor_name": row.get("investor_name") or "",
        "sector": vocabulary.sector_label(row["sector"], ZH) if row["sector"] else "",
        "location": row.get("location") or "",
        "total_investment": _wan(row["total_investment"]),
        "tier": row["tier"] or "—",
        "is_key": "是" if row["is_key"] else "否",
        "liaison_leader": (row.get("liaison_leader") or {}).get("name") or "",
        "service_team": "、".join(m["name"] for m in row.get("service_team") or []),
        "responsible_leader": text((row.get("responsible_leader") or {}).get("name"), ZH),
        "responsible_unit": unit_name(row.get("responsible_unit"), locale=ZH),
        "responsible_person": (row.get("responsible_person") or {}).get("name") or "",
        "requirements": "；".join(
            f"{text(r['step'], ZH)}（{chinese_date(date.fromisoformat(r['due']), 'arabic')}前）"
            if r["due"]
            else text(r["step"], ZH)
            for r in open_steps
        ),
        "next_due": _day(row["next_due"]),
        "state": state_name(row["state"], ZH),
        "state_since": _day(row["state_since"]),
        "time_in_state_days": row.get("time_in_state_days"),
        "last_progress": text((row.get("last_progress") or {}).get("summary"), ZH),
        "last_progress_on": _day((row.get("last_progress") or {}).get("at")),
        "signed_on": _day(row.get("signed_on")),
        "contracted_investment": _wan(row.get("contracted_investment")),
        "funds_in_place": _wan(row.get("funds_in_place")),
        "benefit_grade": _grade(row.get("benefit")),
        "red_flags": "；".join(text(flag, ZH) for flag in row.get("red_flags") or []),
    }


THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FIRST_ROW = 4
"""Rows 1-3: the title, the keeping office and date, the headings; the projects from row 4."""
ROWS_PER_WRITE = 500


def export(books: Mapping[str, Iterable[Mapping]], policy: Policy, as_of: date, county: str) -> bytes:
    """``books``: book -> rows as ``ledger.view`` shows them, in order — any iterable, read once as the sheet
    is written, so 100,000 rows are never held at once.  One sheet per book.

    openpyxl (write-only) makes the workbook: the sheets with their title, office and headings rows, merged
    cells, column widths, frozen panes, print titles and every cell style.  The rows of the projects are
    then streamed into each sheet's ``sheetData`` as plain SpreadsheetML (``_rows_xml``: inline strings,
    numbers, date serials, each cell with its openpyxl style id): openpyxl's own per-cell path costs
    ~10-14 µs a cell on this machine — 35 s of CPU for the 2.5 million cells of 100,000 rows — the plain
    rows ~1 µs (docs/PERFORMANCE.md).  The tests read the workbook back with openpyxl, cell by cell."""
    wb = Workbook(write_only=True)
    cell_styles: dict[str, list[int]] = {}
    for book in BOOKS:
        ws = wb.create_sheet(book_name(book, ZH))
        keys = BOOK_COLUMNS[book]
        last = get_column_letter(len(keys))
        for i, key in enumerate(keys, 1):
            ws.column_dimensions[get_column_letter(i)].width = COLUMNS[key].width
        ws.row_dimensions[1].height = 30
        ws.freeze_panes = f"D{FIRST_ROW}"
        ws.print_title_rows = f"{FIRST_ROW - 1}:{FIRST_ROW - 1}"
        ws.page_setup.orientation = "landscape"
        title = _cell(
            ws,
            f"{county}{book_name(book, ZH)}",
            font=Font(name="宋体", size=16, bold=True),
            alignment=Alignment(horizontal="center", vertical="center"),
        )
        note = _cell(ws, sheet_heading(policy, "ledger", as_of), alignment=Alignment(horizontal="left"))
        ws.append([title])
        ws.append([note])
        ws.merged_cells.add(f"A1:{last}1")
        ws.merged_cells.add(f"A2:{last}2")
        ws.append(
            [
                _cell(
                    ws,
                    COLUMNS[key].heading,
                    font=Font(name="宋体", bold=True),
                    border=BORDER,
                    fill=PatternFill("solid", fgColor="D9E1F2"),
                    alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
                )
                for key in keys
            ]
        )
        cell_styles[book] = [
            _cell(
                ws,
                None,
                border=BORDER,
                number_format=NUMBER_FORMATS.get(COLUMNS[key].kind, "General"),
                alignment=Alignment(vertical="top", wrap_text=COLUMNS[key].kind == "text"),
            ).style_id
            for key in keys
        ]
    skeleton = io.BytesIO()
    wb.save(skeleton)
    sheets = {ws.path.lstrip("/"): book for ws, book in zip(wb.worksheets, BOOKS)}
    out = io.BytesIO()
    with zipfile.ZipFile(skeleton) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            book = sheets.get(info.filename)
            if book is None:
                zout.writestr(info, content)
                continue
            head, end, tail = content.partition(b"</sheetData>")
            if not end:
                raise ValueError(f"{info.filename} has no sheetData")  # openpyxl always writes it (3 rows above)
            with zout.open(info.filename, "w") as part:
                part.write(head)
                for chunk in _rows_xml(books.get(book, ()), BOOK_COLUMNS[book], cell_styles[book], policy):
                    part.write(chunk)
                part.write(end + tail)
    return out.getvalue()


def _cell(ws, value, **style) -> Cell:
    cell = Cell(ws, row=1, column=1, value=cell_value(value))
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _rows_xml(rows: Iterable[Mapping], keys: tuple[str, ...], styles: list[int], policy: Policy) -> Iterator[bytes]:
    """The projects' rows as SpreadsheetML ``<row>`` elements from row ``FIRST_ROW``, ``ROWS_PER_WRITE`` at a time."""
    letters = [get_column_letter(i) for i in range(1, len(keys) + 1)]
    columns = list(zip(keys, letters, styles))
    chunk: list[str] = []
    for n, row in enumerate(rows, 1):
        values = cell_values(row, n, policy)
        r = FIRST_ROW - 1 + n
        chunk.append(f'<row r="{r}">')
        chunk.extend(_cell_xml(values[key], f"{letter}{r}", style) for key, letter, style in columns)
        chunk.append("</row>")
        if n % ROWS_PER_WRITE == 0:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system, for dates from 1900-03-01 on (Excel's phantom 1900-02-29 comes before)."""


def _cell_xml(value, ref: str, style: int) -> str:
    """One cell: a string inline (never a formula: ``shared.spreadsheet``), a number, a date as its serial number
    (the style gives its format)."""
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, str):
        text = cell_value(ILLEGAL_CHARACTERS_RE.sub("", value))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{xml_escape(text)}</t></is></c>'
    if isinstance(value, date) and not isinstance(value, datetime):
        serial = (value - EXCEL_EPOCH).days if value >= date(1900, 3, 1) else int(to_excel(value))
        return f'<c r="{ref}" s="{style}"><v>{serial}</v></c>'
    if isinstance(value, Decimal):
        return f'<c r="{ref}" s="{style}"><v>{value:f}</v></c>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    raise TypeError(f"no cell for {type(value).__name__} {value!r} ({ref})")


# -- import ---------------------------------------------------------------------------------------------------------
@dataclass
class RowProblem:
    sheet: str
    row: int
    field: str
    heading: str
    message: object  # a Message

    def dump(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "field": self.field,
            "heading": self.heading,
            "message": to_wire(self.message),
        }

    def text(self):
        return _(
            "sheet {sheet}, row {row}, {heading}: {message}",
            sheet=self.sheet,
            row=self.row,
            heading=self.heading,
            message=self.message,
        )

    @property
    def key(self) -> str:
        return f"{self.sheet}!{self.row}.{self.field}"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text_of_cell(str(value)).strip()


def _number(value, what: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("must be a number ({what})", what=what))
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        try:
            number = Decimal(_text(value).replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise ValueError(_("must be a number ({what}), not {value}", what=what, value=_text(value))) from None
    if not number.is_finite():
        raise ValueError(_("must be a finite number ({what})", what=what))
    return number


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise ValueError(_("must be a date (2026-11-27 or 2026年11月27日), not {value}", value=text))
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(_("is not a real date: {value}", value=text)) from None


def _sector_code(value: str) -> str:
    """A sector as the workbook shows it (铝压延加工（C3252）) or as a code (C3252)."""
    match = SECTOR_IN_LABEL.search(value)
    return (match.group(1) if match else value).strip().upper()


def _header(ws) -> tuple[int, dict[str, int]] | None:
    for r in range(1, min(ws.max_row, 8) + 1):
        headings = {_text(c.value): c.column for c in ws[r] if _text(c.value)}
        if "项目名称" in headings:
            return r, {HEADING_KEYS[h]: col for h, col in headings.items() if h in HEADING_KEYS}
    return None


def read(
    data: bytes, policy: Policy, today: date, ref_taken: Callable[[str], bool]
) -> tuple[list[dict], list[RowProblem]]:
    """Every row of the workbook as an import payload, and every problem found (all rows are checked)."""
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception:  # noqa: BLE001 - whatever openpyxl trips on, the upload is not a workbook we can read
        raise InvalidInput.for_field("file", _("is not an Excel workbook (.xlsx)")) from None
    sheets = [ws for ws in wb.worksheets if ws.title in SHEET_BOOKS]
    if not sheets:
        raise InvalidInput.for_field("file", _("has none of the sheets {sheets:list}", sheets=list(SHEET_BOOKS)))
    rows: list[dict] = []
    problems: list[RowProblem] = []
    refs_seen: dict[str, tuple[str, int]] = {}
    for ws in sheets:
        book = SHEET_BOOKS[ws.title]
        found = _header(ws)
        if found is None:
            problems.append(
                RowProblem(ws.title, 1, "header", "项目名称", _("no heading row with 项目名称 in the first 8 rows"))
            )
            continue
        header_row, columns = found
        required = REQUIRED | (REQUIRED_CONTRACTED if book == "contracted" else set())
        missing = sorted(required - set(columns), key=list(COLUMNS).index)
        for key in missing:
            problems.append(RowProblem(ws.title, header_row, key, COLUMNS[key].heading, _("the column is missing")))
        if missing:
            continue
        for r in range(header_row + 1, ws.max_row + 1):
            cells = {key: ws.cell(row=r, column=col).value for key, col in columns.items() if key not in COMPUTED}
            if all(_text(v) == "" for v in cells.values()):
                continue
            row, row_problems = _read_row(ws.title, r, book, cells, policy, today)
            ref = row.get("ref")
            if ref:
                if ref in refs_seen:
                    sheet, at = refs_seen[ref]
                    row_problems.append(
                        RowProblem(
                            ws.title,
                            r,
                            "ref",
                            COLUMNS["ref"].heading,
                            _("{ref} appears twice (also sheet {sheet}, row {row})", ref=ref, sheet=sheet, row=at),
                        )
                    )
                elif ref_taken(ref):
                    row_problems.append(
                        RowProblem(
                            ws.title, r, "ref", COLUMNS["ref"].heading, _("{ref} is already in the ledger", ref=ref)
                        )
                    )
                refs_seen.setdefault(ref, (ws.title, r))
            problems.extend(row_problems)
            if not row_problems:
                rows.append(row)
    return rows, problems


def _read_row(sheet: str, r: int, book: str, cells: dict, policy: Policy, today: date) -> tuple[dict, list[RowProblem]]:
    problems: list[RowProblem] = []

    def bad(key: str, message) -> None:
        problems.append(RowProblem(sheet, r, key, COLUMNS[key].heading, message))

    def text(key: str, required: bool = False, low: int = 0, high: int = 200) -> str | None:
        value = _text(cells.get(key))
        if not value:
            if required:
                bad(key, _("required"))
            return None
        if not low <= len(value) <= high:
            bad(key, _("length must be from {min} to {max}", min=low, max=high))
            return None
        return value

    def money(key: str, required: bool = False, zero_ok: bool = False) -> str | None:
        raw = cells.get(key)
        if _text(raw) == "":
            if required:
                bad(key, _("required (in 万元)"))
            return None
        try:
            wan = _number(raw, "万元")
        except ValueError as exc:
            bad(key, exc.args[0])
            return None
        if wan < 0 or (wan == 0 and not zero_ok):
            bad(key, _("must be a positive amount in 万元"))
            return None
        yuan = wan_to_yuan(wan)
        if yuan != quantize_money(yuan):
            bad(key, _("万元 are kept to 6 decimal places (yuan to the fen)"))
            return None
        if yuan > policy.decimal("thresholds.intake.max_total_investment_yuan"):
            bad(key, _("exceeds the plausible ceiling (a typing error?)"))
            return None
        return str(quantize_money(yuan))

    def day(key: str, required: bool = False) -> date | None:
        raw = cells.get(key)
        if _text(raw) == "":
            if required:
                bad(key, _("required"))
            return None
        try:
            value = _date(raw)
        except ValueError as exc:
            bad(key, exc.args[0])
            return None
        return value

    out: dict = {
        "book": book,
        "ref": text("ref", high=40),
        "name": text("name", required=True, low=2),
        "investor_name": text("investor_name"),
        "location": text("location", high=100),
    }
    sector = _sector_code(text("sector", required=True, high=120) or "")
    if sector and (problem := sector_problem(sector, policy.industry_sections)):
        bad("sector", problem)
    out["sector"] = sector
    out["total_investment"] = money("total_investment", required=True)
    unit_text = text("responsible_unit", required=True, high=40)
    out["responsible_unit"] = unit_of_name(unit_text, policy) if unit_text else None
    if unit_text and out["responsible_unit"] is None:
        known = [p.unit for p in policy.parks.values()] + [t.unit for t in policy.towns.values()] + ["IPB"]
        bad(
            "responsible_unit", _("{unit} is not a unit of the county; e.g. {known:units}", unit=unit_text, known=known)
        )
    state_text = text("state", required=True, high=40)
    state = vocabulary.state_of_name(state_text or "")
    if state_text and state is None:
        bad("state", _("{state} is not a state; one of: {states:states}", state=state_text, states=STATES_HINT))
    elif state and state != "terminated" and BOOK_OF_STATE[state] != book:
        bad(
            "state",
            _(
                "a project {state:state} belongs in the {right:book}, not in the {wrong:book}",
                state=state,
                right=BOOK_OF_STATE[state],
                wrong=book,
            ),
        )
    out["state"] = state
    since = day("state_since") or today
    if since > today:
        bad("state_since", _("is in the future"))
    out["state_since"] = datetime.combine(since, time(0, 0), SHANGHAI).isoformat()
    key_text = text("is_key", high=2)
    if key_text not in (None, "是", "否"):
        bad("is_key", _("must be 是 or 否"))
    out["designated"] = key_text == "是"
    leader = text("liaison_leader", high=40)
    out["liaison_leader"] = {"name": leader, "position": None, "user_id": None} if leader else None
    team = text("service_team", high=400)
    out["service_team"] = [{"name": n.strip(), "role": None} for n in re.split(r"[、,，;；]", team or "") if n.strip()]
    responsible_leader = text("responsible_leader", high=40)
    out["responsible_leader"] = {"name": responsible_leader, "position": None} if responsible_leader else None
    person = text("responsible_person", high=40)
    out["responsible_person"] = {"name": person} if person else None
    step = text("requirements", high=1000)
    due = day("next_due")
    if due and not step:
        bad("requirements", _("a 完成时限 needs the step it is for (推进要求)"))
    out["requirements"] = [{"step": step, "due": due.isoformat() if due else None, "done": False}] if step else []
    progress = text("last_progress", high=1000)
    progress_on = day("last_progress_on")
    if progress_on and progress_on > today:
        bad("last_progress_on", _("is in the future"))
    out["last_progress"] = (
        {
            "at": datetime.combine(progress_on or since, time(0, 0), SHANGHAI).isoformat(),
            "summary": progress,
            "by": "导入",
        }
        if progress
        else None
    )
    out["signed_on"] = out["contracted_investment"] = out["funds_in_place"] = None
    if book == "contracted":
        signed = day("signed_on", required=True)
        if signed and signed > today:
            bad("signed_on", _("is in the future"))
        out["signed_on"] = signed.isoformat() if signed else None
        out["contracted_investment"] = money("contracted_investment", required=True)
        out["funds_in_place"] = money("funds_in_place", zero_ok=True)
    return out, problems
