"""The per-mu benefit evaluation's documents: the year's results as an Excel workbook (every enterprise, a sheet
per grade, the counts per park or town) and the notice that publishes them (关于公布…亩均效益综合评价结果的通知) as
a 公文 of ``shared.gongwen`` (GB/T 9704 form, numbered once in supervision's ``document_numbers``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping

from services.supervision import benefit
from shared import gongwen
from shared.gongwen import Grid, Heading, OfficialDocument
from shared.i18n import text
from shared.policy import Policy
from shared.sheets import Table, workbook
from shared.vocabulary import unit_name

GRADE_ZH = {
    "A": "A类（优先发展类）",
    "B": "B类（鼓励提升类）",
    "C": "C类（帮扶转型类）",
    "D": "D类（倒逼整治类）",
    "T": "T类（不参评）",
}
HEADINGS = [
    "排名",
    "统一社会信用代码",
    "企业名称",
    "所在园区或乡镇",
    "亩均税收（万元/亩）",
    "亩均产值（万元/亩）",
    "单位能耗税收（万元/吨标准煤）",
    "总分",
    "等次",
]


def _two(value) -> Decimal | None:
    return None if value is None else benefit.half_up(Decimal(value))


def _place(code: str | None) -> str:
    return unit_name(code) if code else "—"


def _line(r: Mapping) -> list:
    v = r["values"]
    return [
        r["rank"] or "",
        r["credit_code"],
        r["name"] or "",
        _place(r["location"]),
        _two(v.get("tax_per_mu")),
        _two(v.get("output_per_mu")),
        _two(v.get("tax_per_energy")),
        _two(r["total"]),
        GRADE_ZH.get(r["grade"] or "", "未参评"),
    ]


def render_xlsx(year: int, head: Mapping, rows: list[Mapping], policy: Policy) -> bytes:
    county = policy.get("county.county.name_zh")
    title = f"{county}{year}年度工业企业亩均效益综合评价结果"
    b = head["rules"]["baselines"]
    note = (
        f"基准值：亩均税收{b['tax_per_mu']}万元/亩、亩均产值{b['output_per_mu']}万元/亩、单位能耗税收"
        f"{b['tax_per_energy']}万元/吨标准煤；封顶系数{head['rules']['cap']}；参评{head['graded']}家"
    )
    evaluated = [r for r in rows if r["status"] != benefit.NOT_EVALUATED]
    sheets = [
        Table(
            "评价结果",
            title,
            note,
            HEADINGS,
            [_line(r) for r in evaluated],
            money=(4, 5, 6, 7),
            widths={1: 22, 2: 28, 3: 14},
        )
    ]
    for grade in (*benefit.GRADES, benefit.CLASS_T):
        sheets.append(
            Table(
                GRADE_ZH[grade][:2],
                f"{title}（{GRADE_ZH[grade]}）",
                note,
                HEADINGS,
                [_line(r) for r in evaluated if r["grade"] == grade],
                money=(4, 5, 6, 7),
                widths={1: 22, 2: 28, 3: 14},
            )
        )
    sheets.append(
        Table(
            "分园区乡镇",
            title,
            "单位：家",
            ["园区或乡镇", *(GRADE_ZH[g] for g in (*benefit.GRADES, "T")), "合计"],
            _per_location(head),
            widths={0: 16},
        )
    )
    sheets.append(
        Table(
            "未参评",
            title,
            "未参评企业及原因",
            ["统一社会信用代码", "企业名称", "所在园区或乡镇", "原因"],
            [
                [
                    r["credit_code"],
                    r["name"] or "",
                    _place(r["location"]),
                    text(r["reason"], "zh_CN") if r["reason"] else "",
                ]
                for r in rows
                if r["status"] == benefit.NOT_EVALUATED
            ],
            widths={0: 22, 1: 28, 3: 40},
        )
    )
    return workbook(sheets)


def _per_location(head: Mapping) -> list[list]:
    out = []
    for entry in head["per_location"]:
        counts = [entry["grades"].get(g, 0) for g in (*benefit.GRADES, "T")]
        out.append([entry["location_name"] or "未登记", *counts, sum(counts)])
    return out


def notice(
    year: int, head: Mapping, rows: list[Mapping], policy: Policy, number: gongwen.Number, routing: gongwen.Routing
) -> OfficialDocument:
    rules = head["rules"]
    b, w = rules["baselines"], rules["weights"]
    pct = {k: f"{Decimal(v) * 100:.0f}%" for k, v in w.items()}
    counts = head["per_grade"]
    body = [
        f"为推进资源要素市场化配置，根据县工业企业亩均效益综合评价办法，对用地{rules['minimum_land']}亩及以上、"
        f"数据完整的工业企业{year}年度亩均效益进行了综合评价。现将评价结果公布如下：",
        Heading("一、评价办法"),
        f"评价指标及权重为：亩均税收{pct['tax_per_mu']}、亩均产值{pct['output_per_mu']}、单位能耗税收"
        f"{pct['tax_per_energy']}。各指标得分＝min（指标值÷基准值，{rules['cap']}）×权重×100，总分为各指标得分之和，"
        f"四舍五入保留两位小数。{year}年度基准值为：亩均税收{b['tax_per_mu']}万元/亩，亩均产值{b['output_per_mu']}"
        f"万元/亩，单位能耗税收{b['tax_per_energy']}万元/吨标准煤。",
        "参评企业按总分排序（总分相同的，亩均税收高者在前），前20%为A类，其后40%为B类，最后5%为D类（参评企业10家"
        "及以上的至少1家），其余为C类；投产未满两年的企业和政策所列行业的企业列为T类，不参与分类。",
        Heading("二、评价结果"),
        f"本次参评企业{head['graded']}家，其中A类{counts['A']}家、B类{counts['B']}家、C类{counts['C']}家、"
        f"D类{counts['D']}家；T类企业{counts['T']}家。各类企业名单及各园区、乡镇分类情况见附件。",
        Heading("三、结果运用"),
        "评价结果作为实施用地、用电、用水、用气等资源要素差别化配置的依据。各园区、乡镇要对D类企业逐户分析原因，"
        "帮助制定提升方案；对A类企业在要素保障上优先支持。",
    ]
    lines = [
        [
            str(r["rank"] or ""),
            r["name"] or "",
            r["credit_code"],
            _place(r["location"]),
            str(_two(r["total"])),
            GRADE_ZH[r["grade"]][:2],
        ]
        for r in rows
        if r["grade"] in (*benefit.GRADES, "T")
    ]
    names = Grid(
        ["排名", "企业名称", "统一社会信用代码", "所在园区或乡镇", "总分", "等次"],
        lines,
        widths=(2, 8, 6, 4, 2, 2),
        numeric=frozenset({4}),
    )
    places = Grid(
        ["园区或乡镇", "A类", "B类", "C类", "D类", "T类", "合计"],
        [[str(c) for c in line] for line in _per_location(head)],
        widths=(5, 2, 2, 2, 2, 2, 2),
        numeric=frozenset(range(1, 7)),
        note="单位：家",
    )
    return OfficialDocument(
        routing.issuer,
        number.text,
        f"关于公布{year}年度工业企业亩均效益综合评价结果的通知",
        routing.to,
        body,
        number.issued_on,
        attachments=[
            gongwen.Attachment(f"{year}年度亩均效益综合评价企业分类名单", [names], landscape=True),
            gongwen.Attachment(f"{year}年度各园区、乡镇亩均效益综合评价分类汇总", [places]),
        ],
        cc=routing.cc,
        numerals=routing.numerals,
    )
