"""A sign-in burst against the platform: do the rest of the API keep their latency while 8 clients send wrong
passwords as fast as they can?  (docs/SECURITY.md, docs/PERFORMANCE.md)

    .venv/bin/python -m bench.signin                  # the run quoted in docs/SECURITY.md (~1 minute)
    .venv/bin/python -m bench.signin --compare-hub    # also the way it was: argon2 on the gateway's hub
    .venv/bin/python -m bench.signin --smoke          # a few seconds: checks that it works (the tests run this)

Every service runs as its own process (SQLite, a fresh vhost of the local RabbitMQ), the gateway behind one
trusted proxy hop (``ZS_PROXY_HOPS=1``), so each attacker names its client address in ``X-Forwarded-For`` (no
packet leaves the loopback).  ``--leads`` leads fill the ledger's first book.  A prober asks ``/api/health`` (every
service's health over the bus) and a ledger page (50 rows, sorted) in turn, throughout each phase:

* ``quiet``: the prober alone;
* ``rotating``: 8 attackers, each attempt from a new address for a new user id — the throttle never holds them,
  so every attempt costs an argon2 hash (the hashing pool's worst case);
* ``throttled``: 8 attackers, each from one address against one real user id — after the policy's free
  failures they are answered 429 without a hash.

With ``--compare-hub`` the ``rotating`` phase runs again on a second platform whose gateway hashes on its hub
(``ZS_PASSWORD_HASH_THREADS=0``): the way it was.  Figures: attempts, answers by status, the prober's p50/p95
beside the floors (``/api/health`` p95 ≤ 20 ms, a ledger page p95 ≤ 50 ms).  ``--json FILE`` writes them.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.platform import IPB, SERVICES, ms, report, say, wait_gateway
from bench.vhost import make_vhost
from tests.factories import lead

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {"health_p95_ms": 20, "ledger_page_p95_ms": 50}
ATTACKERS = 8
PASSWORD = "Lotus@Pond-River-9"


class Prober(threading.Thread):
    """/api/health and a ledger page in turn until stopped, each timed."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.stop = base, threading.Event()
        self.times: dict[str, list[float]] = {"health": [], "ledger_page": []}

    def run(self):
        session = requests.Session()
        calls = {
            "health": lambda: session.get(self.base + "/api/health", timeout=60),
            "ledger_page": lambda: session.get(
                self.base + "/api/ledger",
                params={"book": "information", "sort": "ref", "limit": 50},
                headers=IPB,
                timeout=60,
            ),
        }
        while not self.stop.is_set():
            for name, call in calls.items():
                started = time.perf_counter()
                call().raise_for_status()
                self.times[name].append(time.perf_counter() - started)
            time.sleep(0.02)


def attacker(base: str, n: int, mode: str, until: float, counts: dict, lock: threading.Lock) -> None:
    session, attempt = requests.Session(), 0
    while time.monotonic() < until:
        attempt += 1
        if mode == "rotating":
            user, address = f"guess-{n}-{attempt}", f"10.{n}.{attempt // 250 % 250}.{attempt % 250 + 1}"
        else:
            user, address = f"bench.user{n}", f"10.99.0.{n + 1}"
        answer = session.post(
            base + "/api/sessions",
            json={"user_id": user, "password": f"wrong-{attempt}-x"},
            headers={"X-Forwarded-For": address},
            timeout=60,
        )
        with lock:
            counts[answer.status_code] = counts.get(answer.status_code, 0) + 1


def phase(base: str, mode: str | None, seconds: float) -> dict:
    prober = Prober(base)
    counts: dict[int, int] = {}
    lock = threading.Lock()
    until = time.monotonic() + seconds
    threads = (
        [
            threading.Thread(target=attacker, args=(base, n, mode, until, counts, lock), daemon=True)
            for n in range(ATTACKERS)
        ]
        if mode
        else []
    )
    prober.start()
    for t in threads:
        t.start()
    time.sleep(seconds)
    for t in threads:
        t.join(60)
    prober.stop.set()
    prober.join(60)
    result = {name: ms(values) for name, values in prober.times.items()}
    if mode:
        result["attempts"] = sum(counts.values())
        result["answers"] = {str(k): v for k, v in sorted(counts.items())}
        result["attempts_per_s"] = round(result["attempts"] / seconds, 1)
    result["within_floors"] = (
        result["health"]["p95_ms"] <= FLOORS["health_p95_ms"]
        and result["ledger_page"]["p95_ms"] <= FLOORS["ledger_page_p95_ms"]
    )
    return result


def platform_run(args, extra_env: dict, phases: list[str | None]) -> dict:
    from shared.config import load_config
    from zhaoshang.supervisor import Platform

    vhost = make_vhost()
    amqp = vhost.uri
    data = Path(tempfile.mkdtemp(prefix="zs-bench-signin-"))
    port = 18000 + random.randint(0, 999)
    env = {
        "AMQP_URI": amqp,
        "ZS_DATA_DIR": str(data),
        "ZS_LOG_LEVEL": "WARNING",
        "ZS_GATEWAY_ADDRESS": f"127.0.0.1:{port}",
        "ZS_TRUST_ACTOR_HEADERS": "true",
        "ZS_PROXY_HOPS": "1",
        **extra_env,
    }
    config = load_config(env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    platform = Platform(SERVICES, env=env, log_dir=data / "logs")
    platform.start()
    try:
        platform.wait_healthy(config, timeout=90)
        wait_gateway(base)
        for n in range(ATTACKERS):  # what `zhaoshang add-user` does
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "zhaoshang.cli",
                    "add-user",
                    f"bench.user{n}",
                    "--position",
                    "ipb_clerk",
                    "--unit",
                    "IPB",
                    "--password-stdin",
                ],
                input=PASSWORD + "\n",
                text=True,
                check=True,
                capture_output=True,
                cwd=ROOT,
                env={**os.environ, **env},
                timeout=60,
            )
        with requests.Session() as s:
            for i in range(args.leads):
                s.post(base + "/api/leads", json=lead(i + 1), headers=IPB, timeout=60).raise_for_status()
        time.sleep(2)  # the leads' events reach the ledger
        figures = {}
        for mode in phases:
            say(f"phase {mode or 'quiet'}")
            figures[mode or "quiet"] = phase(base, mode, args.seconds)
        return figures
    finally:
        platform.stop()
        vhost.delete()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signin", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase")
    parser.add_argument("--leads", type=int, default=60)
    parser.add_argument("--compare-hub", action="store_true", help="also the rotating phase with argon2 on the hub")
    parser.add_argument("--smoke", action="store_true", help="2-second phases, a few leads")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    if args.smoke:
        args.seconds, args.leads = 2.0, 3
    figures: dict = {
        "machine": f"{os.cpu_count()} cores, SQLite, local RabbitMQ",
        "floors": FLOORS,
        "attackers": ATTACKERS,
        "seconds_per_phase": args.seconds,
        "command": "python -m bench.signin " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    figures["pooled"] = platform_run(args, {}, [None, "rotating", "throttled"])
    if args.compare_hub:
        figures["on_the_hub"] = platform_run(args, {"ZS_PASSWORD_HASH_THREADS": "0"}, [None, "rotating"])
    report(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
