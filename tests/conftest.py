"""Test fixtures shared by every layer.

Integration and end-to-end tests run against the real RabbitMQ of this machine
(127.0.0.1:5672), each in a fresh virtual host made through the management API
and deleted afterwards, so tests never see each other's queues.
"""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # nameko's standalone proxies run on eventlet  # noqa: E402

import os  # noqa: E402
from contextlib import contextmanager  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import quote  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402

import shared.rpc  # noqa: E402,F401  (typed errors and messages cross RPC as themselves)

pytest_plugins = ["tests.receivers"]  # the local SMTP and webhook receivers (fixture ``receivers``)

RABBIT_HOST = os.environ.get("ZS_TEST_RABBIT_HOST", "127.0.0.1")
RABBIT_MANAGEMENT = os.environ.get("ZS_TEST_RABBIT_MANAGEMENT", f"http://{RABBIT_HOST}:15672")
RABBIT_AUTH = ("guest", "guest")


def pytest_collection_modifyitems(session, config, items):
    """Multi-process tests need RabbitMQ and PostgreSQL: use them, start them with Docker, or stop clearly."""
    if not any(item.get_closest_marker(m) for item in items for m in ("integration", "e2e")):
        return
    from tests.infra import prepare

    chosen = prepare()
    if chosen.action == "stop":
        pytest.exit(chosen.message, returncode=3)
    if chosen.action == "compose":
        import atexit
        import subprocess

        atexit.register(subprocess.run, chosen.commands[1], check=False)


@contextmanager
def fresh_vhost():
    """A fresh RabbitMQ virtual host (made through the management API); yields its AMQP URI."""
    name = f"zs-test-{uuid.uuid4().hex[:10]}"
    url = f"{RABBIT_MANAGEMENT}/api/vhosts/{quote(name, safe='')}"
    requests.put(url, auth=RABBIT_AUTH, timeout=10).raise_for_status()
    requests.put(
        f"{RABBIT_MANAGEMENT}/api/permissions/{quote(name, safe='')}/guest",
        auth=RABBIT_AUTH,
        json={"configure": ".*", "write": ".*", "read": ".*"},
        timeout=10,
    ).raise_for_status()
    try:
        yield f"pyamqp://guest:guest@{RABBIT_HOST}:5672/{quote(name, safe='')}"
    finally:
        requests.delete(url, auth=RABBIT_AUTH, timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DATABASE_SERVICES = (
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
PG_SERVER = os.environ.get("ZS_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


@contextmanager
def fresh_databases(postgresql: bool):
    """PostgreSQL: a fresh database per service (dropped afterwards), as ZS_DB_* settings;
    SQLite: nothing to set (each service uses its file in the test's data folder)."""
    if not postgresql:
        yield {}
        return
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield {
            f"ZS_DB_{svc.upper()}": stack.enter_context(fresh_pg_database(f"zs_t_{svc}")) for svc in DATABASE_SERVICES
        }


@contextmanager
def fresh_pg_database(prefix: str):
    """One fresh database on this machine's PostgreSQL server (its URL), dropped afterwards.  A test that must
    be proven on PostgreSQL fails, never skips, when the server is not there."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", pool_pre_ping=True
    )  # the server may restart meanwhile (tests/faults)
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        raise AssertionError(f"PostgreSQL at {PG_SERVER} is needed for this test: {exc}") from exc
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wants_postgresql(node) -> bool:
    return os.environ.get("ZS_TEST_DATABASE") == "postgresql" or bool(node.get_closest_marker("postgresql"))


def environment(vhost: str, data_dir, databases: dict) -> dict:
    """Environment for service processes: own vhost, own data folder (or databases), a free gateway port."""
    return {
        **databases,
        "AMQP_URI": vhost,
        "ZS_DATA_DIR": str(data_dir),
        "ZS_GATEWAY_ADDRESS": f"127.0.0.1:{free_port()}",
        "ZS_EVENT_RETRY_DELAY": "0.25",  # 6 attempts span ~8 s: events of one project may arrive out of order
        "ZS_OUTBOX_POLL_INTERVAL": "0.2",
        "ZS_LOG_LEVEL": "INFO",
        "ZS_TRUST_ACTOR_HEADERS": "true",  # the tests act as any position; sign-in has its own tests
    }


LOG_DIRS_IN_USE: list = []  # service log folders of the platforms now running (shown when a test fails)
LOG_TAIL_BYTES = 6000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing multi-process test shows the end of each service's log: CI prints nothing else of them."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        from pathlib import Path

        for folder in LOG_DIRS_IN_USE:
            for log_file in sorted(Path(folder).glob("*.log")):
                with open(log_file, "rb") as f:
                    f.seek(max(0, log_file.stat().st_size - LOG_TAIL_BYTES))
                    tail = f.read().decode("utf-8", "replace")
                report.sections.append((f"service log {log_file.name} (end)", tail))


@contextmanager
def running(env: dict, config: dict, log_dir):
    """``start(*services, **extra_env)`` starts service processes; all are stopped on leaving."""
    from zhaoshang.supervisor import Platform

    started = []
    LOG_DIRS_IN_USE.append(log_dir)

    def start(*services, **extra_env):
        platform = Platform(services, env={**env, **extra_env}, log_dir=log_dir)
        platform.start()
        started.append(platform)
        platform.wait_healthy(config, timeout=60)
        return platform

    try:
        yield start
    finally:
        LOG_DIRS_IN_USE.remove(log_dir)
        for platform in started:
            platform.stop()


def config_of(env: dict) -> dict:
    from shared.config import load_config

    return load_config(env={**os.environ, **env})


@pytest.fixture
def vhost():
    with fresh_vhost() as uri:
        yield uri


@pytest.fixture
def service_databases(request):
    with fresh_databases(wants_postgresql(request.node)) as databases:
        yield databases


@pytest.fixture
def platform_env(vhost, tmp_path, service_databases):
    return environment(vhost, tmp_path / "var", service_databases)


@pytest.fixture
def config_for(platform_env):
    """The config a test process uses to talk to the platform it started."""
    return config_of(platform_env)


@pytest.fixture
def start_platform(platform_env, config_for, tmp_path):
    """Start some services as separate OS processes; all are stopped at teardown."""
    with running(platform_env, config_for, tmp_path / "logs") as start:
        yield start


@pytest.fixture(scope="module")
def module_platform(request, tmp_path_factory):
    """One platform for a whole test module (e2e): (start, env, config); tests must not assume it is empty."""
    folder = tmp_path_factory.mktemp("platform")
    with fresh_vhost() as vhost, fresh_databases(wants_postgresql(request.node)) as databases:
        env = environment(vhost, folder / "var", databases)
        config = config_of(env)
        with running(env, config, folder / "logs") as start:
            yield start, env, config


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.2, what: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as exc:  # the thing may not exist yet
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")
