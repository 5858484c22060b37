"""A real server error answers an incident id, logged with the trace — never the exception's own text; a whole
number in a path beyond a 32-bit column and a body too deep or not UTF-8 are 4xx naming the problem."""

from __future__ import annotations

import json
import logging

import pytest
from nameko.exceptions import RemoteError
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway import inputs
from services.gateway.edge import PUBLIC, guarded
from services.gateway.webserver import GatewayHttp
from shared.errors import InvalidInput


class Gateway:
    def _authenticate(self, request):
        return None


def request(path="/api/x", data=None) -> Request:
    return Request(EnvironBuilder(path=path, method="POST", data=data).get_environ())


def test_a_service_failure_is_a_502_with_an_incident_id_and_no_internals(caplog):
    def handler(self, request):
        raise RemoteError("OperationalError", "(sqlite3.OperationalError) no such table: secret_table [SQL: SELECT …]")

    with caplog.at_level(logging.ERROR, logger="zhaoshang.gateway"):
        answer = guarded(handler, PUBLIC)(Gateway(), request())
    body = json.loads(answer.get_data())
    incident = body["details"]["incident"][0]
    assert answer.status_code == 502 and body["error"] == "server_error" and incident in body["message"]
    assert "secret_table" not in answer.get_data(as_text=True) and "sqlite" not in answer.get_data(as_text=True)
    assert f"incident {incident}" in caplog.text and "secret_table" in caplog.text  # the operators' log has it all


def test_what_no_handler_caught_is_a_500_with_an_incident_id(caplog):
    with caplog.at_level(logging.ERROR, logger="zhaoshang.gateway"):
        try:
            raise RecursionError("maximum recursion depth exceeded while decoding a JSON array")
        except RecursionError as exc:
            answer = GatewayHttp.response_from_exception(None, exc)
    assert answer.status_code == 500 and "RecursionError" not in answer.get_data(as_text=True)
    assert json.loads(answer.get_data())["details"]["incident"][0] in caplog.text


def test_a_path_number_beyond_a_column_is_refused_naming_it():
    def handler(self, request, project_id, version):
        return "reached"

    answer = guarded(handler, PUBLIC)(Gateway(), request(), project_id="p1", version=2**80)
    assert answer.status_code == 422 and list(json.loads(answer.get_data())["details"]) == ["version"]
    assert guarded(handler, PUBLIC)(Gateway(), request(), project_id="p1", version=3) == "reached"


@pytest.mark.parametrize(
    "raw, rule",
    [
        (b"[" * 10_000 + b"]" * 10_000, "nested"),
        (b'{"a": "\xff"}', "UTF-8"),
        (b"[1, 2]", "JSON object"),
        (b'{"a": ', "not valid JSON"),
    ],
)
def test_a_bad_body_is_refused_naming_the_body(raw, rule):
    with pytest.raises(InvalidInput) as refused:
        inputs.body_of(request(data=raw))
    assert list(refused.value.details) == ["body"] and rule in refused.value.details["body"][0]
    assert inputs.body_of(request(data=json.dumps({"a": [[["deep enough"]]]}).encode())) == {"a": [[["deep enough"]]]}
