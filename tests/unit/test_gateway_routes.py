"""The gateway's route table (services/gateway/routes.py): each route's RPC exists and takes the arguments the table
maps onto it; a URL reaches the handler the table names; a generated handler reads the request as declared, calls
its RPC once and answers with the declared status; who may call is enforced; a malformed declaration is refused."""

from __future__ import annotations

import base64
import importlib
import inspect
import json
import re

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.rpc import Rpc
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway import routing
from services.gateway.edge import ADMIN, PUBLIC
from services.gateway.routes import ROUTES
from services.gateway.routing import GET, POST, document, one, says, serve
from services.gateway.service import GatewayService
from shared.wire.intake import LeadSchema

CLERK = {"X-Zhaoshang-User": "li", "X-Zhaoshang-Position": "ipb_clerk", "X-Zhaoshang-Unit": "IPB"}
ACTOR = {"user_id": "li", "position": "ipb_clerk", "unit": "IPB", "name": None}


def service_class(name: str):
    module = importlib.import_module(f"services.{name}.service")
    return next(c for c in vars(module).values() if inspect.isclass(c) and getattr(c, "name", None) == name)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.call], ids=lambda r: f"{r.method} {r.path}")
def test_each_route_calls_an_rpc_of_its_service_with_arguments_it_takes(route):
    cls = service_class(route.call.service)
    method = getattr(cls, route.call.method, None)
    assert method is not None, f"{cls.__name__} has no {route.call.method}"
    assert any(isinstance(ext, Rpc) for ext in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ())), "not an @rpc"
    kwargs = {"limit": 1, "offset": 0} if route.call.spread_page else {}
    inspect.signature(method).bind(None, *route.call.args, **kwargs)  # raises TypeError when they do not fit


def url_map() -> Map:
    """The gateway's entrypoints as nameko's HttpRequestHandler routes them."""
    rules = []
    for name in dir(GatewayService):
        for ext in getattr(getattr(GatewayService, name), ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if hasattr(ext, "url"):
                rules.append(Rule(ext.url, methods=[ext.method], endpoint=name))
    return Map(rules)


@pytest.mark.parametrize(
    "method, url, handler, path",
    [
        ("GET", "/api/ledger", "ledger", {}),
        ("GET", "/api/ledger.xlsx", "ledger_workbook", {}),
        (
            "GET",
            "/api/projects/ZS2026-0001/accounting/report.pdf",
            "accounting_report_file",
            {"project_id": "ZS2026-0001", "kind": "pdf"},
        ),
        ("GET", "/api/summaries/2026-Q4.docx", "work_summary", {"period": "2026-Q4", "kind": "docx"}),
        ("POST", "/api/projects/7/contract/versions/2/reading", "read_draft", {"project_id": "7", "version": 2}),
        ("POST", "/api/projects/7/review", "convene_review", {"project_id": "7"}),
        ("GET", "/api/projects/7/review", "get_review", {"project_id": "7"}),
        ("GET", "/static/i18n/zh-CN.json", "web_static", {"path": "i18n/zh-CN.json"}),
        ("GET", "/api/users", "list_users", {}),
    ],
)
def test_a_url_reaches_the_handler_the_table_names(method, url, handler, path):
    assert url_map().bind("gateway").match(url, method) == (handler, path)


def test_every_entrypoint_of_the_gateway_comes_from_the_table():
    served = {(rule.rule, method) for rule in url_map().iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == {(r.path, r.method) for r in ROUTES}
    assert len(ROUTES) == len(served)


class Recorder(GatewayService):
    """The gateway with its RPCs recorded instead of sent: each answers ``answer``."""

    def __init__(self, answer=None):
        self.config = {"ZS_TRUST_ACTOR_HEADERS": True}
        self.calls, self.answer = [], answer

    def call(self, service, method, *args, **kwargs):
        self.calls.append((f"{service}.{method}", args, kwargs))
        return self.answer

    def _admin(self, request):
        raise AssertionError("not an admin route")


def handle(gateway, method, url, headers=CLERK, body=None):
    endpoint, path = url_map().bind("gateway").match(url.split("?")[0], method)
    query = url.split("?")[1] if "?" in url else ""
    request = Request(
        EnvironBuilder(
            method=method,
            path=url.split("?")[0],
            query_string=query,
            headers=headers,
            data=json.dumps(body) if body is not None else None,
        ).get_environ()
    )
    return getattr(gateway, endpoint)(request, **path)


@pytest.mark.parametrize(
    "method, url, body, rpc, args, kwargs",
    [
        (
            "GET",
            "/api/leads?status=filed&limit=5",
            None,
            "intake.list_leads",
            (ACTOR, "filed"),
            {"limit": 5, "offset": 0},
        ),
        ("GET", "/api/leads", None, "intake.list_leads", (ACTOR, None), {"limit": 50, "offset": 0}),
        ("POST", "/api/leads/L1/file", {"note": "x"}, "intake.file_project", (ACTOR, "L1", {"note": "x"}), {}),
        ("POST", "/api/projects/P1/contract/hand-over", None, "contracts.hand_over", (ACTOR, "P1"), {}),
        ("POST", "/api/projects/P1/contract/archives", None, "contracts.hand_to_archives", (ACTOR, "P1", {}), {}),
        ("GET", "/api/inbox?unread=true&limit=3", None, "notifications.inbox", (ACTOR, True, 3), {}),
        ("GET", "/api/inbox?unread=0", None, "notifications.inbox", (ACTOR, False, 50), {}),
        ("GET", "/api/deadlines?project_id=P1", None, "supervision.deadlines", (ACTOR, "P1", True), {}),
        ("GET", "/api/deadlines?all=1", None, "supervision.deadlines", (ACTOR, None, False), {}),
        (
            "GET",
            "/api/ledger?book=contracted&sort=tier",
            None,
            "coordinator.ledger",
            (ACTOR, {"book": "contracted", "sort": "tier"}),
            {},
        ),
        (
            "POST",
            "/api/projects/P1/contract/versions/3/reading",
            {"purpose": "p"},
            "contracts.read_draft",
            (ACTOR, "P1", 3, {"purpose": "p"}),
            {},
        ),
        ("GET", "/api/catalog?sector=C", None, "intake.public_catalog", ({"sector": "C"},), {}),
        ("GET", "/api/lifecycle", None, "coordinator.lifecycle", (), {}),
    ],
)
def test_a_generated_handler_maps_the_request_onto_its_rpc(method, url, body, rpc, args, kwargs):
    gateway = Recorder({"ok": True})
    answer = handle(gateway, method, url, body=body)
    assert gateway.calls == [(rpc, args, kwargs)]
    route = next(r for r in ROUTES if r.call and f"{r.call.service}.{r.call.method}" == rpc)
    assert answer.status_code == route.ok and json.loads(answer.get_data()) == {"ok": True}


def test_statuses_and_wrapped_answers_are_the_declared_ones():
    assert handle(Recorder({}), "POST", "/api/leads", body={}).status_code == 201
    assert handle(Recorder({}), "POST", "/api/projects/P/decision-route/decisions", body={}).status_code == 201
    assert handle(Recorder({}), "POST", "/api/projects/P/intermediary", body={}).status_code == 200
    fired = handle(Recorder(3), "POST", "/api/deadlines/check")
    assert fired.status_code == 200 and json.loads(fired.get_data()) == {"fired": 3}
    changed = handle(Recorder(2), "POST", "/api/contracts/check-obligations")
    assert json.loads(changed.get_data()) == {"changed": 2}


def test_a_document_is_answered_as_the_file_with_its_type_and_name():
    pdf = {
        "filename": "ZS2026-0001-report.pdf",
        "content_type": "application/pdf",
        "content_base64": base64.b64encode(b"%PDF-1.4 x").decode(),
    }
    answer = handle(Recorder(pdf), "GET", "/api/projects/P/accounting/report.pdf")
    assert answer.get_data() == b"%PDF-1.4 x" and answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == "attachment; filename=ZS2026-0001-report.pdf"
    chinese = handle(Recorder({**pdf, "filename": "建议书.pdf"}), "GET", "/api/reserve/R1/document")
    assert chinese.headers["Content-Disposition"] == "attachment; filename*=UTF-8''%E5%BB%BA%E8%AE%AE%E4%B9%A6.pdf"


def test_who_may_call_is_enforced_before_any_rpc():
    gateway = Recorder({})
    anonymous = handle(gateway, "GET", "/api/projects/P1", headers={})
    assert anonymous.status_code == 401 and json.loads(anonymous.get_data())["error"] == "unauthenticated"
    bad_json = handle(gateway, "POST", "/api/leads", headers={}, body=None)
    assert bad_json.status_code == 401
    assert gateway.calls == []
    public = handle(gateway, "GET", "/api/catalog/C1", headers={"Authorization": "Bearer not-a-session"})
    assert public.status_code == 200 and gateway.calls == [("intake.public_catalog_entry", ("C1",), {})]
    assert {r.handler for r in ROUTES if r.who == ADMIN} == {
        "list_users",
        "create_user",
        "change_user",
        "unlock_user",
        "sign_in_locks",
    }
    assert {r.path for r in ROUTES if r.who == PUBLIC} >= {"/api/catalog", "/api/catalog/<ref>", "/api/sessions"}


def test_bad_query_and_body_are_422_naming_the_field():
    answer = handle(Recorder({}), "GET", "/api/leads?limit=-1")
    assert answer.status_code == 422 and "limit" in json.loads(answer.get_data())["details"]
    gateway = Recorder({})
    environ = EnvironBuilder(method="POST", path="/api/leads", headers=CLERK, data="{not json").get_environ()
    broken = GatewayService.register_lead(gateway, Request(environ))
    assert broken.status_code == 422 and "body" in json.loads(broken.get_data())["details"] and gateway.calls == []


@pytest.mark.parametrize(
    "call, why",
    [
        ("intake.get_lead(actor, lead)", "'lead' is neither"),
        ("intake.get_lead(actor)", "path variables ['lead_id'] are not passed on"),
        ("get_lead(actor, lead_id)", "service.method"),
        ("intake.get_lead(actor, lead_id, not query.x)", "only a flag can be negated"),
        ("intake.get_lead(actor, lead_id, limit=5)", "the only keyword argument is **page"),
        ("intake.get_lead(actor, lead_id", "not a Python call"),
    ],
)
def test_a_malformed_call_is_refused_with_its_reason(call, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        GET("/api/leads/<lead_id>", call, out=one(LeadSchema, "the lead"))


def test_the_table_refuses_a_taken_handler_name_and_a_missing_proxy():
    class Bare:
        intake = object()

        def get_lead(self, request):
            return None

    taken = [GET("/api/a/<lead_id>", "intake.get_lead(actor, lead_id)")]
    with pytest.raises(ValueError, match="exists"):
        serve(taken)(Bare)
    twice = [GET("/api/a", "intake.list_leads(actor)"), GET("/api/b", "intake.list_leads(actor)")]
    with pytest.raises(ValueError, match="taken by GET /api/a"):
        serve(twice)(type("Fresh", (), {"intake": object()}))
    with pytest.raises(ValueError, match="no RpcProxy 'review'"):
        serve([GET("/api/q", "review.queue(actor)")])(type("NoReview", (), {}))

    class Mixin:
        def my_routes(self, request):
            return "mine"

    mixed = serve([GET("/api/mine", handler="my_routes")])(type("Mixed", (Mixin,), {}))
    assert [ext.url for ext in mixed.my_routes.nameko_entrypoints] == ["/api/mine"]
    with pytest.raises(ValueError, match="no handler 'nothing'"):
        serve([GET("/api/q", handler="nothing")])(type("NoHandler", (), {}))
    with pytest.raises(ValueError, match="names its RPC call or its hand-written handler"):
        POST("/api/q")
    with pytest.raises(ValueError, match="answers JSON or a document"):
        GET("/api/q", "review.queue(actor)", out=routing.page("html"))
    assert document("x").kind == "document" and says("x").schema is None
