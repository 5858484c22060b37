"""Start, watch and stop the platform's service processes (used by ``zhaoshang run`` and the tests)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zhaoshang.runner import SERVICES

ROOT = Path(__file__).resolve().parent.parent


class Platform:
    """One OS process per service, each ``python -m zhaoshang.runner <service>``."""

    def __init__(self, services=SERVICES, env: dict | None = None, log_dir: Path | None = None):
        self.services = tuple(services)
        self.env = {**os.environ, **(env or {})}
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), self.env.get("PYTHONPATH")]))
        self.log_dir = Path(log_dir) if log_dir else None
        self.procs: dict[str, subprocess.Popen] = {}
        self._metrics_base = str(self.env.get("ZS_METRICS_BASE_PORT") or 0)  # a port number, 0 (none) or auto
        self._port_dir: Path | None = None  # auto: where each process reports its metrics port

    def _metrics_env(self, service: str) -> dict:
        """The metrics settings of one service process: base + its place in SERVICES (base 0: none), or with
        base ``auto`` a port the OS picks, reported in a port file (platforms side by side never collide)."""
        if self._metrics_base == "auto":
            return {"ZS_METRICS_PORT": "0", "ZS_METRICS_PORT_FILE": str(self._port_file(service))}
        return (
            {"ZS_METRICS_PORT": str(int(self._metrics_base) + SERVICES.index(service))}
            if int(self._metrics_base)
            else {}
        )

    def _port_file(self, service: str) -> Path:
        if self._port_dir is None:
            self._port_dir = Path(tempfile.mkdtemp(prefix="zs-metrics-"))
        return self._port_dir / f"{service}.port"

    def metrics_port(self, service: str, timeout: float = 30) -> int:
        """The port on which the service's process serves /metrics (0: none)."""
        if self._metrics_base != "auto":
            return int(self._metrics_env(service).get("ZS_METRICS_PORT", 0))
        deadline = time.monotonic() + timeout
        while not self._port_file(service).exists():  # written before the service's entrypoints start
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service} reported no metrics port in {timeout}s")
            time.sleep(0.1)
        return int(self._port_file(service).read_text())

    def start(self, name: str | None = None) -> None:
        for service in [name] if name else self.services:
            out = None
            if self.log_dir:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                out = open(self.log_dir / f"{service}.log", "ab")
            if self._port_dir:  # a restarted process reports its new port; the dead one's is no answer
                self._port_file(service).unlink(missing_ok=True)
            self.procs[service] = subprocess.Popen(
                [sys.executable, "-m", "zhaoshang.runner", service],
                cwd=ROOT,
                env={**self.env, **self._metrics_env(service)},
                stdout=out,
                stderr=subprocess.STDOUT if out else None,
            )

    def kill(self, name: str) -> None:
        """SIGKILL: no chance to clean up, as when a machine or container dies."""
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop(self, name: str | None = None, timeout: float = 15) -> None:
        names = [name] if name else list(self.procs)
        for service in names:
            proc = self.procs.get(service)
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for service in names:
            proc = self.procs.pop(service, None)
            if proc is None:
                continue
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if name is None and self._port_dir:
            shutil.rmtree(self._port_dir, ignore_errors=True)
            self._port_dir = None

    def dead(self) -> dict[str, int]:
        return {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}

    def wait_healthy(self, config: dict, timeout: float = 60, names=None) -> None:
        from zhaoshang.healthcheck import check

        deadline = time.monotonic() + timeout
        pending = [n for n in (names or self.procs) if n != "gateway"]
        while pending:
            if dead := self.dead():
                raise RuntimeError(f"service process(es) exited: {dead}")
            try:
                check(pending[0], timeout=2, config=config)
                pending.pop(0)
            except Exception:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"services not healthy after {timeout}s: {pending}")
                time.sleep(0.3)
