"""The OpenAPI document of the gateway, generated from its route table (``routes.py``) and the marshmallow schemas
of ``shared/wire`` that the table names."""

from __future__ import annotations

import copy
import functools

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import Schema, fields

from services.gateway.edge import PUBLIC
from services.gateway.routes import NAMES, ROUTES
from services.gateway.routing import Reply, Route, path_variables


class ErrorSchema(Schema):
    error = fields.String(metadata={"description": "invalid_input | not_found | not_allowed | conflict | ..."})
    message = fields.String()
    details = fields.Dict(metadata={"description": "for invalid_input: field -> rules broken"})


_TRUSTED = "only where the gateway trusts actor headers (ZS_TRUST_ACTOR_HEADERS=true: tests, demos); else sign in"
ACTOR_HEADERS = [
    {"in": "header", "name": name, "required": False, "schema": {"type": "string"}, "description": _TRUSTED}
    for name in ("X-Zhaoshang-User", "X-Zhaoshang-Position", "X-Zhaoshang-Unit")
]
ERRORS = {
    401: "not signed in (no, a wrong or an expired bearer token)",
    403: "not allowed for this position",
    404: "not found",
    409: "conflicts with the current state or a duplicate",
    422: "invalid input; details name each field and rule",
}
PAGE = {"limit": {"type": "integer", "default": 50, "maximum": 500}, "offset": {"type": "integer", "default": 0}}
CONVERTERS = {"int": "integer", "string": "string", "path": "string"}
DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"


def decimal_as_string(converter, field, ret: dict) -> dict:
    """A Decimal sent as a string (amounts in yuan, land in mu) is a string in the document, with its bounds
    in words: apispec would call it a number and write its Range as the strings "0" (an invalid document)."""
    if not (isinstance(field, fields.Decimal) and field.as_string):
        return {}
    bounds = {k: ret.pop(k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in ret}
    words = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    note = ", ".join(f"{words[k]} {v}" for k, v in bounds.items())
    words = f"(a decimal as a string{'; ' + note if note else ''})"
    description = " ".join(x for x in (ret.get("description"), words) if x)
    ret["type"] = "string"
    return {"type": "string", "format": "decimal", "pattern": DECIMAL, "description": description}


def schema_name(schema) -> str:
    cls = resolve_schema_cls(schema)
    name = NAMES.get(cls) or cls.__name__
    return name[: -len("Schema")] if name.endswith("Schema") and name != "Schema" else name


def _content(reply: Reply) -> dict | None:
    if reply.kind == "json":
        if reply.schema is None:
            return None
        body = {"type": "array", "items": reply.schema} if reply.many else reply.schema
        return {"application/json": {"schema": body}}
    if reply.kind == "document" and reply.types:
        return {t: {"schema": {"type": "string", "format": "binary"}} for t in reply.types}
    if reply.kind == "html":
        return {t: {"schema": {"type": "string"}} for t in reply.types}
    return None


def _answer(description: str, content: dict | None = None) -> dict:
    return {"description": description, **({"content": content} if content else {})}


def _error_codes(route: Route) -> tuple[int, ...]:
    if route.errors is not None:
        return route.errors
    if route.who != PUBLIC:
        return tuple(ERRORS)
    if route.call is None:
        return ()
    reads = route.call.uses("path") or route.call.uses("queries") or route.query_parameters() or route.call.uses("body")
    return (404,) * route.call.uses("path") + (422,) * bool(reads)


def _parameters(route: Route) -> list[dict]:
    params = []
    for name, converter in path_variables(route.path):
        schema = {"type": CONVERTERS[converter], **({"enum": list(route.enum[name])} if name in route.enum else {})}
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
    if route.query_schema is not None:
        params.append({"in": "query", "schema": route.query_schema})
    for name, kind in route.query_parameters():
        schema = (
            dict(PAGE[name])
            if kind in ("limit", "offset")
            else {"type": route.types.get(name, "boolean" if kind == "flag" else "string")}
        )
        if name in route.enum:
            schema["enum"] = list(route.enum[name])
        params.append(
            {
                "in": "query",
                "name": name,
                "schema": schema,
                **({"description": route.notes[name]} if name in route.notes else {}),
            }
        )
    return ([] if route.who == PUBLIC else list(ACTOR_HEADERS)) + params


def operation(route: Route) -> dict:
    responses = {str(route.ok): _answer(route.out.description, _content(route.out))}
    responses.update({str(code): _answer(text) for code, text in route.also.items()})
    error = {"application/json": {"schema": "Error"}}
    responses.update({str(code): _answer(ERRORS[code], error) for code in _error_codes(route)})
    op = {"summary": route.summary, "tags": [route.tag], "responses": responses}
    parameters = _parameters(route)
    if parameters:
        op["parameters"] = parameters
    if route.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": route.body}}}
    if route.who == PUBLIC:
        op["security"] = []
    return op


@functools.cache
def _built(version: str) -> dict:
    marshmallow = MarshmallowPlugin(schema_name_resolver=schema_name)
    spec = APISpec(
        title="Zhaoshang 招商 API",
        version=version,
        openapi_version="3.0.3",
        plugins=[marshmallow],
        info={
            "description": "Investment promotion platform of the county. Amounts in yuan (strings), "
            "land in mu. Every /api call but the public ones carries the bearer token "
            "of POST /api/sessions."
        },
    )
    marshmallow.converter.add_attribute_function(decimal_as_string)
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "the token of POST /api/sessions"}
    )
    spec.options["security"] = [{"bearer": []}, {}]
    paths: dict[str, dict] = {}
    for route in ROUTES:
        paths.setdefault(route.openapi_path, {})[route.method.lower()] = operation(route)
    for path, operations in paths.items():
        spec.path(path, operations=operations)
    return spec.to_dict()


def build_spec(version: str = "0.1.0") -> dict:
    """The OpenAPI 3.0 document of every route in the table (built once; a copy each time)."""
    return copy.deepcopy(_built(version))
