"""Observability: JSON logs that carry project, event and actor; Prometheus metrics.

Every service gets two extensions from the runner (``instrument``):
``WorkerContext`` puts the project id, event id and actor of the message a
worker handles into the log records it writes, and ``Metrics`` counts messages
handled and failed and times them.  The outbox relay reports its backlog and
``@on_event`` its dead letters.  ``serve_metrics`` exposes them on
``ZS_METRICS_PORT`` for Prometheus.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import time
from datetime import datetime

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram, start_http_server

from shared.clock import SHANGHAI

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("zs_log_context", default={})

MESSAGES = Counter(
    "zhaoshang_messages_total",
    "Messages (RPC calls, events, timers) handled, by outcome",
    ["service", "entrypoint", "outcome"],
)
LATENCY = Histogram(
    "zhaoshang_handler_seconds",
    "Time a worker took",
    ["service", "entrypoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge("zhaoshang_outbox_backlog", "Events committed but not yet published", ["service"])
CATCH_UPS = Counter(
    "zhaoshang_catch_ups_total",
    "Commands refused for an event not yet handled here that waited "
    "for it (shared/catch_up.py), by outcome: caught_up, not_yet",
    ["service", "command", "outcome"],
)
DEAD_LETTERS = Counter(
    "zhaoshang_dead_letters_total", "Events sent to the dead-letter queue", ["service", "event_type"]
)


def message_context(args) -> dict:
    """Project id, event id and actor from a worker's arguments (RPC: actor, project_id, …; event: envelope)."""
    found: dict = {}
    for value in args[:2]:
        if isinstance(value, dict) and "event_id" in value and "type" in value:
            found.update(event_id=value["event_id"], event_type=value["type"], project_id=value.get("project_id"))
            actor = value.get("actor") or {}
            found["actor"] = f"{actor.get('user_id')}/{actor.get('position')}/{actor.get('unit')}"
        elif isinstance(value, dict) and {"user_id", "position", "unit"} <= set(value):
            found["actor"] = f"{value['user_id']}/{value['position']}/{value['unit']}"
        elif isinstance(value, str) and "project_id" not in found and len(value) <= 64:
            found["project_id"] = value
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (Asia/Shanghai), level, logger, message, and the worker's context."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, SHANGHAI).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in _context.get().items() if v is not None})
        if record.exc_info and _is_refusal(record):
            entry["error"] = record.exc_info[0].__name__  # the message says why: a refusal is not a fault
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _is_refusal(record: logging.LogRecord) -> bool:
    """nameko's "(expected) error handling worker …": an RPC refused as the caller was told it might be
    (NotFound, NotAllowed, InvalidInput, Conflict).  Its traceback says nothing an operator needs, and under
    load (a client retrying until an event has arrived) formatting thousands of them cost CPU and buried the
    real faults in the log."""
    return record.name == "nameko.containers" and str(record.msg).startswith("(expected)")


class WorkerContext(DependencyProvider):
    """Sets the log context for each worker from the message it handles.

    The token is kept here, not in ``worker_ctx.data``: nameko sends that dict along as message
    headers of every RPC and event the worker makes, and a ContextVar token cannot be encoded."""

    def __init__(self):
        self._tokens: dict = {}

    def worker_setup(self, worker_ctx):
        context = {"service": self.container.service_name, "entrypoint": worker_ctx.entrypoint.method_name}
        context.update(message_context(worker_ctx.args))
        self._tokens[worker_ctx] = _context.set(context)

    def worker_teardown(self, worker_ctx):
        token = self._tokens.pop(worker_ctx, None)
        if token is not None:
            try:
                _context.reset(token)
            except ValueError:  # set in another green thread's context: nothing to undo there
                pass


class Metrics(DependencyProvider):
    """Counts and times every worker of the service (start times kept here, not in the propagated context data)."""

    def __init__(self):
        self._started: dict = {}
        self._series: dict = {}  # entrypoint -> its labelled metrics (prometheus_client's labels() is a lookup
        # under a lock with argument checks: a per-worker cost worth keeping out of every call)

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        entrypoint = worker_ctx.entrypoint.method_name
        series = self._series.get(entrypoint)
        if series is None:
            service = self.container.service_name
            series = self._series[entrypoint] = (
                LATENCY.labels(service, entrypoint),
                MESSAGES.labels(service, entrypoint, "handled"),
                MESSAGES.labels(service, entrypoint, "failed"),
            )
        started = self._started.pop(worker_ctx, None) or time.perf_counter()
        series[0].observe(time.perf_counter() - started)
        series[2 if exc_info else 1].inc()


def instrument(service_cls):
    """Give a service class the log context and metrics extensions (done by the runner)."""
    service_cls.zs_worker_context = WorkerContext()
    service_cls.zs_metrics = Metrics()
    return service_cls


METRICS_ADDRESS = "127.0.0.1"
"""Where /metrics listens unless ``ZS_METRICS_ADDRESS`` says otherwise."""


def serve_metrics(port: int | str | None, port_file: str | None = None, address: str | None = None) -> int | None:
    """Expose /metrics on ``port`` (0 or empty: none) of ``address`` and return the port bound.

    The metrics carry no authentication, so they listen on the loopback unless ``address`` (the setting
    ``ZS_METRICS_ADDRESS``) names another: compose sets 0.0.0.0 inside its own network, where Prometheus
    scrapes them and which publishes no metrics port to the county network.

    With ``port_file`` the server is always started, on ``port`` or, when that is 0, on a port the OS picks,
    and the bound port is written to the file: a supervisor that runs several platforms side by side (the
    tests) reads it there instead of guessing free ports that another process may take first."""
    port = int(port or 0)
    if not port and not port_file:
        return None
    server, _thread = start_http_server(port, addr=address or METRICS_ADDRESS)
    bound = server.server_port
    if port_file:
        tmp = f"{port_file}.tmp"
        with open(tmp, "w") as f:
            f.write(str(bound))
        os.replace(tmp, port_file)  # a reader sees the whole number or no file
    return bound
