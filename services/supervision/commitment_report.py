"""The special report to the Leading Group (R7) on a standard-land commitment still unmet after its rectification:
who issues it, what the register says of it and the report itself as a 公文 (报告) of ``shared.gongwen``.  Pure: no
nameko, no database.

The check after a rectification that finds the indicator still short (the point where the contract's damages
clause applies) files it, once per rectification: the register's entry (cause ``unmet_commitment``) and its
document, issued by the project's park or town (policy ``documents.official_documents.kinds.special_report``), or
by ``standard_land.report_issuer_otherwise`` where the responsible unit issues no documents of its own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Mapping

from shared import gongwen, standard_land
from shared.gongwen import OfficialDocument
from shared.i18n import DEFAULT_LOCALE, Message, _, text
from shared.policy import Policy
from shared.vocabulary import unit_name

KIND = "special_report"  # the 公文 kind in policy/documents.yaml


def subject(rectification_id: int) -> str:
    """What the report is about, once (its document number is found again by it)."""
    return f"unmet_commitment:{rectification_id}"


def issuer_unit(policy: Policy, responsible_unit: str | None) -> str:
    """The project's park or town issues the report; a responsible unit with no documents of its own in policy,
    the unit ``standard_land.report_issuer_otherwise`` names."""
    issuers = policy.get("documents.official_documents.issuers")
    if responsible_unit and responsible_unit in issuers:
        return responsible_unit
    return standard_land.setting(policy, "report_issuer_otherwise")


def summary(commitment: Mapping, committed: str, actual: str, due: date, amount: Decimal) -> Message:
    """The register's line on the report."""
    return _(
        "{indicator:indicator} still short of the commitment ({committed}) at the check after the rectification due "
        "{due:date}: actual {actual}; damages of {amount:wan} by the contract's clause",
        indicator=commitment["indicator"],
        committed=committed,
        due=due,
        actual=actual,
        amount=amount,
    )


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _wan(yuan: Decimal) -> str:
    return standard_land.number(Decimal(yuan) / Decimal(10000))


def document(
    policy: Policy,
    project: Mapping,
    commitment: Mapping,
    rectification: Mapping,
    actual: str,
    amount: Decimal,
    formula,
    checked_on: date,
    number: gongwen.Number,
    routing: gongwen.Routing,
) -> OfficialDocument:
    """关于…标准地承诺指标整改期满仍未达标的专题报告: the commitment, the shortfall that opened the rectification, the
    check after it, the damages by the contract's clause and who recovers them."""
    name = project.get("name") or project["project_id"]
    first = rectification["shortfall"]
    clause = standard_land.clause_text(commitment, policy).removeprefix("违约条款：")
    recovery = "、".join(unit_name(u) for u in standard_land.setting(policy, "recovery_units"))
    promise = commitment["text"].removeprefix("标准地承诺：")
    body = [
        f"{name}（项目编号{project.get('ref') or project['project_id']}）按标准地签订投资合同，承诺{promise}，"
        f"违约条款为{clause}。",
        f"{_day(rectification['opened_on'])}复核，该指标实际为{first.get('actual')}，未达到承诺，已启动整改，"
        f"整改期限至{_day(rectification['due'])}。",
        f"{_day(checked_on)}整改后复核，该指标实际为{actual}，仍未达到承诺。按合同约定的违约条款，"
        f"应承担违约金{_wan(amount)}万元（{text(formula, DEFAULT_LOCALE)}）。违约金作为一笔应收款，由{recovery}"
        "依职责追缴；减免须经县委、县政府主要领导共同同意。",
        "特此报告。",
    ]
    return OfficialDocument(
        routing.issuer,
        number.text,
        f"关于{name}标准地承诺指标整改期满仍未达标的专题报告",
        routing.to,
        body,
        number.issued_on,
        cc=routing.cc,
        numerals=routing.numerals,
    )
