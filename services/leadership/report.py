"""The effectiveness of the year's investment events as an Excel workbook (Chinese headings, 万元 as numbers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping

from shared.policy import Policy
from shared.sheets import Table, workbook
from shared.vocabulary import channel_name, unit_name

STATUS_ZH = {"planned": "计划", "held": "已举办", "cancelled": "已取消"}


def _wan(yuan) -> Decimal | None:
    return None if yuan is None else Decimal(yuan) / 10000


def render_xlsx(data: Mapping, policy: Policy) -> bytes:
    kinds = policy.get("leading_group.event_kinds")
    county = policy.get("county.county.name_zh")
    note = "金额单位：万元；已举办的活动按实际费用计，计划中的活动按预算计；签约项目为活动引来并已签约的项目"
    events = Table(
        "招商活动",
        f"{county}{data['year']}年招商活动成效统计表",
        note,
        [
            "活动编号",
            "活动名称",
            "类型",
            "状态",
            "日期",
            "组织单位",
            "引来线索（个）",
            "签约项目（个）",
            "签约项目",
            "费用（万元）",
            "合同投资（万元）",
            "每个签约项目费用（万元）",
        ],
        [
            [
                e["ref"],
                e["title"],
                kinds.get(e["kind"], {}).get("name_zh", e["kind"]),
                STATUS_ZH[e["status"]],
                e["date"],
                unit_name(e["organising_unit"]),
                e["leads"],
                e["signed"],
                "、".join(e["signed_refs"]),
                _wan(e["cost"]),
                _wan(e["contracted_investment"]),
                _wan(e["cost_per_signed"]),
            ]
            for e in data["events"]
        ],
        money=(9, 10, 11),
        widths={1: 30, 8: 24},
    )

    def tally(name, t):
        return [
            name,
            t["events"],
            t["leads"],
            t["signed"],
            _wan(t["cost"]),
            _wan(t["contracted_investment"]),
            _wan(t["cost_per_signed"]),
        ]

    headings = [
        "",
        "活动（场）",
        "线索（个）",
        "签约项目（个）",
        "费用（万元）",
        "合同投资（万元）",
        "每个签约项目费用（万元）",
    ]
    by_kind = Table(
        "按活动类型",
        f"{data['year']}年招商活动成效（按活动类型）",
        note,
        ["活动类型", *headings[1:]],
        [tally(kinds.get(k["kind"], {}).get("name_zh", k["kind"]), k) for k in data["kinds"]]
        + [tally("合计", data["total"])],
        money=(4, 5, 6),
        widths={0: 24},
    )
    by_channel = Table(
        "按来源渠道",
        f"{data['year']}年项目来源渠道成效",
        "线索为当年登记的全部项目线索（含未关联活动的）；费用为计入该渠道的活动费用",
        ["来源渠道", *headings[1:]],
        [tally(channel_name(c["channel"]), c) for c in data["channels"]],
        money=(4, 5, 6),
        widths={0: 24},
    )
    return workbook([events, by_kind, by_channel])
