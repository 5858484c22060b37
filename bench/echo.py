"""The bare bus: a nameko service doing nothing, to measure the floor the platform stands on."""

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import sys  # noqa: E402

from nameko.rpc import rpc  # noqa: E402
from nameko.runners import run_services  # noqa: E402


class Echo:
    name = "bench_echo"

    @rpc
    def echo(self, actor, data):
        return data


if __name__ == "__main__":
    with run_services({"AMQP_URI": sys.argv[1]}, Echo) as runner:
        runner.wait()
