"""gateway — the HTTP JSON API and the web app over the services' RPCs; sign-in and people.

A request acts as the signed-in user (``Authorization: Bearer <token>`` from
``POST /api/sessions``): the actor (user id, position, unit) comes from the user
record, never from the request.  Only where ``ZS_TRUST_ACTOR_HEADERS`` is true
(tests, demos on a closed machine) may ``X-Zhaoshang-User/-Position/-Unit``
name it instead.  Every service still decides on its own records from that
actor (deny by default); the gateway's check is only the first filter.
"""
from __future__ import annotations

import base64
import functools
import json
from urllib.parse import quote

from nameko.exceptions import RemoteError
from nameko.rpc import RpcProxy
from services.gateway.webserver import http
from werkzeug.wrappers import Response

from datetime import timedelta

from nameko.dependency_providers import Config

from services.gateway import models, people
from services.gateway.openapi import build_spec
from services.gateway import webapp
from shared.actor import Actor
from shared.clock import to_shanghai
from shared.db import Database
from shared.dependencies import Clock
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.wire.people import SignInSchema, UserChangeSchema, UserInputSchema
from shared.errors import InvalidInput, NotAllowed, Unauthenticated, ZhaoshangError

JSON = "application/json; charset=utf-8"
SERVICES = ("intake", "review", "negotiation", "contracts", "accounting", "supervision", "notifications", "coordinator")


def respond(body, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype=None, content_type=JSON)


def api(handler):
    """Authenticate the request, run the handler, turn typed service errors into JSON 4xx answers."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        try:
            request.environ["zs.actor"] = self._authenticate(request)
            return handler(self, request, *args, **kwargs)
        except ZhaoshangError as exc:
            return respond(exc.to_dict(), exc.http_status)
        except RemoteError as exc:
            return respond({"error": "service_error", "message": str(exc), "details": {}}, 502)

    return wrapper


ACTOR_HEADERS = ("X-Zhaoshang-User", "X-Zhaoshang-Position", "X-Zhaoshang-Unit")


def bearer_token(request) -> str | None:
    value = request.headers.get("Authorization", "")
    return value[7:].strip() or None if value.lower().startswith("bearer ") else None


def actor_of(request) -> dict:
    """The signed-in actor of the request (401 when there is none)."""
    actor = request.environ.get("zs.actor")
    if actor is None:
        raise Unauthenticated("sign in first (POST /api/sessions), then send Authorization: Bearer <token>",
                              {"Authorization": ["required"]})
    return actor


def body_of(request) -> dict:
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput.for_field("body", f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
    if not isinstance(body, dict):
        raise InvalidInput.for_field("body", "must be a JSON object")
    return body


def public(call) -> Response:
    """An answer for anyone: no sign-in is asked and no actor is passed on; service errors as JSON."""
    try:
        return respond(call())
    except ZhaoshangError as exc:
        return respond(exc.to_dict(), exc.http_status)
    except RemoteError as exc:
        return respond({"error": "service_error", "message": str(exc), "details": {}}, 502)


def page_of(request) -> dict:
    out = {}
    for key, default, high in (("limit", 50, 500), ("offset", 0, None)):
        raw = request.args.get(key, default)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise InvalidInput.for_field(key, "must be a whole number") from None
        if value < 0 or (high is not None and value > high):
            raise InvalidInput.for_field(key, f"must be between 0 and {high}" if high else "must be 0 or more")
        out[key] = value
    return out


class GatewayService:
    name = "gateway"

    db = Database(models.metadata)  # users and sessions; the gateway publishes no events (no OutboxRelay)
    config = Config()
    clock = Clock()

    intake = RpcProxy("intake")
    coordinator = RpcProxy("coordinator")
    review = RpcProxy("review")
    negotiation = RpcProxy("negotiation")
    contracts = RpcProxy("contracts")
    accounting = RpcProxy("accounting")
    notifications = RpcProxy("notifications")
    supervision = RpcProxy("supervision")

    # -- sign-in and people -----------------------------------------------------------------------
    def _authenticate(self, request) -> dict | None:
        token = bearer_token(request)
        if token:
            return people.actor_for_token(self.db.session, token, self.clock()).dump()
        if self.config.get("ZS_TRUST_ACTOR_HEADERS") is True and all(request.headers.get(h) for h in ACTOR_HEADERS):
            return Actor.load({"user_id": request.headers["X-Zhaoshang-User"],
                               "position": request.headers["X-Zhaoshang-Position"],
                               "unit": request.headers["X-Zhaoshang-Unit"]}).dump()
        return None

    def _session_lifetime(self) -> timedelta:
        return timedelta(minutes=float(self.config.get("ZS_SESSION_MINUTES") or 600))

    @http("POST", "/api/sessions")
    @api
    def sign_in(self, request):
        data = load_or_invalid(schema(SignInSchema), body_of(request))
        with self.db.unit_of_work() as uow:
            token, user, expires = people.sign_in(uow.session, data["user_id"], data["password"], self.clock(),
                                                  self._session_lifetime())
        return respond({"token": token, "expires_at": to_shanghai(expires).isoformat(), "user": user}, 201)

    @http("DELETE", "/api/sessions")
    @api
    def sign_out(self, request):
        actor_of(request)
        token = bearer_token(request)
        if token:
            with self.db.unit_of_work() as uow:
                people.sign_out(uow.session, token, self.clock())
        return respond({"signed_out": True})

    @http("GET", "/api/me")
    @api
    def me(self, request):
        actor = actor_of(request)
        try:
            return respond(people.public(people.user_row(self.db.session, actor["user_id"])))
        except ZhaoshangError:  # an actor named by trusted headers has no user record
            return respond({**actor, "is_admin": False, "active": True})

    def _admin(self, request) -> dict:
        actor = actor_of(request)
        try:
            if people.user_row(self.db.session, actor["user_id"])["is_admin"]:
                return actor
        except ZhaoshangError:
            pass
        raise NotAllowed("only an administrator manages users", {"operation": "gateway.manage_users"})

    @http("GET", "/api/users")
    @api
    def list_users(self, request):
        self._admin(request)
        return respond(people.list_users(self.db.session))

    @http("POST", "/api/users")
    @api
    def create_user(self, request):
        admin = self._admin(request)
        data = load_or_invalid(schema(UserInputSchema), body_of(request))
        with self.db.unit_of_work() as uow:
            user = people.save_user(uow.session, data, admin, self.clock(), create=True)
        return respond(user, 201)

    @http("PUT", "/api/users/<string:user_id>")
    @api
    def change_user(self, request, user_id):
        admin = self._admin(request)
        data = load_or_invalid(schema(UserChangeSchema), body_of(request))
        with self.db.unit_of_work() as uow:
            current = people.user_row(uow.session, user_id)
            merged = {**people.public(current), **data, "user_id": user_id}
            user = people.save_user(uow.session, merged, admin, self.clock(), create=False)
        return respond(user)

    @rpc
    def provision_user(self, operator, data):
        """For the operator's command line on the trusted bus: create or update a user (first admin included)."""
        operator = Actor.load(operator)
        data = load_or_invalid(schema(UserInputSchema), data)
        with self.db.unit_of_work() as uow:
            return people.save_user(uow.session, data, operator.dump(), self.clock(), create=False)

    @rpc
    def has_admin(self):
        return people.has_admin(self.db.session)

    @http("GET", "/health")
    def health(self, request):
        return respond({"service": self.name, "status": "ok"})

    @http("GET", "/api/health")
    def health_all(self, request):
        states = {}
        for name in SERVICES:
            try:
                states[name] = getattr(self, name).health.call_async().result()["status"]
            except Exception as exc:  # a service down is reported, not raised
                states[name] = f"down: {type(exc).__name__}"
        ok = all(v == "ok" for v in states.values())
        return respond({"status": "ok" if ok else "degraded", "services": states}, 200 if ok else 503)

    @http("GET", "/api/openapi.json")
    def openapi(self, request):
        return respond(build_spec())

    # -- the web app (issue #9, docs/WEBAPP.md): one page, its local assets, no sign-in to load them -----------
    @http("GET", "/")
    def web_index(self, request):
        return webapp.index_page(request)

    @http("GET", "/catalog")
    def web_catalog(self, request):  # the public catalog page (same single page, no sign-in)
        return webapp.index_page(request)

    @http("GET", "/api/docs")
    def web_api_docs(self, request):  # the API reference, rendered in the page from /api/openapi.json
        return webapp.index_page(request)

    @http("GET", "/static/<path:path>")
    def web_static(self, request, path):
        return webapp.static_file(request, path)

    @http("POST", "/api/leads")
    @api
    def register_lead(self, request):
        return respond(self.intake.register_lead(actor_of(request), body_of(request)), 201)

    @http("GET", "/api/leads")
    @api
    def list_leads(self, request):
        return respond(self.intake.list_leads(actor_of(request), request.args.get("status"), **page_of(request)))

    @http("GET", "/api/leads/<string:lead_id>")
    @api
    def get_lead(self, request, lead_id):
        return respond(self.intake.get_lead(actor_of(request), lead_id))

    @http("POST", "/api/leads/<string:lead_id>/file")
    @api
    def file_project(self, request, lead_id):
        return respond(self.intake.file_project(actor_of(request), lead_id, body_of(request)))

    @http("GET", "/api/projects")
    @api
    def list_projects(self, request):
        return respond(self.coordinator.list_projects(actor_of(request), request.args.get("state"), **page_of(request)))

    @http("GET", "/api/projects/<string:project_id>")
    @api
    def get_project(self, request, project_id):
        return respond(self.coordinator.get_project(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/terminate")
    @api
    def terminate_project(self, request, project_id):
        return respond(self.coordinator.terminate_project(actor_of(request), project_id, body_of(request)))

    # -- joint review (R2) ---------------------------------------------------------------
    @http("POST", "/api/projects/<string:project_id>/review")
    @api
    def convene_review(self, request, project_id):
        return respond(self.review.convene(actor_of(request), project_id, body_of(request)), 201)

    @http("GET", "/api/projects/<string:project_id>/review")
    @api
    def get_review(self, request, project_id):
        return respond(self.review.get_review(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/review/opinions")
    @api
    def record_opinion(self, request, project_id):
        return respond(self.review.record_opinion(actor_of(request), project_id, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/review/returns")
    @api
    def record_return(self, request, project_id):
        return respond(self.review.record_return(actor_of(request), project_id, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/review/resubmission")
    @api
    def resubmit(self, request, project_id):
        return respond(self.review.resubmit(actor_of(request), project_id, body_of(request)))

    @http("GET", "/api/review/queue")
    @api
    def review_queue(self, request):
        return respond(self.review.queue(actor_of(request)))

    # -- responsible unit, negotiation, decision route (R3, R4, R5) ---------------------------
    @http("GET", "/api/projects/<string:project_id>/negotiation")
    @api
    def get_negotiation(self, request, project_id):
        return respond(self.negotiation.get_negotiation(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/intermediary")
    @api
    def record_intermediary(self, request, project_id):
        return respond(self.negotiation.record_intermediary(actor_of(request), project_id, body_of(request)))

    @http("GET", "/api/projects/<string:project_id>/responsible-unit/ranking")
    @api
    def ranking(self, request, project_id):
        return respond(self.negotiation.ranking(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/responsible-unit")
    @api
    def assign_unit(self, request, project_id):
        return respond(self.negotiation.assign_unit(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/negotiation/sessions")
    @api
    def log_session(self, request, project_id):
        return respond(self.negotiation.log_session(actor_of(request), project_id, body_of(request)), 201)

    @http("GET", "/api/projects/<string:project_id>/decision-route")
    @api
    def decision_route(self, request, project_id):
        return respond(self.negotiation.route(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/decision-route/recommendation")
    @api
    def recommend(self, request, project_id):
        return respond(self.negotiation.recommend(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/decision-route/decisions")
    @api
    def decide(self, request, project_id):
        return respond(self.negotiation.decide(actor_of(request), project_id, body_of(request)), 201)

    @http("GET", "/api/decisions/awaiting")
    @api
    def decisions_awaiting(self, request):
        return respond(self.negotiation.decisions_awaiting(actor_of(request)))

    # -- contracts (R6, R7, R13) -----------------------------------------------------------------
    @http("GET", "/api/projects/<string:project_id>/contract")
    @api
    def get_contract(self, request, project_id):
        return respond(self.contracts.get_contract(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/contract/versions")
    @api
    def draft_contract(self, request, project_id):
        return respond(self.contracts.draft(actor_of(request), project_id, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/contract/submission")
    @api
    def submit_contract(self, request, project_id):
        return respond(self.contracts.submit(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/contract/legal-review")
    @api
    def legal_review(self, request, project_id):
        return respond(self.contracts.legal_review(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/contract/signature")
    @api
    def sign_contract(self, request, project_id):
        return respond(self.contracts.sign(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/contract/copies")
    @api
    def register_copies(self, request, project_id):
        return respond(self.contracts.register_copies(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/contract/hand-over")
    @api
    def hand_over(self, request, project_id):
        return respond(self.contracts.hand_over(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/contract/archives")
    @api
    def hand_to_archives(self, request, project_id):
        return respond(self.contracts.hand_to_archives(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/contract/grants")
    @api
    def grant_access(self, request, project_id):
        return respond(self.contracts.grant_access(actor_of(request), project_id, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/contract/reading")
    @api
    def read_contract(self, request, project_id):
        return respond(self.contracts.read_contract(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/contract/versions/<int:version>/reading")
    @api
    def read_draft(self, request, project_id, version):
        return respond(self.contracts.read_draft(actor_of(request), project_id, version, body_of(request)))

    @http("GET", "/api/projects/<string:project_id>/contract/audit")
    @api
    def contract_audit(self, request, project_id):
        return respond(self.contracts.audit_entries(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/obligations/<string:key>/progress")
    @api
    def record_progress(self, request, project_id, key):
        return respond(self.contracts.record_progress(actor_of(request), project_id, key, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/obligations/<string:key>/special-report")
    @api
    def file_special_report(self, request, project_id, key):
        return respond(self.contracts.file_special_report(actor_of(request), project_id, key, body_of(request)), 201)

    @http("POST", "/api/contracts/check-obligations")
    @api
    def check_obligations(self, request):
        return respond({"changed": self.contracts.check_obligations_now(actor_of(request))})

    @http("GET", "/api/custodians")
    @api
    def custodians(self, request):
        return respond(self.contracts.custodians(actor_of(request)))

    @http("PUT", "/api/custodians/<string:unit>")
    @api
    def designate_custodian(self, request, unit):
        return respond(self.contracts.designate_custodian(actor_of(request), unit, body_of(request)))

    # -- investment accounting (R12) --------------------------------------------------------------
    @http("GET", "/api/projects/<string:project_id>/accounting")
    @api
    def get_accounting(self, request, project_id):
        return respond(self.accounting.get_accounting(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/accounting")
    @api
    def open_accounting(self, request, project_id):
        return respond(self.accounting.open_accounting(actor_of(request), project_id, body_of(request)), 201)

    @http("PUT", "/api/projects/<string:project_id>/accounting/actual-fai")
    @api
    def record_actual_fai(self, request, project_id):
        return respond(self.accounting.record_actual_fai(actor_of(request), project_id, body_of(request)))

    @http("PUT", "/api/projects/<string:project_id>/accounting/land-used")
    @api
    def record_land_used(self, request, project_id):
        return respond(self.accounting.record_land_used(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/accounting/report")
    @api
    def issue_accounting_report(self, request, project_id):
        return respond(self.accounting.issue_report(actor_of(request), project_id, body_of(request)), 201)

    @http("GET", "/api/projects/<string:project_id>/accounting/report.<string:kind>")
    @api
    def accounting_report_file(self, request, project_id, kind):
        document = self.accounting.report_document(actor_of(request), project_id, kind)
        return Response(base64.b64decode(document["content_base64"]), status=200, content_type=document["content_type"],
                        headers={"Content-Disposition": f"attachment; filename={document['filename']}"})

    @http("POST", "/api/projects/<string:project_id>/accounting/recovery/<string:unit>")
    @api
    def record_recovery(self, request, project_id, unit):
        return respond(self.accounting.record_recovery(actor_of(request), project_id, unit, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/accounting/recovery/<string:unit>/waiver")
    @api
    def waive_recovery(self, request, project_id, unit):
        return respond(self.accounting.waive_recovery(actor_of(request), project_id, unit, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/accounting/closure")
    @api
    def close_accounting(self, request, project_id):
        return respond(self.accounting.close(actor_of(request), project_id))

    # -- notifications: the inbox, the delivery log, the channels -------------------------------------------------
    @http("GET", "/api/inbox")
    @api
    def inbox(self, request):
        return respond(self.notifications.inbox(actor_of(request), request.args.get("unread") in ("1", "true"),
                                                page_of(request)["limit"]))

    @http("POST", "/api/inbox/<int:notification_id>/read")
    @api
    def mark_read(self, request, notification_id):
        return respond(self.notifications.mark_read(actor_of(request), notification_id))

    @http("GET", "/api/notifications/deliveries")
    @api
    def deliveries(self, request):
        return respond(self.notifications.deliveries(actor_of(request), request.args.get("project_id"),
                                                     page_of(request)["limit"]))

    @http("GET", "/api/notifications/channels")
    @api
    def channels(self, request):
        return respond(self.notifications.channels_settings(actor_of(request)))

    @http("PUT", "/api/notifications/channels/<string:channel>")
    @api
    def configure_channel(self, request, channel):
        return respond(self.notifications.configure_channel(actor_of(request), channel, body_of(request)))

    # -- supervision: tracking, its deadlines, the special-report register (R7, R11) -------------------------------
    @http("GET", "/api/projects/<string:project_id>/tracking")
    @api
    def tracking(self, request, project_id):
        return respond(self.supervision.tracking(actor_of(request), project_id))

    @http("POST", "/api/projects/<string:project_id>/tracking/progress")
    @api
    def tracking_progress(self, request, project_id):
        return respond(self.supervision.record_progress(actor_of(request), project_id, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/tracking/problems")
    @api
    def raise_problem(self, request, project_id):
        return respond(self.supervision.raise_problem(actor_of(request), project_id, body_of(request)), 201)

    @http("POST", "/api/projects/<string:project_id>/tracking/problems/<int:problem_id>/resolution")
    @api
    def resolve_problem(self, request, project_id, problem_id):
        return respond(self.supervision.resolve_problem(actor_of(request), project_id, problem_id, body_of(request)))

    @http("PUT", "/api/projects/<string:project_id>/tracking/contacts")
    @api
    def tracking_contacts(self, request, project_id):
        return respond(self.supervision.set_contacts(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/tracking/reminders")
    @api
    def schedule_reminder(self, request, project_id):
        return respond(self.supervision.schedule_reminder(actor_of(request), project_id, body_of(request)), 201)

    @http("GET", "/api/tracking/stalled")
    @api
    def stalled(self, request):
        return respond(self.supervision.stalled(actor_of(request)))

    @http("POST", "/api/projects/<string:project_id>/special-reports")
    @api
    def file_special_report_to_lg(self, request, project_id):
        return respond(self.supervision.file_special_report(actor_of(request), project_id, body_of(request)), 201)

    @http("GET", "/api/special-reports")
    @api
    def special_reports(self, request):
        return respond(self.supervision.special_reports(actor_of(request), request.args.get("project_id")))

    @http("GET", "/api/special-reports/<string:ref>")
    @api
    def special_report(self, request, ref):
        return respond(self.supervision.special_report(actor_of(request), ref))

    @http("GET", "/api/deadlines")
    @api
    def deadlines(self, request):
        return respond(self.supervision.deadlines(actor_of(request), request.args.get("project_id"),
                                                    request.args.get("all") not in ("1", "true")))

    @http("POST", "/api/deadlines/check")
    @api
    def check_deadlines(self, request):
        return respond({"fired": self.supervision.fire_due_now(actor_of(request))})

    # -- the ledger (R10), key projects, targets and summaries (R14); the reserve (R8); the public catalog (R9) ----
    def _download(self, document: dict) -> Response:
        return Response(base64.b64decode(document["content_base64"]), status=200, content_type=document["content_type"],
                        headers={"Content-Disposition": f"attachment; filename={document['filename']}"})

    @http("GET", "/api/ledger")
    @api
    def ledger(self, request):
        return respond(self.coordinator.ledger(actor_of(request), dict(request.args)))

    @http("GET", "/api/ledger.xlsx")
    @api
    def ledger_workbook(self, request):
        return self._download(self.coordinator.ledger_workbook(actor_of(request), dict(request.args)))

    @http("POST", "/api/ledger/import")
    @api
    def import_ledger(self, request):
        return respond(self.coordinator.import_ledger(actor_of(request), body_of(request)), 201)

    @http("POST", "/api/ledger/rebuild")
    @api
    def rebuild_ledger(self, request):
        return respond(self.coordinator.rebuild_ledger(actor_of(request)))

    @http("GET", "/api/projects/<string:project_id>/ledger")
    @api
    def ledger_row(self, request, project_id):
        return respond(self.coordinator.ledger_row(actor_of(request), project_id))

    @http("PUT", "/api/projects/<string:project_id>/key-project")
    @api
    def set_key_project(self, request, project_id):
        return respond(self.coordinator.set_key_project(actor_of(request), project_id, body_of(request)))

    @http("GET", "/api/key-projects/mine")
    @api
    def my_key_projects(self, request):
        return respond(self.coordinator.key_projects_of(actor_of(request)))

    @http("PUT", "/api/projects/<string:project_id>/responsibility")
    @api
    def assign_responsibility(self, request, project_id):
        return respond(self.coordinator.assign_responsibility(actor_of(request), project_id, body_of(request)))

    @http("PUT", "/api/projects/<string:project_id>/advancement-requirements")
    @api
    def set_requirements(self, request, project_id):
        return respond(self.coordinator.set_requirements(actor_of(request), project_id, body_of(request)))

    @http("POST", "/api/projects/<string:project_id>/funds-in-place")
    @api
    def record_funds_in_place(self, request, project_id):
        return respond(self.coordinator.record_funds_in_place(actor_of(request), project_id, body_of(request)), 201)

    @http("PUT", "/api/targets/<int:year>")
    @api
    def set_targets(self, request, year):
        return respond(self.coordinator.set_targets(actor_of(request), year, body_of(request)))

    @http("GET", "/api/targets/<int:year>")
    @api
    def targets(self, request, year):
        return respond(self.coordinator.targets(actor_of(request), year))

    @http("GET", "/api/summaries/<string:period>.<string:kind>")
    @api
    def work_summary(self, request, period, kind):
        return self._download(self.coordinator.work_summary(actor_of(request), period, kind))

    @http("POST", "/api/reserve")
    @api
    def add_reserve_project(self, request):
        return respond(self.intake.add_reserve_project(actor_of(request), body_of(request)), 201)

    @http("GET", "/api/reserve")
    @api
    def list_reserve_projects(self, request):
        args = request.args
        published = {"true": True, "false": False, None: None}.get(args.get("published"), "?")
        if published == "?":
            raise InvalidInput.for_field("published", "true or false")
        year = args.get("year")
        if year is not None and not year.isdigit():
            raise InvalidInput.for_field("year", "must be a year, e.g. 2026")
        return respond(self.intake.list_reserve_projects(actor_of(request), year and int(year), args.get("tier"),
                                                         published, **page_of(request)))

    @http("GET", "/api/reserve/<string:reserve_id>")
    @api
    def get_reserve_project(self, request, reserve_id):
        return respond(self.intake.get_reserve_project(actor_of(request), reserve_id))

    @http("PATCH", "/api/reserve/<string:reserve_id>")
    @api
    def update_reserve_project(self, request, reserve_id):
        return respond(self.intake.update_reserve_project(actor_of(request), reserve_id, body_of(request)))

    @http("GET", "/api/reserve/<string:reserve_id>/document")
    @api
    def reserve_document(self, request, reserve_id):
        document = self.intake.reserve_document(actor_of(request), reserve_id)
        return Response(base64.b64decode(document["content_base64"]), status=200, content_type=document["content_type"],
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(document['filename'])}"})

    @http("POST", "/api/reserve/<string:reserve_id>/publication")
    @api
    def publish_reserve_project(self, request, reserve_id):
        return respond(self.intake.publish_reserve_project(actor_of(request), reserve_id))

    @http("POST", "/api/reserve/<string:reserve_id>/withdrawal")
    @api
    def withdraw_reserve_project(self, request, reserve_id):
        return respond(self.intake.withdraw_reserve_project(actor_of(request), reserve_id, body_of(request)))

    @http("GET", "/api/reserve-plans/<int:year>")
    @api
    def reserve_plan(self, request, year):
        return respond(self.intake.reserve_plan(actor_of(request), year))

    # The public catalog: no sign-in, no actor headers — anyone reads it.  What it shows is decided by intake
    # (reserve.public_entry, PublicCatalogEntrySchema), where the data leaves the service.
    @http("GET", "/api/catalog")
    def public_catalog(self, request):
        return public(lambda: self.intake.public_catalog(dict(request.args)))

    @http("GET", "/api/catalog/<string:ref>")
    def public_catalog_entry(self, request, ref):
        return public(lambda: self.intake.public_catalog_entry(ref))

    @http("GET", "/api/lifecycle")
    def lifecycle(self, request):
        return respond(self.coordinator.lifecycle())
