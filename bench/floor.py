"""The bare bus: a nameko service that does nothing but answer RPCs and count events — the floor the
platform stands on, measured in the same run (``bench/platform.py``)."""

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import sys  # noqa: E402

from nameko.events import event_handler  # noqa: E402
from nameko.rpc import rpc  # noqa: E402
from nameko.runners import run_services  # noqa: E402

HANDLED = [0]


class Floor:
    name = "bench_floor"

    @rpc
    def echo(self, actor, data):
        return data

    @rpc
    def handled(self):
        return HANDLED[0]

    @event_handler("bench_source", "ping")
    def on_ping(self, payload):
        HANDLED[0] += 1


if __name__ == "__main__":
    with run_services({"AMQP_URI": sys.argv[1], "max_workers": 10}, Floor) as runner:
        runner.wait()
