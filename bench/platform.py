"""The platform's benchmark: every figure beside its floor, in one run on this machine.

    .venv/bin/python -m bench.platform                 # the full run quoted in docs/PERFORMANCE.md
    .venv/bin/python -m bench.platform --smoke         # a few seconds: checks that it works (the tests run this)
    .venv/bin/python -m bench.platform --only reads,excel --projects 20 --repeat 3   # the ledger's figures alone

Every service (and the gateway) runs as its own process on SQLite files in a temporary folder and a
fresh vhost of the local RabbitMQ, beside ``bench.floor`` (a nameko service doing nothing).  Measured:

* lifecycle: N projects lead -> archived driven concurrently by RPC (``tests/faults/driver.py``):
  projects per minute, each step's latency p50/p95, and the platform's wall time beside the bare-bus
  floor: the same number of plain nameko RPC calls (same concurrency) plus the same number of event
  deliveries (events published x the consumers bound to them), on ``bench.floor``;
* event latency: projects assigned at a steady rate (50/s), once the events of their preparation (untimed:
  each project driven to *approved*, its intermediary recorded) are all handled: from the coordinator's
  committed state change (its outbox row) to the in-app notification (the notifications service's row);
* Excel: a generated county ledger workbook of 10,000 rows imported through the gateway; the ledger
  then filled to 100,000 rows (generated rows written to the coordinator's database) and exported;
* reads at province scale: a filtered, sorted ledger page and a project page through the gateway; a person's
  workbench (IPB's clerk, whose unit most projects await, a park's head, a bureau's reviewer, the county
  magistrate) and search by two characters of a name, three or more, an investor's name and a credit code, over
  the ledger's projects (each generated with a name, investor and credit code of its own, its to-dos derived as
  the coordinator derives them, its search entry indexed by the database: ``fill_workbench``);
* the per-mu benefit evaluation: a tax file of ``--enterprises`` (10,000) rows imported by FIN through the gateway,
  and the evaluation of as many enterprises (register, energy, output and land imported first, not timed);
* memory: resident memory of each service process at rest and after the lifecycle.

``--json FILE`` writes the figures as JSON.  ``--only reads,excel`` (any of ``lifecycle, latency, reads,
excel, benefit``) measures only those parts, e.g. after a change to the ledger; without the lifecycle, ``--projects``
projects are still driven to *archived* (not timed) for the project pages and the ledger's sample rows;
``reads`` and ``excel`` share the ledger filled to ``--ledger`` rows (after the 10,000-row import).
``--repeat N`` takes the reads and the export N times over the same ledger: each figure is the median run's,
with every run's (p95 or seconds) beside it as ``runs``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

from bench.vhost import make_vhost

ROOT = Path(__file__).resolve().parent.parent
ADMIN = ("guest", "guest")
SERVICES = (
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
IPB = {"X-Zhaoshang-User": "u-ipb-1", "X-Zhaoshang-Position": "ipb_clerk", "X-Zhaoshang-Unit": "IPB"}
PARTS = ("lifecycle", "latency", "reads", "excel", "benefit")
FLOORS = {
    "ledger_page_p95_ms": 50,
    "project_page_p95_ms": 50,
    "event_latency_p95_ms": 200,
    "import_10k_s": 20,
    "export_100k_s": 30,
    "lifecycle_ratio": 2.0,
    "workbench_p95_ms": 50,
    "search_p95_ms": 50,
    "figures_import_10k_s": 10,
    "benefit_evaluation_10k_s": 10,
}


def say(what: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def pct(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q * len(values))) - 1))] if values else float("nan")


def ms(values) -> dict:
    return {"p50_ms": round(pct(values, 0.5) * 1000, 1), "p95_ms": round(pct(values, 0.95) * 1000, 1), "n": len(values)}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker_pids() -> list[int]:
    """The local RabbitMQ's Erlang VM (its CPU is beside the services' in the lifecycle's figures)."""
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "beam.smp":
                pids.append(int(comm.parent.name))
        except OSError:
            continue
    return pids


def with_broker(pids: dict[str, int]) -> dict[str, int]:
    """``pids`` and the local RabbitMQ's, named for the figures."""
    return {**pids, **{f"rabbitmq ({pid})": pid for pid in broker_pids()}}


def cpu_s_or_none(pid: int) -> float | None:
    """``cpu_s``, or None for a process that has ended (a short-lived Erlang VM, e.g. a ``rabbitmqctl`` another
    test runs, is also a ``beam.smp``)."""
    try:
        return cpu_s(pid)
    except (FileNotFoundError, ProcessLookupError):
        return None


class CpuMeter:
    """The CPU seconds each named process (and, named ``me``, this one) uses from now until ``used()``; a process
    that was not there at either end is left out of the figures."""

    def __init__(self, pids: dict[str, int], me: str | None = None):
        self.pids, self.me = pids, me
        self.start, self.own = {s: cpu_s_or_none(pid) for s, pid in pids.items()}, os.times()

    def used(self) -> dict[str, float]:
        taken = {}
        for name, pid in self.pids.items():
            now = cpu_s_or_none(pid)
            if now is not None and self.start[name] is not None:
                taken[name] = round(now - self.start[name], 1)
        if self.me:
            now = os.times()
            taken[self.me] = round(now.user + now.system - self.own.user - self.own.system, 1)
        return taken


def wait_gateway(base: str) -> None:
    for _ in range(100):
        try:
            if requests.get(base + "/health", timeout=2).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)


def report(figures: dict, path: str | None) -> None:
    """The figures printed as JSON, and written to ``path`` (``--json``) when given."""
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if path:
        Path(path).write_text(json.dumps(figures, ensure_ascii=False, indent=2))


def parse_time(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


# -- the floor ---------------------------------------------------------------------------------------------------
def bare_rpc_seconds(config, calls: int, workers: int) -> float:
    import eventlet
    from nameko.standalone.rpc import ClusterRpcProxy

    import shared.rpc  # noqa: F401  (typed errors and messages cross RPC as themselves)

    per = [calls // workers + (1 if i < calls % workers else 0) for i in range(workers)]

    def work(n):
        with ClusterRpcProxy(config, timeout=30) as rpc:
            for _ in range(n):
                rpc.bench_floor.echo(IPB, {"n": 1})

    t0 = time.perf_counter()
    pool = eventlet.GreenPool(workers)
    list(pool.imap(work, per))
    return time.perf_counter() - t0


def bare_event_seconds(config, deliveries: int, workers: int) -> float:
    import eventlet
    from nameko.standalone.events import event_dispatcher
    from nameko.standalone.rpc import ClusterRpcProxy

    import shared.rpc  # noqa: F401  (typed errors and messages cross RPC as themselves)

    with ClusterRpcProxy(config, timeout=30) as rpc:
        before = rpc.bench_floor.handled()
        per = [deliveries // workers + (1 if i < deliveries % workers else 0) for i in range(workers)]

        def work(n):
            dispatch = event_dispatcher(config)
            for _ in range(n):
                dispatch("bench_source", "ping", {"n": 1})

        t0 = time.perf_counter()
        pool = eventlet.GreenPool(workers)
        list(pool.imap(work, per))
        while rpc.bench_floor.handled() < before + deliveries:
            time.sleep(0.01)
        return time.perf_counter() - t0


# -- the ledger workbook --------------------------------------------------------------------------------------------
HEAD = [
    "序号",
    "项目编号",
    "项目名称",
    "投资方",
    "行业代码",
    "项目地点",
    "总投资（万元）",
    "责任领导",
    "责任单位",
    "责任人",
    "推进要求",
    "完成时限",
    "当前状态",
    "状态起始日期",
    "最新进展",
    "最新进展日期",
]
SECTORS = ["C2710", "C3491", "C3825", "C3512", "C3252", "C3841", "C2651", "C3971"]
PLACES = [("衡东工业园", "衡东工业园"), ("河西新区", "河西新区")]


def county_workbook(rows: int, tag: str) -> bytes:
    """A county's ledger in its offices' layout (as tests/unit/test_ledger_service.py): information and talks."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for sheet, state in (("重点招商信息台账", "线索"), ("在谈项目台账", "洽谈中")):
        ws = wb.create_sheet(sheet)
        ws.append([f"示例县{sheet}"])
        ws.append(["填报单位：县招商局"])
        ws.append(HEAD)
        for i in range(rows // 2):
            place, unit = PLACES[i % 2]
            ws.append(
                [
                    i + 1,
                    f"{tag}{sheet[:2]}-{i:06d}",
                    f"生成项目{tag}{i}",
                    f"某投资公司{i}",
                    SECTORS[i % len(SECTORS)],
                    place,
                    1000 + (i * 37) % 90000,
                    None,
                    unit,
                    "周九",
                    "完成项目考察",
                    dt.date(2027, 1, 1 + i % 28),
                    state,
                    dt.date(2026, 10, 1 + i % 28),
                    "已初步接洽",
                    dt.date(2026, 11, 1 + i % 20),
                ]
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


PRODUCTS = [
    "铝合金型材",
    "锂离子电池",
    "光伏组件",
    "医疗器械",
    "新型建材",
    "电子元器件",
    "汽车零部件",
    "生物医药",
    "农产品加工",
    "冷链物流",
    "智能装备",
    "精密模具",
    "环保材料",
    "纺织服装",
    "食品饮料",
    "电线电缆",
    "半导体材料",
    "新能源汽车",
    "高端数控机床",
    "工业机器人",
    "智能家居",
    "竹木制品",
    "陶瓷",
    "中药材",
    "钢结构",
    "包装印刷",
    "化工新材料",
    "储能设备",
    "风电装备",
    "显示面板",
    "通信设备",
    "软件信息",
    "数据中心",
    "文化旅游",
    "商贸物流",
    "水泥制品",
]
FORMS = [
    "年产{n}万吨{p}项目",
    "{p}生产基地项目",
    "{p}产业园项目",
    "新建{p}生产线项目",
    "{p}二期扩建项目",
    "{p}研发中心项目",
]
FIRMS = ["湖南", "广东", "江苏", "浙江", "深圳", "长沙", "衡阳", "株洲", "湘潭", "上海", "北京", "福建", "四川", "江西"]
WORDS = ["华鑫", "恒达", "宏远", "金桥", "瑞丰", "中联", "天成", "鼎盛", "嘉禾", "远航", "鑫源", "同创", "博远", "兴业"]


def generated_name(rng, i: int) -> str:
    return rng.choice(FORMS).format(n=rng.randint(1, 50), p=rng.choice(PRODUCTS)) + (f"（{i}）" if i % 7 == 0 else "")


def generated_investor(rng) -> tuple[str, str]:
    code = "9143" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(14))
    return f"{rng.choice(FIRMS)}{rng.choice(WORDS)}{rng.choice(PRODUCTS)[:2]}有限公司", code


def fill_workbench(coordinator_db: Path) -> dict:
    """Every generated project's search entry (a name, an investor and a credit code of its own; the FTS5 tables
    follow by their triggers) and its to-dos, derived from its state as the coordinator derives them; returns
    samples for the queries (credit codes, investors)."""
    import sqlite3

    from services.coordinator import workbench
    from shared import search
    from shared.policy import load_policy

    policy = load_policy()
    rng = random.Random(11)
    conn = sqlite3.connect(coordinator_db, timeout=60)
    samples = {"codes": [], "investors": []}
    try:
        rows = conn.execute(
            "SELECT project_id, ref, name, state, responsible_unit, data FROM ledger WHERE project_id LIKE 'gen%'"
        ).fetchall()
        entries, todos = [], []
        for pid, ref, name, state, unit, data in rows:
            investor, code = generated_investor(rng)
            if len(samples["codes"]) < 200:
                samples["codes"].append(code)
                samples["investors"].append(investor[2:6])
            e = search.entry_values(
                key=pid,
                kind="lead" if state == "lead" else "project",
                name=name,
                ref=ref,
                investor=investor,
                code=code,
                state=state,
                unit=unit,
                owner_unit="IPB",
                year=rng.choice([2024, 2025, 2026]),
            )
            entries.append(tuple(e[c] for c in SEARCH_COLUMNS))
            row = {**json.loads(data), "state": state, "responsible_unit": unit}
            for todo in workbench.awaiting(row, policy):
                todos.append(
                    (
                        pid,
                        todo["unit"],
                        todo["position"],
                        todo["due"] or "9999-12-31",
                        todo["kind"],
                        todo["operation"],
                        json.dumps(todo, ensure_ascii=False),
                    )
                )
        conn.executemany(
            f"INSERT INTO search_entries ({', '.join(SEARCH_COLUMNS)}) VALUES ({', '.join('?' * len(SEARCH_COLUMNS))})",
            entries,
        )
        conn.executemany(
            "INSERT INTO awaiting (project_id, unit, position, due, kind, operation, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            todos,
        )
        conn.execute(
            "INSERT INTO awaiting_counts (unit, position, kind, operation, n) "
            "SELECT unit, coalesce(position, ''), kind, coalesce(operation, ''), count(*) FROM awaiting "
            "WHERE project_id LIKE 'gen%' GROUP BY 1, 2, 3, 4 "
            "ON CONFLICT (unit, position, kind, operation) DO UPDATE SET n = n + excluded.n"
        )
        conn.commit()
        conn.execute("ANALYZE")
        samples["entries"], samples["todos"] = len(entries), len(todos)
        return samples
    finally:
        conn.close()


SEARCH_COLUMNS = (
    "key",
    "kind",
    "ref",
    "name",
    "investor",
    "code",
    "state",
    "unit",
    "owner_unit",
    "year",
    "text",
    "grams",
)
BENCH_PEOPLE = {
    "ipb_clerk": IPB,
    "park_head": {
        "X-Zhaoshang-User": "b-park",
        "X-Zhaoshang-Position": "park_head:hengdong",
        "X-Zhaoshang-Unit": "PARK:hengdong",
    },
    "reviewer": {"X-Zhaoshang-User": "b-drb", "X-Zhaoshang-Position": "reviewer", "X-Zhaoshang-Unit": "DRB"},
    "county_magistrate": {
        "X-Zhaoshang-User": "b-mag",
        "X-Zhaoshang-Position": "county_magistrate",
        "X-Zhaoshang-Unit": "LG",
    },
}


def workbench_reads(session, base: str, samples: dict, args) -> dict:
    """Each person's workbench and the searches, ``--reads`` times each, through the gateway."""
    rng = random.Random(5)
    out = {}
    every = []
    for who, headers in BENCH_PEOPLE.items():
        times = []
        for _ in range(max(1, args.reads // len(BENCH_PEOPLE))):
            t0 = time.perf_counter()
            session.get(base + "/api/workbench", headers=headers, timeout=60).raise_for_status()
            times.append(time.perf_counter() - t0)
        out[f"workbench_{who}"] = ms(times)
        every += times
    out["workbench"] = ms(every)
    queries = {
        "two_characters": lambda: rng.choice(PRODUCTS)[:2],
        "three_or_more": lambda: rng.choice(PRODUCTS)[1:4],
        "investor": lambda: rng.choice(samples["investors"]),
        "credit_code": lambda: rng.choice(samples["codes"]),
    }
    every = []
    for kind, make in queries.items():
        times = []
        for _ in range(max(1, args.reads // len(queries))):
            t0 = time.perf_counter()
            found = session.get(base + "/api/search", params={"q": make()}, headers=IPB, timeout=60)
            found.raise_for_status()
            times.append(time.perf_counter() - t0)
        out[f"search_{kind}"] = ms(times)
        every += times
    out["search"] = ms(every)
    return out


def fill_ledger(coordinator_db: Path, total: int) -> int:
    """Clone the ledger's rows (JSON data and the filter columns) until it holds ``total`` rows."""
    import sqlite3

    conn = sqlite3.connect(coordinator_db, timeout=60)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(ledger)")]
        have = conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
        samples = conn.execute(f"SELECT {', '.join(cols)} FROM ledger").fetchall()
        rng = random.Random(7)
        units = ["PARK:hengdong", "PARK:hexi", "TOWN:xintang", "IPB"]
        states = {
            "information": ["lead", "filed"],
            "negotiation": ["negotiating", "assigned", "approved"],
            "contracted": ["signed", "construction", "accounting", "archived"],
        }
        rows = []
        for i in range(total - have):
            row = dict(zip(cols, samples[i % len(samples)]))
            data = json.loads(row["data"])
            pid = f"gen{i:07d}"
            book = rng.choice(list(states))
            row.update(
                project_id=pid,
                ref=f"GEN-{i:07d}",
                name=generated_name(rng, i),
                book=book,
                state=rng.choice(states[book]),
                responsible_unit=rng.choice(units),
                sector=rng.choice(SECTORS),
                investment_fen=rng.randint(10**9, 10**12),
            )
            data.update(
                project_id=pid,
                ref=row["ref"],
                name=row["name"],
                book=book,
                state=row["state"],
                responsible_unit=row["responsible_unit"],
                sector=row["sector"],
            )
            row["data"] = json.dumps(data, ensure_ascii=False)
            rows.append(tuple(row[c] for c in cols))
        conn.executemany(f"INSERT INTO ledger ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
        conn.commit()
        return conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
    finally:
        conn.close()


# -- the parts -------------------------------------------------------------------------------------------------------
def wait_archived(config, projects) -> int:
    """Until the coordinator shows every project archived; returns the RPC calls it took."""
    from nameko.standalone.rpc import ClusterRpcProxy

    import shared.rpc  # noqa: F401  (typed errors and messages cross RPC as themselves)

    from tests.factories import IPB_CLERK

    calls = 0
    with ClusterRpcProxy(config, timeout=30) as rpc:
        for p in projects:
            while True:
                calls += 1
                if rpc.coordinator.get_project(IPB_CLERK, p)["state"] == "archived":
                    break
                time.sleep(0.05)
    return calls


def wait_quiet(config, timeout: float = 180.0) -> float:
    """Until no event waits in any queue of the platform (twice, half a second apart); returns the seconds.

    What a part drove untimed (the projects brought to *approved* before the event latency) leaves events
    queued for the slower consumers; a part timed over that backlog measured it too."""
    from kombu import Connection

    from shared.topology import all_queues

    t0 = time.perf_counter()
    quiet = 0
    with Connection(config["AMQP_URI"]) as conn:
        channel = conn.channel()
        while quiet < 2 and time.perf_counter() - t0 < timeout:
            waiting = sum(channel.queue_declare(queue=q.name, passive=True).message_count for q in all_queues())
            quiet = quiet + 1 if waiting == 0 else 0
            time.sleep(0.5)
    return time.perf_counter() - t0


# A clean run's RPC calls and event deliveries per project, lead -> archived: the floor measured before the run
# makes this many (the run's own counts are known only after it)
CALLS_PER_PROJECT, DELIVERIES_PER_PROJECT = 40, 72


def lifecycle_calls(driver, projects) -> int:
    """The calls the lifecycle needs: each step taken once (``Driver.latencies`` holds one entry a step, however
    many attempts it took) and one check a project that it reached *archived* (``wait_archived``)."""
    return sum(len(values) for values in driver.latencies.values()) + len(projects)


def floor_rates(config, calls: int, deliveries: int, workers: int) -> tuple[float, float]:
    """Bare nameko RPC calls per second and event deliveries per second, at the lifecycle's concurrency."""
    return calls / bare_rpc_seconds(config, calls, workers), deliveries / bare_event_seconds(
        config, deliveries, workers
    )


def lifecycle(figures, config, data: Path, platform, args, floor_pid: int) -> list[str]:
    """Projects lead -> archived concurrently, beside the bare-bus floor; returns the projects.

    The floor is measured just before the run and again just after it, and the run's calls and deliveries
    are timed at the mean of the two rates: a shared machine's speed drifts by a fifth between minutes
    (docs/PERFORMANCE.md), and a floor taken on one side only would carry that drift into the ratio.

    The floor's calls are the lifecycle's own: one a step taken and one check a project that it is archived.
    A command refused (its event not handled yet) is made again after the driver has checked whether it took
    effect: two calls more, which are the platform's cost, in its wall time, and not work the floor does for it
    (counted in, a platform that refuses more would get a longer floor).  ``ratio_counting_retries`` is the
    ratio with every call in the floor, as before.
    """
    from sqlalchemy import create_engine, text

    from shared.topology import consumers
    from tests.faults.driver import drive_all

    say("floor (before)")
    before = floor_rates(
        config, CALLS_PER_PROJECT * args.projects, DELIVERIES_PER_PROJECT * args.projects, args.workers
    )
    say("lifecycle")
    meter = CpuMeter(with_broker({s: p.pid for s, p in platform.procs.items()}), me="drivers (this process)")
    t0 = time.perf_counter()
    projects, driver = drive_all(config, range(1, args.projects + 1), "archived", workers=args.workers)
    calls = driver.calls + wait_archived(config, projects)
    wall = time.perf_counter() - t0
    work_calls = lifecycle_calls(driver, projects)
    cpu = meter.used()
    events, delivered = 0, Counter()  # each service: the events the broker delivered it
    for svc in SERVICES[:-1]:  # each event x the consumers the broker delivered it to (a state change: by state)
        engine = create_engine(f"sqlite:///{data / (svc + '.db')}")
        with engine.connect() as c:
            for event_type, body in c.execute(text("SELECT event_type, body FROM outbox")):
                events += 1
                delivered.update(consumers(event_type, json.loads(body)["payload"]))
        engine.dispose()
    deliveries = sum(delivered.values())
    say("floor (after)")
    meter = CpuMeter(with_broker({"bench_floor": floor_pid}), me="callers (this process)")
    after = floor_rates(config, work_calls, deliveries, args.workers)
    floor_cpu = meter.used()
    rpc_rate, event_rate = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
    rpc_floor, event_floor = work_calls / rpc_rate, deliveries / event_rate
    runs = {
        name: round(work_calls / rates[0] + deliveries / rates[1], 1)
        for name, rates in (("before", before), ("after", after))
    }
    figures["lifecycle"] = {
        "projects": len(projects),
        "workers": args.workers,
        "wall_s": round(wall, 1),
        "projects_per_minute": round(len(projects) / wall * 60, 1),
        "rpc_calls": calls,  # every call the drivers made, the refused ones and the checks after them included
        "rpc_calls_of_the_steps": work_calls,  # the floor's: one a step, one check a project
        "retries": driver.retries,
        "events_published": events,
        "event_deliveries": deliveries,
        "event_deliveries_by_service": dict(delivered.most_common()),
        "floor_rpc_s": round(rpc_floor, 1),
        "floor_events_s": round(event_floor, 1),
        "floor_s": round(rpc_floor + event_floor, 1),
        "floor_s_before_and_after": runs,
        "floor_rates_per_s": {
            "rpc": [round(before[0]), round(after[0])],
            "events": [round(before[1]), round(after[1])],
        },
        "ratio_to_floor": round(wall / (rpc_floor + event_floor), 2),
        "ratio_counting_retries": round(wall / (calls / rpc_rate + event_floor), 2),
        "steps": {name: ms(values) for name, values in sorted(driver.latencies.items())},
        "cpu_s": cpu,
        "cpu_s_total": round(sum(cpu.values()), 1),
        "cpu_s_available": round(wall * os.cpu_count(), 1),
        # what the floor taken after the run (the run's own calls and deliveries) cost, beside ``cpu_s``
        "floor_after_cpu_s": floor_cpu,
        "floor_after_cpu_s_total": round(sum(floor_cpu.values()), 1),
    }
    figures["memory_after_lifecycle_mb"] = {s: rss_mb(p.pid) for s, p in platform.procs.items()}
    return projects


def event_latency(figures, config, data: Path, platform, args) -> None:
    """Committed state change -> in-app notification, at a steady rate; with the CPU each process used meanwhile."""
    import eventlet
    import eventlet.queue
    from sqlalchemy import create_engine, text

    from tests.factories import IPB_CLERK
    from tests.faults.driver import Driver, drive_all

    ready, _ = drive_all(config, range(10_001, 10_001 + args.events), "approved", workers=args.workers)
    pool = eventlet.GreenPool(50)
    drivers = [Driver(config) for _ in range(20)]

    idle = eventlet.queue.LightQueue()  # a standalone RPC proxy serves one green thread at a time
    for d in drivers:
        idle.put(d)

    def intermediary(i_p):  # (not timed) the step before the assignment
        _, p = i_p
        d = idle.get()
        try:
            d.step(
                "intermediary",
                lambda r: r.negotiation.record_intermediary(IPB_CLERK, p, {"none": True}),
                lambda r: r.negotiation.get_negotiation(IPB_CLERK, p)["intermediary"],
            )
        finally:
            idle.put(d)

    list(eventlet.GreenPool(len(drivers)).imap(intermediary, enumerate(ready)))
    settled = wait_quiet(config)

    def assign(i_p):
        _, p = i_p
        d = idle.get()
        try:
            d.step("assign", lambda r: r.negotiation.assign_unit(IPB_CLERK, p, {"unit": "PARK:hengdong"}))
        finally:
            idle.put(d)

    meter = CpuMeter(with_broker({s: p.pid for s, p in platform.procs.items()}))
    t_start = time.perf_counter()
    for i, p in enumerate(ready):
        eventlet.sleep(max(0.0, t_start + i / args.rate - time.perf_counter()))
        pool.spawn(assign, (i, p))
    pool.waitall()
    achieved = len(ready) / (time.perf_counter() - t_start)

    def notified():
        engine = create_engine(f"sqlite:///{data / 'notifications.db'}")
        with engine.connect() as c:
            rows = list(
                c.execute(
                    text(
                        "SELECT cause, created_at FROM notifications WHERE event_type = "
                        "'coordinator.project_state_changed'"
                    )
                )
            )
        engine.dispose()
        return rows

    wanted = set(ready)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rows = notified()
        causes = {r.cause: r.created_at for r in rows}
        engine = create_engine(f"sqlite:///{data / 'coordinator.db'}")
        with engine.connect() as c:
            changes = [
                r
                for r in c.execute(
                    text(
                        "SELECT event_id, project_id, created_at, body FROM outbox WHERE "
                        "event_type = 'coordinator.project_state_changed'"
                    )
                )
                if r.project_id in wanted and json.loads(r.body)["payload"]["to_state"] == "assigned"
            ]
        engine.dispose()
        if len(changes) == len(wanted) and all(c.event_id in causes for c in changes):
            break
        time.sleep(0.5)
    latencies = [
        (parse_time(causes[c.event_id]) - parse_time(c.created_at)).total_seconds()
        for c in changes
        if c.event_id in causes
    ]
    last = max((parse_time(causes[c.event_id]) for c in changes if c.event_id in causes), default=None)
    span = (last - min(parse_time(c.created_at) for c in changes)).total_seconds() if last else 0.0
    cpu = meter.used()
    figures["event_latency"] = {
        "state_changes": len(ready),
        "rate_per_s": round(achieved, 1),
        **ms(latencies),
        "notified": len(latencies),
        "cpu_s": cpu,
        # CPU the platform used while the changes were made and notified (it keeps
        # counting during the 0.5 s polls above: an upper bound), beside the cores' time
        "cpu_s_total": round(sum(cpu.values()), 1),
        "span_s": round(span, 1),
        "quiet_after_s": round(settled, 1),
    }
    for d in drivers:
        d.close()


READ_FILTERS = [
    {"book": "contracted", "unit": "PARK:hengdong", "sort": "total_investment", "order": "desc"},
    {"book": "negotiation", "sector": "C35", "sort": "state_since"},
    {"state": "construction", "sort": "name"},
    {"book": "information", "unit": "PARK:hexi", "sort": "ref"},
]


def median_run(runs: list[dict], key) -> dict:
    """Of several runs of a measure, the one with the median figure (``key``), the others' figures beside it."""
    ordered = sorted(runs, key=key)
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    if len(runs) > 1:
        chosen["runs"] = [key(r) for r in runs]
    return chosen


def province_scale(figures, data: Path, base: str, projects: list[str], only: set, args) -> None:
    """The county workbook imported, the ledger filled to ``--ledger`` rows, then the reads and the export."""
    say("excel import")
    content = county_workbook(args.import_rows, "B")
    body = {"filename": "台账.xlsx", "content_base64": base64.b64encode(content).decode()}
    t0 = time.perf_counter()
    answer = requests.post(base + "/api/ledger/import", json=body, headers=IPB, timeout=600)
    import_s = time.perf_counter() - t0
    answer.raise_for_status()
    figures["excel_import"] = {"rows": answer.json()["imported"], "bytes": len(content), "seconds": round(import_s, 2)}
    say("ledger fill")
    rows = fill_ledger(data / "coordinator.db", args.ledger)
    figures["ledger_rows"] = rows
    say("workbench and search entries")
    samples = fill_workbench(data / "coordinator.db")
    figures["workbench_rows"] = {"search_entries": samples["entries"], "to_dos": samples["todos"]}
    session = requests.Session()
    if "reads" in only:
        runs = []
        for run in range(args.repeat):
            say(f"reads ({run + 1}/{args.repeat})")
            runs.append({**reads(session, base, projects, args), **workbench_reads(session, base, samples, args)})
        figures["reads"] = {name: median_run([r[name] for r in runs], lambda f: f["p95_ms"]) for name in runs[0]}
    if "excel" in only:
        runs = []
        for run in range(args.repeat):
            say(f"export ({run + 1}/{args.repeat})")
            t0 = time.perf_counter()
            export = session.get(base + "/api/ledger.xlsx", headers=IPB, timeout=600)
            export.raise_for_status()
            runs.append({"rows": rows, "bytes": len(export.content), "seconds": round(time.perf_counter() - t0, 2)})
        figures["excel_export"] = median_run(runs, lambda f: f["seconds"])


def unit(user: str, position: str, code: str) -> dict:
    return {"X-Zhaoshang-User": user, "X-Zhaoshang-Position": position, "X-Zhaoshang-Unit": code}


def benefit_scale(figures, base: str, args) -> None:
    """The enterprise data store and the per-mu benefit evaluation at ``--enterprises`` enterprises: the register
    and the energy, output and land files imported (not timed), then timed through the gateway: FIN's tax file of
    one row per enterprise (.xlsx) and IPB's evaluation of the year."""
    from tests import enterprises as gen

    say("enterprise data (not timed)")
    made = gen.enterprises(args.enterprises, years=(2025,))
    for headers, path, content in (
        (IPB, "/api/enterprises/import", gen.register_file(made)),
        (unit("u-drb-1", "drb_clerk", "DRB"), "/api/enterprise-figures/import", gen.figures_file(made, ("energy",))),
        (unit("u-ind-1", "ind_clerk", "IND"), "/api/enterprise-figures/import", gen.figures_file(made, ("output",))),
        (unit("u-land-1", "land_clerk", "LAND"), "/api/enterprise-figures/import", gen.figures_file(made, ("land",))),
    ):
        requests.post(
            base + path, json=gen.upload("data.xlsx", content), headers=headers, timeout=600
        ).raise_for_status()
    say("tax file import")
    content = gen.figures_file(made, ("tax",))
    t0 = time.perf_counter()
    answer = requests.post(
        base + "/api/enterprise-figures/import",
        json=gen.upload("税收.xlsx", content),
        headers=unit("u-fin-1", "fin_clerk", "FIN"),
        timeout=600,
    )
    seconds = time.perf_counter() - t0
    answer.raise_for_status()
    figures["figures_import"] = {"rows": answer.json()["rows"], "bytes": len(content), "seconds": round(seconds, 2)}
    say("benefit evaluation")
    t0 = time.perf_counter()
    answer = requests.post(base + "/api/benefit-evaluations/2025", headers=IPB, timeout=600)
    seconds = time.perf_counter() - t0
    answer.raise_for_status()
    result = answer.json()
    figures["benefit_evaluation"] = {
        "enterprises": result["enterprises"],
        "graded": result["graded"],
        "per_grade": result["per_grade"],
        "seconds": round(seconds, 2),
    }


def reads(session, base: str, projects: list[str], args) -> dict:
    """A filtered, sorted ledger page, a project page and a project's ledger row, ``--reads`` times each."""
    rng = random.Random(3)
    page_times, project_times, row_times = [], [], []
    for i in range(args.reads):
        q = {**READ_FILTERS[i % len(READ_FILTERS)], "limit": 50, "offset": rng.choice([0, 50, 500])}
        t0 = time.perf_counter()
        session.get(base + "/api/ledger", params=q, headers=IPB, timeout=60).raise_for_status()
        page_times.append(time.perf_counter() - t0)
        p = rng.choice(projects)
        t0 = time.perf_counter()
        session.get(f"{base}/api/projects/{p}", headers=IPB, timeout=60).raise_for_status()
        project_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        session.get(
            f"{base}/api/projects/gen{rng.randrange(max(1, args.ledger - 20_000)):07d}/ledger", headers=IPB, timeout=60
        ).raise_for_status()
        row_times.append(time.perf_counter() - t0)
    return {"ledger_page": ms(page_times), "project_page": ms(project_times), "project_ledger_row": ms(row_times)}


# -- the run -----------------------------------------------------------------------------------------------------------
def parse_args(argv=None):
    """The options and the set of parts to measure; an unknown part ends the program (exit 2)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--workers", type=int, default=20, help="concurrent drivers of the lifecycle")
    parser.add_argument("--events", type=int, default=300, help="state changes for the event latency")
    parser.add_argument("--rate", type=float, default=50.0, help="state changes per second")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--ledger", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--enterprises", type=int, default=10_000, help="enterprises of the benefit evaluation")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: only checks that the benchmark works")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts to measure: {', '.join(PARTS)}")
    parser.add_argument("--repeat", type=int, default=1, help="take the reads and the export this many times")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    if not only or only - set(PARTS):
        parser.error(f"--only takes some of: {', '.join(PARTS)}")
    if args.smoke:
        args.projects, args.workers, args.events, args.import_rows, args.ledger, args.reads = 2, 2, 10, 20, 200, 10
        args.enterprises = 30
    return args, only


def main(argv=None) -> int:
    import warnings

    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
    from nameko.standalone.rpc import ClusterRpcProxy

    import shared.rpc  # noqa: F401  (typed errors and messages cross RPC as themselves)

    from shared.config import load_config
    from tests.faults.driver import Driver, designate_custodians, drive_all
    from zhaoshang.supervisor import Platform

    args, only = parse_args(argv)

    vhost = make_vhost()
    amqp = vhost.uri
    data = Path(tempfile.mkdtemp(prefix="zs-bench-"))
    port = 18000 + random.randint(0, 999)
    env = {
        "AMQP_URI": amqp,
        "ZS_DATA_DIR": str(data),
        "ZS_LOG_LEVEL": "WARNING",
        "ZS_OUTBOX_POLL_INTERVAL": "0.5",
        "ZS_GATEWAY_ADDRESS": f"127.0.0.1:{port}",
        "ZS_TRUST_ACTOR_HEADERS": "true",
        "ZS_RPC_TIMEOUT": "120",
    }
    config = load_config(env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    platform = Platform(SERVICES, env=env, log_dir=data / "logs")
    floor = subprocess.Popen(
        [sys.executable, "-m", "bench.floor", amqp], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    figures: dict = {
        "machine": f"{os.cpu_count()} cores, SQLite, local RabbitMQ",
        "floors": FLOORS,
        "command": "python -m bench.platform " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    platform.start()
    try:
        say("services started")
        platform.wait_healthy(config, timeout=90)
        wait_gateway(base)
        with ClusterRpcProxy(config, timeout=30) as rpc:
            for _ in range(100):
                try:
                    rpc.bench_floor.handled()
                    break
                except Exception:
                    time.sleep(0.2)
        time.sleep(2)
        figures["memory_at_rest_mb"] = {s: rss_mb(p.pid) for s, p in platform.procs.items()}

        # lifecycle --------------------------------------------------------------------------------------------
        designate_custodians(Driver(config))
        if "lifecycle" in only:
            projects = lifecycle(figures, config, data, platform, args, floor.pid)
        elif only & {"reads", "excel"}:
            say("projects for the reads (not timed)")
            projects, _ = drive_all(config, range(1, args.projects + 1), "archived", workers=args.workers)
            wait_archived(config, projects)
        else:
            projects = []

        if "latency" in only:
            say("event latency")
            event_latency(figures, config, data, platform, args)

        if only & {"reads", "excel"}:
            province_scale(figures, data, base, projects, only, args)
        if "benefit" in only:
            benefit_scale(figures, base, args)
        figures["memory_end_mb"] = {s: rss_mb(p.pid) for s, p in platform.procs.items()}
    finally:
        platform.stop()
        floor.terminate()
        floor.wait(10)
        vhost.delete()
    report(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
