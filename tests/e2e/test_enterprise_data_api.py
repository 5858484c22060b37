"""The enterprise data store and the per-mu benefit evaluation (R17) through the gateway's HTTP API, over the real
RabbitMQ: the register and each unit's yearly figures imported from generated workbooks (the owning unit only), a
bad file refused row by row in Chinese with nothing stored, a figure entered by hand and audited; the yearly
evaluation of the imported enterprises per grade and per park or town, its workbook and notice, an enterprise's card
and the grade on the ledger row of the project its investor filed."""

from __future__ import annotations

import pytest
import requests

from tests import enterprises as gen
from tests.conftest import wait_for
from tests.e2e.conftest import Api
from tests.factories import lead

FIN = {"user_id": "u-fin-1", "position": "fin_clerk", "unit": "FIN"}
DRB = {"user_id": "u-drb-1", "position": "drb_clerk", "unit": "DRB"}
IND = {"user_id": "u-ind-1", "position": "ind_clerk", "unit": "IND"}
LAND = {"user_id": "u-land-1", "position": "land_clerk", "unit": "LAND"}
IPB = {"user_id": "u-ipb-1", "position": "ipb_clerk", "unit": "IPB"}
N = 36


@pytest.fixture(scope="module")
def api(module_platform):
    start, env, _config = module_platform
    start("intake", "supervision", "coordinator", "gateway")
    base = f"http://{env['ZS_GATEWAY_ADDRESS']}"
    wait_for(lambda: requests.get(base + "/health", timeout=2).ok, what="gateway up")
    return Api(base)


@pytest.fixture(scope="module")
def made():
    return gen.enterprises(N, years=(2025,))


@pytest.fixture(scope="module")
def imported(api, made):
    """The register (IPB) and each unit's file of 2025 (FIN, DRB as CSV, IND, LAND)."""
    answers = [api.post("/api/enterprises/import", gen.upload("企业名录.xlsx", gen.register_file(made)), actor=IPB)]
    for actor, kinds, name, as_csv in (
        (FIN, ("tax",), "税收.xlsx", False),
        (DRB, ("energy", "electricity"), "能耗.csv", True),
        (IND, ("output",), "产值.xlsx", False),
        (LAND, ("land",), "用地.xlsx", False),
    ):
        answers.append(
            api.post(
                "/api/enterprise-figures/import",
                gen.upload(name, gen.figures_file(made, kinds, as_csv=as_csv)),
                actor=actor,
            )
        )
    return answers


def test_each_unit_imports_its_own_figures_from_a_generated_workbook(api, made, imported):
    assert [r.status_code for r in imported] == [201] * 5, [r.text for r in imported]
    assert [r.json()["rows"] for r in imported] == [N] * 5
    one = api.get(f"/api/enterprises/{made[7].credit_code}", actor=IPB).json()
    assert one["name"] == made[7].name and one["location_name"] == made[7].location == "新塘镇"
    assert {k: float(v) for k, v in one["figures"]["2025"].items()} == {
        k: float(v) for k, v in made[7].figures[2025].items()
    }
    page = api.get("/api/enterprises?year=2025&location=PARK:hexi&limit=100", actor=IPB).json()
    assert page["total"] == sum(1 for e in made if e.location == "河西新区")
    imports = api.get("/api/figure-imports", actor=IPB).json()
    assert {i["filename"] for i in imports} >= {"企业名录.xlsx", "税收.xlsx", "能耗.csv", "产值.xlsx", "用地.xlsx"}


def test_a_bad_file_is_refused_row_by_row_in_chinese_and_stores_nothing(api, made, imported):
    before = api.get(f"/api/enterprises/{made[0].credit_code}", actor=IPB).json()
    rows = [[e.credit_code, 2025, float(e.figures[2025]["tax"]) + 1] for e in made[:10]]
    rows[3][0] = rows[3][0][:17] + (
        "0" if rows[3][0][17] != "0" else "1"
    )  # sheet row 6 (a title, the headings, then rows)
    rows[6][2] = "-3"  # sheet row 9: out of range
    content = gen._xlsx(["统一社会信用代码", "年度", "税收（万元）"], rows, "企业年度数据")
    r = api.post("/api/enterprise-figures/import", gen.upload("税收有误.xlsx", content), actor=FIN)
    assert r.status_code == 422, r.text
    body = r.json()
    assert "未导入" in body["message"] and "第6行" in body["message"] and "第9行" in body["message"]
    assert "校验码" in body["message"] and "超出合理范围" in body["message"]
    assert set(body["details"]) == {"数据!6.code", "数据!9.tax"}
    after = api.get(f"/api/enterprises/{made[0].credit_code}", actor=IPB).json()
    assert after["figures"] == before["figures"]  # the good rows of the file were not stored either
    assert "税收有误.xlsx" not in {i["filename"] for i in api.get("/api/figure-imports", actor=IPB).json()}
    r = api.post("/api/enterprise-figures/import", gen.upload("税收.xlsx", gen.figures_file(made, ("tax",))), actor=DRB)
    assert r.status_code == 403 and "税收" in r.json()["message"]


def test_a_figure_entered_by_hand_by_its_owner_is_audited(api, made, imported):
    code = made[2].credit_code
    r = api.put(
        f"/api/enterprises/{code}/figures/2025/land",
        {"value": "30000", "unit": "平方米", "reason": "实地测量更正"},
        actor=LAND,
    )
    assert r.status_code == 200, r.text
    assert r.json()["figures"]["2025"]["land"] == "45"
    change = r.json()["changes"][-1]
    assert change["reason"] == "实地测量更正" and change["kind_name"] == "用地面积" and change["by"]["unit"] == "LAND"
    r = api.put(f"/api/enterprises/{code}/figures/2025/land", {"value": "1", "reason": "x"}, actor=FIN)
    assert r.status_code == 403


def test_the_yearly_evaluation_grades_the_imported_enterprises_and_the_grade_reaches_the_ledger(api, made, imported):
    investor = made[11]
    body = lead(27, planned_annual_output="300000000", planned_annual_tax="15000000", planned_annual_energy="500")
    body["investor"]["credit_code"] = investor.credit_code
    project = api.post("/api/leads", body, actor=IPB)
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    assert api.post(f"/api/leads/{project_id}/file", {}, actor=IPB).status_code in (200, 201)
    wait_for(
        lambda: (r := api.get(f"/api/projects/{project_id}/ledger", actor=IPB)).ok and r.json()["state"] == "filed",
        what="the project filed on the ledger",
    )
    refused = api.post("/api/benefit-evaluations/2025", actor=FIN)
    assert refused.status_code == 403
    r = api.post("/api/benefit-evaluations/2025", actor=IPB)
    assert r.status_code == 201, r.text
    result = r.json()
    counts = result["per_grade"]
    n = result["graded"]
    assert n + counts["T"] == N and n >= 30
    assert (counts["A"], counts["B"], counts["D"]) == (
        int(0.2 * n + 0.5),
        int(0.4 * n + 0.5),
        max(1, int(0.05 * n + 0.5)),
    )
    assert result["grade_names"]["A"] == "A类（优先发展）"
    assert sum(sum(p["grades"].values()) for p in result["per_location"]) == N
    hexi = api.get("/api/benefit-evaluations/2025?location=PARK:hexi", actor=IPB).json()
    assert {x["location_name"] for x in hexi["items"]} == {"河西新区"}
    graded = [x for x in result["items"] if x["status"] == "graded"]
    assert [x["rank"] for x in graded] == list(range(1, n + 1))
    mine = next(x for x in result["items"] if x["credit_code"] == investor.credit_code)
    card = api.get(f"/api/enterprises/{investor.credit_code}/benefit?year=2025", actor=IPB).json()
    assert card["grade"] == mine["grade"] and card["total"] == mine["total"]
    assert [i["name"] for i in card["indicators"]] == ["亩均税收", "亩均产值", "单位能耗税收"]
    row = wait_for(
        lambda: (
            (r := api.get(f"/api/projects/{project_id}/ledger", actor=IPB)).ok and r.json().get("benefit") and r.json()
        ),
        what="the grade on the ledger row",
    )
    assert row["benefit"]["grade"] == mine["grade"] and row["benefit"]["year"] == 2025
    book = api.get("/api/benefit-evaluations/2025/document.xlsx", actor=IPB)
    assert book.status_code == 200 and book.content[:2] == b"PK"
    notice = api.get("/api/benefit-evaluations/2025/document.docx", actor=IPB)
    assert notice.status_code == 200 and notice.content[:2] == b"PK"
    # §5: the lead's planned yearly figures (yuan) travel with it; the forecast ranks them among the graded
    facts = api.get(f"/api/projects/{project_id}", actor=IPB).json()["facts"]
    assert (facts["planned_annual_output"], facts["planned_annual_tax"]) == ("300000000.00", "15000000.00")
    r = api.post(
        "/api/benefit-forecast",
        {"output": "30000", "tax": "1500", "energy": "500", "land_mu": "45"},
        actor={"user_id": "u-drb-9", "position": "reviewer", "unit": "DRB"},
    )
    assert r.status_code == 200, r.text
    forecast = r.json()
    assert forecast["compared_with"] == 2025 and forecast["of"] == n + 1 and forecast["grade"] in "ABCD"
    assert [i["name"] for i in forecast["indicators"]] == ["亩均税收", "亩均产值", "单位能耗税收"]
