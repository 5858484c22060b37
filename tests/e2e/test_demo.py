"""`zhaoshang demo` — the README's walk through the lifecycle — works against the running platform."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from shared.clock import today_shanghai
from zhaoshang.supervisor import ROOT

pytestmark = pytest.mark.e2e


def test_the_demo_runs_through_every_state_built_so_far(api, platform_env, tmp_path):
    out_dir = tmp_path / "demo"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhaoshang.cli",
            "demo",
            "--url",
            f"http://{platform_env['ZS_GATEWAY_ADDRESS']}",
            "--out",
            str(out_dir),
        ],
        cwd=ROOT,
        env={**os.environ, **platform_env},
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    # R18: the demo narrates in Chinese from the message catalogue: names, never codes; 万元, 亩; Shanghai times
    leaks = [
        code
        for code in (
            "park_head:",
            "PARK:",
            "county_magistrate",
            "party_secretary",
            "county_industrial_plan",
            "command:",
            " mu)",
            " mu,",
            " yuan",
            "(C3252,",
            "(due ",
            "registered lead",
            "review convened",
            "decision route",
            "refused —",
            "state:",
            "timeline",
            "written ",
            "notifications of",
            "== the",
        )
        if code in out
    ]
    assert not leaks, (leaks, out)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", out), out  # no ISO timestamps
    assert not re.search(r"(?<![-\w])(intake|review|negotiation|contracts|accounting)\.[a-z_]+", out), (
        out
    )  # no event codes
    english = re.search(r"^\s*(?!ZS\d)[A-Za-z].*$", out, re.MULTILINE)  # a line begins in Chinese, a ref, · or ==
    assert not english, english.group(0)
    assert "登记线索ZS2026-0001：年产5万吨高性能铝合金型材项目（铝压延加工（C3252），45.00 亩）" in out
    assert (
        "召集联合审查：县发改局、县工信局、县财政局、县环保局、县国土资源局、县规划局和衡东工业园参加；审查期限" in out
    )
    assert "核查县域产业规划：符合 — " in out
    assert "联合审查已结束：通过，附带条件2项" in out
    assert "责任单位：衡东工业园（县招商局确认）" in out
    assert "第1次洽谈（前期洽谈），由衡东工业园管委会主任主持：商定总投资1.5亿元；供地方式：挂牌出让" in out
    assert "决策路径：权限内决策 — 由衡东工业园管委会主任决定；衡东工业园管委会主任签约" in out
    # R5: a decision within authority may refuse; IPB renegotiates; the contract is composed from the decision
    assert "衡东工业园管委会主任决定：不同意 — 环保措施未落实，暂不同意（已通知县招商局）" in out
    assert "县招商局重新洽谈：回到洽谈阶段，第2轮" in out
    assert (
        "县招商局按决策确定的条件起草合同第1版（Word文档）：用地45.00 亩，总投资15,000.00 万元，投资强度222.22 万元/亩"
        in out
    )
    assert "甲方：衡东工业园管理委员会" in out  # the contracting party by its full name
    # what the API says is printed as the county's staff read it (DEMO_LANGUAGE zh-CN): names, never codes
    assert "县招商局按80.00 亩起草合同：被拒绝 — 422 合同草稿与有效决策不一致：用地（亩）：须与决策确定的45一致" in out
    assert "县长试图签约：被拒绝 — 403 决策路径确定的签约人为衡东工业园管委会主任，不是县长" in out
    assert "· 约定用地45.00 亩，不超过60.00 亩" in out and "· 约定用地75.00 亩，大于60.00 亩" in out
    assert "= 9,000万元 ÷ 45.00 亩" in out and "= 4.50 亩 × 18.00 万元/亩" in out  # the formulas in the county's units
    assert "超出合理用地：4.50 亩 = " in out and "应追缴费用：81.00 万元 = " in out  # the figures by name
    # the timeline names persons, at Shanghai times in Chinese
    assert re.search(
        r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}  线索 → 已立项，经办：刘文员（县招商局招商局工作人员）  材料齐全，予以立项",
        out,
    ), out
    assert "登记6份正本：被拒绝 — 422 合同归档材料不全：已登记正本6份，至少须8份；衡东工业园未持有正本" in out
    assert "已归档：第1份 县政府办" in out
    assert "START 按期开工建设（期限" in out and "PRODUCTION 全面建成投产（期限" in out  # R6: created at signing
    assert "今日核查合同义务：逾期0项" in out
    assert "状态：建设中" in out
    # R12: the fee is one receivable — FIN's and LEGAL's payments add up, the rest written off by the principals
    assert "应追缴费用为一笔应收款：投资方应缴810,000.00 元" in out
    assert "县财政局登记已缴500,000.00 元（凭证FIN-2026-031）：尚欠310,000.00 元" in out
    assert "县法制办登记400,000.00 元：被拒绝 — 422 金额：超过应追缴费用810,000.00 元尚欠的310,000.00 元" in out
    assert "县法制办登记法院强制执行追回300,000.00 元：尚欠10,000.00 元" in out
    assert "应收款已核销：已缴800,000.00 元 + 核销10,000.00 元 = 810,000.00 元；核算已结束" in out
    assert "决策路径：提级决策 — 由县委书记和县长决定；由衡东工业园管委会主任提出建议；县长签约" in out
    assert "县委书记决定：同意" in out and out.count("状态：同意签约") >= 2
    assert "平板玻璃制造（C3041）属淘汰类" in out and "状态：审查否决" in out
    # R11 termination and the notifications the first project produced
    assert "招商局局长未附专题报告终止项目：被拒绝 — 422 专题报告：专题报告登记簿中没有SR-ZS2026-0002-1" in out
    assert "终止项目：状态已终止" in out
    notes = out[out.index("项目ZS2026-0001的通知：") :]
    refused = "【招商】决策不同意：ZS2026-0001 年产5万吨高性能铝合金型材项目"  # R5: IPB (and the park) notified
    assert refused in notes.split("已发往演示用邮件服务器的电子邮件")[0]  # in the park's inbox
    assert f"收件人zhaoshang@ipb.example.gov.cn, zhaoshang@hengdong.example.gov.cn — {refused}" in notes
    assert f'{{"msgtype": "text", "text": {{"content": "{refused}' in notes
    assert "电子邮件已送达×1" in notes and "群机器人已送达×1" in notes
    # the ledger, key projects, the reserve and catalog, the LG's targets
    ledger = out[out.index("== 台账、重点项目、项目储备、公开项目库、领导小组目标任务") :]
    today = today_shanghai()
    year, quarter = today.year, f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    assert "ZS2026-0004：总投资16,000.00 万元 → A类，达到重点项目标准" in ledger
    assert "王县长联系的项目：ZS2026-0004" in ledger
    assert f"{year}年项目储备：A类1/5个（缺4个）；B类1/5个（缺4个）；C类1/5个（缺4个）；共缺12个" in ledger
    assert f'公开项目库（无需登录）：{{"ref": "CB{year}-0001", "name": "锂电池正极材料项目"' in ledger
    assert "保密" not in ledger and "孙经理" not in ledger
    for book in ("重点招商信息台账：2行", "在谈项目台账：1行", "签约项目台账：1行"):
        assert book in ledger
    assert "ZS2026-0002 年产10GWh锂离子电池项目 — 已终止（0天）；衡东工业园，" in ledger  # the unit by its name
    assert f"{year}年目标任务 衡东工业园：签约1/4个（25.00%）" in ledger  # names in the language asked (Chinese)
    written = sorted(p.name for p in out_dir.iterdir())
    assert [n for n in written if n.startswith(("ledger-", "summary-"))] == [
        next(n for n in written if n.startswith("ledger-")),
        f"summary-{quarter}.docx",
        f"summary-{quarter}.xlsx",
    ]
    for name in written:
        if name.startswith(("ledger-", "summary-")):
            assert f"已写入{out_dir / name}" in ledger
    # the Leading Group's own work and the land reserve, said in Chinese from the message catalogue
    group = out[out.index("== 领导小组与土地储备") :]
    assert "领导小组成员名单已导入：10人；办公室设在县招商局，主任陈局长" in group, group
    assert (
        f"“2026年新材料产业招商推介会”于{year}年" in group
        and "在长沙举办：费用28.00 万元；关联线索ZS2026-0001" in group
    ), group
    assert f"{year}年招商活动成效：带来线索1条，签约1个；每个签约项目成本28.00 万元" in group, group  # the lead signed
    assert "县国土资源局导入土地储备：8个地块，其中可供地6个" in group, group
    matched = group[group.index("适合ZS2026-0004（衡东工业园，50.00 亩）的地块：") :].splitlines()[0]
    assert "HD-02 衡东园二号地块 60.00 亩" in matched and "HX-01" not in matched, matched  # ready, in the park, fits
    assert "考核：衡东工业园得分" in group and "排名第1" in group and "等次" in group, group
