"""Benchmark: the platform beside the bare bus, measured in the same run on this machine.

    .venv/bin/python -m bench.run [--n 300]

Starts intake and the coordinator as separate processes (SQLite, local
RabbitMQ, a fresh vhost) and a do-nothing nameko service, then measures:
  * bare nameko RPC, sequential calls/s (the floor);
  * intake.register_lead, sequential calls/s (validation + SQLite + outbox), and its ratio to the floor;
  * lead registered -> project in the coordinator: events relayed, consumed and applied per second;
  * file -> coordinator shows 'filed': latency p50 / p95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.vhost import make_vhost

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    import warnings

    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.config import load_config
    from tests.factories import IPB_CLERK, lead
    from zhaoshang.supervisor import Platform

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    n = parser.parse_args().n
    vhost = make_vhost()
    amqp = vhost.uri
    data = tempfile.mkdtemp(prefix="zs-bench-")
    env = {"AMQP_URI": amqp, "ZS_DATA_DIR": data, "ZS_LOG_LEVEL": "WARNING", "ZS_OUTBOX_POLL_INTERVAL": "0.2"}
    config = load_config(env={**os.environ, **env})
    platform = Platform(("intake", "coordinator"), env=env, log_dir=Path(data) / "logs")
    echo = subprocess.Popen(
        [sys.executable, "-m", "bench.echo", amqp], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    platform.start()
    try:
        platform.wait_healthy(config)
        with ClusterRpcProxy(config, timeout=30) as rpc:
            for _ in range(50):
                try:
                    rpc.bench_echo.echo(IPB_CLERK, {})
                    break
                except Exception:
                    time.sleep(0.2)
            body = lead(1)
            t0 = time.perf_counter()
            for _ in range(n):
                rpc.bench_echo.echo(IPB_CLERK, body)
            bare = n / (time.perf_counter() - t0)

            t0 = time.perf_counter()
            ids = [rpc.intake.register_lead(IPB_CLERK, lead(i))["id"] for i in range(n)]
            register = n / (time.perf_counter() - t0)
            while rpc.coordinator.list_projects(IPB_CLERK, limit=1)["total"] < n:
                time.sleep(0.05)
            events = n / (time.perf_counter() - t0)

            latencies = []
            for lead_id in ids[: min(n, 100)]:
                t1 = time.perf_counter()
                rpc.intake.file_project(IPB_CLERK, lead_id)
                while rpc.coordinator.get_project(IPB_CLERK, lead_id)["state"] != "filed":
                    time.sleep(0.005)
                latencies.append((time.perf_counter() - t1) * 1000)
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(f"bench (n={n}, {os.cpu_count()} cores, SQLite, local RabbitMQ)")
        print(f"  bare nameko RPC, sequential         {bare:8.0f} calls/s   (floor)")
        print(
            f"  intake.register_lead, sequential    {register:8.0f} calls/s   ratio {register / bare:.2f} of bare RPC"
        )
        print(f"  registered -> coordinator applied   {events:8.0f} leads/s    (RPC + outbox + relay + event + saga)")
        print(f"  file -> coordinator 'filed' latency p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms")
    finally:
        platform.stop()
        echo.terminate()
        echo.wait(10)
        vhost.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
