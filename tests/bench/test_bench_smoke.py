"""The benchmark works (a tiny run of ``python -m bench.platform --smoke``); its figures are not asserted —
a benchmark is never a timed assertion in the test suite (docs/PERFORMANCE.md has the full run).

One real run measures every part, the reads and the export twice (``--repeat 2``); which parts ``--only``
selects is checked on the options alone (a second platform start for it cost ~35 s of the suite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.platform import PARTS, lifecycle_calls, parse_args
from tests.faults.driver import Driver
from zhaoshang.supervisor import ROOT

pytestmark = pytest.mark.integration  # in tests/bench: run once, on SQLite (the PostgreSQL pass runs tests/integration)


def test_the_benchmark_runs_and_reports_every_figure_and_repeats_the_reads(tmp_path):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.platform", "--smoke", "--repeat", "2", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    for key in (
        "lifecycle",
        "event_latency",
        "excel_import",
        "excel_export",
        "reads",
        "figures_import",
        "benefit_evaluation",
        "memory_at_rest_mb",
        "memory_after_lifecycle_mb",
        "memory_end_mb",
    ):
        assert key in figures, key
    assert figures["lifecycle"]["projects"] == 2 and figures["lifecycle"]["ratio_to_floor"] > 0
    steps = sum(step["n"] for step in figures["lifecycle"]["steps"].values())  # the floor's calls: the steps'
    assert figures["lifecycle"]["rpc_calls_of_the_steps"] == steps + 2 <= figures["lifecycle"]["rpc_calls"]
    assert 0 < figures["lifecycle"]["ratio_counting_retries"] <= figures["lifecycle"]["ratio_to_floor"]
    floor_cpu = figures["lifecycle"]["floor_after_cpu_s"]  # the floor's own CPU, beside the lifecycle's
    assert {"bench_floor", "callers (this process)"} <= set(floor_cpu) and any(
        k.startswith("rabbitmq") for k in floor_cpu
    )
    assert figures["lifecycle"]["floor_after_cpu_s_total"] == round(sum(floor_cpu.values()), 1) > 0
    assert "drivers (this process)" in figures["lifecycle"]["cpu_s"]
    by_service = figures["lifecycle"]["event_deliveries_by_service"]  # where the deliveries went, adding up
    assert sum(by_service.values()) == figures["lifecycle"]["event_deliveries"] > 0
    assert by_service["coordinator"] > 0 and set(by_service) <= set(figures["lifecycle"]["cpu_s"])
    assert figures["event_latency"]["notified"] == figures["event_latency"]["state_changes"]
    assert set(figures["memory_at_rest_mb"]) >= {"intake", "coordinator", "gateway"}
    assert len(figures["reads"]["ledger_page"]["runs"]) == 2 and len(figures["excel_export"]["runs"]) == 2
    assert figures["excel_export"]["rows"] == figures["ledger_rows"] == 200
    assert figures["figures_import"]["rows"] == figures["benefit_evaluation"]["enterprises"] == 30


def test_the_floor_makes_one_call_a_step_and_a_check_a_project_not_the_retries():
    driver = Driver({})  # no connection until a call
    driver.latencies["file_project"] = [0.1, 0.2]  # one entry a step, however many attempts it took
    driver.latencies["convene"] = [0.3, 1.4]
    driver.calls, driver.retries = 10, 3  # each refusal: the attempt and the check whether it took effect
    assert lifecycle_calls(driver, ["p-1", "p-2"]) == 4 + 2


def test_only_selects_the_parts_asked_for_and_refuses_others():
    args, only = parse_args(["--smoke", "--only", "reads, excel"])
    assert only == {"reads", "excel"} and args.projects == 2
    assert parse_args([])[1] == set(PARTS)
    refused = subprocess.run(
        [sys.executable, "-m", "bench.platform", "--only", "reads,nonsense"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "--only takes some of" in refused.stderr


def test_the_parts_benchmark_runs_and_reports_each_part_beside_the_way_before(tmp_path):
    out = tmp_path / "parts.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.parts", "--rounds", "1", "--n", "2", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    for part in ("contract_draft", "contract_approval", "report_docx"):
        assert figures[f"{part}_ms"] > 0 and figures[f"{part}_by_python_docx_ms"] > 0
    assert figures["report_pdf_ms"] > 0
    assert figures["transaction_lean_session_us"] > 0 and figures["transaction_session_us"] > 0


def test_the_sign_in_burst_benchmark_runs_and_reports_each_phase(tmp_path):
    """``python -m bench.signin --smoke``: the prober's figures in every phase, the attackers' answers counted."""
    out = tmp_path / "signin.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.signin", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())["pooled"]
    assert set(figures) == {"quiet", "rotating", "throttled"}
    for name, phase in figures.items():
        assert phase["health"]["n"] > 0 and phase["ledger_page"]["n"] > 0, name
    assert figures["rotating"]["attempts"] == sum(figures["rotating"]["answers"].values()) > 0
    assert set(figures["rotating"]["answers"]) == {"401"}  # a new address and user id each time: never held


def test_a_process_that_ends_during_a_measurement_is_left_out_of_the_cpu_figures():
    from bench.platform import CpuMeter

    ended = subprocess.Popen([sys.executable, "-c", "pass"])  # as a rabbitmqctl's Erlang VM, here and gone
    meter = CpuMeter({"ended": ended.pid, "this one": os.getpid()})
    ended.wait()
    taken = meter.used()
    assert "ended" not in taken and taken["this one"] >= 0
