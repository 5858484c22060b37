"""Chinese first (R18): nothing the platform says in zh-CN has a run of Latin letters that is not an allowed code,
and nothing it says in English has Chinese that is not data.

The sweep renders, in zh-CN:

* every message of the catalogue, with sample parameters of the kind each placeholder names;
* the refusal of every operation of the authorization table (the table's own forbidden actor);
* a bad-input sweep: every input schema of the services converted so far, given an empty body, a body of wrong
  types and a field it does not know, and the domain's own checks (a lead, a reserve project, an opinion, the
  targets, the funds in place; the responsible unit, sessions, the decision route and its deciders; drafts, legal
  review, signing, copies, custody, reading; the accounting's figures, recovery and write-off; a password; a
  special report's cause, a reminder in the past, contacts not given, a channel not installed) given bad values;
* a sample lifecycle driven through intake, review, negotiation, contracts, accounting, the coordinator,
  supervision and notifications (their own handlers and RPCs over SQLite, the events between them relayed in
  process: tests/local_bus.py) to a contract signed, filed, its obligation lapsed and reported, accounted for, paid
  and archived, and a project escalated, refused and renegotiated, stale, with a problem escalated, a reminder and a
  special report: the timeline of each project, its review, negotiation and route, contract, accounting, tracking
  and the contracts' audit trail, every row of the ledger, the stalled lists, the special-report register and the
  deadlines, every notice in each unit's inbox and as e-mail and the group robot send it, and every document — the
  contract's versions, the accounting report, the work summary and the assessment notice as Word, PDF (its text)
  and Excel, the ledger's workbook;

and fails listing each leak with where it came from.  The same catalogue and refusals rendered in English fail on
Chinese that is not one of the county's own words (``EN_DATA``).

The web app's pages are swept in the browser (tests/browser/test_language.py, the same allowlist: tests/language.py).
"""

from __future__ import annotations

import base64
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine

from services.coordinator import models as coordinator_models
from services.coordinator.service import CoordinatorService
from services.intake import domain as intake_domain
from services.intake import models as intake_models
from services.intake import reserve
from services.intake.service import IntakeService
from services.review import domain as review_domain
from services.review import models as review_models
from services.review.checks import discover_checks
from services.review.service import ReviewService
from shared import gongwen, i18n, vocabulary
from shared.actor import authorize
from shared.errors import ZhaoshangError
from shared.i18n import Message
from shared.policy import load_policy
from shared.schema import load_or_invalid
from shared.workdays import WorkingDayCalendar
from tests.factories import credit_code, lead
from tests.harness import Harness, TestClock, shanghai
from tests.language import chinese_leaks, latin_leaks  # the one allowlist (the browser's sweep too)
from zhaoshang import messages
from zhaoshang.authorization import CONTEXT, rows

POLICY = load_policy()


class Sweep:
    """Texts read, with where each came from; ``leaks`` lists every run found."""

    def __init__(self, locale: str = "zh-CN", data: tuple[str, ...] = ()):
        self.locale, self.found, self.data, self.read = locale, [], set(data), 0

    def text(self, value, where: str) -> None:
        shown = i18n.text(value, self.locale) if not isinstance(value, str) else value
        for datum in sorted(self.data, key=len, reverse=True):  # data (a project's name, a person's) is what it is
            shown = shown.replace(datum, "")
        self.read += 1
        runs = latin_leaks(shown) if self.locale == "zh-CN" else chinese_leaks(shown)
        if runs:
            self.found.append(f"{where}: {', '.join(map(repr, runs))} in {shown!r}")

    def answer(self, value, where: str) -> None:
        """Every text of an answer as the gateway renders it (messages at any depth), codes in data fields left."""
        shown = i18n.localize(value, self.locale)
        for path, text in _texts(shown, where):
            self.text(text, path)

    def check(self) -> None:
        assert self.read, "the sweep read nothing"
        assert not self.found, f"{len(self.found)} leak(s):\n" + "\n".join(self.found)


CODE_FIELDS = {
    "error",
    "project_id",
    "id",
    "ref",
    "state",
    "from_state",
    "to_state",
    "trigger",
    "kind",
    "unit",
    "units",
    "position",
    "user_id",
    "sector",
    "book",
    "tier",
    "event_id",
    "cause_event_id",
    "source",
    "key_basis",
    "verdict",
    "check",
    "opinion",
    "outcome",
    "required_units",
    "awaiting",
    "registered_unit",
    "responsible_unit",
    "location_kind",
    "location_id",
    "policy_values",
    "actor",
    "allowed_next",
    "content_base64",
    "content_type",
    "filename",
    "stamps",
    "type",
    "field",
    "registered_by",
    "by_unit",
    "round",
    "deadline",
    "at",
    "due",
    "on",
    "state_since",
    "registered_on",
    "next_due",
    "signed_on",
    "created_at",
    "convened_at",
    "concluded_at",
    "escalated_at",
    "amount",
    "version",
    "seq",
    "facts",
    "details",
    "level",
    "name_en",
    "code",
    "location",
    "sheet",
    "heading",
    "operation",
    # negotiation, contracts, accounting, their audit trail
    "stage",
    "session_lead",
    "decides",
    "signs",
    "recommends",
    "decisions",
    "clause",
    "status",
    "signatory",
    "party",
    "key",
    "to",
    "cause",
    "participants",
    "action",
    "record_type",
    "record_id",
    "hash",
    "prev_hash",
    # supervision and notifications: addresses, deadlines' own log (an administrator's), channels
    "owner",
    "recipients",
    "event_type",
    "category",
    "subject",
    "payload",
    "outcome",
    "cancel_reason",
    "liaison_leader",
    "escalated_to",
    "obligation_key",
    "targets",
    "channel",
    "receipt",
    "notification_id",
    "due_at",
    "fired_at",
    "cancelled_at",
    "raised_at",
    "resolved_at",
    "escalation_due",
    "filed_at",
    "stale_since",
    "stale_due",
    "last_progress_at",
    "read_at",
    "report_ref",
    "document",
    "msgtype",
    # moments on the wire (the web app and the documents show them in Chinese)
    "resubmitted_at",
    "drafted_at",
    "reviewed_at",
    "signed_at",
    "opened_at",
    "ended_at",
    "closed_at",
}
"""Fields that hold codes or data, not texts a person reads as a sentence (their names sit beside them)."""
CODE_ITEMS = {("figures", "name")}
"""(list, field): a field of a list's items that holds a code (an accounting figure's name is a code)."""


def _texts(value, where: str, within: str = ""):
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in CODE_FIELDS and (within, key) not in CODE_ITEMS:
                yield from _texts(item, f"{where}.{key}", key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, f"{where}[{i}]", within)
    elif isinstance(value, str):
        yield where, value


# -- 1. the catalogue -------------------------------------------------------------------------------------------------
SAMPLES = {
    "unit": "PARK:hengdong",
    "units": ["DRB", "FIN", "PARK:hexi"],
    "position": "park_head:hengdong",
    "positions": ["county_magistrate", "party_secretary"],
    "state": "under_review",
    "states": ["lead", "filed"],
    "event": "review.concluded",
    "sector": "C3252",
    "mu": "45",
    "wan": "150000000",
    "yuan": "810000",
    "intensity": "222.2222",
    "scale": "100000000",
    "date": "2026-12-01",
    "datetime": "2026-12-01T01:30:00+00:00",
    "list": ["甲", "乙"],
    "clauses": ["甲", "乙"],
    "field": "land.value",
    "count": 3,
    "channel": "fair",
    "channels": ["fair", "visit"],
    "operation": "accounting.record_actual_fai",
    "trigger": "review.concluded:approved",
    "triggers": ["command:terminate", "review.returned"],
    "opinion": "conditional",
    "verdict": "flag",
    "check": "investment_intensity",
    "policy_class": "restricted",
    "impact": "report_form",
    "location": "town",
    "outcome": "approved",
    "book": "negotiation",
    "review_state": "returned",
    "stage": "park_review",
    "session_stage": "final",
    "contract_state": "filed_copies",
    "version_status": "submitted",
    "obligation_status": "lapsed",
    "incentive_unit": "percent",
    "incentive": "equipment_subsidy",
    "incentives": ["equipment_subsidy", "tax_reward_years"],
    "address": "unit:LAND",
    "addresses": ["unit:PARK:hengdong", "position:county_leader_in_charge"],
    "report_cause": "cannot_go_ahead",
    "stalled": "signed_not_started",
    "notice_channel": "webhook",
    "progress_source": "obligation",
    "pair": {"zh": "亩均税收", "en": "tax per mu"},
    "indicator": "tax_per_mu",
}
"""A sample value of each placeholder kind; a placeholder without a kind gets a Chinese text (a value as typed)."""


EN_SAMPLES = {"list": ["one", "two"], "clauses": ["one", "two"]}


def sample_params(msgid: str, locale: str) -> dict:
    plain = "某值" if locale == "zh-CN" else "some value"
    samples = SAMPLES if locale == "zh-CN" else {**SAMPLES, **EN_SAMPLES}
    return {name: samples.get(spec, plain) if spec else plain for name, spec in i18n.placeholders(msgid)}


def catalogue() -> list[str]:
    return sorted(m.id for m in messages.extract() if m.id)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_message_of_the_catalogue_reads_in_its_language(locale):
    sweep = Sweep(locale)
    for msgid in catalogue():
        sweep.text(Message(msgid, sample_params(msgid, locale)), f"catalogue {msgid!r}")
    for code in vocabulary.sectors():  # every sector, by its name
        if locale == "zh-CN":
            sweep.text(vocabulary.sector_label(code, locale), f"GB/T 4754 {code}")
    sweep.check()


def test_every_placeholder_kind_has_a_sample():
    kinds = {spec for msgid in catalogue() for _name, spec in i18n.placeholders(msgid) if spec}
    assert kinds <= set(SAMPLES), f"give the sweep a sample of {sorted(kinds - set(SAMPLES))}"
    assert kinds <= set(i18n.KINDS)


# -- 2. the authorization table -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_refusal_of_the_authorization_table_names_position_unit_and_operation(locale):
    sweep = Sweep(locale)
    for row in rows(POLICY):
        if row.forbidden is None:
            continue
        with pytest.raises(ZhaoshangError) as refused:
            authorize(row.forbidden, row.operation, POLICY.authority, **CONTEXT)
        sweep.answer(refused.value.to_dict(locale), f"refusal of {row.operation} to {row.forbidden.position}")
    sweep.check()


def test_every_operation_of_the_authority_table_has_a_name():
    unnamed = sorted(op for op in POLICY.authority if op not in vocabulary.OPERATION_NAMES)
    assert not unnamed, f"name them in shared/vocabulary.py OPERATION_NAMES: {unnamed}"


# -- 3. bad input -------------------------------------------------------------------------------------------------------------
def _input_schemas():
    import importlib
    import inspect

    from marshmallow import Schema

    found = []
    for module in CONVERTED_WIRE:
        for name, cls in inspect.getmembers(importlib.import_module(f"shared.wire.{module}"), inspect.isclass):
            if (
                issubclass(cls, Schema)
                and cls.__module__ == f"shared.wire.{module}"
                and (name.endswith("InputSchema") or name.endswith("QuerySchema"))
            ):
                found.append(cls)
    return found


CONVERTED_WIRE = (
    "intake",
    "review",
    "coordinator",
    "ledger",
    "reserve",
    "negotiation",
    "contracts",
    "accounting",
    "people",
    "leadership",
    "landreserve",
    "workbench",
    "calendar",
    "notifications",
    "supervision",
)
"""The wire modules of every service."""


def _wrong(field) -> object:
    from marshmallow import fields

    if isinstance(field, (fields.String, fields.Email)):
        return 12345
    if isinstance(field, fields.Nested):
        return "不是对象"
    if isinstance(field, fields.List):
        return {"不是": "列表"}
    return "不是数值"


def bad_inputs(schema_cls):
    fields = schema_cls().fields
    yield "an empty body", {}
    yield "wrong types", {name: _wrong(field) for name, field in fields.items()}
    yield "an unknown field", {"多余字段": 1}
    yield "not an object", ["一个列表"]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_bad_input_is_refused_in_the_readers_language(locale):
    typed = ("多余字段", "moon", "START", "英亩", "u-a", "u-b")  # what the sweep typed (a clause, an obligation's
    # number, a unit of land, user names)
    sweep = Sweep(
        locale, data=(*typed, *POLICY.get("county.cooperation_modes"), "缴清土地出让金", "按期开工建设", "甲")
    )
    schemas = _input_schemas()
    assert len(schemas) >= 40
    for cls in schemas:
        for what, body in bad_inputs(cls):
            try:
                load_or_invalid(cls(), body)
            except ZhaoshangError as exc:
                sweep.answer(exc.to_dict(locale), f"{cls.__name__} given {what}")
    for where, call in DOMAIN_CHECKS:
        with pytest.raises(ZhaoshangError) as refused:
            call()
        sweep.answer(refused.value.to_dict(locale), where)
    sweep.check()


def _bad_lead():
    from shared.wire.intake import load_lead_input

    data = load_lead_input(
        lead(
            investor={"name": "某公司", "kind": "domestic", "credit_code": credit_code()[:17] + "0"},
            sector="C9999",
            planned_total_investment="-1",
            land_demand={"value": "5", "unit": "英亩"},
            preferred_location={"kind": "park", "id": "moon"},
            source_channel="飞鸽",
        )
    )
    return intake_domain.validate_lead(data, POLICY)


def phase_two_checks() -> list:
    """The refusals of negotiation, contracts, accounting and the gateway's people, given bad values."""
    from decimal import Decimal

    from services.accounting import domain as acct
    from services.contracts import domain as contract
    from services.gateway.passwords import check_password_rule
    from services.negotiation import domain as neg
    from shared.location_checks import ProjectFacts

    route = neg.decision_route("PARK:hengdong", [], False, Decimal("45"), POLICY)
    escalated = neg.decision_route("TOWN:xintang", [], True, Decimal("60.0045"), POLICY)
    version = {"version": 2, "status": "submitted", "terms": {}}
    owed = acct.Receivable(Decimal("810000"), Decimal("10000"), Decimal("0"), "outstanding")
    dates = {
        "construction_start": __import__("datetime").date(2027, 3, 1),
        "completion": __import__("datetime").date(2027, 1, 1),
        "production": __import__("datetime").date(2026, 1, 1),
        "total_investment": Decimal(1),
        "fixed_asset_investment": Decimal(2),
        "obligations": [{"id": "START"}, {"id": "START"}],
    }
    return [
        ("a unit that is no park or town", lambda: neg.check_assignment("DRB", [], None, POLICY)),
        (
            "another unit than the ranked one without a reason",
            lambda: neg.check_assignment("PARK:hexi", neg.rank_units("C3512", "park", "hengdong", POLICY), "", POLICY),
        ),
        (
            "a park whose location checks fail",
            lambda: neg.check_location(
                ProjectFacts("C2511", Decimal("1000000"), Decimal("45"), "park", "hengdong"), "TOWN:xintang", POLICY
            ),
        ),
        (
            "a session without its lead, IPB and LEGAL",
            lambda: neg.check_session("PARK:hengdong", "final", [{"unit": "FIN", "position": "bureau_head"}], POLICY),
        ),
        ("land in acres", lambda: neg.agreed_land_mu("5", "英亩", POLICY)),
        ("a clause not in the catalogue", lambda: neg.policy_term({"clause": "moon"}, "policy_terms.0", POLICY)),
        (
            "a withdrawal by another unit",
            lambda: neg.record_terms(
                [],
                [],
                [{"term": "T1", "reason": "x"}],
                {"unit": "FIN", "position": "bureau_head"},
                "park_head:hengdong",
                2,
                None,
            ),
        ),
        (
            "a stage that does not allow the act",
            lambda: neg.check_stage("ZS2026-0001", "park_review", ("approved",), i18n._("choose the responsible unit")),
        ),
        (
            "a refused project",
            lambda: neg.check_stage("ZS2026-0001", "refused", ("assigned",), i18n._("log a negotiation session")),
        ),
        (
            "a recommendation within authority",
            lambda: neg.check_recommender(route, "park_head:hengdong", "negotiating"),
        ),
        ("a recommendation by another position", lambda: neg.check_recommender(escalated, "ipb_clerk", "negotiating")),
        ("a decision by another position", lambda: neg.check_decider(route, "county_magistrate", "negotiating", {})),
        (
            "a decision before the recommendation",
            lambda: neg.check_decider(escalated, "party_secretary", "negotiating", {}),
        ),
        (
            "a decision taken twice",
            lambda: neg.check_decider(escalated, "party_secretary", "escalated", {"party_secretary": "agree"}),
        ),
        ("no responsible unit for a route", lambda: neg.route_of(None, [], False, "45", POLICY)),
        ("no final session with LEGAL", lambda: neg.check_legal_attended([])),
        ("an act the contract's state does not allow", lambda: contract.next_state("sign", "filed_copies")),
        ("no decision in force", lambda: contract.decision_in_force({"state": "refused", "route": None})),
        ("terms out of order", lambda: contract.check_terms(dates)),
        ("a version that is not the latest", lambda: contract.check_can_submit("drafting", version, 3)),
        (
            "a version not submitted",
            lambda: contract.check_can_review({**version, "status": "draft"}, 2, "approve", []),
        ),
        ("a return without comments", lambda: contract.check_can_review(version, 2, "return", [])),
        ("a signature by another position", lambda: contract.check_signatory(route.dump(), "county_magistrate")),
        ("a version not approved", lambda: contract.check_can_sign("legal_review", version, 2)),
        (
            "an incomplete register",
            lambda: contract.check_copy_register(
                contract.copy_register_problems(
                    [{"number": 1, "unit": "IPB"}, {"number": 3, "unit": "AUDIT"}],
                    contract.required_holders("PARK:hengdong", POLICY.get("thresholds.contracts.copy_holders")),
                    8,
                    {},
                )
            ),
        ),
        (
            "an archive before the project is closed",
            lambda: contract.check_can_archive("construction", "accounting", None),
        ),
        (
            "a read without custody or grant",
            lambda: contract.check_reading(contract.access_verdict("u-x", {}, [], None), "ZS2026-0001"),
        ),
        ("a draft read by another unit", lambda: contract.check_draft_reader(False, "reviewer", "EPB", "ZS2026-0001")),
        ("an obligation met twice", lambda: contract.check_progress("met", "缴清土地出让金")),
        ("no report due", lambda: contract.check_report_due("open", None, "缴清土地出让金")),
        (
            "obligations due before signing",
            lambda: contract.check_obligations_due(
                [{"id": "START", "text": "按期开工建设", "due": "2026-01-01"}], __import__("datetime").date(2026, 12, 1)
            ),
        ),
        (
            "a custodian replaced silently",
            lambda: contract.custodian_designation(
                "FIN",
                {"user_id": "u-a", "name": "甲", "cabinet": "柜1"},
                {"user_id": "u-b", "name": "乙", "cabinet": "柜2"},
                None,
                None,
            ),
        ),
        ("a figure of nothing", lambda: acct.positive(Decimal("0"), "amount", Decimal("1"), "yuan")),
        ("land beyond the ceiling", lambda: acct.positive(Decimal("99999"), "land.value", Decimal("1000"), "mu")),
        ("an act the accounting's state does not allow", lambda: acct.check_act("open", "issue_report")),
        ("a recovery by another unit", lambda: acct.check_recovery_unit("AUDIT")),
        ("more than is owed", lambda: acct.record_payment(owed, Decimal("900000"))),
        ("a payment of fractions of a fen", lambda: acct.record_payment(owed, Decimal("1.001"))),
        (
            "a write-off by another position",
            lambda: acct.decide_write_off(
                owed, None, ("party_secretary", "county_magistrate"), "ipb_director", "agree"
            ),
        ),
        ("nothing owed", lambda: acct.check_recovery_action(None)),
        (
            "a password too easy",
            lambda: check_password_rule("12345678", POLICY, ("u-li", "李文员", "ipb_clerk", "IPB")),
        ),
    ]


def last_phase_checks() -> list:
    """The refusals of supervision and notifications, given bad values."""
    from services.supervision import domain as supervision

    return [
        ("a special report's cause that is none", lambda: supervision.check_report_cause("moon")),
        (
            "a special report on an obligation filed in the register",
            lambda: supervision.check_report_cause("overdue_obligation"),
        ),
    ]


DOMAIN_CHECKS = [
    ("a lead with every field wrong", _bad_lead),
    (
        "a reserve project with every field wrong",
        lambda: reserve.validate(
            {
                "sector": "Z1",
                "total_investment": "0.001",
                "location": {"kind": "town", "id": "moon"},
                "cooperation_mode": "捐赠",
                "document": {"filename": "建议书.exe"},
            },
            POLICY,
        ),
    ),
    ("a plan year out of range", lambda: reserve.check_year(1900)),
    ("an opinion that is no opinion", lambda: review_domain.check_opinion("maybe", [], [])),
    ("a conditional pass without conditions", lambda: review_domain.check_opinion("conditional", [], [])),
    ("an opinion of a unit not reviewing", lambda: review_domain.check_can_record("open", "AUDIT", ["DRB"], set())),
    ("an opinion given twice", lambda: review_domain.check_can_record("open", "DRB", ["DRB"], {"DRB"})),
    ("an opinion on a closed review", lambda: review_domain.check_can_record("concluded", "DRB", ["DRB"], set())),
    (
        "a step the lifecycle does not allow",
        lambda: __import__("services.coordinator.domain", fromlist=["x"]).next_state("lead", "contracts.signed"),
    ),
    (
        "targets with every line wrong",
        lambda: __import__("services.coordinator.targets", fromlist=["x"]).check_targets(
            2026, [{"unit": "IPB", "contracted_investment": 1, "funds_in_place": 1}], POLICY
        ),
    ),
    (
        "a period that is no period",
        lambda: __import__("services.coordinator.targets", fromlist=["x"]).period("2026-13"),
    ),
    *phase_two_checks(),
    *last_phase_checks(),
]


# -- 4. a sample lifecycle: timelines, records, ledger, workbook and every document ---------------------------------------
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB", "name": "李文员"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG", "name": "王县长"}
SECRETARY = {"user_id": "u-sec", "position": "party_secretary", "unit": "LG", "name": "赵书记"}
HENGDONG = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong", "name": "周主任"}
LEGAL = {"user_id": "u-legal", "position": "legal_director", "unit": "LEGAL", "name": "钱主任"}
AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT", "name": "孙审计"}
LAND = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND", "name": "吴局长"}
FIN = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN", "name": "郑局长"}
HEADS = {
    "GOV": {"user_id": "u-gov", "position": "gov_office_director", "unit": "GOV"},
    "IPB": {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"},
    "FIN": FIN,
    "LAND": LAND,
    "LEGAL": LEGAL,
    "IND": {"user_id": "u-ind", "position": "bureau_head", "unit": "IND"},
    "PARK:hengdong": HENGDONG,
}
NAMES = (
    "年产5万吨高性能铝合金型材项目",
    "平板玻璃生产线项目",
    "农产品冷链物流项目",
    "年产20万套汽车零部件项目",
    "新能源电池材料项目",
    "李文员",
    "王县长",
    "赵六",
    "周主任",
    "钱主任",
    "赵书记",
    "张三",
    "孙审计",
    "吴局长",
    "郑局长",
)
"""Data the lifecycle typed (project and person names)."""
TYPED = (
    "用地指标未落实",
    "请园区本周内报送用地进展",
    "项目无法推进情况的专题报告",
    "材料齐全，予以备案",
    "补充用地预审材料",
    "已补充用地预审意见",
    "环评批复前不得开工",
    "完成项目选址",
    "队长",
    *(f"示例投资有限公司{n}" for n in range(1, 6)),
    "项目用地45亩",
    "园区负责三通一平",
    "符合园区产业定位",
    "投资方同意按现行政策执行",
    "补充违约责任条款",
    "缴清土地出让金",
    "已开工建设",
    "因土地款未到位延期缴纳，已约定补缴时间",
    "土地出让金延期缴纳情况的专题报告",
    "审计报告",
    "实测",
    "全额缴纳",
    "超出用地规模，需报县主要领导研究",
    "建议同意",
    "用地规模过大，请调整后重新洽谈",
    "投资方调整用地规模",
    "董事长",
    "核对合同",
    "园区",
    "原件",
    "档案员",
    "机要柜",
)
"""What the lifecycle's people typed (reasons, notes, conditions): data, read as typed in either language."""


def reviewer(unit: str) -> dict:
    if unit.startswith("PARK:"):
        return {"user_id": f"u-{unit}", "position": f"park_head:{unit[5:]}", "unit": unit}
    return {"user_id": f"u-{unit}", "position": "reviewer", "unit": unit}


def participant(actor: dict) -> dict:
    return {"unit": actor["unit"], "position": actor["position"], "name": actor.get("name")}


@pytest.fixture
def lifecycle(tmp_path):
    """Five leads through every service, over one in-process bus (tests/local_bus.py), supervision firing its
    deadlines as the clock moves and notifications writing every notice to the inbox:
    one returned, resubmitted and approved with conditions; one rejected at convening (an eliminated sector); one left
    a lead; one negotiated (a policy term beyond policy, then withdrawn), decided within authority, drafted, returned
    by LEGAL, drafted again, approved, signed, filed, handed over, its obligation lapsed and reported late, accounted
    for with an excess-land fee, paid, closed and archived; one over 60 mu escalated, refused by the principals and
    renegotiated (a special report on it, that it cannot go ahead); a key project with its contacts, a problem left
    open till it escalates and a reminder."""
    from services.accounting import models as accounting_models
    from services.accounting.service import AccountingService
    from services.contracts import models as contracts_models
    from services.contracts.service import ContractsService
    from services.negotiation import models as negotiation_models
    from services.negotiation.service import NegotiationService
    from services.notifications import models as notifications_models
    from services.notifications.channels import discover_channels
    from services.notifications.dispatch import ChannelSet
    from services.notifications.service import NotificationsService
    from services.supervision import models as supervision_models
    from services.supervision.service import SupervisionService
    from shared.documents import DocumentStore
    from tests.factories import upload
    from tests.local_bus import LocalBus

    services = {
        "intake": (IntakeService, intake_models),
        "review": (ReviewService, review_models),
        "coordinator": (CoordinatorService, coordinator_models),
        "negotiation": (NegotiationService, negotiation_models),
        "contracts": (ContractsService, contracts_models),
        "accounting": (AccountingService, accounting_models),
        "supervision": (SupervisionService, supervision_models),
        "notifications": (NotificationsService, notifications_models),
    }
    clock = TestClock(shanghai(2026, 12, 1))
    calendar = WorkingDayCalendar(POLICY.holiday_years)
    documents = DocumentStore(tmp_path / "documents", POLICY.documents["documents"])
    extra = {
        "review": dict(calendar=calendar, checks=discover_checks()),
        "contracts": dict(calendar=calendar, documents=documents),
        "accounting": dict(documents=documents),
        "supervision": dict(calendar=calendar, documents=documents),
        "notifications": dict(channels=ChannelSet(discover_channels(), {}, synchronous=True)),
    }
    harnesses = {}
    for name, (cls, models) in services.items():
        engine = create_engine(f"sqlite:///{tmp_path / name}.db")
        models.metadata.create_all(engine)
        harnesses[name] = Harness(cls, models.metadata, engine, policy=POLICY, clock=clock, **extra.get(name, {}))
    bus = LocalBus(harnesses)
    intake, review, coordinator = harnesses["intake"], harnesses["review"], harnesses["coordinator"]
    negotiation, contracts, accounting = harnesses["negotiation"], harnesses["contracts"], harnesses["accounting"]
    supervision = harnesses["supervision"]

    def fire() -> None:  # supervision's timer, then what it said
        supervision.fire_due_deadlines()
        bus.relay()

    approved = intake.register_lead(IPB, lead(1, project_name="年产5万吨高性能铝合金型材项目", sector="C3252"))
    rejected = intake.register_lead(IPB, lead(2, project_name="平板玻璃生产线项目", sector="C3041"))
    intake.register_lead(
        IPB,
        lead(
            3, project_name="农产品冷链物流项目", sector="G5951", preferred_location={"kind": "town", "id": "xintang"}
        ),
    )
    signed = intake.register_lead(IPB, lead(4, project_name="年产20万套汽车零部件项目"))
    escalated = intake.register_lead(
        IPB,
        lead(
            5,
            project_name="新能源电池材料项目",
            planned_total_investment="250000000",
            planned_fixed_asset_investment="200000000",
            land_demand={"value": "75", "unit": "mu"},
        ),
    )
    for one in (approved, rejected, signed, escalated):
        intake.file_project(IPB, one["id"], {"reason": "材料齐全，予以备案"})
    bus.relay()
    for one in (approved, rejected, signed, escalated):
        review.convene(IPB, one["id"], {"note": None})
    review.record_return(IPB, approved["id"], {"unit": "LAND", "request": "补充用地预审材料"})
    review.resubmit(IPB, approved["id"], {"note": "已补充用地预审意见"})
    for unit in [*review_domain.REVIEWING_BUREAUS, "PARK:hengdong"]:
        opinion = (
            {"opinion": "conditional", "conditions": ["环评批复前不得开工"]} if unit == "EPB" else {"opinion": "pass"}
        )
        for one in (approved, signed, escalated):
            review.record_opinion(reviewer(unit), one["id"], opinion)
    bus.relay()
    coordinator.set_key_project(
        MAGISTRATE,
        approved["id"],
        {
            "designated": True,
            "liaison_leader": {"user_id": "u-mag", "name": "王县长", "position": "county_magistrate"},
            "service_team": [{"name": "赵六", "role": "队长"}],
        },
    )
    coordinator.assign_responsibility(IPB, approved["id"], {"responsible_person": {"name": "李文员"}})
    coordinator.set_requirements(IPB, approved["id"], {"requirements": [{"step": "完成项目选址", "due": "2026-11-15"}]})
    # supervision (R10, R11): contacts, a problem left open, a reminder
    supervision.set_contacts(
        IPB,
        approved["id"],
        {"responsible_person": {"user_id": "u-ipb", "name": "李文员"}, "liaison_leader": "county_magistrate"},
    )
    supervision.raise_problem(IPB, approved["id"], {"description": "用地指标未落实", "owner": "unit:LAND"})
    supervision.record_progress(IPB, approved["id"], {"note": "完成项目选址"})
    supervision.schedule_reminder(
        IPB,
        approved["id"],
        {"at": "2026-12-04T09:00:00+08:00", "note": "请园区本周内报送用地进展", "to": ["unit:PARK:hengdong"]},
    )

    # negotiation (R3-R5): the responsible unit, sessions, a term beyond policy withdrawn, the decision
    for one in (signed, escalated):
        negotiation.record_intermediary(IPB, one["id"], {"none": True})
        negotiation.assign_unit(IPB, one["id"], {"unit": "PARK:hengdong", "reason": None})
    bus.relay()
    people = [participant(HENGDONG), participant(IPB)]
    negotiation.log_session(
        IPB,
        signed["id"],
        {
            "held_on": "2026-12-03",
            "stage": "early",
            "participants": people,
            "agreed": ["项目用地45亩"],
            "open": ["园区负责三通一平"],
            "policy_terms": [
                {"clause": "tax_reward_years", "value": "3"},
                {"clause": "tax_reward_share", "value": "60"},
            ],
        },
    )
    negotiation.log_session(
        IPB,
        signed["id"],
        {
            "held_on": "2026-12-08",
            "stage": "final",
            "participants": [*people, participant(LEGAL)],
            "withdrawn": [{"term": "T2", "reason": "投资方同意按现行政策执行"}],
        },
    )
    negotiation.decide(HENGDONG, signed["id"], {"decision": "agree", "reasons": ["符合园区产业定位"]})
    negotiation.log_session(
        IPB,
        escalated["id"],
        {
            "held_on": "2026-12-08",
            "stage": "final",
            "participants": [*people, participant(LEGAL)],
            "open": ["超出用地规模，需报县主要领导研究"],
        },
    )
    negotiation.recommend(HENGDONG, escalated["id"], {"recommendation": "建议同意"})
    negotiation.decide(
        SECRETARY, escalated["id"], {"decision": "refuse", "reasons": ["用地规模过大，请调整后重新洽谈"]}
    )
    bus.relay()
    negotiation.renegotiate(IPB, escalated["id"], {"reason": "投资方调整用地规模"})
    bus.relay()
    supervision.file_special_report(
        HEADS["IPB"],
        escalated["id"],
        {
            "cause": "cannot_go_ahead",
            "summary": "投资方调整用地规模",
            "document": upload(
                "项目无法推进情况的专题报告.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
            ),
        },
    )
    bus.relay()
    fire()

    # the contract (R6, R13): drafted, returned, drafted again, approved, signed, filed, handed over
    clock.now = shanghai(2026, 12, 10)
    fire()
    terms = {
        "construction_start": "2027-03-01",
        "completion": "2028-03-01",
        "production": "2028-06-01",
        "obligations": [{"id": "O1", "text": "缴清土地出让金", "due": "2027-01-15", "party": "investor"}],
    }
    contracts.draft(IPB, signed["id"], terms)
    contracts.submit(IPB, signed["id"], {"version": 1})
    contracts.legal_review(LEGAL, signed["id"], {"version": 1, "decision": "return", "comments": ["补充违约责任条款"]})
    contracts.draft(IPB, signed["id"], {**terms, "other_terms": ["乙方逾期开工的，按合同约定承担违约责任"]})
    contracts.submit(IPB, signed["id"], {"version": 2})
    contracts.legal_review(LEGAL, signed["id"], {"version": 2, "decision": "approve", "comments": []})
    contracts.sign(HENGDONG, signed["id"], {"version": 2, "investor_signatory": {"name": "张三", "title": "董事长"}})
    for unit, head in HEADS.items():
        contracts.designate_custodian(
            head, unit, {"user_id": f"u-custodian-{len(unit)}", "name": "档案员", "cabinet": "机要柜"}
        )
    contracts.register_copies(
        IPB,
        signed["id"],
        {
            "copies": [
                {"number": n, "unit": u}
                for n, u in enumerate(["GOV", "IPB", "FIN", "LAND", "LEGAL", "IND", "PARK:hengdong", "IPB"], start=1)
            ]
        },
    )
    contracts.hand_over(IPB, signed["id"])
    bus.relay()
    # R7: the obligation lapses, its special report is late, then filed; progress on the start
    clock.now = shanghai(2027, 1, 18)
    contracts.check_obligations()
    bus.relay()
    fire()
    clock.now = shanghai(2027, 1, 25)
    contracts.check_obligations()
    bus.relay()
    fire()
    contracts.file_special_report(
        HENGDONG,
        signed["id"],
        "O1",
        {
            "summary": "因土地款未到位延期缴纳，已约定补缴时间",
            "document": upload(
                "土地出让金延期缴纳情况的专题报告.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
            ),
        },
    )
    contracts.record_progress(HENGDONG, signed["id"], "START", {"note": "已开工建设", "met": True})
    bus.relay()
    # R12: the accounting, its report, the fee paid, closed; then the contract to the archives
    clock.now = shanghai(2028, 3, 10)
    fire()
    accounting.open_accounting(IPB, signed["id"], {"reason": None})
    accounting.record_actual_fai(AUDIT, signed["id"], {"amount": "90000000", "basis": "审计报告"})
    accounting.record_land_used(LAND, signed["id"], {"land": {"value": "45", "unit": "mu"}, "basis": "实测"})
    accounting.issue_report(IPB, signed["id"], {})
    fee = accounting.get_accounting(IPB, signed["id"])["receivable"]["amount"]
    accounting.record_recovery(FIN, signed["id"], {"amount": fee, "voucher": "V-1", "note": "全额缴纳"})
    bus.relay()
    contracts.hand_to_archives(IPB, signed["id"], {"note": None})
    bus.relay()
    clock.now = shanghai(2028, 3, 31)  # later: a requirement overdue, projects idle
    fire()
    assert coordinator.get_project(IPB, signed["id"])["state"] == "archived"
    assert coordinator.get_project(IPB, escalated["id"])["state"] == "negotiating"
    return {
        **harnesses,
        "documents": documents,
        "projects": [approved["id"], rejected["id"], signed["id"], escalated["id"]],
        "signed": signed["id"],
        "escalated": escalated["id"],
        "names": NAMES,
    }


def records(lifecycle, project_id: str) -> list[tuple[str, object]]:
    """Every record a reader of the project sees besides its timeline: the review, the negotiation and its route, the
    contract, the accounting, the contracts' audit trail."""
    out = [("review", lifecycle["review"].get_review(IPB, project_id))]
    negotiation, contracts, accounting = lifecycle["negotiation"], lifecycle["contracts"], lifecycle["accounting"]
    try:
        out += [
            ("negotiation", negotiation.get_negotiation(IPB, project_id)),
            ("route", negotiation.route(IPB, project_id)),
        ]
    except ZhaoshangError:
        return out  # not negotiated
    contract = contracts.get_contract(IPB, project_id)
    out.append(("contract", contract))
    if contract["signed_version"]:
        out += [
            ("accounting", accounting.get_accounting(IPB, project_id)),
            (
                "contract audit",
                contracts.audit_entries({"user_id": "u-aud", "position": "auditor", "unit": "AUDIT"}, project_id),
            ),
        ]
    return out


def documents_of(lifecycle) -> list[tuple[str, str, bytes]]:
    """Every document the lifecycle issued: the contract's versions, the accounting report (Word, PDF), the work
    summary (Word, PDF, Excel), the assessment notice (Word, PDF) and its workbook, the ledger's workbook."""
    coordinator, contracts, accounting = lifecycle["coordinator"], lifecycle["contracts"], lifecycle["accounting"]
    out = []
    for version in (1, 2):
        draft = contracts.read_draft(IPB, lifecycle["signed"], version, {"reason": "核对合同"})
        out.append((f"contract v{version}", "docx", base64.b64decode(draft["document_base64"])))
    for kind in ("docx", "pdf"):
        answer = accounting.report_document(IPB, lifecycle["signed"], kind)
        out.append(("accounting report", kind, base64.b64decode(answer["content_base64"])))
    for kind in ("docx", "pdf", "xlsx"):
        out.append(
            ("work summary", kind, base64.b64decode(coordinator.work_summary(IPB, "2028-Q1", kind)["content_base64"]))
        )
        out.append(
            (
                "assessment notice",
                kind,
                base64.b64decode(coordinator.assessment_document(MAGISTRATE, "2028-Q1", kind)["content_base64"]),
            )
        )
    out.append(("ledger workbook", "xlsx", base64.b64decode(coordinator.ledger_workbook(IPB)["content_base64"])))
    return out


def test_a_sample_lifecycle_reads_in_chinese_on_every_screen_and_document(lifecycle):
    coordinator = lifecycle["coordinator"]
    sweep = Sweep("zh-CN", data=lifecycle["names"] + TYPED)
    for project_id in lifecycle["projects"]:
        project = coordinator.get_project(IPB, project_id)
        assert len(project["timeline"]) >= 3
        for i, entry in enumerate(project["timeline"]):
            sweep.answer(entry, f"timeline of {project['ref']} [{i}] {entry['kind']}")
        for what, record in records(lifecycle, project_id):
            sweep.answer(record, f"{what} of {project['ref']}")
    page = coordinator.ledger(IPB, {"state": "审查通过"})  # a state filter by its Chinese name
    assert page["total"] == 1
    for row in coordinator.ledger(IPB, {"limit": 50})["items"]:
        sweep.answer(row, f"ledger row {row['ref']}")
    read = set()
    for what, kind, content in documents_of(lifecycle):
        for i, text in enumerate(document_texts(kind, content)):
            sweep.text(text, f"{what} ({kind}) [{i}]")
        read.add(what)
    assert read == {
        "contract v1",
        "contract v2",
        "accounting report",
        "work summary",
        "assessment notice",
        "ledger workbook",
    }
    sweep.check()


def test_the_same_lifecycle_reads_in_english_but_for_its_data(lifecycle):
    coordinator = lifecycle["coordinator"]
    untranslated_sectors = tuple(zh for zh, en in vocabulary.sectors().values() if zh == en)  # shipped in Chinese only
    policy_names = (
        *(c["name_zh"] for c in POLICY.documents["incentives"]["clauses"]),
        *POLICY.get("documents.official_documents.kinds.accounting_report.to"),
    )
    contract_texts = (
        "按期开工建设",
        "按期竣工",
        "全面建成投产",
        "衡东工业园管理委员会",
    )  # the contract's own words, its party
    numbers = tuple(lifecycle["accounting"].get_accounting(IPB, lifecycle["signed"])["report"]["number"].split("〔"))
    sweep = Sweep(
        "en",
        data=lifecycle["names"]
        + TYPED
        + untranslated_sectors
        + policy_names
        + contract_texts
        + numbers
        + ("吴局长", "郑局长"),
    )
    for project_id in lifecycle["projects"]:
        project = coordinator.get_project(IPB, project_id)
        for i, entry in enumerate(project["timeline"]):
            sweep.answer(entry, f"timeline of {project['ref']} [{i}] {entry['kind']}")
        for what, record in records(lifecycle, project_id):
            sweep.answer(record, f"{what} of {project['ref']}")
    for row in coordinator.ledger(IPB, {"limit": 50})["items"]:
        sweep.answer(row, f"ledger row {row['ref']}")
    sweep.check()


def document_texts(kind: str, content: bytes) -> list[str]:
    if kind == "docx":
        return gongwen.read_docx_text(content)
    if kind == "pdf":
        from pypdf import PdfReader

        return [line for page in PdfReader(io.BytesIO(content)).pages for line in page.extract_text().splitlines()]
    workbook = load_workbook(io.BytesIO(content))
    return [
        v for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)
    ]


def test_the_sweep_finds_a_leak_and_says_where():
    sweep = Sweep("zh-CN")
    sweep.text(Message("{state:state} ({unit:unit})", {"state": "not_a_state", "unit": "IPB"}), "a planted code")
    sweep.text("铝压延加工（C3252），ZS2026-0001，GB/T 4754", "allowed codes")
    assert [f.split(":")[0] for f in sweep.found] == ["a planted code"] and "'not_a_state'" in sweep.found[0]
    english = Sweep("en")
    english.text(Message("{unit:unit} asks for more information: {request}", {"unit": "DRB", "request": "x"}), "ok")
    english.text("联审中", "a planted word")
    assert [f.split(":")[0] for f in english.found] == ["a planted word"]


LG_OFFICE = {"user_id": "u-lg", "position": "lg_office", "unit": "LG"}
ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}
READERS = (
    IPB,
    HENGDONG,
    LEGAL,
    AUDIT,
    LAND,
    FIN,
    MAGISTRATE,
    SECRETARY,
    LG_OFFICE,
    ADMIN,
    {"user_id": "u-mag", "position": "county_leader_in_charge", "unit": "LG"},
)
"""Whose inbox the sweep reads: each unit and position the sample routes address."""


def supervision_refusals(lifecycle) -> list[tuple[str, object]]:
    supervision, notifications, approved = (
        lifecycle["supervision"],
        lifecycle["notifications"],
        lifecycle["projects"][0],
    )
    problem = supervision.tracking(IPB, approved)["problems"][0]["id"]
    supervision.resolve_problem(IPB, approved, problem, {"resolution": "已协调落实用地指标"})
    return [
        ("contacts not given", lambda: supervision.set_contacts(IPB, approved, {})),
        (
            "a reminder in the past",
            lambda: supervision.schedule_reminder(
                IPB, approved, {"at": "2026-01-01T09:00:00+08:00", "note": "请报送进展"}
            ),
        ),
        (
            "a problem resolved twice",
            lambda: supervision.resolve_problem(IPB, approved, problem, {"resolution": "再次"}),
        ),
        (
            "an owner that is no address",
            lambda: supervision.raise_problem(IPB, approved, {"description": "用地指标未落实", "owner": "LAND"}),
        ),
        ("a notice not in the inbox", lambda: notifications.mark_read(IPB, 99999)),
        ("a channel not installed", lambda: notifications.configure_channel(ADMIN, "pager", {"settings": {}})),
        (
            "a robot's address that is none",
            lambda: notifications.configure_channel(ADMIN, "webhook", {"settings": {"url": "钉钉"}}),
        ),
    ]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_supervision_and_every_notice_read_in_the_readers_language(lifecycle, locale):
    """The tracking of each project, the stalled lists, the register and the deadlines; every notice of every inbox,
    and (in Chinese) as the group robot and e-mail send it; supervision's and notifications' refusals."""
    from services.notifications.channels import Message as Sent, robot_payload
    from shared.clock import to_shanghai

    supervision, notifications = lifecycle["supervision"], lifecycle["notifications"]
    data = (
        lifecycle["names"] + TYPED + ("已协调落实用地指标", "再次", "钉钉", "pager")
    )  # typed (a channel in the address)
    sweep = Sweep(locale, data=data + (("吴局长", "郑局长", "按期开工建设") if locale == "en" else ()))
    for project_id in lifecycle["projects"]:
        tracking = supervision.tracking(IPB, project_id)
        sweep.answer(tracking, f"tracking of {tracking['ref']}")
    sweep.answer(supervision.stalled(LG_OFFICE), "stalled lists")
    register = supervision.special_reports(IPB)
    assert register, "a special report is in the register"
    sweep.answer(register, "special-report register")
    sweep.answer(supervision.deadlines(ADMIN, None, False), "deadlines")
    kinds = set()
    for reader in READERS:
        for item in notifications.inbox(reader, False, 500)["items"]:
            kinds.add(item["event_type"])
            sweep.answer(item, f"inbox of {reader['position']}: {item['event_type']}")
    assert kinds >= {
        "coordinator.project_state_changed",
        "contracts.obligation_lapsed",
        "contracts.special_report_late",
        "contracts.special_report_filed",
        "supervision.special_report_filed",
        "supervision.reminder",
        "supervision.problem_escalated",
        "supervision.project_stale",
    }, kinds
    if locale == "zh-CN":
        for note in notifications.rows("notifications"):
            title, text = (i18n.text(i18n.read_text(note[k]), locale) for k in ("title", "text"))
            sent = Sent(
                note["id"],
                note["event_type"],
                note["project_id"],
                note["ref"],
                title,
                text,
                tuple(note["recipients"]),
                to_shanghai(note["created_at"]),
            )
            for fmt in ("text", "dingtalk_markdown"):
                sweep.answer(robot_payload(sent, fmt), f"group robot ({fmt}) {note['event_type']}")
    for where, call in supervision_refusals(lifecycle):
        with pytest.raises(ZhaoshangError) as refused:
            call()
        sweep.answer(refused.value.to_dict(locale), where)
    sweep.check()
