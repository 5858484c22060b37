"""The authorization table: every operation, who may do it, and an example of who may not.

Generated from ``policy/authority.yaml`` (``zhaoshang authz-table`` writes
``docs/AUTHORIZATION.md``); ``tests/unit/test_authorization_table.py`` walks it.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from shared.actor import Actor, is_allowed
from shared.policy import Policy

# The record a check is about, for rules that name the record's unit ({owner_unit}, …).
CONTEXT = {
    "owner_unit": "PARK:hengdong",
    "responsible_unit": "PARK:hengdong",
    "park": "hengdong",
    "project_units": ("PARK:hengdong", "FIN", "LAND"),
}  # a project of Hengdong park that FIN and LAND review
# Who to try as the forbidden actor: first another bureau or park touching that record, then ordinary staff.
OTHERS = [
    ("staff", "PARK:hexi"),
    ("reviewer", "LAND"),
    ("clerk", "AUDIT"),
    ("clerk", "ARCH"),
    ("clerk", "FIN"),
    ("clerk", "TOWN:shiwan"),
    ("clerk", "IPB"),
    ("clerk", "LG"),
]
SAMPLES = {"PARK:*": "PARK:hengdong", "TOWN:*": "TOWN:xintang"}


@dataclass(frozen=True)
class Row:
    operation: str
    positions: tuple[str, ...]
    units: tuple[str, ...]
    permitted: Actor
    forbidden: Actor | None  # None: every unit may (each on its own records, checked by the service)


def _fill(pattern: str) -> str:
    return SAMPLES.get(pattern, pattern).format(**CONTEXT).replace("*", "hengdong")


def permitted_actor(rule: dict) -> Actor:
    if rule.get("units"):
        return Actor("u-permitted", "staff", _fill(rule["units"][0]))
    position = _fill(rule["positions"][0])
    unit = f"PARK:{position.split(':', 1)[1]}" if position.startswith("park_head:") else "LG"
    return Actor("u-permitted", position, unit)


def forbidden_actor(operation: str, authority) -> Actor | None:
    for position, unit in OTHERS:
        actor = Actor("u-forbidden", position, unit)
        if not is_allowed(actor, operation, authority, **CONTEXT):
            return actor
    return None


def rows(policy: Policy) -> list[Row]:
    authority = policy.authority
    return [
        Row(
            op,
            tuple(rule.get("positions") or ()),
            tuple(rule.get("units") or ()),
            permitted_actor(rule),
            forbidden_actor(op, authority),
        )
        for op, rule in sorted(authority.items())
    ]


def render(policy: Policy) -> str:
    lines = [
        "# Who may do what (deny by default)",
        "",
        "Generated from `policy/authority.yaml` by `zhaoshang authz-table > docs/AUTHORIZATION.md`;",
        "`tests/unit/test_authorization_table.py` checks it is current and walks every row with the",
        "permitted and the forbidden actor shown.  An operation not listed is refused.  The service",
        "that owns the record decides (the actor travels with every RPC); `{…}` stands for the unit",
        "of the record in question (the unit that registered a lead, the project's responsible unit)",
        "— so a bureau or park never acts on another's record.",
        "`{project_units}` is need-to-know (R15): the units taking part in the project the record belongs to (its",
        "own park or town, the units reviewing it, the copy holders, the accounting's participants…, as the service",
        "owning the record knows them; `shared/need_to_know.py`) — a park or town reads only its own projects.",
        "",
        "| operation | positions allowed | units allowed | e.g. allowed | e.g. refused |",
        "|---|---|---|---|---|",
    ]
    for row in rows(policy):
        positions = ", ".join(f"`{p}`" for p in row.positions) or "—"
        units = ", ".join(f"`{u}`" for u in row.units) or "—"
        refused = (
            f"{row.forbidden.position} of {row.forbidden.unit}" if row.forbidden else "— (every unit, its own only)"
        )
        lines.append(
            f"| `{row.operation}` | {positions} | {units} | {row.permitted.position} of {row.permitted.unit} | "
            f"{refused} |"
        )
    lines += [
        "",
        "Decision and signing authority (R5) is further narrowed by the decision route of each project:",
        "only the position the route names decides, recommends or signs (`services/negotiation/domain.py`).",
        "",
    ]
    return "\n".join(lines)


def matches(value: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(value, _fill(p)) for p in patterns)
