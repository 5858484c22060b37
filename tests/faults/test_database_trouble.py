"""6. Database trouble: the database briefly unavailable — the PostgreSQL server restarted, a SQLite file
locked — work retries (RPC callers, event handlers, the outbox relay) and nothing is lost or doubled."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.conftest import config_of, environment, fresh_databases, fresh_vhost, running, wait_for
from tests.factories import IPB_CLERK
from tests.faults.driver import TO_AGREED, drive_all
from tests.faults.records import expected_for, handled_ids, published

pytestmark = pytest.mark.integration
SERVICES = ("intake", "review", "negotiation", "coordinator")


def restart_postgresql() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def postgresql_answers() -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 5432)) == 0


def check_all_once(config: dict, projects: list[str]) -> None:
    with ClusterRpcProxy(config, timeout=30) as rpc:
        for p in projects:
            wait_for(lambda: rpc.coordinator.get_project(IPB_CLERK, p)["state"] == "agreed", timeout=120, what="agreed")
            timeline = rpc.coordinator.get_project(IPB_CLERK, p)["timeline"]
            assert [e["to_state"] for e in timeline if e["kind"] == "transition"] == TO_AGREED
    events = published(SERVICES, config)
    # events that met the outage may still wait out their back-off (up to 30 s) before they are handled
    wait_for(
        lambda: expected_for("coordinator", events) <= set(handled_ids("coordinator", config)),
        timeout=90,
        what="every event handled by the coordinator",
    )
    coordinator = handled_ids("coordinator", config)
    assert len(coordinator) == len(set(coordinator))


def drive_with_fault(config: dict, numbers, fault, after: float) -> list[str]:
    def later():
        time.sleep(after)
        fault()

    fault_thread = eventlet.spawn(later)
    try:
        projects, _ = drive_all(config, numbers, "agreed", workers=6)
    finally:
        fault_thread.wait()
    return projects


def test_postgresql_restarted_under_load(tmp_path):
    assert Path("/etc/postgresql").is_dir(), "needs this machine's PostgreSQL server (pg_ctlcluster) to restart it"
    with fresh_vhost() as vhost, fresh_databases(True) as databases:
        env = environment(vhost, tmp_path / "var", databases)
        config = config_of(env)
        with running(env, config, tmp_path / "logs") as start:
            start(*SERVICES)
            try:
                projects = drive_with_fault(config, range(1, 31), restart_postgresql, after=3.0)
            finally:
                if not postgresql_answers():
                    restart_postgresql()
            check_all_once(config, projects)


def test_sqlite_locked_for_seconds(tmp_path):
    with fresh_vhost() as vhost, fresh_databases(False) as databases:
        env = environment(vhost, tmp_path / "var", databases)
        config = config_of(env)
        with running(env, config, tmp_path / "logs") as start:
            start(*SERVICES)

            def lock_the_coordinators_file(seconds: float = 6.0):
                def hold():
                    conn = sqlite3.connect(tmp_path / "var" / "coordinator.db", timeout=30, isolation_level=None)
                    conn.execute("BEGIN EXCLUSIVE")
                    eventlet.patcher.original("time").sleep(seconds)  # a real OS thread holds the lock
                    conn.execute("ROLLBACK")
                    conn.close()

                import eventlet.patcher

                real_threading = eventlet.patcher.original("threading")
                holder = real_threading.Thread(target=hold)
                holder.start()
                while holder.is_alive():
                    eventlet.sleep(0.2)

            projects = drive_with_fault(config, range(1, 21), lock_the_coordinators_file, after=2.0)
            check_all_once(config, projects)
