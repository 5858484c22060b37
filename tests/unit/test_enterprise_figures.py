"""The enterprise data store (R17): the rules of an import (services/supervision/figures.py) and the service's
imports, hand entry and reads, driven through its methods over a real SQLite database (tests/harness.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from services.supervision import figures
from shared.clock import SHANGHAI
from shared.errors import InvalidInput, NotAllowed
from shared.i18n import text
from shared.policy import load_policy
from tests import enterprises as gen
from tests.enterprises import DRB, FIN, IND, IPB, LAND

POLICY = load_policy()
T0 = dt.datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def s(tmp_path):
    harness, engine = gen.supervision(tmp_path / "supervision.db", POLICY, T0)
    yield harness
    engine.dispose()


def zh(error) -> str:
    return text(error.msg, "zh_CN")


# -- the rules of a file -----------------------------------------------------------------------------------------
def test_a_good_file_gives_every_figure_in_the_unit_it_is_kept_in():
    made = gen.enterprises(3)
    read = figures.read_figures("tax.xlsx", gen.figures_file(made, ("tax", "land")), POLICY, 2026)
    assert read.problems == [] and read.rows == 3 and read.kinds == ("tax", "land")
    assert (made[0].credit_code, 2025, "tax", made[0].figures[2025]["tax"]) in read.figures
    assert read.register[made[1].credit_code] == {"name": made[1].name}


def test_a_heading_in_yuan_or_square_metres_is_converted_exactly():
    content = gen._csv(
        ["统一社会信用代码", "年度", "税收（元）", "用地面积（平方米）"], [[gen.code(1), 2025, "1234567.89", "20000"]]
    )
    read = figures.read_figures("x.csv", content, POLICY, 2026)
    assert read.problems == []
    assert dict(((k, v) for _c, _y, k, v in read.figures)) == {"tax": Decimal("123.456789"), "land": Decimal("30")}


def test_a_gbk_csv_as_excel_saves_it_is_read():
    content = gen._csv(["统一社会信用代码", "年度", "综合能耗（吨标准煤）"], [[gen.code(1), 2025, "12.5"]], "gb18030")
    assert figures.read_figures("x.csv", content, POLICY, 2026).figures == [
        (gen.code(1), 2025, "energy", Decimal("12.5"))
    ]


def test_every_bad_row_is_named_by_row_and_column_with_its_reason():
    good, bad_code = gen.code(1), gen.code(2)[:17] + ("0" if gen.code(2)[17] != "0" else "1")
    content = gen._xlsx(
        ["统一社会信用代码", "年度", "税收（万元）"],
        [
            [good, 2025, 10],  # row 3
            [bad_code, 2025, 10],  # row 4: check character
            [gen.code(3), 2031, 10],  # row 5: a future year
            [gen.code(4), 2025, "十万"],  # row 6: not a number
            [gen.code(5), 2025, -1],  # row 7: out of range
            [good, 2025, 11],  # row 8: twice
        ],
        title="企业年度数据",
    )
    read = figures.read_figures("tax.xlsx", content, POLICY, 2026)
    where = {(p.row, p.heading) for p in read.problems}
    assert where == {
        (4, "统一社会信用代码"),
        (5, "年度"),
        (6, "税收（万元）"),
        (7, "税收（万元）"),
        (8, "统一社会信用代码"),
    }
    said = {p.row: text(p.rules[0], "zh_CN") for p in read.problems}
    assert "校验码" in said[4] and "2015" in said[5] and "十万" in said[6] and "范围" in said[7] and "第3行" in said[8]


def test_a_heading_without_a_known_unit_is_refused():
    content = gen._xlsx(["统一社会信用代码", "年度", "税收（千元）", "综合能耗"], [[gen.code(1), 2025, 1, 2]])
    read = figures.read_figures("x.xlsx", content, POLICY, 2026)
    assert {p.heading for p in read.problems} == {"税收（千元）", "综合能耗"}
    assert "万元" in text(read.problems[0].rules[0], "zh_CN")


# -- the service ------------------------------------------------------------------------------------------------
def test_each_unit_imports_its_own_figures_and_they_are_read_back(s):
    made = gen.enterprises(30)
    s.import_enterprises(IPB, gen.upload("名录.xlsx", gen.register_file(made)))
    answer = s.import_figures(FIN, gen.upload("税收.xlsx", gen.figures_file(made, ("tax",))))
    assert (answer["rows"], answer["added"], answer["changed"], answer["kinds"]) == (30, 30, 0, ["tax"])
    s.import_figures(DRB, gen.upload("能耗.csv", gen.figures_file(made, ("energy", "electricity"), as_csv=True)))
    s.import_figures(IND, gen.upload("产值.xlsx", gen.figures_file(made, ("output",))))
    s.import_figures(LAND, gen.upload("用地.xlsx", gen.figures_file(made, ("land",))))
    one = s.enterprise(IPB, made[4].credit_code)
    assert one["name"] == made[4].name and one["location"] == "TOWN:yangqiao" and one["production_year"] == 2019
    assert {k: Decimal(v) for k, v in one["figures"]["2025"].items()} == made[4].figures[2025]
    page = s.enterprises(IPB, "2025", "PARK:hengdong")
    assert page["total"] == 6 and all(len(e["figures"]["2025"]) == 5 for e in page["items"])


def test_a_unit_may_not_import_a_kind_it_does_not_own(s):
    made = gen.enterprises(2)
    with pytest.raises(NotAllowed):
        s.import_figures(DRB, gen.upload("税收.xlsx", gen.figures_file(made, ("tax",))))
    with pytest.raises(NotAllowed):
        s.import_figures(FIN, gen.upload("混合.xlsx", gen.figures_file(made, ("tax", "energy"))))
    assert s.rows("enterprise_figures") == [] and s.rows("figure_imports") == []


def test_a_file_with_one_bad_row_stores_nothing(s):
    made = gen.enterprises(40)
    content = gen._xlsx(
        ["统一社会信用代码", "年度", "税收（万元）"],
        [[e.credit_code, 2025, float(e.figures[2025]["tax"])] for e in made] + [["123", 2025, 1]],
    )
    with pytest.raises(InvalidInput) as refused:
        s.import_figures(FIN, gen.upload("税收.xlsx", content))
    assert "第42行" in zh(refused.value) and "统一社会信用代码" in zh(refused.value) and "未导入" in zh(refused.value)
    assert s.rows("enterprise_figures") == [] and s.rows("figure_imports") == [] and s.rows("enterprises") == []


def test_a_reimport_replaces_changed_figures_and_audits_them(s):
    made = gen.enterprises(3)
    s.import_figures(FIN, gen.upload("税收.xlsx", gen.figures_file(made, ("tax",))))
    made[0].figures[2025]["tax"] += 1
    answer = s.import_figures(FIN, gen.upload("税收更正.xlsx", gen.figures_file(made, ("tax",))))
    assert (answer["added"], answer["changed"]) == (0, 1)
    [change] = s.rows("figure_changes")
    assert change["credit_code"] == made[0].credit_code and change["import_id"] == answer["import_id"]
    assert change["new_value"] - change["old_value"] == 1


def test_a_figure_entered_by_hand_by_its_owner_is_audited_with_its_reason(s):
    code = gen.code(7)
    one = s.enter_figure(LAND, code, 2025, "land", {"value": "20000", "unit": "平方米", "reason": "实地测量更正"})
    assert one["figures"]["2025"]["land"] == "30"
    [change] = one["changes"]
    assert change["old_value"] is None and change["new_value"] == "30" and change["reason"] == "实地测量更正"
    assert change["by"]["unit"] == "LAND" and text(change["kind_name"], "zh_CN") == "用地面积"
    with pytest.raises(NotAllowed):
        s.enter_figure(FIN, code, 2025, "land", {"value": "1", "reason": "x"})
    with pytest.raises(InvalidInput) as refused:
        s.enter_figure(FIN, code, 2025, "tax", {"value": "-5", "reason": "x"})
    assert "范围" in zh(refused.value)
    with pytest.raises(InvalidInput) as refused:
        s.enter_figure(FIN, code[:17] + "Z", 2025, "tax", {"value": "5", "reason": "x"})
    assert "统一社会信用代码" in zh(refused.value)
    with pytest.raises(InvalidInput):
        s.enter_figure(FIN, code, 2025, "tax", {"value": "5", "unit": "千元", "reason": "x"})
