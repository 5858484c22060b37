"""intake — IPB's front door (R1): leads are registered, validated and filed.

Entrypoints only: each loads its schema, applies the domain rules, stores and
emits through the outbox, and dumps the result.
"""

from __future__ import annotations

import base64

from services.intake import domain, models, reserve, reserve_store, store
from services.intake.schemas import FileInputSchema, LeadEventSchema, LeadSchema, load_lead_input
from shared import need_to_know, vocabulary
from shared.actor import Actor, authorize
from shared.bus import on_event
from shared.clock import now_shanghai
from shared.catch_up import Emits
from shared.db import Database, handled_once
from shared.relay import OutboxRelay
from shared.dependencies import Clock, Documents, PolicyData
from shared.envelope import Envelope
from shared.errors import InvalidInput
from shared.i18n import _
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.tiers import tier_label, tier_names
from shared.units import exact_mu
from shared.wire.intake import SectorQuerySchema, SectorSchema
from shared.wire.reserve import (
    PublicCatalogEntrySchema,
    PublicCatalogPageSchema,
    PublicCatalogQuerySchema,
    ReserveHitSchema,
    ReserveInputSchema,
    ReservePageSchema,
    ReservePlanSchema,
    ReserveSchema,
    ReserveSearchQuerySchema,
    WithdrawInputSchema,
)


class IntakeService(Emits):
    name = "intake"

    db = Database(models.metadata)
    relay = OutboxRelay()
    policy = PolicyData()
    clock = Clock()
    documents = Documents()  # reserve projects' proposals and feasibility studies (R8)

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    @rpc
    def lead_ids(self, refs):
        """The ids of the leads of these reference numbers (a service that heard of a lead by its reference asks,
        to wait for the lead's registration: ``shared.catch_up``)."""
        refs = [str(r).strip().upper() for r in (refs or [])[:100] if isinstance(r, str)]
        return store.lead_ids(self.db.session, refs)

    @rpc
    def register_lead(self, actor, data):
        actor = Actor.load(actor)
        authorize(actor, "intake.register_lead", self.policy.authority)
        data = load_lead_input(data)
        facts = domain.validate_lead(data, self.policy)
        confirmed_new_by = None
        if data["confirmed_new"]:
            authorize(actor, "intake.confirm_not_duplicate", self.policy.authority)
            confirmed_new_by = actor.dump()
        with self.db.unit_of_work() as uow:
            duplicate = domain.find_duplicate(facts, store.open_leads_of(uow.session, facts.investor_key))
            if duplicate and not confirmed_new_by:
                raise domain.refuse_duplicate(duplicate)
            lead_id = store.insert_lead(uow.session, facts, actor.dump(), now_shanghai(), confirmed_new_by)
            row = store.get_lead_row(uow.session, lead_id)
            uow.emit(self._event("intake.lead_registered", row, actor))
        return schema(LeadSchema).dump(store.as_lead(row))

    @rpc
    def file_project(self, actor, lead_id, data=None):
        actor = Actor.load(actor)
        authorize(actor, "intake.file_project", self.policy.authority)
        data = load_or_invalid(schema(FileInputSchema), data or {})
        with self.db.unit_of_work() as uow:
            row = store.get_lead_row(uow.session, lead_id)
            domain.check_can_file(row["status"], row["ref"])
            store.set_status(uow.session, lead_id, domain.FILED, filed_by=actor.dump(), filed_at=now_shanghai())
            row = store.get_lead_row(uow.session, lead_id)
            uow.emit(self._event("intake.project_filed", row, actor, reason=data["reason"]))
        return schema(LeadSchema).dump(store.as_lead(row))

    @rpc
    def get_lead(self, actor, lead_id):
        actor = Actor.load(actor)
        row = store.get_lead_row(self.db.session, lead_id)
        authorize(actor, "intake.read_lead", self.policy.authority, owner_unit=row["registered_unit"])
        return schema(LeadSchema).dump(store.as_lead(row))

    @rpc
    def list_leads(self, actor, status=None, limit=50, offset=0):
        actor = Actor.load(actor)
        authorize(actor, "intake.read_lead", self.policy.authority, owner_unit=actor.unit)
        own_only = actor.unit not in ("IPB", "LG")
        rows, total = store.list_rows(
            self.db.session, status, min(int(limit), 500), int(offset), actor.unit if own_only else None
        )
        return {"total": total, "items": schema(LeadSchema, many=True).dump([store.as_lead(r) for r in rows])}

    @on_event("coordinator.project_state_changed")
    @handled_once
    def on_project_state_changed(self, event, uow):
        """A project that was rejected, terminated or archived no longer counts as open (only those states are
        delivered here: shared.topology.TAKES_ONLY)."""
        if event.payload.get("to_state") in domain.CLOSING_STATES:
            store.set_status(uow.session, event.project_id, domain.CLOSED)

    @staticmethod
    def _event(event_type, row, actor, reason=None) -> Envelope:
        payload = schema(LeadEventSchema).dump(
            {
                "ref": row["ref"],
                "project_name": row["project_name"],
                "investor_name": row["investor_name"],
                "credit_code": row["credit_code"],
                "sector": row["sector"],
                "planned_total_investment": row["total_investment"],
                "planned_fixed_asset_investment": row["fixed_asset_investment"],
                "land_mu": exact_mu(row["land_mu"]),
                "location_kind": row["location_kind"],
                "location_id": row["location_id"],
                "registered_unit": row["registered_unit"],
                "source_channel": row["source_channel"],
                "reason": reason,
                "planned_annual_output": row["annual_output"],
                "planned_annual_tax": row["annual_tax"],
                "planned_annual_energy": row["annual_energy"],
            }
        )
        return Envelope(type=event_type, actor=actor, payload=payload, project_id=row["id"])

    # -- the project reserve (R8) and the public catalog (R9) ---------------------------------------------------
    @rpc
    def add_reserve_project(self, actor, data):
        """DRB, with IPB, the parks, IND and the towns, enters a reserve project with its proposal or
        feasibility study (a stored document: type and size limits of the policy)."""
        actor = Actor.load(actor)
        authorize(actor, "intake.add_reserve", self.policy.authority)
        data = reserve.validate(load_or_invalid(schema(ReserveInputSchema), data), self.policy)
        document = self._reserve_document(data["document"])
        with self.db.unit_of_work() as uow:
            reserve_id = reserve_store.insert_reserve(
                uow.session,
                data["year"],
                {
                    **self._reserve_values(data),
                    "document": document,
                    "owner_unit": actor.unit,
                    "entered_by": actor.dump(),
                    "entered_at": self.clock(),
                },
            )
        return self.get_reserve_project(actor.dump(), reserve_id)

    @rpc
    def update_reserve_project(self, actor, reserve_id, data):
        """Change some fields of a reserve project (DRB, IPB or the unit that entered it); the tier follows."""
        actor = Actor.load(actor)
        some = tuple(ReserveInputSchema().fields)  # any top-level field may be left out; a nested one is whole
        data = reserve.validate(load_or_invalid(ReserveInputSchema(partial=some), data), self.policy)
        if not data:
            raise InvalidInput.for_field("body", _("give the fields to change"))
        document = self._reserve_document(data["document"]) if data.get("document") else None
        with self.db.unit_of_work() as uow:
            current = reserve_store.get(uow.session, reserve_id, lock=True)
            authorize(actor, "intake.edit_reserve", self.policy.authority, owner_unit=current["owner_unit"])
            values = self._reserve_values(data)
            if document:
                values["document"] = document
            reserve.check_same_year(current["year"], data)
            reserve_store.change(uow.session, current, **values)
        return self.get_reserve_project(actor.dump(), reserve_id)

    @rpc
    def get_reserve_project(self, actor, reserve_id):
        actor = Actor.load(actor)
        row = reserve_store.get(self.db.session, reserve_id)
        need_to_know.check(actor, "intake.read_reserve", self.policy.authority, self._reserve_units(row))
        return schema(ReserveSchema).dump(self._reserve_view(row))

    @rpc
    def list_reserve_projects(self, actor, year=None, tier=None, published=None, limit=50, offset=0):
        actor = Actor.load(actor)
        every = need_to_know.check_lists(actor, "intake.read_reserve", self.policy.authority)
        if tier and tier != "none" and tier not in tier_names(self.policy):
            raise InvalidInput.for_field(
                "tier", _("must be one of: {choices:list}", choices=[*tier_names(self.policy), "none"])
            )
        rows, total = reserve_store.list_rows(
            self.db.session,
            year=year and reserve.check_year(year),
            tier=tier,
            published=published,
            limit=min(int(limit), 500),
            offset=min(int(offset), 10**9),
            involving=None if every else actor.unit,
        )
        return schema(ReservePageSchema).dump({"total": total, "items": [self._reserve_view(r) for r in rows]})

    @rpc
    def search_reserve(self, actor, query):
        """Reserve projects by a fragment of their name (two Chinese characters are enough), their reference or their
        intended investor's name or credit code, ranked; filters: plan year, park or town.  Whoever reads the reserve
        finds them: DRB, IPB, IND and the LG all, a park or town those it entered or that are located in it."""
        actor = Actor.load(actor)
        every = need_to_know.check_lists(actor, "intake.read_reserve", self.policy.authority)
        q = load_or_invalid(schema(ReserveSearchQuerySchema), query or {})
        rows = reserve_store.search(
            self.db.session,
            q["q"],
            year=q["year"],
            unit=q["unit"],
            involving=None if every else actor.unit,
            limit=q["limit"],
        )
        hits = [
            {
                **self._reserve_view(r),
                "investor": (r["intended_investor"] or {}).get("name"),
                "credit_code": (r["intended_investor"] or {}).get("credit_code"),
                "unit": need_to_know.location_unit(r["location_kind"], r["location_id"]),
            }
            for r in rows
        ]
        return {"q": q["q"], "items": schema(ReserveHitSchema, many=True).dump(hits)}

    @rpc
    def reserve_plan(self, actor, year):
        """A year's reserve: the count per tier against the yearly minimum, and the shortfall (R8)."""
        actor = Actor.load(actor)
        authorize(actor, "intake.read_reserve_plan", self.policy.authority)
        year = reserve.check_year(year)
        return schema(ReservePlanSchema).dump(
            reserve.plan(year, reserve_store.tiers_of_year(self.db.session, year), self.policy)
        )

    @rpc
    def reserve_document(self, actor, reserve_id):
        actor = Actor.load(actor)
        row = reserve_store.get(self.db.session, reserve_id)
        need_to_know.check(actor, "intake.read_reserve", self.policy.authority, self._reserve_units(row))
        ref = row["document"]
        return {**ref, "content_base64": base64.b64encode(self.documents.load(ref["id"])).decode()}

    @rpc
    def publish_reserve_project(self, actor, reserve_id):
        """DRB or IPB puts a reserve project in the public catalog (R9)."""
        actor = Actor.load(actor)
        authorize(actor, "intake.publish_reserve", self.policy.authority)
        with self.db.unit_of_work() as uow:
            current = reserve_store.get(uow.session, reserve_id, lock=True)
            reserve.check_can_publish(current)
            reserve_store.change(
                uow.session,
                current,
                published=True,
                published_at=self.clock(),
                published_by=actor.dump(),
                withdrawn_at=None,
                withdrawn_by=None,
                withdrawal_reason=None,
            )
        return self.get_reserve_project(actor.dump(), reserve_id)

    @rpc
    def withdraw_reserve_project(self, actor, reserve_id, data):
        """DRB or IPB takes a project out of the public catalog, with a reason."""
        actor = Actor.load(actor)
        authorize(actor, "intake.publish_reserve", self.policy.authority)
        data = load_or_invalid(schema(WithdrawInputSchema), data)
        with self.db.unit_of_work() as uow:
            current = reserve_store.get(uow.session, reserve_id, lock=True)
            reserve.check_can_withdraw(current)
            reserve_store.change(
                uow.session,
                current,
                published=False,
                withdrawn_at=self.clock(),
                withdrawn_by=actor.dump(),
                withdrawal_reason=data["reason"],
            )
        return self.get_reserve_project(actor.dump(), reserve_id)

    @rpc
    def public_catalog(self, query=None):
        """The public catalog: anyone reads it, no actor. Each entry is ``reserve.public_entry`` — its seven
        public fields only — dumped through ``PublicCatalogEntrySchema``, which declares nothing else."""
        q = load_or_invalid(schema(PublicCatalogQuerySchema), query or {})
        rows, total = reserve_store.list_rows(
            self.db.session,
            published=True,
            sector=(q["sector"] or "").upper(),
            location=q["location"],
            limit=q["limit"],
            offset=q["offset"],
        )
        return schema(PublicCatalogPageSchema).dump(
            {"total": total, "items": [reserve.public_entry(r, self.policy) for r in rows]}
        )

    @rpc
    def sectors(self, query=None):
        """GB/T 4754-2017 sections, divisions, groups and classes whose code starts with ``q`` or whose name
        contains it (the sector a lead or a reserve project is in is picked from this list): no actor."""
        q = load_or_invalid(schema(SectorQuerySchema), query or {})
        found = vocabulary.search_sectors(q["q"], q["limit"])
        pairs = vocabulary.sectors()
        return schema(SectorSchema, many=True).dump(
            [
                {
                    "code": s["code"],
                    "level": s["level"],
                    "label": _("{sector:sector}", sector=s["code"]),
                    "name_zh": pairs[s["code"]][0],
                    "name_en": pairs[s["code"]][1],
                }
                for s in found
            ]
        )

    @rpc
    def public_catalog_entry(self, ref):
        row = reserve_store.published_by_ref(self.db.session, str(ref))
        return schema(PublicCatalogEntrySchema).dump(reserve.public_entry(row, self.policy))

    @staticmethod
    def _reserve_units(row) -> frozenset[str]:
        """Who takes part in a reserve project: the unit that entered it and the park or town it is located in."""
        return need_to_know.project_units(row["owner_unit"], location=(row["location_kind"], row["location_id"]))

    def _reserve_document(self, upload) -> dict:
        ref = self.documents.save_base64(upload, field="document")
        return {**ref.dump(), "kind": upload["kind"]}

    def _reserve_values(self, data) -> dict:
        values = {
            k: data[k]
            for k in (
                "name",
                "sector",
                "location_detail",
                "cooperation_mode",
                "contact_office",
                "description",
                "intended_investor",
                "contact_person",
                "negotiation_notes",
                "contract_notes",
            )
            if k in data
        }
        if "location" in data:
            values.update(location_kind=data["location"]["kind"], location_id=data["location"].get("id") or None)
        if "total_investment" in data:
            values.update(
                total_investment=data["total_investment"], tier=reserve.tier_of(data["total_investment"], self.policy)
            )
        return values

    def _reserve_view(self, row) -> dict:
        return reserve_store.as_reserve(
            row,
            reserve.location_name(row["location_kind"], row["location_id"], row["location_detail"], self.policy),
            tier_label(row["tier"], self.policy),
        )
