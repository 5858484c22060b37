"""The gateway's routes of the workbench (工作台), search, the project's file (attachments) and the user's own
operations (what the web app shows each position), in the gateway's style: each route calls one service.

``GatewayService`` takes these routes by inheriting ``WorkbenchRoutes``.  The helpers (``api``, ``respond``,
``actor_of``, ``body_of``) are the gateway's own, looked up when a request comes (``gateway.service`` imports
this module)."""
from __future__ import annotations

import base64
import functools
from urllib.parse import quote

from werkzeug.wrappers import Response

from services.gateway.webserver import http
from shared.actor import Actor
from shared.dependencies import PolicyData
from shared.errors import InvalidInput


def _gateway():
    from services.gateway import service

    return service


def api(handler):
    """The gateway's ``api`` wrapper (authentication, typed errors as JSON), applied when a request comes."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        return _gateway().api(handler)(self, request, *args, **kwargs)

    return wrapper


def allowed_operations(actor: Actor, authority) -> dict[str, str]:
    """Each operation of the authorization table the actor's position or unit is named for: ``always``, or
    ``own`` where the rule names the record's unit (``{responsible_unit}``, ``{owner_unit}``, ``{task_unit}``,
    ``park_head:{park}``…: the actor's unit must be the record's), as the services decide it."""
    from shared.actor import _matches

    out = {}
    for operation, rule in authority.items():
        concrete = {k: [p for p in rule.get(k) or () if "{" not in p] for k in ("positions", "units")}
        if _matches(actor.position, concrete["positions"], {}) or _matches(actor.unit, concrete["units"], {}):
            out[operation] = "always"
        elif any("{" in p for k in ("positions", "units") for p in rule.get(k) or ()):
            own = {"responsible_unit": actor.unit, "owner_unit": actor.unit, "task_unit": actor.unit,
                   "park": actor.unit.split(":", 1)[-1]}
            if _matches(actor.position, rule.get("positions"), own) or _matches(actor.unit, rule.get("units"), own):
                out[operation] = "own"
    return out


def _year(raw):
    if raw in (None, ""):
        return None
    if not str(raw).isdigit():
        raise InvalidInput.for_field("year", "must be a year, e.g. 2026")
    return int(raw)


class WorkbenchRoutes:
    policy = PolicyData()  # the authorization table the services enforce, to tell each user what they may do

    @http("GET", "/api/me/operations")
    @api
    def my_operations(self, request):
        actor = Actor.load(_gateway().actor_of(request))
        return _gateway().respond({"user_id": actor.user_id, "position": actor.position, "unit": actor.unit,
                                   "operations": allowed_operations(actor, self.policy.authority),
                                   "rules": {op: {k: list(rule.get(k) or ()) for k in ("positions", "units")}
                                             for op, rule in self.policy.authority.items()}})

    @http("GET", "/api/people/names")
    @api
    def people_names(self, request):
        """Every user's name (a timeline names persons, not ids); names, positions and units only."""
        _gateway().actor_of(request)
        from services.gateway import people

        return _gateway().respond({u["user_id"]: {"name": u["name"], "position": u["position"], "unit": u["unit"]}
                                   for u in people.list_users(self.db.session)})

    @http("GET", "/api/workbench")
    @api
    def workbench(self, request):
        return _gateway().respond(self.coordinator.workbench(_gateway().actor_of(request)))

    @http("GET", "/api/search")
    @api
    def search(self, request):
        args = request.args
        query = {"q": args.get("q", ""), "state": args.get("state") or None, "unit": args.get("unit") or None,
                 "year": _year(args.get("year"))}
        if args.get("limit"):
            query["limit"] = _gateway().page_of(request)["limit"]
        return _gateway().respond(self.coordinator.search(_gateway().actor_of(request), query))

    @http("GET", "/api/projects/<string:project_id>/attachments")
    @api
    def list_attachments(self, request, project_id):
        return _gateway().respond(self.coordinator.attachments(_gateway().actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/attachments")
    @api
    def attach(self, request, project_id):
        gw = _gateway()
        return gw.respond(self.coordinator.attach(gw.actor_of(request), project_id, gw.body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/attachments/<int:attachment_id>/replacement")
    @api
    def replace_attachment(self, request, project_id, attachment_id):
        gw = _gateway()
        return gw.respond(self.coordinator.attach(gw.actor_of(request), project_id, gw.body_of(request),
                                                  attachment_id), 201)

    @http("GET", "/api/projects/<string:project_id>/attachments/<int:attachment_id>")
    @api
    def attachment_file(self, request, project_id, attachment_id):
        document = self.coordinator.attachment_document(_gateway().actor_of(request), project_id, attachment_id)
        return Response(base64.b64decode(document["content_base64"]), status=200, content_type=document["content_type"],
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(document['filename'])}",
                                 "X-Checksum-SHA256": document["sha256"], "Cache-Control": "no-store"})


def openapi_paths(spec, op, json, ident) -> None:
    """The routes above in the gateway's OpenAPI document (``openapi.build_spec`` calls this)."""
    from shared.wire.workbench import (
        AttachmentInputSchema, AttachmentSchema, AttachmentsSchema, SearchResultSchema, WorkbenchSchema,
    )

    for name, schema in [("Workbench", WorkbenchSchema), ("SearchResult", SearchResultSchema),
                         ("AttachmentInput", AttachmentInputSchema), ("Attachment", AttachmentSchema),
                         ("Attachments", AttachmentsSchema)]:
        spec.components.schema(name, schema=schema)
    tag = "workbench"
    spec.path("/api/me/operations", operations={"get": op(
        "The operations of the authorization table the signed-in user's position or unit may do: always, or own "
        "(on the records of their own unit); and every operation's rule (who may), for the refusals the web app "
        "explains", {"200": {"description": "operations: operation -> always | own; rules: operation -> positions, "
                                            "units"}}, tag=tag)})
    spec.path("/api/people/names", operations={"get": op(
        "Every user's name, position and unit (timelines name persons)", {"200": {"description": "user id -> name"}},
        tag=tag)})
    spec.path("/api/workbench", operations={"get": op(
        "The signed-in person's to-dos (their unit's and position's, as the authorization table admits), with "
        "deadlines and counts; what they did lately; what falls due soon", {"200": json("Workbench", "the workbench")},
        tag=tag)})
    text = {"schema": {"type": "string"}}
    spec.path("/api/search", operations={"get": op(
        "Leads, projects and investors by a fragment of a name (two Chinese characters are enough), a credit code "
        "or a reference; ranked; only what the user may read", {"200": json("SearchResult", "the hits")}, tag=tag,
        params=[{"in": "query", "name": "q", "required": True, **text},
                {"in": "query", "name": "state", **text}, {"in": "query", "name": "unit", **text},
                {"in": "query", "name": "year", "schema": {"type": "integer"}},
                {"in": "query", "name": "limit", "schema": {"type": "integer", "default": 20, "maximum": 50}}])})
    pid = [ident("project_id")]
    aid = pid + [{"in": "path", "name": "attachment_id", "required": True, "schema": {"type": "integer"}}]
    spec.path("/api/projects/{project_id}/attachments", operations={
        "get": op("The project's file: its attachments and the kinds the user may attach now",
                  {"200": json("Attachments", "the file")}, params=pid, tag=tag),
        "post": op("Attach a document (its type read from its content; size and types from policy)",
                   {"201": json("Attachment", "attached")}, body="AttachmentInput", params=pid, tag=tag)})
    spec.path("/api/projects/{project_id}/attachments/{attachment_id}/replacement", operations={"post": op(
        "Replace an attachment with a new version while its stage is open", {"201": json("Attachment", "attached")},
        body="AttachmentInput", params=aid, tag=tag)})
    spec.path("/api/projects/{project_id}/attachments/{attachment_id}", operations={"get": op(
        "The attachment's file (header X-Checksum-SHA256); the signed contract's scan under R13",
        {"200": {"description": "the file"}}, params=aid, tag=tag)})
