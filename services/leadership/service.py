"""leadership — the Leading Group's own work: its roster and office, and the investment events (招商活动).

The office (in IPB; IPB's head is its director) keeps the roster: who holds each seat of the group (policy
``leading_group.yaml``), since when and until when; a change of person ends the previous term and keeps it.  Every
change sends the whole roster (``leadership.roster_changed``): notifications resolves a notice's positions to the
persons holding them, and the coordinator names the leaders on the ledger.

IPB, the parks and towns plan investment events with a budget, record them when held (who took part, the investors
met, the actual cost), attach their material (the document store) and link the leads they produced; the
effectiveness report (page and Excel) shows which events, kinds and channels bring projects that get signed and the
cost of each signed project.  The rules are ``domain.py`` (roster) and ``events.py``.
"""

from __future__ import annotations

import base64
import binascii

from services.leadership import domain, events, models, report, store
from shared import sheets
from shared.actor import Actor, authorize
from shared.bus import on_event
from shared.catch_up import CatchUp, waits_for
from shared.clock import to_shanghai
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.errors import InvalidInput
from shared.i18n import Message, _, named
from shared.roster import holders
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.wire.leadership import (
    AppointmentInputSchema,
    CancelInputSchema,
    EffectivenessSchema,
    EventPageSchema,
    EventPlanInputSchema,
    EventRecordInputSchema,
    EventSchema,
    HolderSchema,
    LinkInputSchema,
    MaterialInputSchema,
    RosterEntrySchema,
    RosterImportSchema,
    RosterSchema,
    WorkbookInputSchema,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MATERIAL_TYPES = ("pdf", "doc", "docx", "xlsx", "jpg", "png")


class LeadershipService:
    name = "leadership"

    db = Database(models.metadata)
    relay = OutboxRelay()
    catch_up = CatchUp()  # a lead linked a moment after its registration waits for it (link_leads)
    policy = PolicyData()
    clock = Clock()
    documents = Documents()

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    # -- the roster ---------------------------------------------------------------------------------------------------
    @rpc
    def roster(self, actor, on=None):
        """Every seat with its holder on ``on`` (today by default) and its history."""
        actor = Actor.load(actor)
        authorize(actor, "leadership.read_roster", self.policy.authority)
        day = self._day(on)
        seats = domain.seats(self.policy)
        view = domain.roster_view(store.roster(self.db.session), seats, day)
        office = next(s for s in view if s["role"] == "office_director")
        return schema(RosterSchema).dump(
            {"on": day.isoformat(), "seats": view, "office": {"unit": office["unit"], "director": office["holder"]}}
        )

    @rpc
    def holders(self, actor, position, on=None):
        """The persons on the roster who answer for a position of the platform (``county_leader_in_charge``)."""
        actor = Actor.load(actor)
        authorize(actor, "leadership.read_roster", self.policy.authority)
        return [schema(HolderSchema).dump(h) for h in holders(self._entries(self.db.session), position, self._day(on))]

    @rpc
    def appoint(self, actor, data):
        """The office records who takes a seat from when; the previous holder's term ends the day before."""
        actor = Actor.load(actor)
        authorize(actor, "leadership.manage_roster", self.policy.authority)
        data = load_or_invalid(schema(AppointmentInputSchema), data)
        seats = domain.seats(self.policy)
        seat = domain.seat_of(data["seat"], seats)
        if seat is None:
            raise InvalidInput.for_field(
                "seat",
                _("not a seat of the Leading Group: e.g. {examples:list}", examples=[s.title_zh for s in seats[:4]]),
            )
        with self.db.unit_of_work() as uow:
            entry = self._appoint(uow, actor, seat, data)
            self._announce(
                uow,
                actor,
                _(
                    "{name} holds {seat} from {since:date}",
                    name=entry["name"],
                    seat=seat.title_zh,
                    since=entry["since"],
                ),
            )
        return schema(RosterEntrySchema).dump(domain.entry_view(entry, seat))

    @rpc
    def import_roster(self, actor, data):
        """The office's workbook of appointments: every row checked; a bad row imports nothing."""
        actor = Actor.load(actor)
        authorize(actor, "leadership.manage_roster", self.policy.authority)
        data = load_or_invalid(schema(WorkbookInputSchema), data)
        content = sheets.upload(data, int(self.policy.get("documents.max_size_bytes")))
        seats = domain.seats(self.policy)
        with self.db.unit_of_work() as uow:
            appointments, problems = domain.read_roster_workbook(content, seats, store.roster(uow.session))
            if problems:
                raise sheets.refusal(problems)
            done = [
                domain.entry_view(self._appoint(uow, actor, a["seat"], a["person"]), a["seat"]) for a in appointments
            ]
            if done:
                self._announce(
                    uow, actor, _("{n:count} appointment(s) imported from {file}", n=len(done), file=data["filename"])
                )
        return schema(RosterImportSchema).dump({"imported": len(done), "appointments": done})

    def _appoint(self, uow, actor: Actor, seat: domain.Seat, person) -> dict:
        ended, new = domain.appoint(store.roster(uow.session), seat, person)
        if ended is not None:
            store.end_term(uow.session, ended["id"], ended["until"])
        new.update(recorded_by=actor.dump(), recorded_at=self.clock())
        new["id"] = store.add_entry(uow.session, new)
        return new

    def _announce(self, uow, actor: Actor, reason: Message) -> None:
        """The whole roster, for the services that resolve positions to persons (shared.roster)."""
        uow.emit(
            Envelope(
                "leadership.roster_changed",
                actor,
                payload={"entries": self._entries(uow.session), "reason": reason.to_wire()},
            )
        )

    def _entries(self, session) -> list[dict]:
        seats = {s.id: (n, s) for n, s in enumerate(domain.seats(self.policy))}
        kept = sorted(
            (e for e in store.roster(session) if e["seat"] in seats), key=lambda e: (seats[e["seat"]][0], e["since"])
        )
        return [domain.entry_view(e, seats[e["seat"]][1]) for e in kept]

    # -- investment events ------------------------------------------------------------------------------------------
    @rpc
    def plan_event(self, actor, data):
        actor = Actor.load(actor)
        data = load_or_invalid(schema(EventPlanInputSchema), data)
        authorize(actor, "leadership.plan_event", self.policy.authority, owner_unit=data["organising_unit"])
        events.check_plan(data, self.policy, self._units())
        with self.db.unit_of_work() as uow:
            event_id = store.add_event(
                uow.session,
                data["planned_on"].year,
                {
                    **data,
                    "status": events.PLANNED,
                    "participants": [],
                    "investors_met": [],
                    "materials": [],
                    "created_by": actor.dump(),
                    "created_at": self.clock(),
                },
            )
        return self.get_event(actor.dump(), event_id)

    @rpc
    def record_event(self, actor, event_id, data):
        """The event as held: its date, place, who took part, the investors met, what it cost, a summary."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(EventRecordInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = self._event_to_change(uow, actor, event_id)
            events.check_record(current, {**data, "today": to_shanghai(self.clock()).date()}, self.policy)
            store.change_event(
                uow.session,
                current,
                status=events.HELD,
                held_on=data["held_on"],
                place=data["place"] or current["place"],
                participants=data["participants"],
                investors_met=data["investors_met"],
                actual_cost=data["actual_cost"],
                summary=data["summary"],
            )
        return self.get_event(actor.dump(), event_id)

    @rpc
    def cancel_event(self, actor, event_id, data):
        actor = Actor.load(actor)
        data = load_or_invalid(schema(CancelInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = self._event_to_change(uow, actor, event_id)
            events.check_cancel(current)
            store.change_event(uow.session, current, status=events.CANCELLED, cancel_reason=data["reason"])
        return self.get_event(actor.dump(), event_id)

    @rpc
    def attach_material(self, actor, event_id, data):
        """Material of the event (programme, sign-in sheet, photos, minutes): its type read from the content."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(MaterialInputSchema), data)
        try:
            content = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput.for_field("file.content_base64", _("is not valid base64")) from None
        with self.db.unit_of_work() as uow:
            current = self._event_to_change(uow, actor, event_id)
            ref = self.documents.save_by_content(
                data["filename"],
                content,
                MATERIAL_TYPES,
                int(self.policy.get("documents.max_size_bytes")),
                field="file",
            )
            material = {
                **ref.dump(),
                "n": len(current["materials"]) + 1,
                "title": data["title"],
                "by": actor.dump(),
                "at": to_shanghai(self.clock()).isoformat(),
            }
            store.change_event(uow.session, current, materials=current["materials"] + [material])
        return self.get_event(actor.dump(), event_id)

    @rpc
    def material_document(self, actor, event_id, n):
        actor = Actor.load(actor)
        authorize(actor, "leadership.read_events", self.policy.authority)
        current = store.event(self.db.session, event_id)
        material = next((m for m in current["materials"] if m["n"] == int(n)), None)
        if material is None:
            raise InvalidInput.for_field("n", _("no material {n} of investment event {ref}", n=n, ref=current["ref"]))
        return {
            "filename": material["filename"],
            "content_type": material["content_type"],
            "content_base64": base64.b64encode(self.documents.load(material["id"])).decode(),
        }

    def _leads_on_their_way(self, actor, event_id, data):
        """The leads named by ``data`` that this service has not heard of, as intake knows them (their ids): a lead
        registered a moment ago is waited for (``waits_for``); one intake does not know is refused at once."""
        refs = [r.strip().upper() for r in ((data or {}).get("refs") or []) if isinstance(r, str)]
        unknown = [ref for ref in refs if store.lead_by_ref(self.db.session, ref) is None]
        known_to_intake = self.catch_up.ask("intake", "lead_ids", unknown) if unknown else None
        return list(known_to_intake.values()) if isinstance(known_to_intake, dict) else []

    @rpc
    @waits_for("intake.lead_registered", projects=_leads_on_their_way)
    def link_leads(self, actor, event_id, data):
        """The leads the event produced (each lead's source event; one event a lead)."""
        actor = Actor.load(actor)
        data = load_or_invalid(schema(LinkInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = self._event_to_change(uow, actor, event_id)
            for ref in data["refs"]:
                lead = store.lead_by_ref(uow.session, ref.strip().upper())
                linked = store.link_of(uow.session, lead["project_id"]) if lead else None
                events.check_link(current, lead, ref, linked)
                store.link(
                    uow.session,
                    {
                        "project_id": lead["project_id"],
                        "event_id": current["id"],
                        "ref": lead["ref"],
                        "linked_by": actor.dump(),
                        "linked_at": self.clock(),
                    },
                )
        return self.get_event(actor.dump(), event_id)

    @rpc
    def list_events(self, actor, year=None):
        actor = Actor.load(actor)
        authorize(actor, "leadership.read_events", self.policy.authority)
        if year not in (None, "") and not str(year).isdigit():
            raise InvalidInput.for_field("year", _("must be a year, e.g. 2026"))
        items = store.events(self.db.session, int(year) if year not in (None, "") else None)
        return schema(EventPageSchema).dump({"total": len(items), "items": [self._shown(e) for e in items]})

    @rpc
    def get_event(self, actor, event_id):
        actor = Actor.load(actor)
        authorize(actor, "leadership.read_events", self.policy.authority)
        session = self.db.session
        current = store.event(session, event_id)
        linked = store.links(session, current["id"])
        known = store.leads(session, [link["project_id"] for link in linked])
        leads = [
            {
                "project_id": link["project_id"],
                "ref": link["ref"],
                "name": (known.get(link["project_id"]) or {}).get("name"),
                "signed_on": _iso((known.get(link["project_id"]) or {}).get("signed_on")),
            }
            for link in linked
        ]
        return schema(EventSchema).dump({**self._shown(current), "leads": sorted(leads, key=lambda x: x["ref"])})

    @rpc
    def effectiveness(self, actor, year):
        actor = Actor.load(actor)
        authorize(actor, "leadership.read_effectiveness", self.policy.authority)
        return schema(EffectivenessSchema).dump(self._effectiveness(int(year)))

    @rpc
    def effectiveness_workbook(self, actor, year):
        actor = Actor.load(actor)
        authorize(actor, "leadership.read_effectiveness", self.policy.authority)
        content = report.render_xlsx(self._effectiveness(int(year)), self.policy)
        return {
            "filename": f"events-{int(year)}.xlsx",
            "content_type": XLSX,
            "content_base64": base64.b64encode(content).decode(),
        }

    def _effectiveness(self, year: int) -> dict:
        session = self.db.session
        leads = {
            k: {**v, "registered_on": _iso(v["registered_on"]), "signed_on": _iso(v["signed_on"])}
            for k, v in store.leads(session).items()
        }
        return events.effectiveness(year, store.events(session), store.links(session), leads, self.policy)

    # -- what leadership learns of the leads ---------------------------------------------------------------------------
    @on_event("intake.lead_registered")
    @handled_once
    def on_lead_registered(self, event, uow):
        p = event.payload
        store.keep_lead(
            uow.session,
            event.project_id,
            ref=p["ref"],
            name=p["project_name"],
            source_channel=p.get("source_channel"),
            registered_unit=p["registered_unit"],
            registered_on=to_shanghai(event.occurred_at).date(),
        )

    @on_event("contracts.signed")
    @handled_once
    def on_contract_signed(self, event, uow):
        store.keep_lead(
            uow.session,
            event.project_id,
            signed_on=to_shanghai(event.occurred_at).date(),
            contracted_investment=(event.payload.get("terms") or {}).get("total_investment"),
        )

    # -- helpers -------------------------------------------------------------------------------------------------
    def _day(self, on):
        from datetime import date

        if on in (None, ""):
            return to_shanghai(self.clock()).date()
        try:
            return on if isinstance(on, date) else date.fromisoformat(str(on))
        except ValueError:
            raise InvalidInput.for_field("on", _("must be a date (YYYY-MM-DD)")) from None

    def _units(self) -> list[str]:
        return (
            [u["code"] for u in self.policy.get("county.units")]
            + [p.unit for p in self.policy.parks.values()]
            + [t.unit for t in self.policy.towns.values()]
        )

    def _event_to_change(self, uow, actor: Actor, event_id: str) -> dict:
        current = store.event(uow.session, event_id, lock=True)
        authorize(actor, "leadership.record_event", self.policy.authority, owner_unit=current["organising_unit"])
        return current

    def _shown(self, event: dict) -> dict:
        kind = events.kinds(self.policy).get(event["kind"], {})
        return {
            **event,
            "kind_name": named(kind, event["kind"]),
            "created_at": to_shanghai(event["created_at"]).isoformat(),
        }


def _iso(value):
    return None if value is None else value.isoformat()
