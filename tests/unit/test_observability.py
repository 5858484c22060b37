"""JSON log lines carry the worker's project, event and actor."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from shared.observability import JsonFormatter, _context, message_context

ENVELOPE = {
    "event_id": "e1",
    "type": "intake.project_filed",
    "project_id": "p1",
    "actor": {"user_id": "u1", "position": "ipb_clerk", "unit": "IPB"},
    "payload": {},
}


def test_the_context_of_an_event_and_of_an_rpc():
    assert message_context((ENVELOPE,)) == {
        "event_id": "e1",
        "event_type": "intake.project_filed",
        "project_id": "p1",
        "actor": "u1/ipb_clerk/IPB",
    }
    actor = {"user_id": "u2", "position": "reviewer", "unit": "DRB"}
    assert message_context((actor, "p9", {"opinion": "pass"})) == {"actor": "u2/reviewer/DRB", "project_id": "p9"}
    assert message_context(()) == {}


def test_a_log_line_is_json_with_the_context():
    token = _context.set({"service": "intake", "project_id": "p1", "event_id": "e1", "actor": "u1/ipb_clerk/IPB"})
    try:
        record = logging.LogRecord("zhaoshang", logging.WARNING, __file__, 1, "项目 %s 已登记", ("ZS2026-0001",), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        _context.reset(token)
    assert line["message"] == "项目 ZS2026-0001 已登记" and line["level"] == "WARNING"
    assert (line["project_id"], line["event_id"], line["actor"], line["service"]) == (
        "p1",
        "e1",
        "u1/ipb_clerk/IPB",
        "intake",
    )
    assert line["time"].endswith("+08:00")


def test_metrics_on_a_port_the_os_picks_reported_in_the_port_file(tmp_path):
    import requests

    from shared.observability import serve_metrics

    assert serve_metrics(0) is None and serve_metrics(None) is None  # no port, no file: no server
    port_file = tmp_path / "intake.port"
    port = serve_metrics(0, str(port_file))
    assert port and int(port_file.read_text()) == port
    assert "zhaoshang_messages_total" in requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text


def test_the_supervisor_gives_each_service_its_metrics_settings():
    from zhaoshang.supervisor import Platform

    fixed = Platform(("intake", "review"), env={"ZS_METRICS_BASE_PORT": "9300"})
    assert fixed._metrics_env("review") == {"ZS_METRICS_PORT": "9301"} and fixed.metrics_port("review") == 9301
    assert Platform(env={"ZS_METRICS_BASE_PORT": "0"})._metrics_env("intake") == {}
    auto = Platform(("intake",), env={"ZS_METRICS_BASE_PORT": "auto"})
    env = auto._metrics_env("intake")
    assert env["ZS_METRICS_PORT"] == "0" and env["ZS_METRICS_PORT_FILE"].endswith("intake.port")
    with pytest.raises(TimeoutError):
        auto.metrics_port("intake", timeout=0.2)  # the process has not reported its port yet
    Path(env["ZS_METRICS_PORT_FILE"]).write_text("41234")  # as the service process does (serve_metrics)
    assert auto.metrics_port("intake") == 41234
    auto.stop()  # the platform stopped: its port files go with it
    assert not Path(env["ZS_METRICS_PORT_FILE"]).parent.exists()


def _logged(name: str, msg: str, exc: Exception) -> dict:
    try:
        raise exc
    except type(exc):
        record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, ("<worker>", exc), sys.exc_info())
    return json.loads(JsonFormatter().format(record))


def test_a_refused_rpc_is_logged_without_its_traceback_a_fault_with_it():
    from shared.errors import NotFound

    refused = _logged("nameko.containers", "(expected) error handling worker %s: %s", NotFound("no project p1"))
    assert refused["error"] == "NotFound" and "exception" not in refused
    assert refused["message"] == "(expected) error handling worker <worker>: no project p1"
    fault = _logged("nameko.containers", "error handling worker %s: %s", RuntimeError("boom"))
    assert "Traceback" in fault["exception"] and "error" not in fault


def test_metrics_listen_on_the_loopback_only_unless_told(tmp_path):
    """The metrics have no sign-in: another address of the machine (127.0.0.2 here) reaches nothing."""
    import socket

    from shared.observability import serve_metrics

    port = serve_metrics(0, str(tmp_path / "a.port"))
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", port), timeout=2)
    everywhere = serve_metrics(0, str(tmp_path / "b.port"), address="0.0.0.0")  # compose: its own network
    with socket.create_connection(("127.0.0.2", everywhere), timeout=2):
        pass
