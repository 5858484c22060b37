"""gateway — the HTTP JSON API and the web app over the services' RPCs; sign-in and people.

Its routes are declared once, in ``routes.py`` (method, path, the RPC and how the request maps onto it, schemas,
who may call); ``serve(ROUTES)`` makes a handler for each route that calls one RPC, and attaches the hand-written
ones below (sign-in, users, health, the web app, a list with checked filters) by their name in the table.

A request acts as the signed-in user (``Authorization: Bearer <token>`` from
``POST /api/sessions``): the actor (user id, position, unit) comes from the user
record, never from the request.  Only where ``ZS_TRUST_ACTOR_HEADERS`` is true
(tests, demos on a closed machine) may ``X-Zhaoshang-User/-Position/-Unit``
name it instead.  Every service still decides on its own records from that
actor (deny by default); the gateway's check is only the first filter.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import eventlet
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from services.gateway import anchoring, health, models, people, throttle, webapp
from services.gateway.edge import actor_of, bearer_token, body_of, client_address, page_of, respond
from services.gateway.openapi import build_spec
from services.gateway.passwords import PasswordHashing
from services.gateway.routes import ROUTES
from services.gateway.routing import serve
from services.gateway.workbench_routes import WorkbenchRoutes
from shared import anchors, audit
from shared.actor import Actor, authorize
from shared.anchors import AUDITED_SERVICES
from shared.clock import to_shanghai
from shared.db import Database
from shared.dependencies import Clock, PolicyData
from shared.errors import InvalidInput, NotAllowed, ZhaoshangError
from shared.i18n import _
from shared.rpc import read_json_faster, rpc
from shared.schema import load_or_invalid, schema
from shared.timers import every, every_policy
from shared.wire.people import PasswordChangeSchema, SignInSchema, UserChangeSchema, UserInputSchema

SERVICES = (
    "intake",
    "review",
    "negotiation",
    "contracts",
    "accounting",
    "supervision",
    "notifications",
    "coordinator",
    "leadership",
    "landreserve",
)
ANCHOR_SECONDS = 60
"""How often every audit trail's head is anchored by default (``ZS_AUDIT_ANCHOR_SECONDS``)."""
HOLIDAY_SERVICES = ("review", "contracts", "supervision")  # they count working days (R16), or tell it is missing
ACTOR_HEADERS = ("X-Zhaoshang-User", "X-Zhaoshang-Position", "X-Zhaoshang-Unit")

read_json_faster()  # the services' replies (a ledger page: 95 KB of JSON) read by orjson (shared/rpc.py)


@serve(ROUTES)
class GatewayService(WorkbenchRoutes):
    name = "gateway"

    db = Database(models.metadata)  # users and sessions; the gateway publishes no events (no OutboxRelay)
    config = Config()
    clock = Clock()
    policy = PolicyData()
    hashing = PasswordHashing()
    sign_in_holds = throttle.SignInHolds()  # the sign-in holds found, kept in memory (throttle.py)
    health_board = health.HealthBoard(SERVICES)  # /api/health's answers (services/gateway/health.py)

    intake = RpcProxy("intake")
    coordinator = RpcProxy("coordinator")
    review = RpcProxy("review")
    negotiation = RpcProxy("negotiation")
    contracts = RpcProxy("contracts")
    accounting = RpcProxy("accounting")
    notifications = RpcProxy("notifications")
    supervision = RpcProxy("supervision")
    leadership = RpcProxy("leadership")
    landreserve = RpcProxy("landreserve")

    def call(self, service: str, method: str, *args, **kwargs):
        """The RPC of a generated handler: ``service.method(*args, **kwargs)``."""
        return getattr(getattr(self, service), method)(*args, **kwargs)

    # -- sign-in and people (people.py, docs/SECURITY.md) --------------------------------------------------------
    def _authenticate(self, request) -> dict | None:
        token = bearer_token(request)
        if token:
            return people.actor_for_token(self.db.session, token, self.clock(), self._lifetimes()).dump()
        if self.config.get("ZS_TRUST_ACTOR_HEADERS") is True and all(request.headers.get(h) for h in ACTOR_HEADERS):
            return Actor.load(
                {
                    "user_id": request.headers["X-Zhaoshang-User"],
                    "position": request.headers["X-Zhaoshang-Position"],
                    "unit": request.headers["X-Zhaoshang-Unit"],
                }
            ).dump()
        return None

    def _lifetimes(self) -> people.Lifetimes:
        return people.Lifetimes.of(self.policy, self.config)

    def sign_in(self, request):
        data = load_or_invalid(schema(SignInSchema), body_of(request))
        try:
            token, user, expires = people.sign_in(
                self.db,
                self.policy,
                data["user_id"],
                data["password"],
                client_address(request),
                self.clock(),
                self._lifetimes(),
                self.sign_in_holds,
            )
        except people.TooManyAttempts as throttled:  # answered after the tarpit's hold (throttle.Holds.tarpit)
            self.sign_in_holds.tarpit(throttled.retry_after, eventlet.sleep)
            raise
        return respond({"token": token, "expires_at": to_shanghai(expires).isoformat(), "user": user}, 201)

    def sign_out(self, request):
        token = bearer_token(request)
        if token:
            with self.db.unit_of_work() as uow:
                people.sign_out(uow.session, token, self.clock())
        return respond({"signed_out": True})

    def me(self, request):
        actor = actor_of(request)
        try:
            return respond(people.public(people.user_row(self.db.session, actor["user_id"])))
        except ZhaoshangError:  # an actor named by trusted headers has no user record
            return respond({**actor, "is_admin": False, "active": True})

    def change_own_password(self, request):
        data = load_or_invalid(schema(PasswordChangeSchema), body_of(request))
        return respond(
            people.change_own_password(
                self.db,
                self.policy,
                actor_of(request),
                bearer_token(request),
                client_address(request),
                data["current_password"],
                data["new_password"],
                self.clock(),
            )
        )

    def _admin(self, request) -> dict:
        actor = actor_of(request)
        try:
            if people.user_row(self.db.session, actor["user_id"])["is_admin"]:
                return actor
        except ZhaoshangError:
            pass
        raise NotAllowed(_("only an administrator manages users"), {"operation": "gateway.manage_users"})

    def list_users(self, request):
        return respond(people.list_users(self.db.session))

    def create_user(self, request):
        admin = actor_of(request)
        data = people.prepare(self.db.session, load_or_invalid(schema(UserInputSchema), body_of(request)), self.policy)
        with self.db.unit_of_work() as uow:
            user = people.save_user(uow.session, data, admin, self.clock(), create=True)
        return respond(user, 201)

    def change_user(self, request, user_id):
        admin = actor_of(request)
        data = load_or_invalid(schema(UserChangeSchema), body_of(request))
        merged = {**people.public(people.user_row(self.db.session, user_id)), **data, "user_id": user_id}
        data = people.prepare(self.db.session, merged, self.policy)
        with self.db.unit_of_work() as uow:
            user = people.save_user(
                uow.session, data, admin, self.clock(), create=False, keep_token=bearer_token(request)
            )
        return respond(user)

    def unlock_user(self, request, user_id):
        with self.db.unit_of_work() as uow:
            lifted = people.unlock(uow.session, actor_of(request), user_id, self.clock(), self.sign_in_holds)
        return respond({"user_id": user_id, "unlocked": lifted})

    def sign_in_locks(self, request):
        locks = throttle.locked(self.db.session, throttle.Rules.of(self.policy), self.clock())
        return respond([{**lock, "locked_until": to_shanghai(lock["locked_until"]).isoformat()} for lock in locks])

    def people_audit(self, request):
        authorize(Actor.load(actor_of(request)), "gateway.read_audit", self.policy.authority)
        found = people.audit_entries(self.db.session, **page_of(request))
        return respond(
            {
                **found,
                "items": [
                    {**e, "at": to_shanghai(e["at"]).isoformat(), "details": json.loads(e["details"])}
                    for e in found["items"]
                ],
            }
        )

    @rpc
    def provision_user(self, operator, data):
        """For the operator's command line on the trusted bus: create or update a user (first admin included)."""
        operator = Actor.load(operator)
        data = people.prepare(self.db.session, load_or_invalid(schema(UserInputSchema), data), self.policy)
        with self.db.unit_of_work() as uow:
            return people.save_user(uow.session, data, operator.dump(), self.clock(), create=False)

    # -- anchors of the audit trails (shared/anchors.py) ---------------------------------------------------------
    @every("ZS_AUDIT_ANCHOR_SECONDS", ANCHOR_SECONDS)
    def anchor_audit_trails(self):
        """Every service's chain head signed and kept here; a service that does not answer waits for the next."""
        heads = {}
        for name in AUDITED_SERVICES:
            try:
                if name == self.name:
                    heads[name] = audit.head(self.db.session, models.audit_trail)
                else:
                    with eventlet.Timeout(float(self.config.get("RPC_TIMEOUT") or 20)):
                        heads[name] = getattr(self, name).audit_head.call_async().result()
            except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - a service down is anchored next time
                logging.getLogger("zhaoshang.audit").warning("no audit head from %s: %s", name, type(exc).__name__)
        self.db.session.rollback()
        key = anchors.key_of(self.config, create=True)
        with self.db.unit_of_work() as uow:
            return len(anchoring.anchor(uow.session, key, heads, self.clock()))

    @rpc
    def has_admin(self):
        return people.has_admin(self.db.session)

    def health(self, request):
        return respond({"service": self.name, "status": "ok"})

    @every_policy("security.health.ask_every_seconds")
    def ask_health(self):
        """Every service's health asked in the background; ``/api/health`` answers from what it heard."""
        self.health_board.refresh(self._ask_health)

    def _ask_health(self) -> dict:
        return health.ask_all(self, SERVICES, self.health_board.rules.wait)

    def health_all(self, request):
        body, status = health.summary(self.health_board.current(self._ask_health))
        return respond(body, status)

    def openapi(self, request):
        return respond(build_spec())

    # -- the web app (docs/WEBAPP.md): one page, its local assets, no sign-in to load them ----------------------
    def web_index(self, request):
        return webapp.index_page(request)

    def web_catalog(self, request):  # the public catalog page (same single page, no sign-in)
        return webapp.index_page(request)

    def web_api_docs(self, request):  # the API reference, rendered in the page from /api/openapi.json
        return webapp.index_page(request)

    def web_static(self, request, path):
        return webapp.static_file(request, path)

    def project_parcels(self, request, project_id):
        """The land reserve's ready parcels for a lead or project: its land demand, sector, preferred location and
        planned intensity, read from intake (a project's id is its lead's); for a reader of the project who does not
        read its lead (the park or town responsible), from the project's file, its responsible unit as the place."""
        actor = actor_of(request)
        try:
            lead = self.call("intake", "get_lead", actor, project_id)
        except NotAllowed:  # a park or town reads the project (its file), not the lead: the same figures from there
            basic = self.call("coordinator", "get_project", actor, project_id)["basic"] or {}
            unit = basic.get("responsible_unit") or ""
            lead = {
                "land_mu": basic["land_mu"],
                "sector": basic["sector"],
                "planned_fixed_asset_investment": basic["fixed_asset_investment"],
                "preferred_location": {"kind": unit.split(":")[0].lower(), "id": unit.partition(":")[2]},
            }
        place = lead.get("preferred_location") or {}
        unit = {"park": "PARK:", "town": "TOWN:"}.get(place.get("kind"))
        land = Decimal(lead["land_mu"])
        intensity = (Decimal(lead["planned_fixed_asset_investment"]) / 10000 / land).quantize(Decimal("0.01"))
        return respond(
            self.call(
                "landreserve",
                "match",
                actor,
                {
                    "land_mu": lead["land_mu"],
                    "sector": lead["sector"],
                    "location": unit and f"{unit}{place.get('id')}",
                    "planned_intensity": str(intensity),
                },
            )
        )

    def load_holidays(self, request, year):
        """An administrator loads a year's official holiday schedule (R16); the answer says which deadlines moved."""
        return respond(self._load_holidays(actor_of(request), year, body_of(request)))

    @rpc
    def load_holiday_schedule(self, actor, year, data):
        """The same, for ``zhaoshang holidays load <file>`` on the trusted bus."""
        return self._load_holidays(Actor.load(actor).dump(), year, data)

    def _load_holidays(self, actor: dict, year, data: dict) -> dict:
        """Each service keeps the schedule, counts its provisional deadlines again and says which moved."""
        answers = [getattr(self, name).load_holidays(actor, year, data) for name in HOLIDAY_SERVICES]
        moved = [{"service": a["service"], **m} for a in answers for m in a["moved"]]
        return {"year": answers[0]["year"], "loaded_in": [a["service"] for a in answers], "moved": moved}

    def outlook(self, request):
        """An administrator's dry run "as of" a date: what would lapse, which reports fall due, which deadlines
        fire — read from contracts and supervision, nothing changed."""
        actor, as_of = actor_of(request), request.args.get("as_of")
        obligations = self.contracts.obligations_outlook.call_async(actor, as_of)
        deadlines = self.supervision.deadlines_outlook.call_async(actor, as_of)
        return respond({**obligations.result(), "deadlines": deadlines.result(), "dry_run": True})

    def list_reserve_projects(self, request):  # the filters are checked here, before the RPC
        args = request.args
        published = {"true": True, "false": False, None: None}.get(args.get("published"), "?")
        if published == "?":
            raise InvalidInput.for_field("published", _("must be true or false"))
        year = args.get("year")
        if year is not None and not year.isdigit():
            raise InvalidInput.for_field("year", _("must be a year, e.g. 2026"))
        return respond(
            self.call(
                "intake",
                "list_reserve_projects",
                actor_of(request),
                year and int(year),
                args.get("tier"),
                published,
                **page_of(request),
            )
        )
