"""1 + 2. The kill matrix with a broker restart in the middle of the same run.

Projects are driven concurrently through the lifecycle by RPC while, in turn, each service is killed
with SIGKILL at a random moment and started again, and half way through RabbitMQ itself is stopped
and started (``rabbitmqctl stop_app`` / ``start_app``; always restored).  Afterwards: every project is
in its expected final state, every transition is in its timeline exactly once, every review opinion
once, every notification created once and delivered, nothing dead-lettered.

Default (CI runs it): 100 projects through the whole lifecycle, lead → archived (``ZS_FAULT_PROJECTS``).
``ZS_FAULT_SCALE=short``: lead → agreed only, a few minutes less (every service is still killed and
started again).  ``ZS_FAULT_REPORT=<file>`` writes the figures as JSON
(docs/RELIABILITY.md quotes them).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
from collections import Counter
from pathlib import Path

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from shared.db import database_url
from tests.conftest import config_of, environment, fresh_databases, fresh_vhost, running, wait_for
from tests.factories import IPB_CLERK
from tests.faults.driver import TRANSITIONS, Driver, designate_custodians, drive_all
from zhaoshang.runner import SERVICES as PLATFORM_SERVICES

pytestmark = pytest.mark.integration
SERVICES = tuple(s for s in PLATFORM_SERVICES if s != "gateway")
"""Every service the platform runs (zhaoshang.runner), a new one included by itself; not the gateway: the
driver calls the services by RPC."""
FULL = os.environ.get("ZS_FAULT_SCALE", "full") != "short"
PROJECTS = int(os.environ.get("ZS_FAULT_PROJECTS") or 100)
TARGET = "archived" if FULL else "agreed"
WORKERS = int(os.environ.get("ZS_FAULT_WORKERS") or 10)
KILL_EVERY = float(os.environ.get("ZS_FAULT_KILL_EVERY") or 1.0)
BROKER_RESTART = os.environ.get("ZS_FAULT_BROKER_RESTART", "1") != "0"  # 0: only while debugging beside other tests


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


def broker_answers(host="127.0.0.1", port=5672) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def restart_broker(down_for: float = 2.0) -> None:
    """Stop RabbitMQ's application and start it again — always, even if stopping failed half way."""
    try:
        rabbitmqctl("stop_app")
        time.sleep(down_for)
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")


class Chaos:
    """Kill each service in turn at a random moment, restart it; one broker restart when half is done."""

    def __init__(self, platform, progress, total: int, seed: int):
        self.platform, self.progress, self.total = platform, progress, total
        self.random = random.Random(seed)
        self.kills, self.restarts, self.broker_restarts = Counter(), Counter(), 0
        self.running = True
        self.errors: list = []

    def run(self) -> None:
        order: list[str] = []
        try:
            while self.running:
                time.sleep(self.random.uniform(0.3, KILL_EVERY))
                if not self.running:
                    break
                if BROKER_RESTART and not self.broker_restarts and self.progress() >= self.total // 2:
                    restart_broker()
                    self.broker_restarts += 1
                    continue
                if not order:
                    order = list(SERVICES)
                    self.random.shuffle(order)
                victim = order.pop()
                self.platform.kill(victim)
                self.kills[victim] += 1
                time.sleep(self.random.uniform(0.2, 1.5))
                self.platform.start(victim)
                self.restarts[victim] += 1
        except Exception as exc:  # pragma: no cover - shown by the test
            self.errors.append(exc)


def notification_rows(config: dict) -> tuple[list, list]:
    engine = create_engine(database_url("notifications", config))
    try:
        with engine.connect() as c:
            notes = list(c.execute(text("SELECT id, project_id, event_type, route, cause FROM notifications")))
            deliveries = list(c.execute(text("SELECT notification_id, channel, status FROM deliveries")))
        return notes, deliveries
    finally:
        engine.dispose()


def dead_letter_count(amqp_uri: str) -> int:
    from kombu import Connection

    from shared.topology import DEAD_LETTER_QUEUE

    with Connection(amqp_uri) as conn:
        return conn.channel().queue_declare(DEAD_LETTER_QUEUE, durable=True, passive=True).message_count


def test_kill_matrix_with_a_broker_restart(tmp_path):
    assert broker_answers()
    folder = tmp_path
    started = time.monotonic()
    with fresh_vhost() as vhost, fresh_databases(os.environ.get("ZS_TEST_DATABASE") == "postgresql") as databases:
        env = environment(vhost, folder / "var", databases)
        env.update(ZS_LOG_LEVEL="WARNING", ZS_RPC_TIMEOUT="30")
        config = config_of(env)
        with running(env, config, folder / "logs") as start:
            platform = start(*SERVICES)
            setup = Driver(config)
            designate_custodians(setup)
            baseline, _ = drive_all(config, [1], TARGET, workers=1)  # one clean project, before any fault
            setup.close()
            done = []
            chaos = Chaos(platform, lambda: len(done), PROJECTS, seed=int(os.environ.get("ZS_FAULT_SEED") or 10))
            chaos_thread = eventlet.spawn(chaos.run)
            try:
                numbers = list(range(2, PROJECTS + 2))
                projects, driver = drive_all(
                    config, numbers, TARGET, workers=WORKERS, on_done=lambda n, p: done.append(p)
                )
            finally:
                chaos.running = False
                chaos_thread.wait()
                if not broker_answers():
                    rabbitmqctl("start_app")
                for service in SERVICES:  # whatever the chaos left stopped
                    if service not in platform.procs:
                        platform.start(service)
            assert not chaos.errors, chaos.errors
            platform.wait_healthy(config, timeout=90)
            expected = TRANSITIONS[TARGET]
            all_projects = baseline + projects
            with ClusterRpcProxy(config, timeout=30) as rpc:
                for p in all_projects:
                    wait_for(
                        lambda: rpc.coordinator.get_project(IPB_CLERK, p)["state"] == TARGET,
                        timeout=120,
                        what=f"{p} {TARGET}",
                    )
                time.sleep(3)  # let any duplicate that would wrongly apply arrive
                timelines = {p: rpc.coordinator.get_project(IPB_CLERK, p)["timeline"] for p in all_projects}
            lost = duplicated = 0
            for p, timeline in timelines.items():
                seen = [e["to_state"] for e in timeline if e["kind"] == "transition"]
                lost += len(set(expected) - set(seen))
                duplicated += len(seen) - len(set(seen))
                assert seen == expected, (p, seen)
                assert [e["kind"] for e in timeline].count("review.opinion") == 7, p

            def notified():
                notes, deliveries = notification_rows(config)
                # settled: delivered, or skipped by rule (a recipient with no address: the county's daily notice
                # from 1 December that next year's holiday schedule is missing goes to administrators by e-mail too)
                pending = [d for d in deliveries if d.status not in ("delivered", "skipped")]
                return None if pending else (notes, deliveries)

            notes, deliveries = wait_for(notified, timeout=120, what="every notification delivered")
            per_project = {
                p: Counter((n.event_type, n.route) for n in notes if n.project_id == p) for p in all_projects
            }
            clean = per_project[baseline[0]]
            assert clean, "the clean project got no notification"
            for p, got in per_project.items():
                lost += sum((clean - got).values())
                duplicated += sum((got - clean).values())
            assert all(got == clean for got in per_project.values()), "notifications lost or duplicated"
            assert len({(d.notification_id, d.channel) for d in deliveries}) == len(deliveries)
            dead = dead_letter_count(vhost)
            figures = {
                "scale": "full" if FULL else "short",
                "projects": len(all_projects),
                "through": f"lead -> {TARGET}",
                "transitions": sum(len(expected) for _ in all_projects),
                "notifications": len(notes),
                "kills": sum(chaos.kills.values()),
                "kills_by_service": dict(chaos.kills),
                "restarts": sum(chaos.restarts.values()),
                "broker_restarts": chaos.broker_restarts,
                "rpc_retries": driver.retries,
                "lost": lost,
                "duplicated": duplicated,
                "dead_letters": dead,
                "database": "postgresql" if databases else "sqlite",
                "seconds": round(time.monotonic() - started, 1),
            }
            print("fault figures:", json.dumps(figures, ensure_ascii=False))
            if report := os.environ.get("ZS_FAULT_REPORT"):
                Path(report).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
            assert chaos.broker_restarts == int(BROKER_RESTART) and set(chaos.kills) == set(SERVICES), figures
            assert lost == duplicated == dead == 0, figures
