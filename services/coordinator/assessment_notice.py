"""The assessment notice (考核通报) of the Leading Group as a 公文 (Word and PDF) and the assessment as an Excel
workbook.

``notice(result, policy, number, routing)`` says what the notice is — issuer, 文号, title, to whom, body with the
table of scores, signature, date, copies — as an ``OfficialDocument``, laid out by the platform's builder
(``shared.gongwen``: GB/T 9704 form); its number is allocated once per period in the coordinator's
``document_numbers`` (the same number however often the notice is asked for again).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Mapping

from services.coordinator.scoring import INDICATOR_ZH, INDICATORS, MARK_ZH
from shared import gongwen
from shared.gongwen import Grid, Heading, OfficialDocument
from shared.policy import Policy
from shared.sheets import Table, workbook
from shared.units import quantize_money, yuan_to_wan
from shared.vocabulary import unit_name

HEADINGS = [
    "排名",
    "单位",
    "签约项目",
    "合同投资",
    "到位资金",
    "重点项目开工",
    "专题报告按时报送",
    "项目进展及时记录",
    "总分",
    "等次",
]


def _hanzi_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rows(result: Mapping) -> list[list[str]]:
    return [
        [str(u["rank"]), unit_name(u["unit"]), *[u["scores"][k] for k in INDICATORS], u["total"], MARK_ZH[u["mark"]]]
        for u in result["units"]
    ]


def notice(result: Mapping, policy: Policy, number: gongwen.Number, routing: gongwen.Routing) -> OfficialDocument:
    spec = policy.get("assessment")
    weights = "、".join(f"{INDICATOR_ZH[k]}{Decimal(result['weights'][k]).normalize():f}分" for k in INDICATORS)
    marks = spec["marks"]
    red = [unit_name(u["unit"]) for u in result["units"] if u["mark"] == "red"]
    first = [unit_name(u["unit"]) for u in result["units"] if u["rank"] == 1]
    share = "" if Decimal(result["share"]) == 1 else f"（按年度目标的{Decimal(result['share']) * 100:.0f}%计）"
    body = [
        f"根据县招商引资目标考核办法，{routing.issuer.signature}对各责任单位{result['label']}（截至"
        f"{_hanzi_date(date.fromisoformat(result['end']))}）招商引资目标任务完成情况进行了考核。现将考核结果通报如下：",
        Heading("一、考核办法"),
        f"考核满分100分，其中{weights}。签约项目、合同投资、到位资金按完成目标任务的比例计分{share}，超额完成的不加分；"
        f"重点项目开工、专题报告按时报送、项目进展及时记录按完成比例计分，当期无此项任务的得满分。总分{marks['green']}分以上为"
        f"绿色等次，{marks['yellow']}分以上不足{marks['green']}分为黄色等次，不足{marks['yellow']}分为红色等次。",
        Heading("二、考核结果"),
        f"{'、'.join(first)}得分最高，列第一名。各单位得分及等次见附件。"
        if first
        else "本期各责任单位均未下达目标任务，不作考核排名。",
        Heading("三、有关要求"),
    ]
    if red:
        body.append(
            f"{'、'.join(red)}被评为红色等次，要认真分析原因，于通报印发之日起15日内向"
            f"{routing.issuer.signature}书面报告整改措施。"
        )
    body.append(
        "各单位要对照年度目标任务，查找差距，加快项目签约、开工和资金到位，按时报送专题报告，及时记录项目进展，"
        "确保完成全年目标任务。"
    )
    table = Grid(
        HEADINGS, rows(result), widths=(2, 6, 3, 3, 3, 3, 3, 3, 3, 2), numeric=frozenset(range(2, 9)), note="单位：分"
    )
    return OfficialDocument(
        routing.issuer,
        number.text,
        f"关于{result['label']}招商引资目标考核结果的通报",
        routing.to,
        body,
        number.issued_on,
        attachments=[gongwen.Attachment(f"{result['label']}招商引资目标考核得分及等次", [table], landscape=True)]
        if result["units"]
        else [],
        cc=routing.cc,
        numerals=routing.numerals,
    )


def render_docx(document: OfficialDocument) -> bytes:
    return gongwen.render_docx(document)


def render_pdf(document: OfficialDocument) -> bytes:
    return gongwen.render_pdf(document)


def _wan(yuan) -> Decimal:
    return quantize_money(yuan_to_wan(Decimal(yuan)))


def render_xlsx(result: Mapping, policy: Policy) -> bytes:
    county = policy.get("county.county.name_zh")
    title = f"{county}{result['label']}招商引资目标考核结果"
    note = f"考核截至{_hanzi_date(date.fromisoformat(result['end']))}；金额单位：万元；等次：绿、黄、红"
    scores = Table(
        "考核得分",
        title,
        note,
        HEADINGS,
        [[int(r[0]), r[1], *[Decimal(x) for x in r[2:9]], r[9]] for r in rows(result)],
        widths={1: 18},
    )
    detail = Table(
        "完成情况",
        title,
        note,
        [
            "单位",
            "签约目标（个）",
            "已签约（个）",
            "合同投资目标",
            "合同投资",
            "到位资金目标",
            "到位资金",
            "重点项目（签约/开工）",
            "专题报告（应报/按时）",
            "在推进项目（个/及时记录）",
        ],
        [
            [
                unit_name(u["unit"]),
                Decimal(u["target"]["projects_signed"]),
                u["done"]["projects_signed"],
                _wan(u["target"]["contracted_investment"]),
                _wan(u["done"]["contracted_investment"]),
                _wan(u["target"]["funds_in_place"]),
                _wan(u["done"]["funds_in_place"]),
                f"{u['figures']['key_projects_signed']}/{u['figures']['key_projects_started']}",
                f"{u['figures']['special_reports_due']}/{u['figures']['special_reports_on_time']}",
                f"{u['figures']['projects_carried_out']}/{u['figures']['progress_on_time']}",
            ]
            for u in result["units"]
        ],
        money=(3, 4, 5, 6),
        widths={0: 18},
    )
    return workbook([scores, detail])


def read_docx_text(data: bytes) -> list[str]:
    """Every paragraph and table cell of a Word document, in order (tests read the notice back)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
