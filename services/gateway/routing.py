"""How a route is declared (``routes.py`` is the table) and how the gateway's handlers are made from it.

A route is one line (or a few) of the table::

    POST(P + "/review/opinions", "review.record_opinion(actor, project_id, body)", body=OpinionInputSchema, ok=201,
         out=one(ReviewSchema, "recorded"),
         summary="Record the acting reviewer's own unit's opinion (once per round)"),

* the method and the path (werkzeug's syntax: ``<name>`` is a string, ``<int:name>`` a whole number; ``P`` is
  ``/api/projects/<project_id>``);
* ``call``: the RPC and how the request maps onto its arguments, written as the call itself.  The names are
  ``actor`` (the signed-in actor), ``body`` (the JSON body, ``{}`` when empty), a path variable by its name,
  ``query`` (every query parameter, a dict), ``query.x`` (one, or None), ``flag.x`` (true for ``1``/``true``),
  ``not flag.x``, ``**page`` (``limit`` and ``offset``, checked) and ``page.limit``.  A call written inside a dict
  (``'{"fired": supervision.fire_due_now(actor)}'``) answers that dict around the RPC's answer;
* ``who`` may call it: ``PUBLIC``, ``SIGNED_IN`` (the default) or ``ADMIN``;
* ``body``: the marshmallow schema of the request body; ``ok``: the success status; ``out``: the answer
  (``one``, ``many``, ``says`` for JSON, ``document`` for a file the RPC answers, ``page`` for HTML);
* ``summary`` (and the section's tag) for the OpenAPI document; ``query_schema`` documents ``query``'s parameters,
  ``enum`` and ``notes`` a parameter's values and meaning, ``types`` the type of a hand-written handler's one.

A handler that does more than one RPC is written in ``GatewayService`` without a decorator and named in the table
(``handler="list_users"``); the table still gives its path, who may call it and its schemas.  ``serve(ROUTES)``
attaches every route to the class: the ``@http`` entrypoint, the guard of ``who`` (``edge.guarded``) and, for a
generated handler, the function that reads the request, calls the RPC through ``GatewayService.call`` and answers.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace
from typing import Callable

from services.gateway.edge import (
    ADMIN,
    PUBLIC,
    SIGNED_IN,
    WHO,
    actor_of,
    body_of,
    download,
    flag_of,
    guarded,
    page_of,
    respond,
)
from services.gateway.webserver import http

__all__ = [
    "ADMIN",
    "PUBLIC",
    "SIGNED_IN",
    "Route",
    "Reply",
    "Call",
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "one",
    "many",
    "says",
    "document",
    "page",
    "other",
    "section",
    "serve",
    "path_variables",
]

VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
HTML = "text/html"


# -- what a route answers ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    description: str
    kind: str = "json"  # json | document | html | other
    schema: type | None = None
    many: bool = False
    types: tuple[str, ...] = ()


def one(schema: type, description: str) -> Reply:
    """A JSON object of ``schema``."""
    return Reply(description, schema=schema)


def many(schema: type, description: str) -> Reply:
    """A JSON array of ``schema``."""
    return Reply(description, schema=schema, many=True)


def says(description: str) -> Reply:
    """JSON whose shape the document does not spell out."""
    return Reply(description)


def document(description: str, *types: str) -> Reply:
    """The document the RPC answers (``filename``, ``content_type``, ``content_base64``), sent as the file."""
    return Reply(description, kind="document", types=types)


def page(description: str) -> Reply:
    """An HTML page (the web app)."""
    return Reply(description, kind="html", types=(HTML,))


def other(description: str) -> Reply:
    """Whatever a hand-written handler answers (a static file)."""
    return Reply(description, kind="other")


# -- how the request maps onto the RPC's arguments -----------------------------------------------------------------
@dataclass(frozen=True)
class Arg:
    """One argument of the call: ``kind`` is actor | body | path | query | queries | flag | page | limit."""

    kind: str
    name: str = ""
    negate: bool = False
    keyword: str | None = None  # passed as keyword (``**page`` spreads limit and offset)

    def read(self, request, path: dict):
        if self.kind == "actor":
            return actor_of(request)
        if self.kind == "body":
            return body_of(request)
        if self.kind == "path":
            return path[self.name]
        if self.kind == "queries":
            return dict(request.args)
        if self.kind == "query":
            return request.args.get(self.name)
        if self.kind == "flag":
            return flag_of(request, self.name) != self.negate
        if self.kind == "limit":
            return page_of(request)["limit"]
        raise AssertionError(self.kind)


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    args: tuple[Arg, ...]
    spread_page: bool = False
    wrap: str | None = None  # the key of the dict the answer goes in
    text: str = ""

    def arguments(self, request, path: dict) -> tuple[list, dict]:
        args = [a.read(request, path) for a in self.args]
        return args, (page_of(request) if self.spread_page else {})

    def uses(self, kind: str) -> bool:
        return any(a.kind == kind for a in self.args) or (kind == "page" and self.spread_page)


def parse_call(text: str, variables: tuple[str, ...]) -> Call:
    """``service.method(arg, ...)`` (or ``{"key": service.method(...)}``) as a ``Call``; unknown names are refused."""

    def refuse(why: str):
        raise ValueError(f"route call {text!r}: {why}")

    try:
        expr = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        refuse(f"not a Python call ({exc.msg})")
    wrap = None
    if isinstance(expr, ast.Dict):
        if len(expr.keys) != 1 or not isinstance(expr.keys[0], ast.Constant) or not isinstance(expr.keys[0].value, str):
            refuse("a dict around the call has one string key")
        wrap, expr = expr.keys[0].value, expr.values[0]
    if not (
        isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and isinstance(expr.func.value, ast.Name)
    ):
        refuse("write it as service.method(arguments)")

    def arg(node) -> Arg:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = arg(node.operand)
            if inner.kind != "flag":
                refuse("only a flag can be negated (not flag.x)")
            return replace(inner, negate=not inner.negate)
        if isinstance(node, ast.Name):
            if node.id in ("actor", "body"):
                return Arg(node.id)
            if node.id == "query":
                return Arg("queries")
            if node.id in variables:
                return Arg("path", node.id)
            refuse(f"{node.id!r} is neither actor, body, query nor a path variable {variables}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, name = node.value.id, node.attr
            if owner == "query":
                return Arg("query", name)
            if owner == "flag":
                return Arg("flag", name)
            if owner == "page" and name == "limit":
                return Arg("limit", "limit")
        refuse(f"cannot read {ast.unparse(node)!r} from a request")

    spread = False
    for kw in expr.keywords:
        if kw.arg is None and isinstance(kw.value, ast.Name) and kw.value.id == "page":
            spread = True
        else:
            refuse("the only keyword argument is **page")
    args = tuple(arg(a) for a in expr.args)
    missing = set(variables) - {a.name for a in args if a.kind == "path"}
    if missing:
        refuse(f"path variables {sorted(missing)} are not passed on")
    return Call(expr.func.value.id, expr.func.attr, args, spread, wrap, text)


def path_variables(path: str) -> list[tuple[str, str]]:
    """``[(name, converter)]`` of a werkzeug path."""
    return [(name, converter or "string") for converter, name in VARIABLE.findall(path)]


# -- a route -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    method: str
    path: str
    call: Call | None = None
    summary: str = ""
    who: str = SIGNED_IN
    body: type | None = None
    ok: int = 200
    out: Reply = field(default_factory=lambda: says("done"))
    handler: str | None = None  # a hand-written method of GatewayService
    name: str | None = None  # the handler's name when the RPC's method name is taken
    tag: str = ""
    query_schema: type | None = None
    enum: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    types: dict = field(default_factory=dict)
    errors: tuple[int, ...] | None = None
    also: dict = field(default_factory=dict)  # other answers: status -> description

    @property
    def handler_name(self) -> str:
        return self.handler or self.name or self.call.method

    @property
    def openapi_path(self) -> str:
        return VARIABLE.sub(r"{\2}", self.path)

    def query_parameters(self) -> list[tuple[str, str]]:
        """``[(name, kind)]`` of the query parameters the call reads (``page`` spreads to limit and offset)."""
        if self.call is None:
            return []
        out = [(a.name, a.kind) for a in self.call.args if a.kind in ("query", "flag", "limit")]
        if self.call.spread_page:
            out += [("limit", "limit"), ("offset", "offset")]
        return out


def _route(method: str):
    def declare(path: str, call: str | None = None, summary: str = "", **options) -> Route:
        if call is None and "handler" not in options:
            raise ValueError(f"{method} {path}: a route names its RPC call or its hand-written handler")
        variables = tuple(name for name, _ in path_variables(path))
        parsed = parse_call(call, variables) if call else None
        route = Route(method, path, parsed, summary, **options)
        if route.who not in WHO:
            raise ValueError(f"{method} {path}: who is one of {WHO}")
        if parsed and route.out.kind not in ("json", "document"):
            raise ValueError(f"{method} {path}: a generated handler answers JSON or a document")
        return route

    declare.__name__ = method
    return declare


GET, POST, PUT, PATCH, DELETE = (_route(m) for m in ("GET", "POST", "PUT", "PATCH", "DELETE"))


def section(tag: str, *routes: Route) -> list[Route]:
    """Routes under one tag of the OpenAPI document."""
    return [replace(r, tag=r.tag or tag) for r in routes]


# -- the handlers --------------------------------------------------------------------------------------------------
def generated_handler(route: Route) -> Callable:
    """``handler(self, request, **path)``: the request's parts as the RPC's arguments, the answer as JSON or a file."""
    call = route.call

    def handler(self, request, **path):
        args, kwargs = call.arguments(request, path)
        answer = self.call(call.service, call.method, *args, **kwargs)
        if route.out.kind == "document":
            return download(answer)
        return respond({call.wrap: answer} if call.wrap else answer, route.ok)

    handler.__name__ = handler.__qualname__ = route.handler_name
    handler.__doc__ = f"{route.method} {route.path} -> {call.text}"
    return handler


def serve(routes: list[Route]):
    """Class decorator: every route of the table becomes an ``@http`` entrypoint of the service class."""

    def attach(cls):
        seen: dict[str, Route] = {}
        for route in routes:
            name = route.handler_name
            if name in seen:
                raise ValueError(
                    f"{route.method} {route.path}: handler name {name!r} is taken by "
                    f"{seen[name].method} {seen[name].path} (give the route a name=)"
                )
            seen[name] = route
            if route.handler:
                fn = getattr(cls, route.handler, None)  # the class's own or a mixin's
                if not callable(fn):
                    raise ValueError(f"{route.method} {route.path}: {cls.__name__} has no handler {route.handler!r}")
            else:
                if hasattr(cls, name):
                    raise ValueError(
                        f"{route.method} {route.path}: {cls.__name__}.{name} exists (give the route a name=)"
                    )
                if not hasattr(cls, route.call.service):
                    raise ValueError(
                        f"{route.method} {route.path}: {cls.__name__} has no RpcProxy {route.call.service!r}"
                    )
                fn = generated_handler(route)
            setattr(cls, name, http(route.method, route.path)(guarded(fn, route.who)))
        cls.routes = tuple(routes)
        return cls

    return attach
