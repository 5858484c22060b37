"""The enterprise data store and the per-mu benefit evaluation in real headless Chromium, at 1366 px and at 390 px.

FIN imports its tax file in the browser — first one with a bad credit code and a figure out of range (refused,
naming the rows and columns in Chinese; nothing stored), then the good one; IPB runs the 2025 evaluation of the 36
enterprises and sees each one's grade, the counts per grade and per park or town, grade A alone, the notice
downloads, and an enterprise's card shows its indicators against the baselines; a lead registered with its planned
yearly figures shows its forecast grade on its page.  Screenshots:
tests/browser/output/bf-*.png.
"""

from __future__ import annotations

import pytest
import requests

from tests import enterprises as gen
from tests.browser.conftest import run_flow
from tests.browser.driver import CHROMIUM
from tests.conftest import wait_for
from tests.e2e.conftest import Api
from tests.factories import lead

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

FIN = "bf-fin,fin_clerk,FIN"
IPB = "bf-ipb,ipb_clerk,IPB"
N = 36


def actor(text: str) -> dict:
    user_id, position, unit = text.split(",")
    return {"user_id": user_id, "position": position, "unit": unit}


@pytest.fixture(scope="module")
def web(module_platform):
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    start, env, _config = module_platform
    start("intake", "supervision", "gateway", ZS_TRUST_ACTOR_HEADERS="true")
    base = f"http://{env['ZS_GATEWAY_ADDRESS']}"
    wait_for(lambda: requests.get(base + "/health", timeout=2).ok, what="gateway up")
    return Api(base), base


@pytest.fixture(scope="module")
def made(web, tmp_path_factory):
    """The register and every figure but the tax, imported by their units through the API."""
    api, _ = web
    made = gen.enterprises(N)
    assert (
        api.post(
            "/api/enterprises/import", gen.upload("名录.xlsx", gen.register_file(made)), actor=actor(IPB)
        ).status_code
        == 201
    )
    for who, kinds in (
        ("bf-drb,drb_clerk,DRB", ("energy",)),
        ("bf-ind,ind_clerk,IND", ("output",)),
        ("bf-land,land_clerk,LAND", ("land",)),
    ):
        r = api.post(
            "/api/enterprise-figures/import", gen.upload("f.xlsx", gen.figures_file(made, kinds)), actor=actor(who)
        )
        assert r.status_code == 201, r.text
    return made


@pytest.fixture(scope="module")
def files(made, tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    bad = [[e.credit_code, 2025, str(e.figures[2025]["tax"])] for e in made]
    bad[4][0] = bad[4][0][:17] + ("0" if bad[4][0][17] != "0" else "1")  # row 6 of the file
    bad[9][2] = "-12"  # row 11
    (folder / "税收有误.csv").write_bytes(gen._csv(["统一社会信用代码", "年度", "税收（万元）"], bad))
    (folder / "税收.csv").write_bytes(gen.figures_file(made, ("tax",), as_csv=True))
    return {"bad": str(folder / "税收有误.csv"), "good": str(folder / "税收.csv")}


@pytest.mark.parametrize("width", [1366, 390])
def test_fin_imports_its_tax_file_and_ipb_sees_every_grade(web, made, files, width):
    api, base = web
    seen = run_flow(
        "benefit_flows:import_figures",
        base=base,
        actor=FIN,
        bad=files["bad"],
        good=files["good"],
        who="fin",
        width=width,
    )
    assert "第6行" in seen["refusal"] and "校验码" in seen["refusal"]
    assert "第11行" in seen["refusal"] and "超出合理范围" in seen["refusal"] and "未导入" in seen["refusal"]
    assert f"已导入{N}行" in seen["imported"]
    seen = run_flow("benefit_flows:evaluate", base=base, actor=IPB, who="ipb", code=made[0].credit_code, width=width)
    assert sorted(seen["grades"]) == sorted(["A"] * 7 + ["B"] * 14 + ["C"] * 13 + ["D"] * 2)
    assert "A类 7" in seen["tabs"] and "D类 2" in seen["tabs"]
    assert "衡东工业园" in seen["places"] and "杨桥镇" in seen["places"]
    assert "亩均税收28万元/亩" in seen["method"]
    assert seen["only_a"] == ["A"] * 7
    assert seen["notice"].endswith(".docx")
    card = api.get(f"/api/enterprises/{made[0].credit_code}/benefit?year=2025", actor=actor(IPB)).json()
    assert seen["card_grade"] == card["grade"] and "亩均税收" in seen["card"] and "28 万元/亩" in seen["card"]


def test_a_lead_with_its_planned_yearly_figures_shows_its_forecast_grade(web, made, files):
    api, base = web
    if api.get("/api/benefit-evaluations/2025", actor=actor(IPB)).status_code == 404:
        run_flow("benefit_flows:import_figures", base=base, actor=FIN, bad=files["bad"], good=files["good"], who="fin")
        assert api.post("/api/benefit-evaluations/2025", actor=actor(IPB)).status_code == 201
    # 45 亩: 5,000 万元 of tax is 111 万元/亩, far above every enterprise graded → A, first
    body = lead(61, planned_annual_output="900000000", planned_annual_tax="50000000", planned_annual_energy="3000")
    registered = api.post("/api/leads", body, actor=actor(IPB))
    assert registered.status_code == 201, registered.text
    seen = run_flow("benefit_flows:forecast", base=base, actor=IPB, lead_id=registered.json()["id"], who="ipb")
    assert seen["grade"] == "A" and "第1位" in seen["text"] and "亩均税收" in seen["text"]
