"""Security over the running platform (docs/SECURITY.md): need-to-know on the demo's projects, the security headers,
and bad input answered 4xx naming the problem — nothing stored, no 5xx."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests

from tests.e2e.conftest import headers
from tests.factories import IPB_CLERK, lead
from zhaoshang.supervisor import ROOT

pytestmark = pytest.mark.e2e

HENGDONG = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
HEXI = {"user_id": "u-hx", "position": "park_head:hexi", "unit": "PARK:hexi"}
XINTANG = {"user_id": "u-xt", "position": "town_head", "unit": "TOWN:xintang"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
EPB = {"user_id": "u-epb", "position": "bureau_head", "unit": "EPB"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG"}


@pytest.fixture(scope="module")
def demo(e2e_platform, tmp_path_factory):
    """The README's demo run once: Hengdong's aluminium project goes all the way to its accounting."""
    api, env = e2e_platform
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhaoshang.cli",
            "demo",
            "--url",
            api.base,
            "--out",
            str(tmp_path_factory.mktemp("demo")),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    projects = api.get("/api/projects?limit=500").json()["items"]
    return api, {p["ref"]: p["id"] for p in projects}


def test_a_park_reads_only_its_own_projects_and_a_bureau_only_those_it_takes_part_in(demo):
    """Before: any park or town read another park's review, negotiation terms, accounting figures, reserve entries."""
    api, ids = demo
    pid = ids["ZS2026-0001"]  # Hengdong park's project, through its accounting
    reads = ["", "/review", "/negotiation", "/decision-route", "/contract", "/accounting", "/tracking"]
    for reader, expected in ((HENGDONG, 200), (MAGISTRATE, 200), (IPB_CLERK, 200), (HEXI, 403), (XINTANG, 403)):
        got = {path: api.get(f"/api/projects/{pid}{path}", actor=reader).status_code for path in reads}
        assert set(got.values()) == {expected}, (reader["unit"], got)
    # FIN reviews it, holds a copy and takes part in its accounting; EPB only reviewed it
    assert [api.get(f"/api/projects/{pid}{p}", actor=FIN).status_code for p in ("", "/review", "/accounting")] == [
        200
    ] * 3
    assert [api.get(f"/api/projects/{pid}{p}", actor=EPB).status_code for p in ("", "/review", "/accounting")] == [
        200,
        200,
        403,
    ]
    refused = api.get(f"/api/projects/{pid}/accounting", actor=HEXI).json()
    assert refused["error"] == "not_allowed" and refused["details"]["operation"] == "accounting.read"
    # lists show only one's own
    everything = api.get("/api/projects?limit=500").json()
    hexi = api.get("/api/projects?limit=500", actor=HEXI).json()
    hengdong = api.get("/api/projects?limit=500", actor=HENGDONG).json()
    assert pid not in {p["id"] for p in hexi["items"]} and pid in {p["id"] for p in hengdong["items"]}
    assert hexi["total"] + hengdong["total"] < everything["total"] + 1
    assert sum(hexi["by_state"].values()) == hexi["total"]
    # the reserve: Hexi reads the entries located in it, Hengdong none of them; each year's counts are for all
    assert api.get("/api/reserve", actor=HEXI).json()["total"] == 3
    assert api.get("/api/reserve", actor=HENGDONG).json()["total"] == 0
    entry = api.get("/api/reserve", actor=HEXI).json()["items"][0]
    assert api.get(f"/api/reserve/{entry['id']}", actor=HENGDONG).status_code == 403
    year = entry["year"]
    assert api.get(f"/api/reserve-plans/{year}", actor=HENGDONG).status_code == 200
    # search: two characters of a reserve entry's name find it for Hexi, linking to its page; Hengdong finds none
    found = [h for h in api.get("/api/search?q=锂电", actor=HEXI).json()["items"] if h["kind"] == "reserve"]
    assert [h["name"] for h in found] == ["锂电池正极材料项目"] and found[0]["reserve"]["tier_label"].startswith("A类")
    assert api.get(f"/api/reserve/{found[0]['reserve']['id']}", actor=HEXI).json()["name"] == "锂电池正极材料项目"
    assert [h for h in api.get("/api/search?q=锂电", actor=HENGDONG).json()["items"] if h["kind"] == "reserve"] == []


def test_every_answer_carries_the_security_headers(demo):
    api, _ = demo
    for path in ("/", "/static/app.js", "/api/health", "/api/projects", "/api/catalog", "/no-such-page"):
        got = requests.get(api.base + path, headers=headers(IPB_CLERK), timeout=30)
        assert "script-src 'self'" in got.headers["Content-Security-Policy"], path
        assert got.headers["X-Frame-Options"] == "DENY" and got.headers["Referrer-Policy"] == "no-referrer", path
        if path.startswith("/api/"):
            assert got.headers["Cache-Control"] == "no-store", path


def test_bad_requests_are_4xx_naming_the_problem_and_store_nothing(demo):
    api, ids = demo
    english = {**headers(IPB_CLERK), "Accept-Language": "en"}
    pid = ids["ZS2026-0001"]
    before = api.get("/api/leads?limit=500").json()["total"]
    big = api.post(f"/api/projects/{pid}/contract/versions/{2**80}/reading", {"reason": "核对"})
    assert big.status_code == 422 and "version" in big.json()["details"], big.text
    deep = requests.post(
        api.base + "/api/leads",
        data="[" * 10000 + "]" * 10000,
        headers={**english, "Content-Type": "application/json"},
        timeout=30,
    )
    assert deep.status_code == 422 and "nested" in deep.json()["details"]["body"][0], deep.text
    raw = json.dumps(lead(901), ensure_ascii=False).encode().replace("示例项目901".encode(), b"\xff\xfe bad")
    invalid = requests.post(
        api.base + "/api/leads", data=raw, headers={**english, "Content-Type": "application/json"}, timeout=30
    )
    assert invalid.status_code == 422 and "UTF-8" in invalid.json()["details"]["body"][0], invalid.text
    nul = api.post("/api/leads", lead(902, project_name="示例\x00项目"))
    assert nul.status_code == 422 and list(nul.json()["details"]) == ["project_name"], nul.text
    url = requests.get(api.base + "/api/leads/%FF%FE", headers=english, timeout=30)
    assert url.status_code == 400 and "UTF-8" in url.json()["details"]["path"][0]
    control = requests.get(api.base + "/api/projects?state=%00", headers=headers(IPB_CLERK), timeout=30)
    assert control.status_code == 400 and "query" in control.json()["details"]
    report = api.post(f"/api/projects/{pid}/accounting/report", {"opinion": "同意\x00"})  # once a 502
    assert report.status_code == 422 and "opinion" in report.json()["details"], report.text
    assert api.get("/api/leads?limit=500").json()["total"] == before
