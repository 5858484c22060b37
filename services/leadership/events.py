"""Investment events (招商活动): fairs, delegations, visits received, online promotions — planned with a budget,
recorded when held (date, place, organising unit, participants, investors met, what it cost), their material
attached, and the leads they produced linked to them (a lead's source event).

``effectiveness`` shows which events, kinds and channels bring projects that get signed, and the cost of each
signed project.  The kinds and the channel each counts toward are policy (``leading_group.event_kinds``).
Pure: no nameko, no session, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from shared.errors import Conflict, InvalidInput, NotFound
from shared.i18n import N_, Message, _
from shared.policy import Policy
from shared.units import quantize_money

PLANNED, HELD, CANCELLED = "planned", "held", "cancelled"
STATUS_NAMES = {PLANNED: N_("planned"), HELD: N_("held"), CANCELLED: N_("cancelled")}


def kinds(policy: Policy) -> Mapping[str, Mapping]:
    return policy.get("leading_group.event_kinds")


def _problems(problems: dict[str, list]) -> None:
    if problems:
        raise InvalidInput(
            _(
                "the investment event is invalid — {problems:clauses}",
                problems=[_("{field:field}: {rules:clauses}", field=k, rules=v) for k, v in problems.items()],
            ),
            problems,
        )


def _money_problem(value: Decimal | None, ceiling: Decimal) -> Message | None:
    if value is None:
        return None
    if value < 0 or value > ceiling:
        return _("must be 0 to {ceiling:yuan}", ceiling=ceiling)
    if value != quantize_money(value):
        return _("yuan are kept to 2 decimal places (fen)")
    return None


def check_plan(data: Mapping, policy: Policy, units: Iterable[str]) -> None:
    """A plan: a kind of the policy, a title, the organising unit, the planned date and the budget (yuan)."""
    problems: dict[str, list] = {}
    if data["kind"] not in kinds(policy):
        problems["kind"] = [_("one of {kinds:list}", kinds=[k["name_zh"] for k in kinds(policy).values()])]
    if data["organising_unit"] not in units:
        problems["organising_unit"] = [_("a unit of the county (IPB, a bureau, a park or a town)")]
    ceiling = policy.decimal("thresholds.intake.max_total_investment_yuan")
    if (problem := _money_problem(data["budget"], ceiling)) is not None:
        problems["budget"] = [problem]
    _problems(problems)


def check_record(event: Mapping, data: Mapping, policy: Policy) -> None:
    """Recording an event as held (or correcting its record): not a cancelled one, held on a day up to today
    (``data['today']``), who took part named, the actual cost in yuan."""
    if event["status"] == CANCELLED:
        raise Conflict(_("investment event {ref} was cancelled", ref=event["ref"]), {"status": [event["status"]]})
    problems: dict[str, list] = {}
    if data["held_on"] > data["today"]:
        problems["held_on"] = [_("is in the future: an event is recorded once it is held")]
    if not data["participants"]:
        problems["participants"] = [_("name who took part (at least one)")]
    ceiling = policy.decimal("thresholds.intake.max_total_investment_yuan")
    if (problem := _money_problem(data["actual_cost"], ceiling)) is not None:
        problems["actual_cost"] = [problem]
    _problems(problems)


def check_cancel(event: Mapping) -> None:
    if event["status"] != PLANNED:
        raise Conflict(
            _(
                "investment event {ref} is {status}: only a planned event is cancelled",
                ref=event["ref"],
                status=Message(STATUS_NAMES[event["status"]]),
            ),
            {"status": [event["status"]]},
        )


def check_link(event: Mapping, lead: Mapping | None, ref: str, linked_to: Mapping | None) -> None:
    """A lead is linked to one source event: a held event, a lead the county knows, not linked to another."""
    if event["status"] != HELD:
        raise Conflict(
            _("investment event {ref} has not been held: leads are linked to a held event", ref=event["ref"]),
            {"status": [event["status"]]},
        )
    if lead is None:
        raise NotFound(_("no lead {ref} is known", ref=ref), {"refs": [ref]})
    if linked_to is not None and linked_to["event_id"] != event["id"]:
        raise Conflict(
            _("lead {ref} already came from investment event {event}", ref=ref, event=linked_to["event_ref"]),
            {"refs": [ref]},
        )


def cost_of(event: Mapping) -> Decimal:
    """What an event cost: the actual cost once held, the budget while planned, nothing if cancelled."""
    if event["status"] == CANCELLED:
        return Decimal(0)
    if event["status"] == HELD and event.get("actual_cost") is not None:
        return Decimal(event["actual_cost"])
    return Decimal(event.get("budget") or 0)


def _per_signed(cost: Decimal, signed: int) -> str | None:
    return None if signed == 0 else str(quantize_money(cost / signed))


@dataclass
class Tally:
    events: int = 0
    leads: int = 0
    signed: int = 0
    cost: Decimal = Decimal(0)
    contracted: Decimal = Decimal(0)

    def dump(self) -> dict:
        return {
            "events": self.events,
            "leads": self.leads,
            "signed": self.signed,
            "cost": str(quantize_money(self.cost)),
            "contracted_investment": str(quantize_money(self.contracted)),
            "cost_per_signed": _per_signed(self.cost, self.signed),
        }


def effectiveness(
    year: int, events: Iterable[Mapping], links: Iterable[Mapping], leads: Mapping[str, Mapping], policy: Policy
) -> dict:
    """Which events, kinds and channels bring projects that get signed, and the cost per signed project.

    * an event counts in the year of its date (held on, else planned for); a cancelled one is left out;
    * its leads are those linked to it; a lead is *signed* once its contract is signed (any date);
    * its cost is the actual cost once held, the budget while planned (``cost_basis`` says which);
    * a kind or channel adds up its events; a channel also counts every lead of the year that came by it
      (linked to an event or not), its cost that of the events whose kind counts toward it (policy)."""
    kind_spec = kinds(policy)
    by_event: dict[str, list[Mapping]] = {}
    for link in links:
        by_event.setdefault(link["event_id"], []).append(link)
    rows, per_kind, per_channel, total = [], {}, {}, Tally()
    for event in sorted(events, key=lambda e: (e.get("held_on") or e["planned_on"], e["ref"])):
        day = date.fromisoformat(str(event.get("held_on") or event["planned_on"])[:10])
        if day.year != year or event["status"] == CANCELLED:
            continue
        linked = [leads.get(link["project_id"]) or {"ref": link["ref"]} for link in by_event.get(event["id"], [])]
        signed = [lead for lead in linked if lead.get("signed_on")]
        cost = cost_of(event)
        contracted = sum((Decimal(lead.get("contracted_investment") or 0) for lead in signed), Decimal(0))
        rows.append(
            {
                "id": event["id"],
                "ref": event["ref"],
                "title": event["title"],
                "kind": event["kind"],
                "status": event["status"],
                "date": day.isoformat(),
                "organising_unit": event["organising_unit"],
                "leads": len(linked),
                "signed": len(signed),
                "signed_refs": sorted(lead["ref"] for lead in signed),
                "cost": str(quantize_money(cost)),
                "cost_basis": "actual" if event["status"] == HELD else "budget",
                "contracted_investment": str(quantize_money(contracted)),
                "cost_per_signed": _per_signed(cost, len(signed)),
            }
        )
        channel = kind_spec.get(event["kind"], {}).get("channel", "other")
        for tally in (per_kind.setdefault(event["kind"], Tally()), per_channel.setdefault(channel, Tally()), total):
            tally.events += 1
            tally.cost += cost
            if tally is not per_channel[channel]:
                tally.leads += len(linked)
                tally.signed += len(signed)
                tally.contracted += contracted
    for lead in leads.values():
        registered = lead.get("registered_on")
        if not registered or int(str(registered)[:4]) != year:
            continue
        tally = per_channel.setdefault(lead.get("source_channel") or "other", Tally())
        tally.leads += 1
        if lead.get("signed_on"):
            tally.signed += 1
            tally.contracted += Decimal(lead.get("contracted_investment") or 0)
    return {
        "year": year,
        "events": rows,
        "kinds": [{"kind": k, **t.dump()} for k, t in sorted(per_kind.items())],
        "channels": [{"channel": c, **t.dump()} for c, t in sorted(per_channel.items())],
        "total": total.dump(),
    }
