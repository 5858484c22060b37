"""What the multi-process tests run against (the user's design card: Docker as the test harness).

The tests use the broker and the database server at the configured addresses
(``ZS_TEST_RABBIT_HOST`` / ``ZS_TEST_PG``; by default this machine's RabbitMQ and
PostgreSQL).  Where one does not answer and a Docker engine is present, the
harness starts the missing ones from ``docker-compose.yml`` (project
``zhaoshang-test``), waits for their health checks, and removes them at the end.
Where neither is possible it stops with one message saying how to provide them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_PROJECT = "zhaoshang-test"


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    with socket.socket() as s:
        s.settimeout(timeout)
        return s.connect_ex((host, port)) == 0


def docker_engine_available() -> bool:
    """A Docker client that can talk to an engine (``docker info`` succeeds)."""
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass(frozen=True)
class Plan:
    action: str  # "use" | "compose" | "stop"
    start: tuple[str, ...] = ()
    message: str = ""
    commands: tuple[tuple[str, ...], ...] = field(default_factory=tuple)


def plan(broker_up: bool, postgres_up: bool, engine: bool) -> Plan:
    """The harness's decision, from what answers and whether a Docker engine is there."""
    missing = tuple(name for name, up in (("rabbitmq", broker_up), ("postgres", postgres_up)) if not up)
    if not missing:
        return Plan("use", message="using the configured RabbitMQ and PostgreSQL")
    if engine:
        up = (
            "docker",
            "compose",
            "-p",
            COMPOSE_PROJECT,
            "-f",
            str(ROOT / "docker-compose.yml"),
            "up",
            "-d",
            "--wait",
            *missing,
        )
        down = ("docker", "compose", "-p", COMPOSE_PROJECT, "-f", str(ROOT / "docker-compose.yml"), "down", "-v")
        return Plan("compose", missing, f"starting {', '.join(missing)} from docker-compose.yml", (up, down))
    how = {
        "rabbitmq": "RabbitMQ on 127.0.0.1:5672 with its management plugin (rabbitmq-server -detached; "
        "rabbitmq-plugins enable rabbitmq_management) or ZS_TEST_RABBIT_HOST",
        "postgres": "PostgreSQL on 127.0.0.1:5432 with trust authentication (pg_ctlcluster <version> main start) "
        "or ZS_TEST_PG",
    }
    return Plan(
        "stop",
        missing,
        "the multi-process tests need "
        + " and ".join(how[m] for m in missing)
        + ", or a Docker engine to start them from docker-compose.yml (`./zs test` starts the local ones)",
    )


def prepare() -> Plan:
    """Look at this machine and carry the plan out (compose path: start, wait; the caller stops them)."""
    rabbit_host = os.environ.get("ZS_TEST_RABBIT_HOST", "127.0.0.1")
    chosen = plan(reachable(rabbit_host, 5672), reachable("127.0.0.1", 5432), docker_engine_available())
    if chosen.action == "compose":
        env = {
            **os.environ,
            "RABBITMQ_PASSWORD": os.environ.get("RABBITMQ_PASSWORD", "guest"),
            "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", "zhaoshang-test"),
        }
        subprocess.run(chosen.commands[0], check=True, env=env, timeout=600)
    return chosen
