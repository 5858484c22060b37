"""A fresh RabbitMQ virtual host for a benchmark run, so it never meets a running platform's queues.

Made through the management API (port 15672) when the broker has that plugin (``./zs test`` enables it), else
with ``rabbitmqctl`` — the broker ``./zs run`` starts on this machine has no management plugin, and the
benchmark must work right after ``./zs run`` alone.  ``make_vhost()`` makes one; its ``delete()`` when the
run ends.
"""

from __future__ import annotations

import subprocess
import uuid
from urllib.parse import quote

import requests

MANAGEMENT = "http://127.0.0.1:15672/api"
ADMIN = ("guest", "guest")


class Vhost:
    def __init__(self, prefix: str = "zs-bench"):
        self.name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.uri = f"pyamqp://guest:guest@127.0.0.1:5672/{quote(self.name, safe='')}"
        self.by = None  # "management" | "rabbitmqctl"

    def create(self) -> "Vhost":
        quoted = quote(self.name, safe="")
        try:
            requests.put(f"{MANAGEMENT}/vhosts/{quoted}", auth=ADMIN, timeout=10).raise_for_status()
            requests.put(
                f"{MANAGEMENT}/permissions/{quoted}/guest",
                auth=ADMIN,
                timeout=10,
                json={"configure": ".*", "write": ".*", "read": ".*"},
            ).raise_for_status()
            self.by = "management"
        except requests.ConnectionError:  # no management plugin: the local broker's own command line
            rabbitmqctl("add_vhost", self.name)
            rabbitmqctl("set_permissions", "-p", self.name, "guest", ".*", ".*", ".*")
            self.by = "rabbitmqctl"
        return self

    def delete(self) -> None:
        if self.by == "management":
            requests.delete(f"{MANAGEMENT}/vhosts/{quote(self.name, safe='')}", auth=ADMIN, timeout=30)
        elif self.by == "rabbitmqctl":
            rabbitmqctl("delete_vhost", self.name)


def make_vhost(prefix: str = "zs-bench") -> Vhost:
    return Vhost(prefix).create()


def rabbitmqctl(*args: str) -> None:
    try:
        subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise SystemExit(
            "the benchmark needs its own RabbitMQ vhost: enable the broker's management plugin "
            "(rabbitmq-plugins enable rabbitmq_management) or run it where rabbitmqctl is"
        ) from None
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"rabbitmqctl {' '.join(args)} failed: {exc.stderr.strip() or exc.stdout.strip()}") from None
