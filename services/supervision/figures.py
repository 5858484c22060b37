"""The enterprise data store's rules (R17): yearly figures per enterprise, keyed by the unified social credit code
(统一社会信用代码, GB 32100-2015: ``shared/uscc.py``) and the year — tax, output (产值), energy (吨标准煤),
electricity, land used — and the enterprise register (name, park or town, sector, year production started).

A file (Excel .xlsx or CSV) is read whole: every row is checked (the credit code and its check character, the
year, each figure a number in the unit its heading states and within the plausible range of policy
``benefit.figures.kinds``, a code and year not twice) and every problem is named by row and column; a file with any
problem stores nothing (the service raises ``sheets.refusal``).  Which unit may bring which kind is the authority
table (``supervision.enter_figures.<kind>``): the tax from FIN (the tax bureau's data), energy and electricity from
DRB (the power company's), output from IND (statistics), land from LAND.

Pure: no nameko, no session, no clock.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

from shared import sheets, uscc
from shared.errors import InvalidInput
from shared.i18n import N_, _
from shared.industry import sector_problem
from shared.policy import Policy
from shared.sheets import RowProblem
from shared.vocabulary import unit_of_name

KINDS = ("tax", "output", "energy", "electricity", "land")
KIND_NAMES = {
    "tax": N_("tax"),
    "output": N_("output value"),
    "energy": N_("energy consumption"),
    "electricity": N_("electricity consumption"),
    "land": N_("land used"),
}
UNIT_OF = {"tax": "万元", "output": "万元", "energy": "吨标准煤", "electricity": "万千瓦时", "land": "亩"}
"""The unit each kind is kept in (the first of its units in policy; the sample's)."""

CODE_HEADINGS = ("统一社会信用代码", "社会信用代码", "信用代码")
YEAR_HEADINGS = ("年度", "年份")
NAME_HEADINGS = ("企业名称", "单位名称", "纳税人名称")
LOCATION_HEADINGS = ("所在园区或乡镇", "所在园区/乡镇", "园区或乡镇", "所在地")
SECTOR_HEADINGS = ("行业代码", "国民经济行业代码")
PRODUCTION_HEADINGS = ("投产年份", "投产年度")
HEADING = re.compile(r"^\s*([^（(]+?)\s*[（(]\s*([^）)]+?)\s*[）)]\s*$")


def kinds(policy: Policy) -> Mapping[str, Mapping]:
    return policy.get("benefit.figures.kinds")


def canonical_unit(kind: str, policy: Policy) -> str:
    return next(iter(kinds(policy)[kind]["units"]))


def operation(kind: str) -> str:
    """The authority table's operation for importing or entering ``kind``."""
    return f"supervision.enter_figures.{kind}"


@dataclass(frozen=True)
class Column:
    key: str  # code | year | name | location | sector | production_year | a kind
    heading: str  # as the file writes it
    index: int
    factor: Decimal = Decimal(1)


# -- one figure -------------------------------------------------------------------------------------------------
def check_value(kind: str, value: Decimal, policy: Policy) -> list:
    """The rules a figure (in its kind's unit) breaks: the plausible range of policy."""
    low, high = (Decimal(v) for v in kinds(policy)[kind]["range"])
    if not low <= value <= high:
        return [
            _(
                "{value} {measure} is outside the plausible range {low} to {high} {measure}",
                value=str(value),
                measure=canonical_unit(kind, policy),
                low=str(low),
                high=str(high),
            )
        ]
    return []


def to_kept_unit(kind: str, value: Decimal, unit: str | None, policy: Policy) -> Decimal:
    """``value`` stated in ``unit`` (None: the kind's own) in the unit the kind is kept in; InvalidInput naming
    ``unit`` if policy does not know it for the kind."""
    units = kinds(policy)[kind]["units"]
    unit = unit or canonical_unit(kind, policy)
    if unit not in units:
        raise InvalidInput.for_field(
            "unit",
            _(
                "{measure} is not a unit of this figure; use one of {measures:clauses}",
                measure=unit,
                measures=list(units),
            ),
        )
    return _exact(value * Decimal(units[unit]))


def _exact(value: Decimal) -> Decimal:
    return Decimal(format(value.normalize(), "f")) if value != 0 else Decimal(0)


def check_year(year: int, this_year: int, policy: Policy) -> list:
    first = int(policy.get("benefit.figures.first_year"))
    if not first <= year <= this_year:
        return [_("the year must be from {first} to {last}", first=str(first), last=str(this_year))]
    return []


def check_entered_year(year: int, this_year: int, policy: Policy) -> None:
    """A figure entered by hand is of a year from policy's first year kept to this year."""
    if rules := check_year(year, this_year, policy):
        raise InvalidInput(rules[0], {"year": rules})


def check_entered_value(kind: str, value: Decimal, policy: Policy) -> Decimal:
    """A figure entered by hand (in its kind's unit) is in policy's plausible range."""
    if rules := check_value(kind, value, policy):
        raise InvalidInput(_("{field:field}: {rule}", field="value", rule=rules[0]), {"value": rules})
    return value


# -- a file -------------------------------------------------------------------------------------------------------
def rows_of(filename: str, content: bytes) -> tuple[str, list[tuple]]:
    """The sheet's title and its rows of values: the first sheet of an .xlsx, or a CSV (UTF-8, or GB18030 as
    Excel saves it in China)."""
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                decoded = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput.for_field("file", _("is neither UTF-8 nor GB18030 text"))
        return filename, [tuple(row) for row in csv.reader(io.StringIO(decoded))]
    return sheets.open_sheet(content, "")


def columns_of(cells: Iterable, policy: Policy) -> tuple[dict[str, Column], list[tuple[int, str, list]]]:
    """The columns a heading row names, and the problems of its headings (index, heading, rules): a figure's
    heading must state a unit policy knows for it."""
    found, problems = {}, []
    for n, cell in enumerate(cells):
        heading = sheets.text(cell)
        if not heading:
            continue
        plain = heading.replace(" ", "")
        for key, names in (
            ("code", CODE_HEADINGS),
            ("year", YEAR_HEADINGS),
            ("name", NAME_HEADINGS),
            ("location", LOCATION_HEADINGS),
            ("sector", SECTOR_HEADINGS),
            ("production_year", PRODUCTION_HEADINGS),
        ):
            if plain in names:
                found.setdefault(key, Column(key, heading, n))
                break
        else:
            match = HEADING.match(heading)
            name = match.group(1) if match else plain
            kind = next((k for k, spec in kinds(policy).items() if name in spec["names"]), None)
            if kind is None:
                continue  # a column the store does not keep (notes, the tax bureau's own numbers…)
            units = kinds(policy)[kind]["units"]
            if not match:
                problems.append(
                    (
                        n,
                        heading,
                        [
                            _(
                                "the heading must state the unit, e.g. {example}",
                                example=f"{name}（{canonical_unit(kind, policy)}）",
                            )
                        ],
                    )
                )
            elif match.group(2) not in units:
                problems.append(
                    (
                        n,
                        heading,
                        [
                            _(
                                "{measure} is not a unit of this figure; use one of {measures:clauses}",
                                measure=match.group(2),
                                measures=list(units),
                            )
                        ],
                    )
                )
            elif kind in found:
                problems.append((n, heading, [_("a second column of the same figure")]))
            else:
                found[kind] = Column(kind, heading, n, Decimal(units[match.group(2)]))
    return found, problems


def header(rows: list, policy: Policy) -> tuple[int, dict[str, Column], list] | None:
    """The heading row: the first of the first 8 with a credit-code heading."""
    for i, cells in enumerate(rows[:8]):
        if any(sheets.text(c).replace(" ", "") in CODE_HEADINGS for c in cells):
            return (i, *columns_of(cells, policy))
    return None


@dataclass
class Read:
    """What a file holds once every row is checked: the figures ``(code, year, kind, value)``, the register
    facts by code, the kinds of its columns, and the problems (none: it may be stored)."""

    figures: list[tuple[str, int, str, Decimal]]
    register: dict[str, dict]
    kinds: tuple[str, ...]
    rows: int
    problems: list[RowProblem]


def read_figures(
    filename: str, content: bytes, policy: Policy, this_year: int, year: int | None = None, register: bool = False
) -> Read:
    """Every row of an import checked.  A figures file has a credit-code column, a year column (or ``year`` for
    the whole file) and a column per kind; a register file (``register``) the code, name, park or town, sector and
    the year production started."""
    title, rows = rows_of(filename, content)
    limit = int(policy.get("benefit.figures.max_rows"))
    if len(rows) > limit + 8:
        raise InvalidInput.for_field(
            "file", _("has {n:count} rows; at most {limit:count} are imported at once", n=len(rows), limit=limit)
        )
    found = header(rows, policy)
    if found is None:
        return Read(
            [],
            {},
            (),
            0,
            [
                RowProblem(
                    title,
                    1,
                    "header",
                    CODE_HEADINGS[0],
                    [_("no heading row with {heading} in the first 8 rows", heading=CODE_HEADINGS[0])],
                )
            ],
        )
    at, columns, heading_problems = found
    problems = [RowProblem(title, at + 1, f"col{n}", heading, rules) for n, heading, rules in heading_problems]
    figure_kinds = tuple(k for k in KINDS if k in columns)
    needed = (
        (("name", NAME_HEADINGS[0]), ("location", LOCATION_HEADINGS[0]))
        if register
        else (() if year is not None else (("year", YEAR_HEADINGS[0]),))
    )
    problems += [
        RowProblem(title, at + 1, key, heading, [_("column is missing")])
        for key, heading in needed
        if key not in columns
    ]
    if not register and not figure_kinds and not heading_problems:
        problems.append(
            RowProblem(
                title,
                at + 1,
                "figures",
                _("figures"),
                [
                    _(
                        "no column of a figure the store keeps ({kinds:clauses})",
                        kinds=[
                            f"{spec['names'][0]}（{canonical_unit(k, policy)}）" for k, spec in kinds(policy).items()
                        ],
                    )
                ],
            )
        )
    if problems:
        return Read([], {}, figure_kinds, 0, problems)
    figures, facts, seen, count = [], {}, {}, 0
    for i, cells in enumerate(rows[at + 1 :], start=at + 2):
        if all(sheets.text(c) == "" for c in cells):
            continue
        count += 1
        bad: dict[str, tuple[str, list]] = {}

        def say(column: Column, rule) -> None:
            bad.setdefault(column.key, (column.heading, []))[1].append(rule)

        def cell(column: Column):
            return cells[column.index] if column.index < len(cells) else None

        code = uscc.normalise(cell(columns["code"]))
        if not code:
            say(columns["code"], _("is required"))
        elif (rule := uscc.problem(code)) is not None:
            say(columns["code"], rule)
        row_year = year
        if "year" in columns:
            written = sheets.text(cell(columns["year"])).removesuffix("年")
            if not written and year is None:
                say(columns["year"], _("is required"))
            elif written:
                if re.fullmatch(r"\d{4}", written):
                    row_year = int(written)
                    for rule in check_year(row_year, this_year, policy):
                        say(columns["year"], rule)
                else:
                    say(columns["year"], _("must be a year such as {example}", example=str(this_year - 1)))
        if register:
            entry = _register_row(columns, cell, say, this_year, policy)
            key = code
        else:
            entry = {}
            for kind in figure_kinds:
                column = columns[kind]
                try:
                    value = sheets.decimal(cell(column))
                except ValueError:
                    say(column, _("must be a number, not {text}", text=sheets.text(cell(column))))
                    continue
                if value is None:
                    continue
                value = _exact(value * column.factor)
                for rule in check_value(kind, value, policy):
                    say(column, rule)
                entry[kind] = value
            if not entry and not bad:
                say(columns[figure_kinds[0]], _("the row has no figure"))
            key = (code, row_year)
        if code and not bad.get("code"):
            if key in seen:
                say(
                    columns["code"],
                    _("{code} appears twice for the same year (also row {row})", code=code, row=seen[key])
                    if not register
                    else _("{code} appears twice (also row {row})", code=code, row=seen[key]),
                )
            else:
                seen[key] = i
        if bad:
            problems.extend(RowProblem(title, i, field, heading, rules) for field, (heading, rules) in bad.items())
            continue
        if register:
            facts[code] = entry
        else:
            figures.extend((code, row_year, kind, value) for kind, value in entry.items())
            if "name" in columns and sheets.text(cell(columns["name"])):
                facts.setdefault(code, {"name": sheets.text(cell(columns["name"]))[:200]})
    return Read(figures, facts, figure_kinds, count, problems)


def _register_row(columns: Mapping[str, Column], cell, say, this_year: int, policy: Policy) -> dict:
    entry = {"name": sheets.text(cell(columns["name"]))[:200]}
    if not entry["name"]:
        say(columns["name"], _("is required"))
    written = sheets.text(cell(columns["location"]))
    entry["location"] = location_of(written)
    if entry["location"] is None:
        say(
            columns["location"],
            _("{text} is not a park or town of the county", text=written) if written else _("is required"),
        )
    if "sector" in columns:
        sector = sheets.text(cell(columns["sector"])).upper() or None
        if sector and (rule := sector_problem(sector, policy.industry_sections)) is not None:
            say(columns["sector"], rule)
        entry["sector"] = sector
    if "production_year" in columns:
        written = sheets.text(cell(columns["production_year"])).removesuffix("年")
        if not written:
            entry["production_year"] = None
        elif re.fullmatch(r"\d{4}", written) and 1949 <= int(written) <= this_year:
            entry["production_year"] = int(written)
        else:
            say(
                columns["production_year"],
                _("must be a year from {first} to {last}", first="1949", last=str(this_year)),
            )
    return entry


def location_of(text: str) -> str | None:
    """A park's or town's unit (PARK:hengdong) from its name or code; None if it is neither."""
    unit = unit_of_name(text or "")
    return unit if unit and unit.startswith(("PARK:", "TOWN:")) else None
