"""`zhaoshang demo` — the README's walk through the lifecycle — works against the running platform."""

from __future__ import annotations

import os
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
    assert "review concluded: approved, 2 conditions carried forward" in out
    assert "decision route: within authority — decides park_head:hengdong" in out
    # R5: a decision within authority may refuse; IPB renegotiates; the contract is composed from the decision
    assert "park_head:hengdong decides: refuse — 环保措施未落实，暂不同意 (IPB notified)" in out
    assert "IPB renegotiates: back to negotiation, round 2" in out
    assert "drafted by IPB (a Word document) from the decided terms: 45 mu, 150000000 yuan, intensity 222.22" in out
    assert "甲方 衡东工业园管理委员会" in out  # the contracting party by its full name
    # what the API says is printed as the county's staff read it (DEMO_LANGUAGE zh-CN): names, never codes
    assert (
        "IPB drafts a version at 80 mu: refused — 422 合同草稿与有效决策不一致：用地（亩）：须与决策确定的45一致" in out
    )
    assert "county_magistrate tries to sign: refused — 403 决策路径确定的签约人为衡东工业园管委会主任，不是县长" in out
    assert "· 约定用地45.00 亩，不超过60.00 亩" in out and "· 约定用地75.00 亩，大于60.00 亩" in out
    assert "= 9,000万元 ÷ 45.00 亩" in out and "= 4.50 亩 × 18.00 万元/亩" in out  # the formulas in the county's units
    assert "by 刘文员（县招商局招商局工作人员）  材料齐全，予以立项" in out  # the timeline names persons
    assert "6 copies: refused — 422 合同归档材料不全：已登记正本6份，至少须8份；衡东工业园未持有正本" in out
    assert "filed: No.1 GOV" in out
    assert "START 按期开工建设 (due " in out and "PRODUCTION 全面建成投产 (due " in out  # R6: created at signing
    assert "obligations checked today: 0 lapsed" in out
    assert "state: construction" in out
    # R12: the fee is one receivable — FIN's and LEGAL's payments add up, the rest written off by the principals
    assert "the fee is one receivable: 810000.00 yuan owed by the investor" in out
    assert "FIN records 500000.00 yuan paid (voucher FIN-2026-031): 310000.00 yuan outstanding" in out
    assert "LEGAL records 400000.00: refused — 422 金额：超过应追缴费用810,000.00 元尚欠的310,000.00 元" in out
    assert "LEGAL records 300000.00 yuan recovered by court enforcement: 10000.00 yuan outstanding" in out
    assert "receivable written_off: 800000.00 paid + 10000.00 written off = 810000.00 yuan; accounting closed" in out
    assert "decision route: ESCALATED — decides party_secretary + county_magistrate" in out
    assert "party_secretary decides: agree" in out and out.count("state: agreed") >= 2
    assert "平板玻璃制造（C3041）属淘汰类" in out and "state: rejected" in out
    # R11 termination and the notifications the first project produced
    assert "terminates it without a special report: refused — 422 专题报告：专题报告登记簿中没有SR-ZS2026-0002-1" in out
    assert "state terminated" in out
    notes = out[out.index("notifications of project ZS2026-0001:") :]
    refused = "【招商】决策不同意：ZS2026-0001 年产5万吨高性能铝合金型材项目"  # R5: IPB (and the park) notified
    assert refused in notes.split("e-mail delivered")[0]  # in the park's inbox
    assert f"to zhaoshang@ipb.example.gov.cn, zhaoshang@hengdong.example.gov.cn — {refused}" in notes
    assert f'{{"msgtype": "text", "text": {{"content": "{refused}' in notes
    assert "email delivered ×1" in notes and "webhook delivered ×1" in notes
    # the ledger, key projects, the reserve and catalog, the LG's targets
    ledger = out[out.index("== the ledger") :]
    today = today_shanghai()
    year, quarter = today.year, f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    assert "ZS2026-0004: 160000000.00 yuan → tier A, key project by the threshold" in ledger
    assert "王县长's own list: ZS2026-0004" in ledger
    assert f"reserve {year}: A 1/5 (short 4) · B 1/5 (short 4) · C 1/5 (short 4); shortfall 12" in ledger
    assert f'public catalog (no sign-in): {{"ref": "CB{year}-0001", "name": "锂电池正极材料项目"' in ledger
    assert "保密" not in ledger and "孙经理" not in ledger
    for book in (
        "重点招商信息台账 (information): 2 row(s)",
        "在谈项目台账 (negotiation): 1 row(s)",
        "签约项目台账 (contracted): 1 row(s)",
    ):
        assert book in ledger
    assert f"targets {year} 衡东工业园: signed 1 of 4 (25.00%)" in ledger  # names in the language asked (Chinese)
    written = sorted(p.name for p in out_dir.iterdir())
    assert [n for n in written if n.startswith(("ledger-", "summary-"))] == [
        next(n for n in written if n.startswith("ledger-")),
        f"summary-{quarter}.docx",
        f"summary-{quarter}.xlsx",
    ]
    for name in written:
        if name.startswith(("ledger-", "summary-")):
            assert f"written {out_dir / name}" in ledger
    # the Leading Group's own work and the land reserve, said in Chinese from the message catalogue
    group = out[out.index("== the Leading Group and the land reserve") :]
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
