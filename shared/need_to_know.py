"""Need-to-know (R15): who reads a project's records.

IPB, the Leading Group's office and the county leaders read every project; a park or a town reads only its own
projects (the ones it registered, is the location of, or is responsible for) and the public catalog; a bureau reads
the projects it takes part in — it reviews them, holds a copy of their contract, takes part in their accounting or
negotiation.  The policy says so per read operation (``policy/authority.yaml``): a rule's units name
``{project_units}``, and the service that owns the record fills it with the units taking part in that project as
it knows them (``project_units``): e.g. ``review.read: units: [IPB, LG, "{project_units}"]`` with the review's
required units and the park it is bound for.  A list shows only the projects its reader may read (``readable``).
"""

from __future__ import annotations

from typing import Collection, Iterable, Mapping

from shared.actor import Actor, authorize, is_allowed

CONTEXT = "project_units"


def location_unit(kind: str | None, ident: str | None) -> str | None:
    """The park or town a project is bound for (``park``/``town`` and its id), else None."""
    return f"{kind.upper()}:{ident}" if kind in ("park", "town") and ident else None


def project_units(
    *units: str | None, location: tuple[str | None, str | None] | None = None, more: Iterable[str | None] = ()
) -> frozenset[str]:
    """The units taking part in a project: those given, the location's park or town, ``more`` (None dropped)."""
    found = {*units, *more, location_unit(*location) if location else None}
    return frozenset(u for u in found if u and u != "-")


def copy_holders(policy, responsible_unit: str | None) -> list[str]:
    """The units that hold a copy of a signed contract (policy ``thresholds.contracts.copy_holders``, R13)."""
    return [responsible_unit if h == "RESPONSIBLE_UNIT" else h for h in policy.get("thresholds.contracts.copy_holders")]


def check(actor: Actor, operation: str, authority: Mapping[str, Mapping], units: Collection[str], **context) -> None:
    """``NotAllowed`` unless the operation's rule admits the actor for a project in which ``units`` take part."""
    authorize(actor, operation, authority, **{CONTEXT: frozenset(units)}, **context)


def readable(actor: Actor, operation: str, authority: Mapping[str, Mapping], units: Collection[str], **context) -> bool:
    return is_allowed(actor, operation, authority, **{CONTEXT: frozenset(units)}, **context)


def reads_all(actor: Actor, operation: str, authority: Mapping[str, Mapping], **context) -> bool:
    """True when the actor reads every project by the rule (IPB, the LG…), whatever units take part."""
    return is_allowed(actor, operation, authority, **{CONTEXT: frozenset()}, **context)


def check_lists(actor: Actor, operation: str, authority: Mapping[str, Mapping], **context) -> bool:
    """For a list: ``NotAllowed`` unless the actor reads at least the projects its own unit takes part in; True
    when it reads them all (no filter needed)."""
    check(actor, operation, authority, {actor.unit}, **context)
    return reads_all(actor, operation, authority, **context)
