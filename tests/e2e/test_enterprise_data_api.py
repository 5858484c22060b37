"""The enterprise data store and the per-mu benefit evaluation (R17) through the gateway's HTTP API, over the real
RabbitMQ: the register and each unit's yearly figures imported from generated workbooks (the owning unit only), a
bad file refused row by row in Chinese with nothing stored, a figure entered by hand and audited."""
from __future__ import annotations

import pytest
import requests

from tests import enterprises as gen
from tests.conftest import wait_for
from tests.e2e.conftest import Api

FIN = {"user_id": "u-fin-1", "position": "fin_clerk", "unit": "FIN"}
DRB = {"user_id": "u-drb-1", "position": "drb_clerk", "unit": "DRB"}
IND = {"user_id": "u-ind-1", "position": "ind_clerk", "unit": "IND"}
LAND = {"user_id": "u-land-1", "position": "land_clerk", "unit": "LAND"}
IPB = {"user_id": "u-ipb-1", "position": "ipb_clerk", "unit": "IPB"}
N = 36


@pytest.fixture(scope="module")
def api(module_platform):
    start, env, _config = module_platform
    start("supervision", "coordinator", "gateway")
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
    for actor, kinds, name, as_csv in ((FIN, ("tax",), "税收.xlsx", False), (DRB, ("energy", "electricity"), "能耗.csv", True),
                                       (IND, ("output",), "产值.xlsx", False), (LAND, ("land",), "用地.xlsx", False)):
        answers.append(api.post("/api/enterprise-figures/import",
                                gen.upload(name, gen.figures_file(made, kinds, as_csv=as_csv)), actor=actor))
    return answers


def test_each_unit_imports_its_own_figures_from_a_generated_workbook(api, made, imported):
    assert [r.status_code for r in imported] == [201] * 5, [r.text for r in imported]
    assert [r.json()["rows"] for r in imported] == [N] * 5
    one = api.get(f"/api/enterprises/{made[7].credit_code}", actor=IPB).json()
    assert one["name"] == made[7].name and one["location_name"] == made[7].location == "新塘镇"
    assert {k: float(v) for k, v in one["figures"]["2025"].items()} == \
        {k: float(v) for k, v in made[7].figures[2025].items()}
    page = api.get("/api/enterprises?year=2025&location=PARK:hexi&limit=100", actor=IPB).json()
    assert page["total"] == sum(1 for e in made if e.location == "河西新区")
    imports = api.get("/api/figure-imports", actor=IPB).json()
    assert {i["filename"] for i in imports} >= {"企业名录.xlsx", "税收.xlsx", "能耗.csv", "产值.xlsx", "用地.xlsx"}


def test_a_bad_file_is_refused_row_by_row_in_chinese_and_stores_nothing(api, made, imported):
    before = api.get(f"/api/enterprises/{made[0].credit_code}", actor=IPB).json()
    rows = [[e.credit_code, 2025, float(e.figures[2025]["tax"]) + 1] for e in made[:10]]
    rows[3][0] = rows[3][0][:17] + ("0" if rows[3][0][17] != "0" else "1")   # sheet row 6 (a title, the headings, then rows)
    rows[6][2] = "-3"                                                          # sheet row 9: out of range
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
    r = api.post("/api/enterprise-figures/import", gen.upload("税收.xlsx", gen.figures_file(made, ("tax",))),
                 actor=DRB)
    assert r.status_code == 403 and "税收" in r.json()["message"]


def test_a_figure_entered_by_hand_by_its_owner_is_audited(api, made, imported):
    code = made[2].credit_code
    r = api.put(f"/api/enterprises/{code}/figures/2025/land", {"value": "30000", "unit": "平方米",
                                                                "reason": "实地测量更正"}, actor=LAND)
    assert r.status_code == 200, r.text
    assert r.json()["figures"]["2025"]["land"] == "45"
    change = r.json()["changes"][-1]
    assert change["reason"] == "实地测量更正" and change["kind_name"] == "用地面积" and change["by"]["unit"] == "LAND"
    r = api.put(f"/api/enterprises/{code}/figures/2025/land", {"value": "1", "reason": "x"}, actor=FIN)
    assert r.status_code == 403
