"""Run one Zhaoshang service in this process: ``python -m zhaoshang.runner <service>``."""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")  # eventlet's own notice, known (DESIGN §4)

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402 - must precede every other import

import contextlib  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import logging.config  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from shared.config import load_config  # noqa: E402
from shared.observability import instrument, serve_metrics  # noqa: E402

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
    "gateway",
)


def service_class(name: str):
    if name not in SERVICES:
        raise SystemExit(f"unknown service {name!r}; one of: {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{name}.service")
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "name", None) == name and value.__module__ == module.__name__:
            return value
    raise SystemExit(f"services/{name}/service.py defines no service class named {name!r}")


def gc_threshold(value) -> int | None:
    """``GC_THRESHOLD`` (config/zhaoshang.yaml, ``ZS_GC_THRESHOLD``) checked before the service starts: a
    whole number of allocations, at least Python's own 700; none set keeps Python's."""
    if value is None or value == "":
        return None
    try:
        threshold = int(value)
    except (TypeError, ValueError):
        threshold = None
    if threshold is None or threshold < 700:
        raise SystemExit(f"ZS_GC_THRESHOLD must be a whole number of allocations, at least Python's 700; got {value!r}")
    return threshold


def settle_heap(threshold: int | None) -> None:
    """After the start: the objects every service keeps (modules, schemas, compiled statements, policy data)
    leave the collector's sight (``gc.freeze``), and the youngest generation is collected after
    ``threshold`` allocations instead of Python's 700 (``gc_threshold``).

    Measured in the lifecycle benchmark (docs/PERFORMANCE.md): the collector took 1.6 s of the services'
    CPU, a full collection 70 ms of it walking what the start had built; frozen and at 5000, 0.75 s."""
    gc.collect()
    gc.freeze()
    if threshold is not None:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(threshold, older, oldest)


_UNTIMED = contextlib.nullcontext()


def untimed_workers() -> bool:
    """nameko times four phases of every worker (``nameko.containers._log_time``: two clock reads, a format
    string built and a log call each) for a DEBUG record; when its logger would drop that record anyway,
    the timing is replaced by a context that does nothing.  Returns whether it was (DEBUG on keeps it)."""
    import nameko.containers

    if nameko.containers._log.isEnabledFor(logging.DEBUG) or not hasattr(nameko.containers, "_log_time"):
        return False
    nameko.containers._log_time = lambda *args: _UNTIMED
    return True


class StopOnce:
    """Stops the runner once, and never while it is starting.

    Two signals may come (Ctrl-C reaches the whole process group as well as the supervisor's SIGTERM): a
    second stop stopped nameko's timers twice, which raised and left the process hanging.  A signal may also
    come while ``runner.start()`` is still starting the entrypoints (the health RPC answers before the event
    consumers are all registered): nameko's queue consumer, stopped half-started, signals its last provider
    gone twice and the process hung (seen in CI).  So a request made before ``started()`` waits for it."""

    def __init__(self, stop):
        self._stop = stop
        self._requested = False
        self._started = False
        self._done = False

    def request(self, signum=None, frame=None) -> None:
        self._requested = True
        if self._started:
            self._go()

    def started(self) -> None:
        self._started = True
        if self._requested:
            self._go()

    def _go(self) -> None:
        if not self._done:
            self._done = True
            eventlet.spawn_n(self._stop)


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit("usage: python -m zhaoshang.runner <service>")
    config = load_config()
    if "LOGGING" in config:
        logging.config.dictConfig(config["LOGGING"])
    threshold = gc_threshold(config.get("GC_THRESHOLD"))  # refused before anything starts
    untimed_workers()
    runner = ServiceRunner(config)
    runner.add_service(instrument(service_class(argv[0])))
    serve_metrics(
        config.get("ZS_METRICS_PORT"),
        config.get("ZS_METRICS_PORT_FILE") or None,
        config.get("ZS_METRICS_ADDRESS") or None,
    )

    stop = StopOnce(runner.stop)
    signal.signal(signal.SIGTERM, stop.request)
    signal.signal(signal.SIGINT, stop.request)
    runner.start()
    settle_heap(threshold)
    logging.getLogger("zhaoshang").info("service %s started", argv[0])
    stop.started()
    runner.wait()


if __name__ == "__main__":
    main()
