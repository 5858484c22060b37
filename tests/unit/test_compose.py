"""The production compose file covers every service and validates.

The compose validation needs Debian's `docker-compose` package (no Docker
engine is needed for `config`); the CI script installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
INIT_SCRIPT = ROOT / "deploy" / "postgres" / "init-databases.sh"
DOCUMENT_SERVICES = {"intake", "contracts", "accounting", "supervision", "leadership", "gateway"}
TEST_ENV = {
    "POSTGRES_PASSWORD": "compose-test-pg",
    "RABBITMQ_PASSWORD": "compose-test-mq",
    "ZS_SITE_ADDRESS": "zhaoshang.example.gov.cn",
    "ZS_AUDIT_ANCHOR_KEY": "compose-test-anchor-key",
}
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"


def service_names() -> list[str]:
    names = sorted(p.name for p in (ROOT / "services").iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    assert names, "no service folders found under services/"
    return names


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def database_of(url: str) -> str:
    # Drop ${VAR...} substitutions (they may contain '?' or '@') before reading the path.
    url = re.sub(r"\$\{[^}]*\}", "x", url)
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


@pytest.mark.parametrize("name", service_names())
def test_every_service_folder_has_a_compose_service(compose, name):
    services = compose["services"]
    assert name in services, f"services/{name} has no entry in docker-compose.yml"
    svc = services[name]

    command = svc.get("command")
    assert isinstance(command, list) and "zhaoshang.runner" in command, command
    assert command[command.index("zhaoshang.runner") + 1 :] == [name], command
    assert svc.get("image") == "zhaoshang:latest"

    test = (svc.get("healthcheck") or {}).get("test")
    assert test, f"{name} has no healthcheck"
    joined = " ".join(test) if isinstance(test, list) else test
    if name == "gateway":
        assert "http://127.0.0.1:8000/health" in joined
    else:
        assert f"zhaoshang.healthcheck {name}" in joined
    assert svc.get("restart") == "unless-stopped"

    depends = svc.get("depends_on") or {}
    assert isinstance(depends, dict), "depends_on must use the long form with conditions"
    for dep in ("rabbitmq", "postgres"):
        assert (depends.get(dep) or {}).get("condition") == "service_healthy", (name, dep)

    env = env_of(svc)
    var = f"ZS_DB_{name.upper()}"
    assert var in env, f"{name} lacks {var}"
    assert env[var].startswith("postgresql://")
    assert database_of(env[var]) == f"zs_{name}"
    assert "@rabbitmq:5672" in env.get("AMQP_URI", "")
    assert env.get("ZS_QUORUM_QUEUES") == "true"

    if name in DOCUMENT_SERVICES:
        assert "documents:/data" in (svc.get("volumes") or []), name


def test_every_database_url_names_its_own_database(compose):
    for svc_name, svc in compose["services"].items():
        for var, url in env_of(svc).items():
            if var.startswith("ZS_DB_"):
                assert database_of(url) == "zs_" + var[len("ZS_DB_") :].lower(), (svc_name, var)


def test_infrastructure_services(compose):
    services = compose["services"]
    assert "version" not in compose
    assert all("links" not in s for s in services.values())

    mq = services["rabbitmq"]
    assert mq["image"].startswith("rabbitmq:3.13-management")
    assert "rabbitmq-diagnostics" in mq["healthcheck"]["test"]
    assert mq["restart"] == "unless-stopped"
    conf_mounts = [v for v in mq["volumes"] if "deploy/rabbitmq/rabbitmq.conf" in v]
    assert conf_mounts, "rabbitmq.conf is not mounted"
    conf = (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text()
    assert re.search(r"^default_queue_type\s*=\s*quorum\s*$", conf, re.M)

    pg = services["postgres"]
    assert pg["image"].startswith("postgres:16")
    assert "pg_isready" in pg["healthcheck"]["test"]
    assert pg["restart"] == "unless-stopped"
    assert any("init-databases.sh" in v and ":/docker-entrypoint-initdb.d/" in v for v in pg["volumes"])

    for volume in ("documents",):
        assert volume in compose.get("volumes", {})


def test_postgres_init_script_creates_every_database(tmp_path):
    assert INIT_SCRIPT.stat().st_mode & stat.S_IXUSR, "init script must be executable"
    log = tmp_path / "psql.log"
    fake = tmp_path / "psql"
    fake.write_text(f'#!/bin/sh\necho "ARGS $*" >> "{log}"\ncat >> "{log}"\n')
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{tmp_path}:{os.environ.get('PATH', '')}",
        "POSTGRES_USER": "zhaoshang",
        "POSTGRES_DB": "zhaoshang",
    }
    subprocess.run(["bash", str(INIT_SCRIPT)], env=env, check=True, capture_output=True, timeout=30)
    sql = log.read_text()
    for name in service_names():
        assert re.search(rf'CREATE DATABASE "?zs_{name}"? OWNER "?zhaoshang"?', sql), name


def test_dockerfile_basics():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0"), "image must run as a non-root user"
    assert 'CMD ["python", "-m", "zhaoshang.runner", "gateway"]' in text
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignore and ".git" in ignore


def _docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose not found: install Debian's docker-compose package "
            "(apt-get update && apt-get install -y docker-compose); "
            "the project's CI script installs it."
        )
    return binary


def test_the_caddyfile_is_valid_caddy_configuration():
    """Caddy itself reads the Caddyfile (Debian's caddy package; ./zs installs it beside docker-compose)."""
    binary = shutil.which("caddy")
    if binary is None:
        pytest.fail("caddy not found: install Debian's caddy package (./zs test installs it)")
    result = subprocess.run(
        [binary, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ZS_SITE_ADDRESS": TEST_ENV["ZS_SITE_ADDRESS"]},
    )
    assert result.returncode == 0, result.stderr
    import json

    adapted = json.loads(result.stdout)
    server = adapted["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"] and server["automatic_https"] == {"disable_certificates": True}
    assert adapted["apps"]["tls"]["certificates"]["load_files"] == [
        {"certificate": "/etc/caddy/tls/zhaoshang.crt", "key": "/etc/caddy/tls/zhaoshang.key", "tags": ["cert0"]}
    ]
    assert "Strict-Transport-Security" in result.stdout and '"warn"' not in result.stderr


def _config(env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_") and k not in TEST_ENV}
    env.update(env_overrides)
    empty_env_file = tmp_path / "empty.env"  # ignore any local .env
    empty_env_file.write_text("")
    return subprocess.run(
        [_docker_compose(), "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_docker_compose_config_validates(tmp_path):
    result = _config(TEST_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_compose_config_requires_passwords(tmp_path):
    result = _config({}, tmp_path)
    assert result.returncode != 0
    assert "PASSWORD" in result.stdout + result.stderr


def test_docker_compose_config_requires_the_site_address(tmp_path):
    result = _config({k: v for k, v in TEST_ENV.items() if k != "ZS_SITE_ADDRESS"}, tmp_path)
    assert result.returncode != 0 and "ZS_SITE_ADDRESS" in result.stdout + result.stderr


def test_only_the_tls_proxy_is_reachable_from_the_network(compose):
    """The county reaches the gateway over TLS with its own certificate and HSTS, never plain HTTP: only the proxy
    publishes ports (443, and 80 which only redirects); the gateway trusts the one proxy hop for the client's
    address; the metrics listen on the compose network only."""
    services = compose["services"]
    published = {name: svc["ports"] for name, svc in services.items() if svc.get("ports")}
    assert published == {"proxy": ["443:443", "80:80"]}, published
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:2")
    assert "./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert "./deploy/tls:/etc/caddy/tls:ro" in proxy["volumes"]
    assert proxy["depends_on"]["gateway"]["condition"] == "service_healthy"
    caddy = CADDYFILE.read_text()
    assert re.search(r"^\s*tls /etc/caddy/tls/zhaoshang\.crt /etc/caddy/tls/zhaoshang\.key", caddy, re.M)
    assert re.search(r'Strict-Transport-Security "max-age=\d{8,}', caddy)
    assert re.search(r"^\s*reverse_proxy gateway:8000", caddy, re.M)
    assert "disable_certs" in caddy  # the county's certificate, none asked of any authority
    gateway = env_of(services["gateway"])
    assert gateway["ZS_PROXY_HOPS"] == "1" and gateway["ZS_GATEWAY_ADDRESS"] == "0.0.0.0:8000"
    for name in service_names():
        assert env_of(services[name])["ZS_METRICS_ADDRESS"] == "0.0.0.0", name  # inside the compose network
        # the audit trails' anchors are signed with a key no service but the gateway holds
        assert ("ZS_AUDIT_ANCHOR_KEY" in env_of(services[name])) == (name == "gateway"), name


def test_schemas_are_migrated_once_before_any_service_starts(compose):
    migrate = compose["services"]["migrate"]
    assert "zhaoshang migrate" in " ".join(migrate["command"]) and migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in service_names():
        service = compose["services"][name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        env = env_of(service)
        assert env["ZS_AUTO_MIGRATE"] == "false" and env["ZS_METRICS_PORT"] == "9100", name
