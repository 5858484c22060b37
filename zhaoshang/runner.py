"""Run one Zhaoshang service in this process: ``python -m zhaoshang.runner <service>``."""
from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")  # eventlet's own notice, known (DESIGN §4)

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402 - must precede every other import

import importlib  # noqa: E402
import logging.config  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from shared.config import load_config  # noqa: E402
from shared.observability import instrument, serve_metrics  # noqa: E402

SERVICES = ("intake", "review", "negotiation", "contracts", "accounting", "notifications", "coordinator", "gateway")


def service_class(name: str):
    if name not in SERVICES:
        raise SystemExit(f"unknown service {name!r}; one of: {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{name}.service")
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "name", None) == name and value.__module__ == module.__name__:
            return value
    raise SystemExit(f"services/{name}/service.py defines no service class named {name!r}")


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit("usage: python -m zhaoshang.runner <service>")
    config = load_config()
    if "LOGGING" in config:
        logging.config.dictConfig(config["LOGGING"])
    runner = ServiceRunner(config)
    runner.add_service(instrument(service_class(argv[0])))
    serve_metrics(config.get("ZS_METRICS_PORT"), config.get("ZS_METRICS_PORT_FILE") or None)

    stopping = []

    def shutdown(signum, frame):
        # once: a second signal (Ctrl-C reaching the whole process group as well as the supervisor's SIGTERM)
        # stopped nameko's timers twice, which raises and left the process hanging
        if not stopping:
            stopping.append(signum)
            eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    logging.getLogger("zhaoshang").info("service %s started", argv[0])
    runner.wait()


if __name__ == "__main__":
    main()
