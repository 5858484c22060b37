"""The terms a decision is taken on (R5: what is signed is what was decided), as negotiation sends them in
``negotiation.decided`` / ``negotiation.principals_decided`` and contracts keeps them.

Pure: the one list of decided terms, their canonical form on the wire, and the comparison both services make
(negotiation: did a session after the decision change them?  contracts: does the version being signed carry
them?).  Figures compare as numbers (``45`` and ``45.00`` mu are the same land), lists as they are.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Mapping

from shared.i18n import Message, _
from shared.units import quantize_intensity, wan_per_mu

FIGURES = ("land_mu", "total_investment", "fixed_asset_investment", "intensity_wan_per_mu")
"""The decided figures: land (mu, exact), investment and fixed-asset investment (yuan), contracted intensity."""
LISTS = ("agreed", "policy_terms")
"""Every matter agreed in the sessions, and every policy term open on the project (within or beyond policy)."""
TERMS = FIGURES + LISTS


def number(value) -> str | None:
    """A decided figure as its canonical text: exact, without trailing zeros (``45.00`` -> ``45``); None when
    it is not known."""
    if value is None:
        return None
    text = f"{Decimal(str(value)).normalize():f}"
    return "0" if text in ("-0", "") else text


def compose(land_mu, total_investment, fixed_asset_investment, agreed, policy_terms) -> dict:
    """The decided terms on the wire; the intensity is the fixed-asset investment ÷ land, 2 places (R12)."""
    known = fixed_asset_investment is not None and land_mu is not None
    return {
        "land_mu": number(land_mu),
        "total_investment": number(total_investment),
        "fixed_asset_investment": number(fixed_asset_investment),
        "intensity_wan_per_mu": str(quantize_intensity(wan_per_mu(fixed_asset_investment, land_mu))) if known else None,
        "agreed": list(agreed),
        "policy_terms": [policy_term_text(t) for t in policy_terms],
    }


def missing(terms: Mapping) -> list[str]:
    """The decided figures not known (a project filed before negotiation kept the planned investment)."""
    return [name for name in FIGURES if terms.get(name) is None]


def policy_term_text(term) -> str:
    """A policy term as the contract states it: its text (a recorded term is a dict with ``text``)."""
    return term["text"] if isinstance(term, Mapping) else str(term)


def _same(name: str, a, b) -> bool:
    if name in FIGURES:
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except (InvalidOperation, TypeError):
            return a == b
    return list(a or []) == list(b or [])


def differing(decided: Mapping, other: Mapping) -> list[str]:
    """The decided terms ``other`` does not carry as decided, in ``TERMS`` order."""
    return [name for name in TERMS if not _same(name, decided.get(name), other.get(name))]


def describe(name: str, decided: Mapping, other: Mapping) -> Message:
    """One differing term, for an error a clerk reads: what was decided and what is there instead."""

    def show(value):
        return ("; ".join(map(str, value)) or "—") if isinstance(value, list) else str(value)

    return _(
        "{term:field}: decided {decided}, here {here}",
        term=name,
        decided=show(decided.get(name)),
        here=show(other.get(name)),
    )
