"""Standard-land commitments after signing (R6, R17): when each is checked, what the data says, a shortfall,
its rectification and the damages the contract's clause gives.  Pure: no nameko, no database.

    intensity            = audited fixed-asset investment (万元) ÷ land used (mu)          [AUDIT, LAND]
    plot ratio           = LAND's record
    output per mu        = the year's output (万元) ÷ contracted land (mu)                 [IND]
    tax per mu           = the year's tax paid (万元) ÷ contracted land (mu)               [FIN]
    energy per output    = the year's energy (tce) ÷ the year's output (万元)             [DRB, IND]
    shortfall ratio      = (committed − actual) ÷ committed, half-up to 4 places       (≤ indicators: actual − committed)
    tax difference       = (committed tax per mu − actual tax per mu) × land            → yuan, half-up to the fen
    proportional damages = min(shortfall ratio × base, base)                          → yuan, half-up to the fen

A check is due at the contract's completion date (the completion indicators), at its full-production date and
then every year after it for policy's number of years (the production indicators, on the data of the last full
year).  A shortfall opens a rectification due policy's months later, when the indicator is checked again; still
short then, the damages clause applies and the damages are one receivable (like R12's fee), paid in parts by FIN,
LAND and LEGAL and reduced only by the principals together (``decide_reduction``: every principal agrees, any
refusal ends the round, a payment meanwhile starts it again).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Mapping

from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import N_, Message, _
from shared.standard_land import AT_LEAST, COMPLETION, PRODUCTION, number, short

EXACT = Context(prec=40, rounding=ROUND_HALF_UP)
FEN, RATIO = Decimal("0.01"), Decimal("0.0001")
YUAN_PER_WAN = Decimal(10000)

# the figures the owning units give (a year's, or the completion's), their unit and who owns them
FIGURES: dict[str, tuple[str, str]] = {
    "fixed_asset_investment": ("yuan", "AUDIT"),
    "land_used_mu": ("mu", "LAND"),
    "plot_ratio": ("ratio", "LAND"),
    "output": ("yuan", "IND"),
    "tax": ("yuan", "FIN"),
    "energy": ("tce", "DRB"),
}
FIGURE_NAMES = {
    "fixed_asset_investment": N_("audited fixed-asset investment"),
    "land_used_mu": N_("land used"),
    "plot_ratio": N_("plot ratio"),
    "output": N_("output of the year"),
    "tax": N_("tax paid in the year"),
    "energy": N_("energy used in the year (tce)"),
}
# what each indicator is computed from
NEEDS: dict[str, tuple[str, ...]] = {
    "intensity": ("fixed_asset_investment", "land_used_mu"),
    "plot_ratio": ("plot_ratio",),
    "output_per_mu": ("output",),
    "tax_per_mu": ("tax",),
    "energy_per_output": ("energy", "output"),
}
# plausible ranges of a figure entered by hand (a typing error is refused, not stored)
CEILINGS = {"yuan": Decimal("1e12"), "mu": Decimal("100000"), "ratio": Decimal("20"), "tce": Decimal("1e8")}

# check stages and the states of a check, a rectification and the damages
RECTIFICATION_CHECK = "rectification"
MET, SHORT, AWAITING = "met", "short", "awaiting_data"
OPEN, RECTIFIED, DAMAGES = "open", "rectified", "damages"
OUTSTANDING, SETTLED = "outstanding", "settled"
CHECK_NAMES = {
    COMPLETION: N_("completion check"),
    PRODUCTION: N_("full-production check"),
    "yearly": N_("yearly check"),
    RECTIFICATION_CHECK: N_("check after rectification"),
}
RESULT_NAMES = {MET: N_("met"), SHORT: N_("short of the commitment"), AWAITING: N_("awaiting data")}
RECTIFICATION_NAMES = {OPEN: N_("rectifying"), RECTIFIED: N_("rectified"), DAMAGES: N_("still short: damages apply")}


def exact(value) -> Decimal:
    return EXACT.create_decimal(str(value))


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- when --------------------------------------------------------------------------------------------------
def schedule(completion: date, production: date, yearly_years: int) -> list[dict]:
    """The checks a signed contract's commitments get: completion, full production, then yearly; each with the
    year of data it reads (the last full year before the check; none for completion)."""
    out = [
        {"stage": COMPLETION, "due": completion, "data_year": None},
        {"stage": PRODUCTION, "due": production, "data_year": production.year - 1},
    ]
    for n in range(1, yearly_years + 1):
        day = add_months(production, 12 * n)
        out.append({"stage": "yearly", "due": day, "data_year": day.year - 1})
    return out


def indicators_checked(stage: str, commitments: list[Mapping]) -> list[Mapping]:
    """The commitments a check looks at: the completion check the completion indicators, the others the
    production indicators (a rectification check: those it names, see ``rectification_check``)."""
    want = COMPLETION if stage == COMPLETION else PRODUCTION
    return [c for c in commitments if c["stage"] == want]


def data_year(stage: str, due: date) -> int | None:
    return None if stage == COMPLETION else due.year - 1


# -- what the data says -------------------------------------------------------------------------------------
def actual(indicator: str, figures: Mapping[str, Decimal], land_mu: Decimal) -> tuple[Decimal | None, Message | None]:
    """The actual value of an indicator from the figures (exact), with its formula; (None, None) while a figure
    it needs is missing.  Per-mu figures are over the contracted land; intensity over the land LAND measured."""
    if any(figures.get(name) is None for name in NEEDS[indicator]):
        return None, None
    f = {k: exact(v) for k, v in figures.items() if v is not None}
    land = exact(land_mu)
    if indicator == "intensity":
        value = EXACT.divide(f["fixed_asset_investment"] / YUAN_PER_WAN, f["land_used_mu"])
        return value, _("{fai:wan} ÷ {land:mu}", fai=f["fixed_asset_investment"], land=f["land_used_mu"])
    if indicator == "plot_ratio":
        return f["plot_ratio"], _("recorded by {unit:unit}", unit="LAND")
    if indicator in ("output_per_mu", "tax_per_mu"):
        amount = f["output" if indicator == "output_per_mu" else "tax"]
        return EXACT.divide(amount / YUAN_PER_WAN, land), _("{amount:wan} ÷ {land:mu}", amount=amount, land=land)
    value = EXACT.divide(f["energy"], f["output"] / YUAN_PER_WAN)
    return value, _("{energy} tce ÷ {output:wan}", energy=number(f["energy"]), output=f["output"])


def shortfall_ratio(direction: str, committed, actual_value) -> Decimal:
    """(committed − actual) ÷ committed (for an at-most indicator, (actual − committed) ÷ committed), half-up to
    4 places; 0 when the commitment is met."""
    committed, actual_value = exact(committed), exact(actual_value)
    if not short(direction, committed, actual_value):
        return Decimal("0.0000")
    gap = committed - actual_value if direction == AT_LEAST else actual_value - committed
    return EXACT.divide(gap, committed).quantize(RATIO, rounding=ROUND_HALF_UP)


def tax_difference_damages(committed_per_mu, actual_tax_yuan, land_mu) -> Decimal:
    """补缴税收差额: (committed tax per mu − actual tax per mu) × land, in yuan to the fen; 0 when met.
    (30 万元/亩 committed, 40 mu, 960 万元 paid → (30 − 24) × 40 = 240 万元.)"""
    committed, tax, land = exact(committed_per_mu), exact(actual_tax_yuan), exact(land_mu)
    actual_per_mu = EXACT.divide(tax / YUAN_PER_WAN, land)
    if actual_per_mu >= committed:
        return Decimal("0.00")
    return fen(EXACT.multiply(committed - actual_per_mu, land) * YUAN_PER_WAN)


def proportional_damages(ratio: Decimal, base_yuan) -> Decimal:
    """按比例违约金: shortfall ratio × the contract's base amount, capped at the base, in yuan to the fen.
    (intensity 300 committed, 270 actual → 10.00 % × 500 万元 = 50 万元.)"""
    base = exact(base_yuan)
    return fen(min(EXACT.multiply(ratio, base), base))


def damages(commitment: Mapping, value: Decimal, figures: Mapping[str, Decimal]) -> tuple[Decimal, Message]:
    """The damages a commitment still short after its rectification owes, by its clause, with the formula."""
    committed = exact(commitment["value"])
    if commitment["clause"] == "tax_difference":
        amount = tax_difference_damages(committed, figures["tax"], commitment["land_mu"])
        return amount, _(
            "({committed} − {actual}) 10k yuan/mu × {land:mu} = {amount:wan}",
            committed=number(committed),
            actual=number(round_shown(value)),
            land=commitment["land_mu"],
            amount=amount,
        )
    ratio = shortfall_ratio(commitment["direction"], committed, value)
    amount = proportional_damages(ratio, commitment["base_amount"])
    return amount, _(
        "shortfall {ratio} % × base {base:wan} = {amount:wan} (at most the base)",
        ratio=number((ratio * 100).quantize(FEN)),
        base=commitment["base_amount"],
        amount=amount,
    )


def round_shown(value: Decimal) -> Decimal:
    """An actual figure as a screen shows it (4 places, half-up); the computations keep it exact."""
    return value.quantize(RATIO, rounding=ROUND_HALF_UP)


def verdict(commitment: Mapping, value: Decimal | None) -> str:
    if value is None:
        return AWAITING
    return SHORT if short(commitment["direction"], exact(commitment["value"]), value) else MET


# -- what a result does ---------------------------------------------------------------------------------------
def after_result(result: str, rectification: Mapping | None, checked_on: date, stage: str = "") -> str | None:
    """What a check's result does to a commitment: ``open`` a rectification (short, none open), ``rectified``
    (met while one is open), ``damages`` (still short at the check after the rectification — asked for when the
    enterprise reports it done, or due on the rectification's last day — or at any check from that day on),
    None (nothing changes: awaiting data, met with nothing open, short while the rectification period runs)."""
    if result == AWAITING:
        return None
    if rectification is None or rectification["status"] != OPEN:
        return OPEN if result == SHORT else None
    if result == MET:
        return RECTIFIED
    return DAMAGES if stage == RECTIFICATION_CHECK or checked_on >= rectification["due"] else None


def check_has_commitments(commitments: list, project_id: str) -> list:
    """Figures of the standard-land checks are recorded for a project with standard-land commitments."""
    if not commitments:
        raise Conflict(_("the project has no standard-land commitments"), {"project_id": [project_id]})
    return commitments


def check_can_recheck(status: str) -> None:
    """The enterprise asks for a check again while its rectification is open."""
    if status != OPEN:
        raise Conflict(
            _("the rectification is {status}: nothing to check again", status=_(RECTIFICATION_NAMES[status])),
            {"status": [status]},
        )


def check_not_rechecked_today(check_id: int | None, rectification_id) -> int:
    """A rectification's indicator is checked again at most once a day (``check_id`` None: today's check of the
    same stage is already on record)."""
    if check_id is None:
        raise Conflict(
            _("the indicator was already checked again today"), {"rectification_id": [str(rectification_id)]}
        )
    return check_id


# -- a hand-entered figure ---------------------------------------------------------------------------------------
def check_figure(name: str, value, year: int | None, unit: str) -> Decimal:
    """A figure an owning unit enters by hand: a figure the platform knows, by the unit that owns it, a number in
    its plausible range, for a year (except the completion's)."""
    if name not in FIGURES:
        raise InvalidInput.for_field(
            "figure",
            _(
                "{figure} is not a figure the checks read ({known:list})",
                figure=str(name),
                known=[_(FIGURE_NAMES[k]) for k in FIGURES],
            ),
        )
    kind, owner = FIGURES[name]
    if unit != owner:
        raise NotAllowed(
            _(
                "{figure} is entered by {owner:unit}, not by {unit:unit}",
                figure=_(FIGURE_NAMES[name]),
                owner=owner,
                unit=unit,
            ),
            {"figure": [name]},
        )
    try:
        number_ = Decimal(str(value))
    except Exception:
        raise InvalidInput.for_field("value", _("must be a number")) from None
    if not number_.is_finite() or number_ < 0 or number_ > CEILINGS[kind]:
        raise InvalidInput.for_field(
            "value", _("must be a number from 0 to {ceiling} (a typing error?)", ceiling=number(CEILINGS[kind]))
        )
    if name not in ("fixed_asset_investment", "land_used_mu", "plot_ratio") and year is None:
        raise InvalidInput.for_field("year", _("the year the figure is for"))
    return number_


# -- the damages as one receivable (as R12's fee) -------------------------------------------------------------------
@dataclass(frozen=True)
class Damages:
    amount: Decimal
    paid: Decimal
    reduced: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid - self.reduced

    @property
    def status(self) -> str:
        return SETTLED if self.outstanding == 0 else OUTSTANDING


def _owed(d: Damages) -> None:
    if d.outstanding <= 0:
        raise Conflict(_("the damages are paid in full: nothing is owed any more"), {"status": [SETTLED]})


def pay(d: Damages, amount: Decimal) -> Damages:
    """A payment recorded by FIN, LAND or LEGAL: part of the one amount, never more than is outstanding."""
    _owed(d)
    if amount <= 0 or amount != amount.quantize(FEN):
        raise InvalidInput.for_field("amount", _("a payment is more than 0 yuan, to the fen"))
    if amount > d.outstanding:
        raise InvalidInput.for_field(
            "amount",
            _(
                "exceeds the {outstanding:yuan} outstanding: more than is owed is not recorded",
                outstanding=d.outstanding,
            ),
        )
    return Damages(d.amount, d.paid + amount, d.reduced)


def _reducible(d: Damages, amount: Decimal) -> None:
    if amount <= 0 or amount != amount.quantize(FEN) or amount > d.outstanding:
        raise InvalidInput.for_field(
            "amount",
            _("more than 0 and at most the {outstanding:yuan} outstanding, to the fen", outstanding=d.outstanding),
        )


# -- the principals' round on reducing the damages (as R12's write-off) -------------------------------------------
AGREE, REFUSE = "agree", "refuse"
REDUCED, REFUSED = "reduced", "refused"


@dataclass(frozen=True)
class Reduction:
    """The principals' round on reducing the damages: ``amount`` the reduction proposed, ``outstanding`` what was
    owed when the round began, ``decisions`` each principal's (position → agree or refuse)."""

    amount: Decimal
    outstanding: Decimal
    decisions: Mapping[str, str]


def reduction_pending(pending: Reduction | None, d: Damages) -> Reduction | None:
    """A round stands while what is owed is what it began on: a payment recorded meanwhile changes the outstanding
    amount, and the principals decide again."""
    if pending is None or d.status != OUTSTANDING:
        return None
    return pending if pending.outstanding == d.outstanding else None


def decide_reduction(
    d: Damages,
    pending: Reduction | None,
    principals: tuple[str, ...],
    position: str,
    decision: str,
    amount: Decimal | None,
    reason: str,
) -> tuple[Reduction, str | None]:
    """One principal's decision, with a reason, on reducing the damages (only the principals, every one of them).

    A round begins with a principal agreeing to reduce an amount; each other principal agrees or refuses that
    amount.  Every principal agreeing reduces it, any refusal ends the round (nothing is reduced; a later round
    may begin).  Returns the round with this decision and its outcome: ``reduced``, ``refused`` or None
    (awaiting the other principals)."""
    if position not in principals:
        raise NotAllowed(
            _(
                "only the principals ({principals:positions}) reduce damages, not {position:position}",
                principals=list(principals),
                position=position,
            ),
            {"position": list(principals)},
        )
    _owed(d)
    if decision not in (AGREE, REFUSE):
        raise InvalidInput.for_field("decision", _("agree or refuse"))
    if not (reason or "").strip():
        raise InvalidInput.for_field("reason", _("a reduction needs its reason"))
    current = reduction_pending(pending, d)
    if current is None:
        if decision == REFUSE:
            raise Conflict(
                _("no reduction of the damages awaits the principals' decision: nothing to refuse"),
                {"decision": [decision]},
            )
        if amount is None:
            raise InvalidInput.for_field("amount", _("the amount to reduce, proposed to the principals"))
        _reducible(d, amount)
        current = Reduction(amount, d.outstanding, {})
    elif amount is not None and amount != current.amount:
        raise Conflict(
            _(
                "the principals are deciding on reducing the damages by {amount:yuan}: agree or refuse that amount",
                amount=current.amount,
            ),
            {"amount": [str(current.amount)]},
        )
    if position in current.decisions:
        raise Conflict(
            _(
                "{position:position} has already decided on reducing the damages by {amount:yuan}",
                position=position,
                amount=current.amount,
            ),
            {"position": [current.decisions[position]]},
        )
    decisions = {**current.decisions, position: decision}
    outcome = (
        REFUSED
        if REFUSE in decisions.values()
        else REDUCED
        if all(decisions.get(p) == AGREE for p in principals)
        else None
    )
    return Reduction(current.amount, current.outstanding, decisions), outcome


def after_reduction(d: Damages, round_: Reduction) -> Damages:
    """The damages once every principal agreed: reduced by the round's amount."""
    return Damages(d.amount, d.paid, d.reduced + round_.amount)


def check_voucher_unused(used: bool, voucher: str | None) -> None:
    """A payment's voucher is recorded once against the damages."""
    if used:
        raise Conflict(_("voucher {voucher} is already recorded", voucher=voucher), {"voucher": [voucher]})
