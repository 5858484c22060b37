"""Investment tiers of the project reserve (R8) and the key-project threshold (R10).

Both are policy data (``thresholds.reserve.tiers``, ``thresholds.key_project``), never
literals here.  A tier is written with bounds: ``above`` (>), ``from`` (>=), ``to`` (<=),
``below`` (<); the first tier whose bounds all hold is the amount's tier, none means
"no tier".  The sample county: A > 100,000,000; B 50,000,000–100,000,000 (both ends
in B); C 5,000,000–50,000,000 (5,000,000 in C, 50,000,000 in B).
"""

from __future__ import annotations

from decimal import Decimal

from shared.policy import Policy, PolicyError
from shared.units import parse_decimal

_BOUNDS = {
    "above": lambda x, b: x > b,
    "from": lambda x, b: x >= b,
    "to": lambda x, b: x <= b,
    "below": lambda x, b: x < b,
}


def reserve_tiers(policy: Policy) -> list[dict]:
    """The tiers as ``[{"tier": "A", "above": Decimal(...)}, ...]``, checked once per policy (the coordinator
    derives a tier at every event of the ledger)."""
    return policy.derived("reserve_tiers", _reserve_tiers)


def _reserve_tiers(policy: Policy) -> list[dict]:
    tiers = []
    for i, raw in enumerate(policy.get("thresholds.reserve.tiers")):
        bounds = {k: v for k, v in raw.items() if k != "tier"}
        if not raw.get("tier") or not bounds or set(bounds) - set(_BOUNDS):
            raise PolicyError(f"thresholds.reserve.tiers[{i}]: a tier name and bounds among {', '.join(_BOUNDS)}")
        for key, value in bounds.items():
            if isinstance(value, float):
                raise PolicyError(f"thresholds.reserve.tiers[{i}].{key} must be a string or integer, not a float")
        tiers.append({"tier": str(raw["tier"]), **{k: Decimal(str(v)) for k, v in bounds.items()}})
    return tiers


def investment_tier(amount, policy: Policy) -> str | None:
    """The reserve tier of a total investment in yuan, or None below every tier."""
    value = parse_decimal(amount, "total_investment")
    for tier in reserve_tiers(policy):
        if all(_BOUNDS[k](value, bound) for k, bound in tier.items() if k != "tier"):
            return tier["tier"]
    return None


def tier_names(policy: Policy) -> list[str]:
    return [t["tier"] for t in reserve_tiers(policy)]


def yearly_minimum(policy: Policy) -> int:
    return policy.integer("thresholds.reserve.yearly_minimum_per_tier")


def key_threshold(policy: Policy) -> Decimal:
    return policy.derived("key_threshold", lambda p: p.decimal("thresholds.key_project.total_investment_yuan"))


def is_key_investment(amount, policy: Policy) -> bool:
    """R10: a total investment at or above the key-project threshold makes a key project."""
    return parse_decimal(amount, "total_investment") >= key_threshold(policy)


def amount_zh(yuan: Decimal) -> str:
    """100000000 -> '1亿元', 50000000 -> '5000万元' (for scale labels)."""
    if yuan >= 100_000_000 and yuan % 100_000_000 == 0:
        return f"{(yuan / 100_000_000).normalize():f}亿元"
    if yuan >= 10_000:
        return f"{(yuan / 10_000).normalize():f}万元"
    return f"{yuan.normalize():f}元"


def amount_en(yuan: Decimal) -> str:
    """100000000 -> 'CNY 100 million', 5000000 -> 'CNY 5 million' (for scale labels)."""
    if yuan >= 1_000_000 and yuan % 1_000_000 == 0:
        return f"CNY {(yuan / 1_000_000).normalize():f} million"
    return f"CNY {yuan.normalize():,f}"


def tier_label(tier: str | None, policy: Policy):
    """The tier's band in words (a Message): 'A类（1亿元以上）', 'B类（5000万元—1亿元）', '500万元以下（未入档）'."""
    from shared.i18n import _

    tiers = reserve_tiers(policy)
    if tier is None:
        lowest = min(b for t in tiers for k, b in t.items() if k in ("from", "above"))
        return _("below {low:scale} (no tier)", low=lowest)
    spec = next(t for t in tiers if t["tier"] == tier)
    low = spec.get("from", spec.get("above"))
    high = spec.get("to", spec.get("below"))
    if high is None:
        return _("tier {tier} (above {low:scale})", tier=tier, low=low)
    if low is None:
        return _("tier {tier} (below {high:scale})", tier=tier, high=high)
    return _("tier {tier} ({low:scale} to {high:scale})", tier=tier, low=low, high=high)
