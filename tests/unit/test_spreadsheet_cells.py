"""Formula injection: every workbook the platform writes shows a text that would start a formula as text, through
the one helper (shared/spreadsheet.py) — tested on each writer; the ledger's import reads its own escape back."""

from __future__ import annotations

import datetime as dt

import io
import random
import re
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from services.coordinator import ledger, summary_report, workbook
from shared.policy import load_policy
from shared.spreadsheet import cell_value, text_of_cell
from tests.harness import shanghai
from tests.unit.test_ledger_pages import generated_row

ROOT = Path(__file__).resolve().parents[2]
POLICY = load_policy()
HOSTILE = [
    '=HYPERLINK("http://198.51.100.7/x","点此查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def formula_cells(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def test_the_helper_quotes_what_would_start_a_formula_and_nothing_else():
    for text in HOSTILE:
        assert cell_value(text) == "'" + text and text_of_cell(cell_value(text)) == text
    for harmless in ("示例项目", "'引号开头", "1,000", "—", "", None, 12, date(2026, 1, 1)):
        assert cell_value(harmless) == harmless
    assert text_of_cell("'引号开头") == "'引号开头"


def test_the_ledger_workbook_shows_hostile_names_as_text_and_its_import_reads_them_back():
    base = ledger.view(generated_row(1, random.Random(1)), shanghai(2026, 12, 10), POLICY)
    rows = [
        {
            **base,
            "ref": f"H-{i}",
            "name": name,
            "investor_name": name,
            "sector": "C3512",
            "book": "information",
            "state": "lead",
            "responsible_unit": "IPB",
            "total_investment": "120000000",
        }
        for i, name in enumerate(HOSTILE, 1)
    ]
    data = workbook.export({"information": rows}, POLICY, date(2026, 12, 10), "示例县")
    assert formula_cells(data) == []
    ws = load_workbook(io.BytesIO(data))["重点招商信息台账"]
    heads = [c.value for c in ws[3]]
    names = [ws.cell(row=r, column=heads.index("项目名称") + 1) for r in range(4, 4 + len(HOSTILE))]
    assert [c.value for c in names] == ["'" + h.replace("\r", "\n") for h in HOSTILE]  # XML reads CR as LF
    assert {c.data_type for c in names} == {"s"}
    imported, problems = workbook.read(data, POLICY, date(2026, 12, 10), lambda ref: False)
    assert [r["name"] for r in imported] == [h.strip() for h in HOSTILE], problems


def test_the_summary_workbook_shows_hostile_names_as_text():
    summary = {
        "label": "2026年第四季度",
        "start": "2026-10-01",
        "end": "2026-12-31",
        "units": [],
        "key_projects": [
            {
                "ref": f"H-{i}",
                "name": name,
                "unit": "PARK:hengdong",
                "liaison_leader": name,
                "state": "construction",
                "red_flags": [name],
            }
            for i, name in enumerate(HOSTILE, 1)
        ],
    }
    data = summary_report.render_xlsx(summary, POLICY, "示例县", dt.date(2026, 12, 6))
    assert formula_cells(data) == []
    ws = load_workbook(io.BytesIO(data))["重点项目"]
    assert [ws.cell(row=r, column=2).value for r in range(2, 2 + len(HOSTILE))] == ["'" + h for h in HOSTILE]


def test_the_offices_tables_show_hostile_names_as_text():
    """shared/sheets.workbook: the Leading Group's event report, the assessment notice's table."""
    from shared import sheets

    table = sheets.Table(
        sheet="表",
        title=HOSTILE[0],
        note=HOSTILE[1],
        headings=list(HOSTILE[:3]),
        rows=[[name, name] for name in HOSTILE],
    )
    ws = load_workbook(io.BytesIO(sheets.workbook([table])))["表"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert {c.value for c in cells if isinstance(c.value, str) and c.value[1:] in HOSTILE} >= {"'" + HOSTILE[0]}


def test_the_sample_workbooks_show_hostile_names_as_text():
    """zhaoshang/samples.py: the roster and parcel workbooks the demo imports."""
    from zhaoshang import samples

    ws = load_workbook(io.BytesIO(samples.workbook("表", ["名称"], [[name] for name in HOSTILE])))["表"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 2 + len(HOSTILE))] == ["'" + h for h in HOSTILE]


def test_every_workbook_writer_goes_through_the_helper():
    """A module that makes workbooks with openpyxl imports shared.spreadsheet, and has its test above."""
    tested = {
        "services/coordinator/workbook.py",
        "services/coordinator/summary_report.py",
        "shared/sheets.py",
        "zhaoshang/samples.py",
    }
    writers = {
        str(p.relative_to(ROOT))
        for folder in ("services", "shared", "zhaoshang")
        for p in (ROOT / folder).rglob("*.py")
        if re.search(r"from openpyxl import .*\bWorkbook\b|openpyxl\.Workbook\(", p.read_text(encoding="utf-8"))
    }
    assert writers == tested
    for path in writers:
        assert "from shared.spreadsheet import" in (ROOT / path).read_text(encoding="utf-8"), path
