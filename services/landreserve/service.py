"""landreserve — the county's land reserve (土地储备), kept by LAND.

LAND imports its workbook of parcels (every row checked; a file with a bad row stores nothing) and moves a
parcel's supply status; IPB, the LG, the parks and towns read the parcels, match a lead or project to the ready
ones and see them on the plan.  A contract draft that names a parcel asks for it here (``contract_parcel``:
ready or in listing, not meant for another project) and records its facts — accounting then takes the
delisting price from the signed contract; ``contracts.drafted`` names the project the parcel is meant for and
``contracts.signed`` makes it *supplied*.  The rules are ``domain.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from nameko.extensions import DependencyProvider

from services.landreserve import domain, models, store
from shared import sheets
from shared.actor import Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.config import ROOT
from shared.db import Database
from shared.relay import OutboxRelay
from shared.dependencies import Clock, PolicyData
from shared.policy import cached_policy
from shared.envelope import Envelope
from shared.errors import InvalidInput
from shared.i18n import Message, _, named
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.units import quantize_land, quantize_money
from shared.vocabulary import unit_name
from shared.wire.landreserve import (
    ContractParcelSchema,
    MatchQuerySchema,
    ParcelHitSchema,
    ParcelImportSchema,
    ParcelMatchSchema,
    ParcelPageSchema,
    ParcelSchema,
    ParcelSearchQuerySchema,
    StatusInputSchema,
    WorkbookInputSchema,
)


@lru_cache(maxsize=4)
def load_shapes(directory: str | None, filename: str) -> dict:
    """The plan's GeoJSON (``policy/<land.reserve.plan_file>``), checked once."""
    path = Path(directory or ROOT / "policy") / filename
    shapes = json.loads(path.read_text(encoding="utf-8"))
    problems = domain.check_shapes(shapes)
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return shapes


class Plan(DependencyProvider):
    """The plan's shapes (GeoJSON), loaded and checked when the service starts."""

    def setup(self):
        directory = self.container.config.get("ZS_POLICY_DIR")
        self.shapes = load_shapes(directory, cached_policy(directory).get("land.reserve.plan_file"))

    def get_dependency(self, worker_ctx) -> dict:
        return self.shapes


class LandReserveService:
    name = "landreserve"

    db = Database(models.metadata)
    relay = OutboxRelay()
    policy = PolicyData()
    clock = Clock()
    shapes = Plan()

    @rpc
    def health(self):
        return {"service": self.name, "status": "ok", "policy": self.policy.version}

    # -- LAND keeps the reserve ------------------------------------------------------------------------------------
    @rpc
    def import_parcels(self, actor, data):
        """LAND's workbook: every row checked; any bad row imports nothing (InvalidInput naming sheet, row, column).
        A parcel already kept is updated from its row; one a signed contract supplied keeps its record."""
        actor = Actor.load(actor)
        authorize(actor, "landreserve.import_parcels", self.policy.authority)
        data = load_or_invalid(schema(WorkbookInputSchema), data)
        content = sheets.upload(data, int(self.policy.get("documents.max_size_bytes")))
        now = self.clock()
        added, changed = [], []
        with self.db.unit_of_work() as uow:
            parcels, problems = domain.read_workbook(content, self.policy, lambda code: store.find(uow.session, code))
            if problems:
                raise sheets.refusal(problems)
            for parcel in parcels:
                values = {
                    **parcel,
                    "indicators": {k: str(v) for k, v in parcel["indicators"].items()},
                    "source": data["filename"],
                    "updated_by": actor.dump(),
                    "updated_at": now,
                }
                current = store.find(uow.session, parcel["code"])
                entry = {
                    "status": parcel["status"],
                    "at": to_shanghai(now).isoformat(),
                    "by": actor.dump(),
                    "reason": data["filename"],
                }
                if current is None:
                    store.add(uow.session, {**values, "history": [entry]})
                    added.append(parcel["code"])
                else:
                    history = current["history"] + ([entry] if current["status"] != parcel["status"] else [])
                    store.change(uow.session, current, **values, history=history)
                    changed.append(parcel["code"])
        return schema(ParcelImportSchema).dump({"imported": len(parcels), "added": added, "changed": changed})

    @rpc
    def change_status(self, actor, code, data):
        """LAND moves one parcel along the policy's moves (with a reason; a listing states its price)."""
        actor = Actor.load(actor)
        authorize(actor, "landreserve.change_parcel", self.policy.authority)
        data = load_or_invalid(schema(StatusInputSchema), data)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            current = store.parcel(uow.session, code, lock=True)
            domain.check_move(current["status"], data["status"], self.policy)
            price = data["delisting_price"] if data["delisting_price"] is not None else current["delisting_price"]
            domain.check_parcel_valid(
                {**current, "status": data["status"], "delisting_price": price, "indicators": {}}, self.policy
            )
            entry = {
                "status": data["status"],
                "at": to_shanghai(now).isoformat(),
                "by": actor.dump(),
                "reason": data["reason"],
            }
            store.change(
                uow.session,
                current,
                status=data["status"],
                delisting_price=None if price is None else quantize_money(price),
                updated_by=actor.dump(),
                updated_at=now,
                history=current["history"] + [entry],
            )
        return self.get_parcel(actor.dump(), code)

    # -- reading, matching, the plan ----------------------------------------------------------------------------------
    @rpc
    def parcels(self, actor, status=None, location=None):
        actor = Actor.load(actor)
        authorize(actor, "landreserve.read_parcels", self.policy.authority)
        if status is not None and status not in domain.STATUSES:
            raise InvalidInput.for_field(
                "status", _("one of {statuses:list}", statuses=list(domain.STATUS_ZH.values()))
            )
        items = store.parcels(self.db.session, status, location)
        everything = store.parcels(self.db.session)
        area = {s: Decimal(0) for s in domain.STATUSES}
        for p in everything:
            area[p["status"]] += Decimal(p["area_mu"])
        return schema(ParcelPageSchema).dump(
            {
                "total": len(items),
                "by_status": dict(Counter(p["status"] for p in everything)),
                "area_by_status": {s: str(quantize_land(a)) for s, a in area.items()},
                "items": [self._shown(p) for p in items],
            }
        )

    @rpc
    def get_parcel(self, actor, code):
        actor = Actor.load(actor)
        authorize(actor, "landreserve.read_parcels", self.policy.authority)
        return schema(ParcelSchema).dump(self._shown(store.parcel(self.db.session, code)))

    @rpc
    def search(self, actor, query):
        """Parcels by a fragment of their name (two Chinese characters are enough), their code or the project they
        are meant for, ranked; filters: status, location.  Whoever reads the parcels finds them."""
        actor = Actor.load(actor)
        authorize(actor, "landreserve.read_parcels", self.policy.authority)
        q = load_or_invalid(schema(ParcelSearchQuerySchema), query or {})
        found = store.search(self.db.session, q["q"], q["status"], q["location"], q["limit"])
        shown = [{**self._shown(p), "project": p["supplied_by"] or p["project"]} for p in found]
        return {"q": q["q"], "items": schema(ParcelHitSchema, many=True).dump(shown)}

    @rpc
    def match(self, actor, query):
        """The ready parcels that suit a demand (land, sector, preferred location), best first, with reasons."""
        actor = Actor.load(actor)
        authorize(actor, "landreserve.read_parcels", self.policy.authority)
        query = load_or_invalid(schema(MatchQuerySchema), query or {})
        sector = query["sector"].upper()
        found = domain.match(
            store.parcels(self.db.session, "ready"),
            query["land_mu"],
            sector,
            query["location"],
            self.policy,
            query["planned_intensity"],
        )
        return [schema(ParcelMatchSchema).dump({**m, "parcel": self._shown(m["parcel"])}) for m in found]

    @rpc
    def plan(self, actor):
        """The parks and parcels as GeoJSON: each parcel's shape with its status and the project on it."""
        actor = Actor.load(actor)
        authorize(actor, "landreserve.read_parcels", self.policy.authority)
        parcels = [self._shown(p) for p in store.parcels(self.db.session)]
        out = domain.plan(self.shapes, parcels, self.policy)
        for feature in out["features"]:
            props = feature["properties"]
            if props.get("unit"):
                props["unit_name"] = unit_name(props["unit"])
            if props.get("kind") == "parcel":
                props["status_name"] = Message(domain.STATUS_NAMES[props["status"]])
        return out

    @rpc
    def contract_parcel(self, actor, code, project_id):
        """For a contract draft that names a parcel: its facts, if it is ready or in listing and not meant for another
        project (NotFound, Conflict otherwise)."""
        actor = Actor.load(actor)
        authorize(actor, "landreserve.read_parcels", self.policy.authority)
        parcel = store.parcel(self.db.session, code)
        domain.check_for_contract(parcel, project_id)
        return schema(ContractParcelSchema).dump(parcel)

    # -- what the contracts say --------------------------------------------------------------------------------------
    @on_event("contracts.drafted")
    def on_contract_drafted(self, body):
        """A draft that names a parcel: the parcel is meant for that project (shown on the plan)."""
        event = Envelope.load(body)
        named = event.payload.get("parcel")
        with self.db.handle_once(event.event_id, "on_contract_drafted") as uow:
            if uow is None or not named:
                return
            current = store.find(uow.session, named["code"])
            if current is None or current["supplied_by"]:
                return
            store.change(
                uow.session,
                current,
                project={"project_id": event.project_id, "ref": named.get("ref"), "name": named.get("project_name")},
            )

    @on_event("contracts.signed")
    def on_contract_signed(self, body):
        """The signed contract that names a parcel supplies it."""
        event = Envelope.load(body)
        named = (event.payload.get("terms") or {}).get("parcel")
        with self.db.handle_once(event.event_id, "on_contract_signed") as uow:
            if uow is None or not named:
                return
            current = store.find(uow.session, named["code"])
            if current is None:
                return
            meant = current["project"] if (current["project"] or {}).get("project_id") == event.project_id else {}
            supplied = {
                "project_id": event.project_id,
                "ref": meant.get("ref"),
                "name": meant.get("name"),
                "signed_on": to_shanghai(event.occurred_at).date().isoformat(),
            }
            entry = {
                "status": "supplied",
                "at": to_shanghai(event.occurred_at).isoformat(),
                "by": event.actor.dump(),
                "reason": _(
                    "supplied by the signed contract of {ref}", ref=meant.get("ref") or event.project_id
                ).to_wire(),
            }
            store.change(
                uow.session,
                current,
                status="supplied",
                supplied_by=supplied,
                project=supplied,
                history=current["history"] + [entry],
            )

    # -- helpers -------------------------------------------------------------------------------------------------
    def _shown(self, parcel: dict) -> dict:
        use = domain.uses(self.policy).get(parcel["use"], {})
        exact = {k: _plain(parcel[k]) for k in ("area_mu", "plot_ratio_min", "plot_ratio_max")}
        return {
            **parcel,
            **exact,
            "indicators": {k: _plain(v) for k, v in (parcel["indicators"] or {}).items()},
            "location_name": unit_name(parcel["location"]),
            "use_name": named(use, parcel["use"]),
            "status_name": Message(domain.STATUS_NAMES[parcel["status"]]),
            "updated_at": to_shanghai(parcel["updated_at"]).isoformat(),
        }


def _plain(value) -> str:
    """An exact figure as LAND wrote it, the same on every database (PostgreSQL's NUMERIC pads its scale)."""
    return format(Decimal(str(value)).normalize(), "f")
