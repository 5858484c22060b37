"""Standard land (标准地, R6/R17): the indicators a contract commits to, as ``policy/standard_land.yaml`` sets them
for a park or town and a sector, and the commitments a draft carries.

Pure, shared by contracts (a draft's commitments: the policy's floors unless the decision says otherwise) and
supervision (which checks them after signing).  A commitment weaker than its floor is a term exceeding current
policy (R5): a draft carries one only when the decision in force carries it as a policy term, in the words
``commitment_text`` gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Mapping

from shared.errors import InvalidInput
from shared.i18n import Message, _
from shared.policy import Policy

AT_LEAST, AT_MOST = ">=", "<="
COMPLETION, PRODUCTION = "completion", "production"


@dataclass(frozen=True)
class Indicator:
    key: str
    name: dict  # {"zh", "en"}
    unit: dict  # {"zh", "en"}
    direction: str  # ">=" | "<="
    stage: str  # completion | production
    owner: str  # the unit whose data it is checked against
    clause: str  # the damages clause applied unless the draft chooses another


def indicators(policy: Policy) -> dict[str, Indicator]:
    """The indicator catalogue of ``policy/standard_land.yaml``, in its order."""

    def build(p: Policy) -> dict[str, Indicator]:
        items = (p.documents.get("standard_land") or {}).get("indicators") or {}
        return {
            k: Indicator(
                k,
                {"zh": v["name_zh"], "en": v.get("name_en", k)},
                dict(v.get("unit") or {}),
                v["direction"],
                v["stage"],
                v["owner"],
                v["clause"],
            )
            for k, v in items.items()
        }

    return policy.derived("standard_land.indicators", build)


def clauses(policy: Policy) -> dict[str, dict]:
    """The damages clauses a contract chooses from, by id."""
    return dict((policy.documents.get("standard_land") or {}).get("damages_clauses") or {})


def setting(policy: Policy, key: str):
    return (policy.documents.get("standard_land") or {})[key]


def floors(policy: Policy, responsible_unit: str | None, sector: str | None) -> dict[str, Decimal]:
    """The floor of every indicator for a project at ``responsible_unit`` in ``sector``: the entries for its own
    location before those for anywhere ("*"), the longest matching sector prefix first; an indicator an entry
    leaves out comes from the next entry that names it."""
    entries = (policy.documents.get("standard_land") or {}).get("floors") or []
    sector = sector or ""
    matching = [e for e in entries if e["location"] in ("*", responsible_unit) and sector.startswith(e["sector"])]
    matching.sort(key=lambda e: (e["location"] == "*", -len(e["sector"])))
    out: dict[str, Decimal] = {}
    for key in indicators(policy):
        for entry in matching:
            if entry.get(key) is not None:
                out[key] = Decimal(str(entry[key]))
                break
    return out


def weaker(direction: str, value: Decimal, floor: Decimal) -> bool:
    """A commitment below an at-least floor, or above an at-most one."""
    return value < floor if direction == AT_LEAST else value > floor


def short(direction: str, committed: Decimal, actual: Decimal) -> bool:
    """An actual figure that does not meet its commitment (the same comparison as ``weaker``)."""
    return weaker(direction, actual, committed)


def number(value: Decimal) -> str:
    text = f"{Decimal(value).normalize():f}"
    return "0" if text in ("-0", "") else text


def commitment_text(indicator: Indicator, value: Decimal) -> str:
    """A commitment as the contract (and a negotiated policy term) writes it: 标准地承诺：亩均税收 ≥ 25 万元/亩."""
    sign = "≥" if indicator.direction == AT_LEAST else "≤"
    return f"标准地承诺：{indicator.name['zh']} {sign} {number(value)}{(' ' + indicator.unit['zh']) if indicator.unit.get('zh') else ''}"


def _decimal(value, where: str) -> Decimal:
    try:
        number_ = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput.for_field(where, _("must be a number")) from None
    if not number_.is_finite() or number_ <= 0:
        raise InvalidInput.for_field(where, _("must be a number more than 0"))
    return number_


def compose(
    policy: Policy,
    responsible_unit: str | None,
    sector: str | None,
    given: Iterable[Mapping] | None,
    decided_policy_terms: Iterable[str],
    land_mu: Decimal,
    fixed_asset_investment: Decimal,
    contracted_intensity: Decimal | None = None,
) -> list[dict]:
    """A draft's commitments: every indicator policy sets for the project's location and sector, at its floor or
    at the value the draft gives (the intensity: the contract's own, decided), each with its damages clause (and the base amount a proportional clause needs).
    A value weaker than the floor is refused unless the decision carries it as a policy term (R5).  Land is the
    contracted land (the tax clause multiplies by it); a proportional clause's base is the draft's, else policy's
    share of the contracted fixed-asset investment."""
    catalogue, floor_of, known = indicators(policy), floors(policy, responsible_unit, sector), clauses(policy)
    decided = set(decided_policy_terms)
    chosen = {}
    for i, item in enumerate(given or []):
        key = item.get("indicator")
        if key not in floor_of:
            raise InvalidInput.for_field(
                f"commitments.{i}.indicator",
                _(
                    "{indicator} is not a standard-land indicator for this project ({known:list})",
                    indicator=str(key),
                    known=[commitment_name(catalogue[k]) for k in floor_of],
                ),
            )
        if key in chosen:
            raise InvalidInput.for_field(f"commitments.{i}.indicator", _("each indicator is committed once"))
        chosen[key] = (i, item)
    out = []
    for key, floor in floor_of.items():
        indicator = catalogue[key]
        i, item = chosen.get(key, (None, {}))
        where = f"commitments.{i}"
        if key == "intensity" and contracted_intensity is not None:
            if item.get("value") is not None and Decimal(str(item["value"])) != Decimal(str(contracted_intensity)):
                raise InvalidInput.for_field(
                    f"{where}.value",
                    _(
                        "the intensity committed is the contract's decided {intensity:intensity}",
                        intensity=contracted_intensity,
                    ),
                )
            value = Decimal(str(contracted_intensity))
        else:
            value = _decimal(item["value"], f"{where}.value") if item.get("value") is not None else floor
        text = commitment_text(indicator, value)
        decided_figure = key == "intensity" and contracted_intensity is not None  # the review's minimum checked it (R2)
        if weaker(indicator.direction, value, floor) and text not in decided and not decided_figure:
            raise InvalidInput.for_field(
                f"{where}.value",
                _(
                    "{value} is weaker than current policy's {floor} for {indicator:pair}: a term exceeding current "
                    "policy, signed only when the decision carries it as such (negotiate «{text}»)",
                    value=number(value),
                    floor=number(floor),
                    indicator=indicator.name,
                    text=text,
                ),
            )
        clause = item.get("clause") or indicator.clause
        if clause not in known or key not in known[clause].get("indicators", []):
            raise InvalidInput.for_field(
                f"{where}.clause",
                _(
                    "{clause} is not a damages clause of the catalogue for {indicator:pair}",
                    clause=str(clause),
                    indicator=indicator.name,
                ),
            )
        base = None
        if known[clause].get("needs_base"):
            if item.get("base_amount") is not None:
                base = _decimal(item["base_amount"], f"{where}.base_amount")
            else:
                share = Decimal(str(setting(policy, "default_base_share_of_fixed_asset_investment")))
                base = (share * Decimal(str(fixed_asset_investment))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        out.append(
            {
                "indicator": key,
                "value": number(value),
                "floor": number(floor),
                "direction": indicator.direction,
                "stage": indicator.stage,
                "clause": clause,
                "base_amount": base and number(base),
                "exceeds_policy": weaker(indicator.direction, value, floor),
                "text": text,
                "land_mu": number(land_mu),
            }
        )
    return out


def commitment_name(indicator: Indicator) -> Message:
    return _("{indicator:pair}", indicator=indicator.name)


def clause_text(commitment: Mapping, policy: Policy) -> str:
    """The damages clause a commitment carries, as the contract writes it."""
    clause = clauses(policy)[commitment["clause"]]
    if commitment.get("base_amount") is None:
        return f"违约条款：{clause['name_zh']}"
    base = Decimal(commitment["base_amount"]) / Decimal(10000)
    return f"违约条款：{clause['name_zh']}（基数 {number(base)} 万元）"


def contract_lines(commitments: Iterable[Mapping], policy: Policy) -> list[str]:
    """Each commitment and its damages clause, one line each, as the contract states them."""
    return [f"{c['text']}；{clause_text(c, policy)}" for c in commitments]
