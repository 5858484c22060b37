"""The gateway's hand-written handlers of the workbench's routes (``routes.py``, section "workbench", declares them
all): the actor's operations (the authorization table, for the web app's menu and refusals), every user's name,
and an attachment's file with its checksum.  ``GatewayService`` takes them by inheriting ``WorkbenchRoutes``."""

from __future__ import annotations

import base64
from urllib.parse import quote

from werkzeug.wrappers import Response

from services.gateway import people
from services.gateway.edge import actor_of, respond
from shared import search as fulltext
from shared import vocabulary
from shared.actor import Actor, _matches, is_allowed
from shared.dependencies import PolicyData


def allowed_operations(actor: Actor, authority) -> dict[str, str]:
    """Each operation of the authorization table the actor's position or unit is named for: ``always``, or
    ``own`` where the rule names the record's unit (``{responsible_unit}``, ``{owner_unit}``, ``{task_unit}``,
    ``park_head:{park}``…: the actor's unit must be the record's), as the services decide it."""
    out = {}
    for operation, rule in authority.items():
        concrete = {k: [p for p in rule.get(k) or () if "{" not in p] for k in ("positions", "units")}
        if _matches(actor.position, concrete["positions"], {}) or _matches(actor.unit, concrete["units"], {}):
            out[operation] = "always"
        elif any("{" in p for k in ("positions", "units") for p in rule.get(k) or ()):
            own = {
                "responsible_unit": actor.unit,
                "owner_unit": actor.unit,
                "task_unit": actor.unit,
                "park": actor.unit.split(":", 1)[-1],
                "project_units": (actor.unit,),
            }  # need-to-know: its own
            if _matches(actor.position, rule.get("positions"), own) or _matches(actor.unit, rule.get("units"), own):
                out[operation] = "own"
    return out


class WorkbenchRoutes:
    policy = PolicyData()  # the authorization table the services enforce, to tell each user what they may do

    def my_operations(self, request):
        actor = Actor.load(actor_of(request))
        return respond(
            {
                "user_id": actor.user_id,
                "position": actor.position,
                "unit": actor.unit,
                "operations": allowed_operations(actor, self.policy.authority),
                "rules": {
                    op: {k: list(rule.get(k) or ()) for k in ("positions", "units")}
                    for op, rule in self.policy.authority.items()
                },
            }
        )

    def search(self, request):
        """Leads, projects and investors (the coordinator's search), the project reserve's entries (intake's: what the
        reader may read of the reserve) and the land reserve's parcels (landreserve's, for whoever reads the parcels),
        ranked as one list.  A filter by state is a project's: no reserve entry or parcel then; a filter by year is a
        lead's or a reserve entry's plan year (no parcel); a unit filter names a parcel's park or town."""
        actor = actor_of(request)
        query = dict(request.args)
        found = self.coordinator.search(actor, query)  # the query checked there (q, state, unit, year, limit)
        if query.get("state"):
            return respond(found)
        unit = vocabulary.unit_of_name(query["unit"]) if query.get("unit") else None
        limit = int(query.get("limit") or 20)
        reserve = self.intake.search_reserve(
            actor, {"q": query["q"], "year": query.get("year") or None, "unit": unit, "limit": limit}
        )["items"]
        groups = [
            found["items"],
            [
                {
                    "kind": "reserve",
                    "project_id": None,
                    "ref": r["ref"],
                    "name": r["name"],
                    "investor": r["investor"],
                    "credit_code": r["credit_code"],
                    "state": None,
                    "unit": r["unit"],
                    "year": r["year"],
                    "reserve": {
                        k: r[k] for k in ("id", "location_name", "total_investment", "tier_label", "published")
                    },
                }
                for r in reserve
            ],
        ]
        if (
            not query.get("year")
            and not (unit and not unit.startswith(("PARK:", "TOWN:")))
            and is_allowed(Actor.load(actor), "landreserve.read_parcels", self.policy.authority)
        ):
            parcels = self.landreserve.search(actor, {"q": query["q"], "location": unit, "limit": limit})["items"]
            groups.append(
                [
                    {
                        "kind": "parcel",
                        "project_id": None,
                        "ref": p["code"],
                        "name": p["name"],
                        "investor": None,
                        "credit_code": None,
                        "state": p["status"],
                        "unit": p["location"],
                        "year": None,
                        "parcel": {k: p[k] for k in ("location_name", "area_mu", "use_name", "status_name", "project")},
                    }
                    for p in parcels
                ]
            )
        return respond({**found, "items": fulltext.merge(query["q"], groups, limit)})

    def people_names(self, request):
        """Every user's name, position and unit (a timeline names persons, not ids)."""
        return respond(
            {
                u["user_id"]: {"name": u["name"], "position": u["position"], "unit": u["unit"]}
                for u in people.list_users(self.db.session)
            }
        )

    def attachment_file(self, request, project_id, attachment_id):
        document = self.coordinator.attachment_document(actor_of(request), project_id, attachment_id)
        return Response(
            base64.b64decode(document["content_base64"]),
            status=200,
            content_type=document["content_type"],
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(document['filename'])}",
                "X-Checksum-SHA256": document["sha256"],
                "Cache-Control": "no-store",
            },
        )
