"""Reading a county office's Excel workbook (openpyxl): cells as text, figures and dates, each problem named by
sheet, row and column, and the one refusal of a file with a bad row — nothing is stored from it.

Used by the imports of the Leading Group's roster (leadership) and of LAND's land reserve (landreserve).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Iterable, Mapping

from shared.errors import InvalidInput
from shared.i18n import _
from shared.spreadsheet import cell_value


@dataclass
class RowProblem:
    sheet: str
    row: int
    field: str
    heading: str
    rules: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.sheet}!{self.row}.{self.field}"


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def decimal(value) -> Decimal | None:
    """A figure of a cell (a number, or text such as "1,200.5"); None when empty; ValueError when not a number."""
    if text(value) == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    try:
        number = (
            Decimal(str(value))
            if isinstance(value, (int, float))
            else Decimal(text(value).replace(",", "").replace("，", ""))
        )
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def day(value) -> date | None:
    """A date cell (a date, or 2026-11-27 / 2026年11月27日); None when empty; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    written = text(value)
    if not written:
        return None
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", written)
    if not match:
        raise ValueError
    return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def open_sheet(content: bytes, name: str):
    """The sheet ``name`` of the workbook (or its first), as rows of values; InvalidInput naming ``file``."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl trips on, the file is not a workbook we can read
        raise InvalidInput.for_field("file", _("is not an Excel workbook (.xlsx)")) from None
    sheet = book[name] if name in book.sheetnames else book.worksheets[0]
    return sheet.title, list(sheet.iter_rows(values_only=True))


def header(rows: list, needed: Iterable[str], keys: Mapping[str, str]) -> tuple[int, dict[str, int]] | None:
    """The heading row (the first of the first 8 that has every ``needed`` heading): its index and key -> column."""
    needed = tuple(needed)
    for i, cells in enumerate(rows[:8]):
        found = {text(v): n for n, v in enumerate(cells) if text(v)}
        if all(h in found for h in needed):
            return i, {keys[h]: n for h, n in found.items() if h in keys}
    return None


def refusal(problems: list[RowProblem]) -> InvalidInput:
    """Nothing is stored from a workbook with a bad row: the refusal names every sheet, row and column."""
    rows = sorted({(p.sheet, p.row) for p in problems})
    return InvalidInput(
        _(
            "{n:count} row(s) of the workbook are invalid — nothing was imported: {problems:clauses}",
            n=len(rows),
            problems=[
                _("row {row} {heading}: {rules:clauses}", row=p.row, heading=p.heading, rules=p.rules)
                for p in problems[:20]
            ],
        ),
        {p.key: [_("{heading}: {rules:clauses}", heading=p.heading, rules=p.rules)] for p in problems},
    )


def upload(data: Mapping, limit: int, csv: bool = False) -> bytes:
    """The workbook of an import (``{filename, content_base64}``): an .xlsx (or, where ``csv``, a .csv) of 1 to
    ``limit`` bytes."""
    if not data["filename"].lower().endswith((".xlsx", ".csv") if csv else ".xlsx"):
        raise InvalidInput.for_field(
            "filename",
            _("an Excel workbook (.xlsx) or a CSV file (.csv) is imported")
            if csv
            else _("an Excel workbook (.xlsx) is imported"),
        )
    try:
        content = base64.b64decode(data["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput.for_field("content_base64", _("is not valid base64")) from None
    if not content or len(content) > limit:
        raise InvalidInput.for_field(
            "content_base64",
            _("is {size:count} bytes; 1 to {limit:count} bytes are accepted", size=len(content), limit=limit),
        )
    return content


# -- writing --------------------------------------------------------------------------------------------------------
@dataclass
class Table:
    """One sheet of a workbook the county offices read: a title, a line under it, Chinese headings, the rows.
    ``money`` columns hold 万元 as numbers (``#,##0.00``); every text cell is quoted if a spreadsheet would take it
    for a formula."""

    sheet: str
    title: str
    note: str
    headings: list[str]
    rows: list[list]
    money: tuple[int, ...] = ()
    widths: dict[int, int] = field(default_factory=dict)


def workbook(tables: Iterable[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    book = Workbook()
    book.remove(book.active)
    for spec in tables:
        ws = book.create_sheet(spec.sheet)
        last = get_column_letter(max(1, len(spec.headings)))
        ws.merge_cells(f"A1:{last}1")
        ws["A1"] = cell_value(spec.title)
        ws["A1"].font = Font(name="宋体", size=16, bold=True)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.merge_cells(f"A2:{last}2")
        ws["A2"] = cell_value(spec.note)
        for i, head in enumerate(spec.headings, 1):
            cell = ws.cell(row=3, column=i, value=cell_value(head))
            cell.font = Font(name="宋体", bold=True)
            cell.fill = PatternFill("solid", fgColor="D9E1F2")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
            ws.column_dimensions[get_column_letter(i)].width = spec.widths.get(i - 1, 14)
        for r, values in enumerate(spec.rows, 4):
            for i, value in enumerate(values):
                cell = ws.cell(row=r, column=i + 1, value=cell_value(value))
                cell.border = border
                if i in spec.money:
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
