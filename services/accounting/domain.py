"""Investment accounting (R12), pure: the figures, their formulas, and recovery.

The rounding rule (``shared.units``): ROUND_HALF_UP to 2 places — yuan to the
fen, land to 0.01 mu, intensity to 0.01 万元/亩 — applied when a figure is
produced for the report.  Each figure is computed from the *reported* figures
before it, so every line of the report can be checked by hand:

    actual intensity  = actual FAI (万元) ÷ land used (mu)                 → 0.01 万元/亩
    reasonable land   = actual FAI (万元) ÷ contracted intensity (万元/亩)   → 0.01 mu
    excess land       = land used − reasonable land, when positive        (exact on 0.01 mu figures)
    fee to recover    = excess land × delisting price (yuan/mu)           → 0.01 yuan

The fee is one receivable owed by the investor (``Receivable``): FIN collects it, LAND acts on the land, LEGAL
takes legal action where it is not paid; payments recorded by any of them add up to the one amount, and only
the principals write off a remainder.  An accounting's states and the acts each allows are the table
``STATES``/``ACTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import N_, Message, _, to_wire
from shared.policy import Policy
from shared.units import quantize_intensity, quantize_land, quantize_money, yuan_to_wan

ZERO = Decimal("0")
CENT = Decimal("0.01")
PARTICIPANTS = ("IPB", "FIN", "DRB", "IND", "LAND", "AUDIT")


def construction_period_over(completion: date, today: date) -> bool:
    """R12: the contracted construction period is reached once the contracted completion day has passed."""
    return today > completion


def accountings_due(projects: Iterable[Mapping], today: date) -> list[Mapping]:
    """Projects in construction (no accounting open yet) whose contracted construction period is reached."""
    return [
        p
        for p in projects
        if (p.get("contract_terms") or {}).get("completion")
        and construction_period_over(date.fromisoformat(p["contract_terms"]["completion"]), today)
    ]


def participants(responsible_unit: str | None) -> list[str]:
    """IPB leads FIN, DRB, IND, LAND, AUDIT and the park (or the town) where the project settled."""
    return list(PARTICIPANTS) + ([responsible_unit] if responsible_unit else [])


def positive(value: Decimal, field: str, ceiling: Decimal, unit: str) -> Decimal:
    """A figure entered: more than 0 and at most the policy's plausible ceiling (``unit``: ``yuan`` or ``mu``)."""
    if value <= 0:
        raise InvalidInput.for_field(field, _("must be more than 0"))
    if value > ceiling:
        raise InvalidInput.for_field(
            field,
            _("exceeds the plausible ceiling of {ceiling:mu} (a typing error?)", ceiling=ceiling)
            if unit == "mu"
            else _("exceeds the plausible ceiling of {ceiling:yuan} (a typing error?)", ceiling=ceiling),
        )
    return value


def check_fen(amount: Decimal, field: str) -> Decimal:
    """A yuan amount is kept to the fen: more than 2 decimal places is refused."""
    if amount != quantize_money(amount):
        raise InvalidInput.for_field(field, _("yuan are kept to 2 decimal places (fen)"))
    return amount


def check_not_open(already_open: bool, project_id: str) -> None:
    """An investment accounting is one per project: a second opening is refused."""
    if already_open:
        raise Conflict(_("an investment accounting is already open for this project"), {"project_id": [project_id]})


def check_can_open(project: Mapping) -> None:
    """An investment accounting opens for a signed project under construction only."""
    # (the lifecycle copy follows construction and the states after it only: shared.topology.TAKES_ONLY)
    if project["lifecycle_state"] != "construction" or not project["contract_terms"]:
        where = project["lifecycle_state"]
        raise Conflict(
            _(
                "{ref} is {state:state}: an investment accounting opens for a signed project under construction",
                ref=project["ref"],
                state=where,
            )
            if where
            else _(
                "{ref} is not under construction yet: an investment accounting opens for a signed project "
                "under construction",
                ref=project["ref"],
            ),
            {"state": [where or "-"]},
        )


def delisting_price(policy: Policy, responsible_unit: str | None, terms: dict | None = None) -> tuple[Decimal, str]:
    """The land's delisting price per mu: the parcel's the signed contract supplies (its price in LAND's land
    reserve when the contract was drafted), else the policy's by park, else the town/open default."""
    parcel = (terms or {}).get("parcel") or {}
    if parcel.get("delisting_price"):
        return Decimal(str(parcel["delisting_price"])), f"parcel:{parcel['code']}"
    prices = policy.get("land.delisting_price_yuan_per_mu")
    if responsible_unit and responsible_unit.startswith("PARK:"):
        park = responsible_unit[5:]
        if park in prices["park"]:
            return Decimal(str(prices["park"][park])), f"policy:{responsible_unit}"
    kind = "town" if responsible_unit and responsible_unit.startswith("TOWN:") else "open"
    return Decimal(str(prices[kind])), f"policy:{kind}"


LAND_RECORD = "land_record"
"""The price source of a delisting price LAND entered from its land record."""


def price_source(key: str | None) -> Message | str:
    """Where a delisting price came from, as a person reads it: ``parcel:<code>`` (the land reserve's parcel the
    contract supplies), ``policy:<PARK:id>`` / ``policy:town`` / ``policy:open`` (the county's land policy),
    ``land_record`` (LAND's own record); a text kept before these keys is shown as it is."""
    kind, _sep, rest = (key or "").partition(":")
    if kind == "parcel":
        return _("parcel {code} of the land reserve of {unit:unit}", code=rest, unit="LAND")
    if kind == "policy" and rest.startswith(("PARK:", "TOWN:")):
        return _("the county's land policy: the price for {unit:unit}", unit=rest)
    if kind == "policy" and rest == "town":
        return _("the county's land policy: the price for towns")
    if kind == "policy":
        return _("the county's land policy: the default price")
    if key == LAND_RECORD:
        return _("the land record (entered by {unit:unit})", unit="LAND")
    return key or ""


@dataclass(frozen=True)
class Figure:
    name: str
    value: Decimal
    unit: str
    formula: Message

    def dump(self) -> dict:
        return {"name": self.name, "value": str(self.value), "unit": self.unit, "formula": to_wire(self.formula)}


def compute(
    actual_fai_yuan: Decimal, land_used_mu: Decimal, contracted_intensity: Decimal, price_per_mu: Decimal
) -> list[Figure]:
    """Every figure of R12 with its formula and inputs (see the module docstring for rounding)."""
    if contracted_intensity <= 0:
        raise Conflict(
            _("the contract has no positive contracted intensity"),
            {"contracted_intensity": [str(contracted_intensity)]},
        )
    fai_wan = yuan_to_wan(actual_fai_yuan)
    land = quantize_land(land_used_mu)
    intensity = quantize_intensity(fai_wan / land)
    reasonable = quantize_land(fai_wan / contracted_intensity)
    excess = land - reasonable if land > reasonable else ZERO.quantize(Decimal("0.01"))
    fee = quantize_money(excess * price_per_mu)
    price = quantize_money(price_per_mu)
    wan = f"{fai_wan.normalize():,f}"  # exact: the formula can be checked by hand
    return [
        Figure(
            "actual_fixed_asset_investment",
            quantize_money(actual_fai_yuan),
            "yuan",
            _("audited by {unit:unit}", unit="AUDIT"),
        ),
        Figure("land_used", land, "mu", _("measured by {unit:unit}", unit="LAND")),
        Figure("actual_intensity", intensity, "万元/亩", _("{fai} 10k yuan ÷ {land:mu}", fai=wan, land=land)),
        Figure("contracted_intensity", contracted_intensity, "万元/亩", _("from the signed contract")),
        Figure(
            "reasonable_land",
            reasonable,
            "mu",
            _("{fai} 10k yuan ÷ {intensity:intensity}", fai=wan, intensity=contracted_intensity),
        ),
        Figure(
            "excess_land",
            excess,
            "mu",
            _("{land:mu} − {reasonable:mu}", land=land, reasonable=reasonable)
            if land > reasonable
            else _("{land:mu} ≤ {reasonable:mu}: none", land=land, reasonable=reasonable),
        ),
        Figure("delisting_price", price, "yuan/mu", _("the land's delisting price")),
        Figure("fee_to_recover", fee, "yuan", _("{excess:mu} × {price:wan} per mu", excess=excess, price=price)),
    ]


def figures_for(
    actual_fai_yuan: Decimal, land_used_mu: Decimal, contract_terms: Mapping, price_per_mu: Decimal, source: str
) -> list[dict]:
    """The figures of an accounting whose two inputs are in, as stored and shown: ``compute`` on the signed
    contract's intensity, the delisting price's formula naming where the price came from."""
    figures = [
        f.dump()
        for f in compute(actual_fai_yuan, land_used_mu, Decimal(contract_terms["intensity_wan_per_mu"]), price_per_mu)
    ]
    for f in figures:
        if f["name"] == "delisting_price":
            f["formula"] = to_wire(_("the land's delisting price ({source})", source=price_source(source)))
    return figures


def figure(figures: list[Mapping], name: str) -> Decimal:
    return Decimal(next(f["value"] for f in figures if f["name"] == name))


def opinion(figures: list[Mapping]) -> Message:
    """The written opinion on land use that the report carries by default."""
    excess, fee = figure(figures, "excess_land"), figure(figures, "fee_to_recover")
    actual, contracted = figure(figures, "actual_intensity"), figure(figures, "contracted_intensity")
    if excess > 0:
        return _(
            "The project's actual investment intensity is {actual:intensity}, below the {contracted:intensity} the "
            "contract sets; the land actually used exceeds the reasonable land by {excess:mu}. The fee of "
            "{fee:yuan} is to be recovered from the investor at the land's delisting price, as one amount owed: "
            "{fin:unit} collects it, {land:unit} acts on the land, and {legal:unit} takes legal action where the "
            "investor does not pay.",
            actual=actual,
            contracted=contracted,
            excess=excess,
            fee=fee,
            fin="FIN",
            land="LAND",
            legal="LEGAL",
        )
    return _(
        "The project's actual investment intensity is {actual:intensity}, not below the {contracted:intensity} the "
        "contract sets; the land actually used does not exceed the reasonable land: the land is used reasonably.",
        actual=actual,
        contracted=contracted,
    )


# -- the accounting's states ---------------------------------------------------------------------------------
OPEN, COMPUTED, REPORTED, CLOSED = "open", "computed", "reported", "closed"

STATES: dict[str, str] = {
    OPEN: "opened: awaiting the actual fixed-asset investment (the audit bureau's) and the land used (the land bureau's)",
    COMPUTED: "both figures in and computed (either may still be corrected); the report may be issued",
    REPORTED: "the report is issued and its figures are final; the fee is owed by the investor",
    CLOSED: "closed: the report is issued and nothing is owed (no fee, settled, or the remainder written off)",
}
"""What each state means (documentation of the table; a person reads ``STATE_NAMES``)."""


@dataclass(frozen=True)
class Act:
    """What may be done to an accounting, in which states, and what a refusal says is needed."""

    name: str
    states: tuple[str, ...]
    needs: str


ACTS: dict[str, Act] = {
    a.name: a
    for a in (
        Act(
            "record_figure",
            (OPEN, COMPUTED),
            N_("the figures are entered until the report is issued; after it they are final"),
        ),
        Act(
            "issue_report",
            (COMPUTED,),
            N_("the report needs both figures (AUDIT's actual FAI and LAND's land used) first"),
        ),
        Act(
            "record_recovery",
            (REPORTED,),
            N_("recovery is recorded against the fee of the issued report while it is owed"),
        ),
        Act("write_off", (REPORTED,), N_("a remainder is written off while the fee of the issued report is owed")),
    )
}
STATE_NAMES = {OPEN: N_("opened"), COMPUTED: N_("computed"), REPORTED: N_("reported"), CLOSED: N_("closed")}


def check_act(state: str, act: str) -> None:
    """Refuse ``act`` unless the state table allows it in ``state`` (a Conflict naming both)."""
    rule = ACTS[act]
    if state not in rule.states:
        raise Conflict(
            _("the accounting is {state}: {needs}", state=_(STATE_NAMES[state]), needs=_(rule.needs)),
            {"state": [state]},
        )


def state_after_figures(actual_fai, land_used_mu) -> str:
    return COMPUTED if actual_fai is not None and land_used_mu is not None else OPEN


def state_after(receivable: "Receivable | None") -> str:
    """After the report (and after each recovery act): closed once nothing is owed, else reported."""
    return REPORTED if receivable is not None and receivable.status == OUTSTANDING else CLOSED


# -- the one receivable (R12) ---------------------------------------------------------------------------------
# The excess-land fee is one amount owed by the investor.  Three units act on it, each in its own role; a payment
# recorded by any of them counts against the one amount.
RECOVERY_ROLES: dict[str, str] = {
    "FIN": N_("collects the fee from the investor"),
    "LAND": N_("acts on the land side (the excess land)"),
    "LEGAL": N_("takes legal action where the investor does not pay"),
}
OUTSTANDING, SETTLED, WRITTEN_OFF = "outstanding", "settled", "written_off"
RECEIVABLE_NAMES = {OUTSTANDING: N_("owed"), SETTLED: N_("paid in full"), WRITTEN_OFF: N_("written off")}
PAYMENT, ACTION = "payment", "action"
AGREE, REFUSE = "agree", "refuse"


@dataclass(frozen=True)
class Receivable:
    """The fee owed, what has been paid against it, what the principals wrote off, and its status."""

    amount: Decimal
    paid: Decimal
    written_off: Decimal
    status: str

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid - self.written_off


def new_receivable(fee: Decimal) -> Receivable | None:
    """The receivable the issued report opens: none when there is no fee."""
    return Receivable(fee, Decimal("0.00"), Decimal("0.00"), OUTSTANDING) if fee > 0 else None


def check_recovery_unit(unit: str) -> None:
    if unit not in RECOVERY_ROLES:
        raise NotAllowed(
            _(
                "{unit:unit} has no role in recovering the fee: {roles:units} record against it",
                unit=unit,
                roles=list(RECOVERY_ROLES),
            ),
            {"unit": list(RECOVERY_ROLES)},
        )


def is_repeated_voucher(seen: Mapping | None, voucher: str | None, unit: str, amount: Decimal | None) -> bool:
    """Whether a recovery repeats one already recorded under the same voucher (the same unit and amount: counted
    once); the same voucher with another unit or amount is a Conflict naming what was recorded."""
    if not voucher or seen is None:
        return False
    if (seen["unit"], seen["amount"]) != (unit, amount):
        raise Conflict(
            _(
                "voucher {voucher} is already recorded, by {unit:unit} for {amount:yuan}",
                voucher=voucher,
                unit=seen["unit"],
                amount=seen["amount"] or 0,
            ),
            {"voucher": [voucher]},
        )
    return True


def check_report_issued(report: Mapping | None) -> Mapping:
    """The report's file is read once the report has been issued."""
    if not report:
        raise Conflict(_("no accounting report has been issued yet"), {"report": [_("not issued")]})
    return report


def _still_owed(receivable: Receivable | None) -> Receivable:
    if receivable is None:
        raise Conflict(_("the accounting found no fee to recover"), {"fee": ["0.00"]})
    if receivable.status != OUTSTANDING:
        raise Conflict(
            _("the fee is {status}: nothing is owed any more", status=_(RECEIVABLE_NAMES[receivable.status])),
            {"status": [receivable.status]},
        )
    return receivable


def record_payment(receivable: Receivable | None, amount: Decimal) -> Receivable:
    """A payment by the investor recorded by FIN, LAND or LEGAL: part of the one amount, never more than is
    outstanding.  The receivable is settled when the payments reach the amount still owed."""
    _still_owed(receivable)
    if amount <= 0:
        raise InvalidInput.for_field("amount", _("a payment must be more than 0 yuan"))
    if amount != amount.quantize(CENT):
        raise InvalidInput.for_field("amount", _("yuan are kept to 2 decimal places (fen)"))
    if amount > receivable.outstanding:
        raise InvalidInput.for_field(
            "amount",
            _(
                "exceeds the {outstanding:yuan} outstanding of the fee of {fee:yuan} ({paid:yuan} paid so far): more than "
                "is owed is not recorded",
                outstanding=receivable.outstanding,
                fee=receivable.amount,
                paid=receivable.paid,
            ),
        )
    paid = receivable.paid + amount
    settled = paid + receivable.written_off == receivable.amount
    return Receivable(receivable.amount, paid, receivable.written_off, SETTLED if settled else OUTSTANDING)


def check_recovery_action(receivable: Receivable | None) -> None:
    """An act without money (a demand notice, the land withdrawn, a suit filed) needs a fee still owed."""
    _still_owed(receivable)


@dataclass(frozen=True)
class WriteOff:
    """The principals' decision on writing off the remainder: each principal agrees or refuses, with a reason.
    ``amount`` is the remainder the round is about; ``decisions`` maps a principal's position to theirs."""

    amount: Decimal
    decisions: Mapping[str, str]


def decide_write_off(
    receivable: Receivable | None, pending: WriteOff | None, principals: tuple[str, ...], position: str, decision: str
) -> tuple[WriteOff, str | None]:
    """One principal's decision on writing off what is outstanding (R12: only the principals, with a reason).

    The round is about the amount outstanding when it began; every principal agreeing writes it off, any refusal
    refuses it (the fee stays owed; a later round may begin).  Returns the round with this decision and its
    outcome: ``written_off``, ``refused`` or None (awaiting the other principals)."""
    if position not in principals:
        raise NotAllowed(
            _(
                "only the principals ({principals:positions}) write off a remainder, not {position:position}",
                principals=list(principals),
                position=position,
            ),
            {"position": list(principals)},
        )
    _still_owed(receivable)
    if decision not in (AGREE, REFUSE):
        raise InvalidInput.for_field("decision", _("agree or refuse"))
    current = still_pending(pending, receivable) or WriteOff(receivable.outstanding, {})
    if position in current.decisions:
        raise Conflict(
            _(
                "{position:position} has already decided on writing off {amount:yuan}",
                position=position,
                amount=current.amount,
            ),
            {"position": [current.decisions[position]]},
        )
    decisions = {**current.decisions, position: decision}
    outcome = (
        "refused"
        if REFUSE in decisions.values()
        else WRITTEN_OFF
        if all(decisions.get(p) == AGREE for p in principals)
        else None
    )
    return WriteOff(current.amount, decisions), outcome


def still_pending(pending: WriteOff | None, receivable: Receivable | None) -> WriteOff | None:
    """A round of decisions stands while the amount it is about is what is outstanding: a payment recorded
    meanwhile changes the remainder, and the principals decide again on the new one."""
    if pending is None or receivable is None or receivable.status != OUTSTANDING:
        return None
    return pending if pending.amount == receivable.outstanding else None


def after_write_off(receivable: Receivable, round_: WriteOff) -> Receivable:
    return Receivable(receivable.amount, receivable.paid, receivable.written_off + round_.amount, WRITTEN_OFF)


def closing_reason(receivable: Receivable | None) -> Message:
    if receivable is None:
        return _("accounting report issued; no fee to recover")
    if receivable.status == SETTLED:
        return _("accounting report issued; the fee of {fee:yuan} is paid", fee=receivable.amount)
    return _(
        "accounting report issued; {paid:yuan} of {fee:yuan} paid, the remainder of {written_off:yuan} written "
        "off by the principals",
        paid=receivable.paid,
        fee=receivable.amount,
        written_off=receivable.written_off,
    )
