"""R17 in the web app, in real headless Chromium: a project signed on standard land shows its commitments; FIN
enters the year's tax on the project page and the shortfall opens a rectification; the park asks for the check
after it and the damages appear with the special report to the Leading Group; the two principals reduce them, one
after the other; FIN records the payment of the rest and the receivable reads paid in full — in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared.clock import today_shanghai
from tests.browser.conftest import run_flow
from tests.e2e.test_standard_land_api import AUDIT, DRB, IND, LAND, signed_today
from tests.conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_commitments_checks_rectification_and_damages_on_the_project_page(web):
    api, base, config = web
    with ClusterRpcProxy(config, timeout=30) as rpc:
        pid = signed_today(rpc, 172)
    sl = f"/api/projects/{pid}/standard-land"
    wait_for(lambda: api.get(sl).json().get("commitments"), what="supervision heard the signing")
    year = today_shanghai().year - 1
    for actor, body in (
        (AUDIT, {"figure": "fixed_asset_investment", "value": "100000000"}),
        (LAND, {"figure": "land_used_mu", "value": "45"}),
        (LAND, {"figure": "plot_ratio", "value": "1.3"}),
        (IND, {"figure": "output", "year": year, "value": "270000000"}),
        (DRB, {"figure": "energy", "year": year, "value": "4000"}),
    ):
        assert api.post(f"{sl}/figures", {**body, "reason": "年报"}, actor=actor).status_code == 201, body
    result = run_flow(
        "standard_land",
        base=base,
        project_id=pid,
        fin="u-fin,bureau_head,FIN",
        park="u-hd-clerk,park_clerk,PARK:hengdong",
        year=year,
        magistrate="u-mag,county_magistrate,GOV",
        secretary="u-sec,party_secretary,LG",
    )
    assert all(Path(s).exists() for s in result["screenshots"])
    assert "亩均税收" in result["commitments"] and "≥ 30 万元/亩" in result["commitments"]
    assert "补缴税收差额" in result["commitments"] and "tax_per_mu" not in result["commitments"]
    assert "45 亩" in result["figures"] and "10000 万元" in result["figures"], result["figures"]  # with their units
    assert "未达承诺" in result["checks"] and "达产复核" in result["checks"]
    assert "270 万元" in result["damages"] and "(30 − 24)" in result["damages"].replace("（", "(").replace("）", ")")
    assert "已专题报告县招商引资工作领导小组" in result["report"] and "SR-" in result["report"]
    assert "拟减免 20 万元" in result["pending"] and "县委书记" in result["pending"], result["pending"]
    assert "已减免" in result["reduced"], result["reduced"]
    assert "已缴清" in result["settled"]
    [damages] = api.get(sl).json()["damages"]
    assert (damages["amount"], damages["reduced"], damages["status"]) == ("2700000.00", "200000.00", "settled")
    assert [(e["kind"], e["voucher"]) for e in damages["entries"]] == [
        ("reduction", None),
        ("payment", "FIN-BROWSER-1"),
    ]
