"""The land reserve (土地储备): the parcels the county holds or prepares for industrial use, kept by LAND.

A parcel has its code (地块编号), name, location (a park or a town), area in mu (exact ``Decimal``), planning use
(policy ``land.reserve.uses``), plot-ratio range, supply status (reserved → ready → in listing → supplied), the
delisting price per mu and the standard-land indicators that would apply to a project on it.  LAND imports its
workbook (``read_workbook``: every row checked, every problem named by sheet, row and column; the service stores
nothing from a file with a bad row) or moves one parcel's status (``check_move``, policy ``land.reserve.moves``);
a parcel becomes *supplied* only by the signed contract that names it.

``match`` ranks the ready parcels for a lead or project (area, use, the park's positioning, the preferred
location) with its reasons; ``plan`` joins the parcels to the county's shapes (GeoJSON) for the map.

Pure: no nameko, no session, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Mapping

from shared import sheets
from shared.errors import Conflict, InvalidInput
from shared.i18n import N_, Message, _, named, to_wire
from shared.policy import Policy
from shared.sheets import RowProblem
from shared.units import quantize_land, quantize_money

STATUSES = ("reserved", "ready", "in_listing", "supplied")
STATUS_NAMES = {
    "reserved": N_("reserved"),
    "ready": N_("ready for supply"),
    "in_listing": N_("in listing"),
    "supplied": N_("supplied"),
}
STATUS_ZH = {"reserved": "储备中", "ready": "可供地", "in_listing": "挂牌中", "supplied": "已供应"}
"""The words LAND's workbook uses for each status (the codes are accepted too)."""

SHEET = "土地储备"
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,39}$")
INDICATORS = ("investment_intensity", "output_per_mu", "tax_per_mu", "energy_per_output")
"""The standard-land indicators (标准地) a parcel states: 万元/亩, 万元/亩, 万元/亩 and tce per 万元 of output."""


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    required: bool = False


COLUMNS = (
    Column("code", "地块编号", True),
    Column("name", "地块名称", True),
    Column("location", "位置", True),
    Column("address", "坐落"),
    Column("area_mu", "面积（亩）", True),
    Column("use", "规划用途", True),
    Column("plot_ratio_min", "容积率下限", True),
    Column("plot_ratio_max", "容积率上限", True),
    Column("status", "供应状态", True),
    Column("delisting_price", "挂牌价（元/亩）"),
    Column("investment_intensity", "投资强度（万元/亩）"),
    Column("output_per_mu", "亩均产出（万元/亩）"),
    Column("tax_per_mu", "亩均税收（万元/亩）"),
    Column("energy_per_output", "单位产出能耗（吨标准煤/万元）"),
    Column("notes", "备注"),
)
COLUMN = {c.key: c for c in COLUMNS}
BY_HEADING = {c.heading: c.key for c in COLUMNS}


def reserve_policy(policy: Policy) -> Mapping:
    return policy.get("land.reserve")


def uses(policy: Policy) -> Mapping[str, Mapping]:
    return reserve_policy(policy)["uses"]


# -- one parcel ------------------------------------------------------------------------------------------------
def location_unit(text: str, policy: Policy) -> str | None:
    """A park's or town's unit code from its code or its name (衡东工业园, PARK:hengdong, hengdong); None if none."""
    text = (text or "").strip()
    for park in policy.parks.values():
        if text in (park.unit, park.id, park.name_zh, park.name_zh + "管委会", park.name_en):
            return park.unit
    for town in policy.towns.values():
        if text in (town.unit, town.id, town.name_zh, town.name_zh + "人民政府", town.name_en):
            return town.unit
    return None


def use_code(text: str, policy: Policy) -> str | None:
    text = (text or "").strip()
    for code, spec in uses(policy).items():
        if text in (code, spec["name_zh"], spec.get("name_en")):
            return code
    return None


def status_code(text: str) -> str | None:
    text = (text or "").strip()
    if text in STATUSES:
        return text
    return next((code for code, name in STATUS_ZH.items() if text == name), None)


def check_parcel(data: Mapping, policy: Policy) -> dict[str, list]:
    """The problems of one parcel's record (field -> rules broken); empty when it is valid.  ``data`` holds
    ``Decimal`` figures or None, codes already resolved (None where the text named nothing known)."""
    rules = reserve_policy(policy)
    problems: dict[str, list] = {}

    def bad(key: str, rule) -> None:
        problems.setdefault(key, []).append(rule)

    if not data.get("code") or not CODE.match(data["code"]):
        bad("code", _("a parcel code of 2 to 40 letters, digits and hyphens (e.g. HD-2026-01)"))
    if not data.get("name") or not 2 <= len(data["name"]) <= 100:
        bad("name", _("must be 2 to 100 characters"))
    if data.get("location") is None:
        bad(
            "location",
            _(
                "a park or town of the county: one of {names:list}",
                names=[p.name_zh for p in policy.parks.values()] + [t.name_zh for t in policy.towns.values()],
            ),
        )
    area = data.get("area_mu")
    ceiling = Decimal(str(rules["max_area_mu"]))
    if area is None or not Decimal(0) < area <= ceiling:
        bad("area_mu", _("must be more than 0 and at most {ceiling:mu}", ceiling=ceiling))
    if data.get("use") is None:
        bad(
            "use",
            _(
                "a planning use: one of {uses:list}",
                uses=[_("{code} {name}", code=c, name=named(u, c)) for c, u in uses(policy).items()],
            ),
        )
    low, high = data.get("plot_ratio_min"), data.get("plot_ratio_max")
    top = Decimal(str(rules["max_plot_ratio"]))
    for key, value in (("plot_ratio_min", low), ("plot_ratio_max", high)):
        if value is None or not Decimal(0) < value <= top:
            bad(key, _("a plot ratio more than 0 and at most {top}", top=str(top)))
    if low is not None and high is not None and low > high:
        bad("plot_ratio_max", _("must not be below the lower limit {low}", low=str(low)))
    if data.get("status") is None:
        bad("status", _("one of {statuses:list}", statuses=list(STATUS_ZH.values())))
    price = data.get("delisting_price")
    if price is not None and not Decimal(0) < price <= Decimal(str(rules["max_price_yuan_per_mu"])):
        bad(
            "delisting_price",
            _(
                "must be more than 0 and at most {ceiling:yuan} per mu",
                ceiling=Decimal(str(rules["max_price_yuan_per_mu"])),
            ),
        )
    elif price is not None and price != price.quantize(Decimal("0.01")):
        bad("delisting_price", _("yuan are kept to 2 decimal places (fen)"))
    if price is None and data.get("status") in ("in_listing", "supplied"):
        bad("delisting_price", _("a parcel in listing or supplied has its delisting price"))
    for key in INDICATORS:
        value = (data.get("indicators") or {}).get(key)
        if value is not None and value <= 0:
            bad(key, _("must be more than 0"))
    return problems


def check_parcel_valid(data: Mapping, policy: Policy) -> None:
    """A parcel's record after a change is valid: InvalidInput naming every field and the rules it breaks."""
    if problems := check_parcel(data, policy):
        raise InvalidInput(
            _(
                "the parcel's record is invalid — {problems:clauses}",
                problems=[_("{field:field}: {rules:clauses}", field=k, rules=v) for k, v in problems.items()],
            ),
            problems,
        )


def check_move(current: str, new: str, policy: Policy) -> None:
    """LAND moves a parcel's status along the policy's moves; *supplied* comes only from a signed contract."""
    if new not in STATUSES:
        raise InvalidInput.for_field("status", _("one of {statuses:list}", statuses=list(STATUS_ZH.values())))
    allowed = reserve_policy(policy)["moves"].get(current) or []
    if new not in allowed:
        raise Conflict(
            _(
                "a parcel {current} cannot become {new}; it may become {allowed:list}",
                current=Message(STATUS_NAMES[current]),
                new=Message(STATUS_NAMES[new]),
                allowed=[Message(STATUS_NAMES[s]) for s in allowed] or [_("nothing else")],
            ),
            {"status": [new]},
        )


def check_for_contract(parcel: Mapping, project_id: str) -> None:
    """A contract may name a parcel that is ready or in listing and not intended for another project."""
    if parcel["status"] not in ("ready", "in_listing"):
        raise Conflict(
            _(
                "parcel {code} is {status}: a contract names a parcel ready for supply or in listing",
                code=parcel["code"],
                status=Message(STATUS_NAMES[parcel["status"]]),
            ),
            {"parcel": [parcel["code"]]},
        )
    project = parcel.get("project") or {}
    if project.get("project_id") and project["project_id"] != project_id:
        raise Conflict(
            _(
                "parcel {code} is intended for {ref} by its contract draft",
                code=parcel["code"],
                ref=project.get("ref") or project["project_id"],
            ),
            {"parcel": [parcel["code"]]},
        )


# -- LAND's workbook ---------------------------------------------------------------------------------------------
def read_workbook(
    content: bytes, policy: Policy, kept: Callable[[str], Mapping | None]
) -> tuple[list[dict], list[RowProblem]]:
    """Every parcel of LAND's workbook and every problem found (all rows are checked).

    The sheet is 土地储备 (or the first), its heading row the first of the first 8 with 地块编号.  ``kept(code)``
    is the parcel stored under a code (None if new): a parcel a contract supplied keeps its record."""
    title, rows = sheets.open_sheet(content, SHEET)
    found = sheets.header(rows, [COLUMN["code"].heading], BY_HEADING)
    if found is None:
        return [], [
            RowProblem(
                title,
                1,
                "header",
                COLUMN["code"].heading,
                [_("no heading row with {heading} in the first 8 rows", heading=COLUMN["code"].heading)],
            )
        ]
    header_at, columns = found
    missing = [c for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        return [], [RowProblem(title, header_at + 1, c.key, c.heading, [_("column is missing")]) for c in missing]
    parcels, problems, seen = [], [], {}
    for i, cells in enumerate(rows[header_at + 1 :], start=header_at + 2):
        values = {key: cells[n] if n < len(cells) else None for key, n in columns.items()}
        if all(sheets.text(v) == "" for v in values.values()):
            continue
        parcel, bad = _read_row(values, policy)
        code = parcel.get("code")
        if code and code in seen:
            bad.setdefault("code", []).append(_("{code} appears twice (also row {row})", code=code, row=seen[code]))
        elif code:
            seen[code] = i
            stored = kept(code)
            if stored is not None and (stored.get("supplied_by") or {}).get("project_id"):
                bad.setdefault("code", []).append(
                    _(
                        "{code} was supplied to {ref} by its signed contract; its record is kept",
                        code=code,
                        ref=stored["supplied_by"].get("ref") or stored["supplied_by"]["project_id"],
                    )
                )
        if bad:
            problems.extend(
                RowProblem(title, i, key, COLUMN[key].heading if key in COLUMN else key, rules)
                for key, rules in bad.items()
            )
        else:
            parcels.append(parcel)
    return parcels, problems


def _read_row(values: Mapping, policy: Policy) -> tuple[dict, dict[str, list]]:
    problems: dict[str, list] = {}
    figures = {}
    for key in ("area_mu", "plot_ratio_min", "plot_ratio_max", "delisting_price", *INDICATORS):
        try:
            figures[key] = sheets.decimal(values.get(key))
        except ValueError:
            figures[key] = None
            problems.setdefault(key, []).append(_("must be a number, not {text}", text=sheets.text(values.get(key))))
    location_text, use_text, status_text = (sheets.text(values.get(k)) for k in ("location", "use", "status"))
    parcel = {
        "code": sheets.text(values.get("code")).upper(),
        "name": sheets.text(values.get("name")),
        "location": location_unit(location_text, policy),
        "address": sheets.text(values.get("address")) or None,
        "area_mu": figures["area_mu"],
        "use": use_code(use_text, policy),
        "plot_ratio_min": figures["plot_ratio_min"],
        "plot_ratio_max": figures["plot_ratio_max"],
        "status": status_code(status_text),
        "delisting_price": figures["delisting_price"],
        "indicators": {k: figures[k] for k in INDICATORS if figures[k] is not None},
        "notes": sheets.text(values.get("notes")) or None,
    }
    for key, rules in check_parcel(parcel, policy).items():
        if key not in problems:  # a figure that is not a number is said once
            problems.setdefault(key, []).extend(rules)
    if parcel["delisting_price"] is not None and not problems:
        parcel["delisting_price"] = quantize_money(parcel["delisting_price"])
    return parcel, problems


# -- matching a lead or project to the ready parcels ----------------------------------------------------------------
def use_takes(use: str, sector: str, policy: Policy) -> bool:
    return any(sector.startswith(prefix) for prefix in uses(policy).get(use, {}).get("sectors", ()))


def match(
    parcels: Iterable[Mapping],
    demand_mu: Decimal,
    sector: str,
    preferred: str | None,
    policy: Policy,
    planned_intensity: Decimal | None = None,
) -> list[dict]:
    """The ready parcels that suit a demand of ``demand_mu`` for ``sector``, best first, each with its reasons.

    A parcel suits when it is *ready*, its planning use takes the sector, its area is at least the demand and at
    most ``max_oversize_ratio`` larger, and — as R3 ranks the responsible unit — it lies in a park whose
    positioning covers the sector, or in a town when no park's does.  The preferred location comes first, then
    the closest fit in area.  The parcel's investment-intensity indicator is compared with the planned
    intensity (a finding, not a refusal)."""
    rules = reserve_policy(policy)["matching"]
    oversize = Decimal(str(rules["max_oversize_ratio"]))
    covering = {p.unit for p in policy.parks.values() if p.covers(sector)}
    found = []
    for parcel in parcels:
        if parcel["status"] != "ready" or not use_takes(parcel["use"], sector, policy):
            continue
        area = Decimal(parcel["area_mu"])
        if not demand_mu <= area <= demand_mu * (1 + oversize):
            continue
        unit = parcel["location"]
        in_park = unit.startswith("PARK:")
        if in_park and unit not in covering:
            continue
        if not in_park and covering:
            continue
        reasons = [
            _(
                "{area:mu} for a demand of {demand:mu} (at most {ratio}% larger)",
                area=area,
                demand=demand_mu,
                ratio=f"{(oversize * 100).normalize():f}",
            ),
            _(
                "planning use {use} takes {sector:sector}",
                use=named(uses(policy)[parcel["use"]], parcel["use"]),
                sector=sector,
            ),
        ]
        reasons.append(
            _("the positioning of {unit:unit} covers {sector:sector}", unit=unit, sector=sector)
            if in_park
            else _("no park's positioning covers {sector:sector}: a town's parcel", sector=sector)
        )
        if unit == preferred:
            reasons.append(_("the investor's preferred location"))
        minimum = (parcel.get("indicators") or {}).get("investment_intensity")
        below = False
        if minimum is not None and planned_intensity is not None:
            below = planned_intensity < Decimal(minimum)
            reasons.append(
                _(
                    "planned intensity {planned:intensity} is below the parcel's standard {minimum:intensity}",
                    planned=planned_intensity,
                    minimum=minimum,
                )
                if below
                else _(
                    "planned intensity {planned:intensity} meets the parcel's standard {minimum:intensity}",
                    planned=planned_intensity,
                    minimum=minimum,
                )
            )
        found.append(
            {
                "parcel": parcel,
                "preferred": unit == preferred,
                "excess_mu": quantize_land(area - demand_mu),
                "below_standard": below,
                "reasons": reasons,
            }
        )
    found.sort(key=lambda m: (not m["preferred"], m["below_standard"], m["excess_mu"], m["parcel"]["code"]))
    for rank, m in enumerate(found, start=1):
        m["rank"] = rank
    return found[: int(rules["limit"])]


# -- the plan --------------------------------------------------------------------------------------------------
def check_shapes(collection: Mapping) -> list[str]:
    """The problems of the plan's GeoJSON (a FeatureCollection of parks and parcels with Polygon shapes)."""
    problems = []
    if collection.get("type") != "FeatureCollection" or not isinstance(collection.get("features"), list):
        return ["not a GeoJSON FeatureCollection"]
    for n, feature in enumerate(collection["features"]):
        props, geometry = feature.get("properties") or {}, feature.get("geometry") or {}
        if props.get("kind") not in ("park", "town", "parcel"):
            problems.append(f"feature {n}: properties.kind must be park, town or parcel")
        if props.get("kind") == "parcel" and not props.get("code"):
            problems.append(f"feature {n}: a parcel's shape names its code")
        if props.get("kind") in ("park", "town") and not props.get("unit"):
            problems.append(f"feature {n}: a park's or town's shape names its unit")
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(f"feature {n}: geometry must be a Polygon or MultiPolygon")
    return problems


def plan(shapes: Mapping, parcels: Iterable[Mapping], policy: Policy) -> dict:
    """The parks and parcels as one GeoJSON FeatureCollection for the map: each parcel's shape with its record
    (status, area, use, price, the project on it); parcels the plan has no shape for are listed apart."""
    by_code = {p["code"]: p for p in parcels}
    features, drawn = [], set()
    for feature in shapes.get("features", []):
        props = dict(feature.get("properties") or {})
        if props.get("kind") == "parcel":
            parcel = by_code.get(props["code"])
            if parcel is None:
                continue
            drawn.add(parcel["code"])
            props.update(parcel_properties(parcel, policy))
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": props})
    return {
        "type": "FeatureCollection",
        "sample": bool(shapes.get("sample")),
        "features": features,
        "unplaced": sorted(code for code in by_code if code not in drawn),
    }


def parcel_properties(parcel: Mapping, policy: Policy) -> dict:
    project = parcel.get("supplied_by") or parcel.get("project") or None
    return {
        "kind": "parcel",
        "code": parcel["code"],
        "name": parcel["name"],
        "status": parcel["status"],
        "unit": parcel["location"],
        "area_mu": str(parcel["area_mu"]),
        "use": parcel["use"],
        "use_name": to_wire(named(uses(policy).get(parcel["use"]), parcel["use"])),
        "delisting_price": None if parcel.get("delisting_price") is None else str(parcel["delisting_price"]),
        "project": project,
    }
