"""Chinese first (R18): nothing the platform says in zh-CN has a run of Latin letters that is not an allowed code,
and nothing it says in English has Chinese that is not data.

The sweep renders, in zh-CN:

* every message of the catalogue, with sample parameters of the kind each placeholder names;
* the refusal of every operation of the authorization table (the table's own forbidden actor);
* a bad-input sweep: every input schema of the services converted so far, given an empty body, a body of wrong
  types and a field it does not know, and the domain's own checks of a lead, a reserve project, an opinion, the
  targets and the funds in place, given bad values;
* a sample lifecycle driven through intake, review and the coordinator (their own handlers and RPCs over SQLite):
  the timeline of each project, every row of the ledger, the ledger's workbook and the work summary as Word, PDF
  (its text) and Excel;

and fails listing each leak with where it came from.  The same catalogue and refusals rendered in English fail on
Chinese that is not one of the county's own words (``EN_DATA``).

What phase 2 adds to the sweep (negotiation, contracts, accounting, notifications, the gateway's people, the web
app) is listed in ``PHASE_TWO`` below: their wire schemas, their events' reasons on the timeline, their documents.
"""
from __future__ import annotations

import base64
import io
import re
import subprocess

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
from zhaoshang import messages
from zhaoshang.authorization import CONTEXT, rows

POLICY = load_policy()

# -- what may stand in Latin letters in Chinese text ------------------------------------------------------------------
ALLOWED = [re.compile(p) for p in (
    r"[0-9A-HJ-NPQRTUWY]{18}",                  # a unified social credit code (GB 32100-2015)
    r"[A-T](\d{2,4})?",                         # a GB/T 4754 sector code (section letter, division, group, class)
    r"(ZS|CB|TZ|SR)\d{4}-\d{4}",                # project refs, reserve refs, imported ledger refs, special reports
    r"O\d+",                                    # a contract obligation's key
    r"GB/T|GB|ISO|Excel|Word|PDF|JSON|URL|UUID|Base64|base64|xlsx|docx|doc|pdf|e-mail|Email",
    r"YYYY-MM(-DD)?|YYYY-Qn|Q[1-4]",            # formats shown as they are typed
    r"A-T|A-H|J-N|P-R|T-U|W-Y|I|O|S|V|Z",       # the characters a credit code or a sector code is made of
    r"m2|mu|ha|sqm",                            # land units as typed
    r"UTF-8|U|x",                               # an encoding, a character's code point (U+0000), a byte (0x00)
    r"[A-Z]{1,4}(-\d{1,4})+",                  # a land parcel's code (HD-01, HD-2026-01)
)]
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[/-][A-Za-z0-9_]+)*")
EN_DATA = {"是", "否", "职务", "姓名", "项目名称", "完成时限", "推进要求", "万元", "亩", "平方米", "公顷", "年", "月", "日"}
"""Chinese that English text keeps: the county's headings and words an import expects, units as typed."""
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def latin_leaks(text: str) -> list[str]:
    return [run for run in LATIN_RUN.findall(text or "") if not any(p.fullmatch(run) for p in ALLOWED)]


def chinese_leaks(text: str) -> list[str]:
    return [run for run in CJK_RUN.findall(text or "") if run not in EN_DATA]


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


CODE_FIELDS = {"error", "project_id", "id", "ref", "state", "from_state", "to_state", "trigger", "kind", "unit", "units",
               "position", "user_id", "sector", "book", "tier", "event_id", "cause_event_id", "source", "key_basis",
               "verdict", "check", "opinion", "outcome", "required_units", "awaiting", "registered_unit",
               "responsible_unit", "location_kind", "location_id", "policy_values", "actor", "allowed_next",
               "content_base64", "content_type", "filename", "stamps", "type", "field", "registered_by", "by_unit",
               "round", "deadline", "at", "due", "on", "state_since", "registered_on", "next_due", "signed_on",
               "created_at", "convened_at", "concluded_at", "escalated_at", "amount", "version", "seq", "facts",
               "details", "level", "name_en", "code", "location", "sheet", "heading", "operation"}
"""Fields that hold codes or data, not texts a person reads as a sentence (their names sit beside them)."""


def _texts(value, where: str):
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in CODE_FIELDS:
                yield from _texts(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, f"{where}[{i}]")
    elif isinstance(value, str):
        yield where, value


# -- 1. the catalogue -------------------------------------------------------------------------------------------------
SAMPLES = {
    "unit": "PARK:hengdong", "units": ["DRB", "FIN", "PARK:hexi"], "position": "park_head:hengdong",
    "positions": ["county_magistrate", "party_secretary"], "state": "under_review", "states": ["lead", "filed"],
    "event": "review.concluded", "sector": "C3252", "mu": "45", "wan": "150000000", "yuan": "810000",
    "intensity": "222.2222", "scale": "100000000", "date": "2026-12-01", "datetime": "2026-12-01T01:30:00+00:00",
    "list": ["甲", "乙"], "clauses": ["甲", "乙"], "field": "land.value", "count": 3, "channel": "fair",
    "channels": ["fair", "visit"], "operation": "accounting.record_actual_fai", "trigger": "review.concluded:approved",
    "triggers": ["command:terminate", "review.returned"], "opinion": "conditional", "verdict": "flag",
    "check": "investment_intensity", "policy_class": "restricted", "impact": "report_form", "location": "town",
    "outcome": "approved", "book": "negotiation", "review_state": "returned",
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
            if issubclass(cls, Schema) and cls.__module__ == f"shared.wire.{module}" and (
                    name.endswith("InputSchema") or name.endswith("QuerySchema")):
                found.append(cls)
    return found


CONVERTED_WIRE = ("intake", "review", "coordinator", "ledger", "reserve")
"""The wire modules of the services converted now (phase 2 adds the others: ``PHASE_TWO``)."""


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
    sweep = Sweep(locale, data=("多余字段", *POLICY.get("county.cooperation_modes")))  # what the sweep typed, policy
    schemas = _input_schemas()
    assert len(schemas) >= 15
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

    data = load_lead_input(lead(investor={"name": "某公司", "kind": "domestic", "credit_code": credit_code()[:17] + "0"},
                                sector="C9999", planned_total_investment="-1", land_demand={"value": "5", "unit": "英亩"},
                                preferred_location={"kind": "park", "id": "moon"}, source_channel="飞鸽"))
    return intake_domain.validate_lead(data, POLICY)


DOMAIN_CHECKS = [
    ("a lead with every field wrong", _bad_lead),
    ("a reserve project with every field wrong", lambda: reserve.validate(
        {"sector": "Z1", "total_investment": "0.001", "location": {"kind": "town", "id": "moon"},
         "cooperation_mode": "捐赠", "document": {"filename": "建议书.exe"}}, POLICY)),
    ("a plan year out of range", lambda: reserve.check_year(1900)),
    ("an opinion that is no opinion", lambda: review_domain.check_opinion("maybe", [], [])),
    ("a conditional pass without conditions", lambda: review_domain.check_opinion("conditional", [], [])),
    ("an opinion of a unit not reviewing", lambda: review_domain.check_can_record("open", "AUDIT", ["DRB"], set())),
    ("an opinion given twice", lambda: review_domain.check_can_record("open", "DRB", ["DRB"], {"DRB"})),
    ("an opinion on a closed review", lambda: review_domain.check_can_record("concluded", "DRB", ["DRB"], set())),
    ("a step the lifecycle does not allow", lambda: __import__("services.coordinator.domain", fromlist=["x"])
     .next_state("lead", "contracts.signed")),
    ("targets with every line wrong", lambda: __import__("services.coordinator.targets", fromlist=["x"]).check_targets(
        2026, [{"unit": "IPB", "contracted_investment": 1, "funds_in_place": 1}], POLICY)),
    ("a period that is no period", lambda: __import__("services.coordinator.targets", fromlist=["x"]).period("2026-13")),
]


# -- 4. a sample lifecycle: timeline, ledger, workbook and the work summary ------------------------------------------------
IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB", "name": "李文员"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG", "name": "王县长"}
HANDLERS = {"intake.lead_registered": "on_lead_registered", "intake.project_filed": "on_project_filed",
            "review.convened": "on_review_convened", "review.opinion_recorded": "on_review_opinion_recorded",
            "review.returned": "on_review_returned", "review.resubmitted": "on_review_resubmitted",
            "review.concluded": "on_review_concluded", "review.escalated": "on_review_escalated"}


def reviewer(unit: str) -> dict:
    if unit.startswith("PARK:"):
        return {"user_id": f"u-{unit}", "position": f"park_head:{unit[5:]}", "unit": unit}
    return {"user_id": f"u-{unit}", "position": "reviewer", "unit": unit}


@pytest.fixture
def lifecycle(tmp_path):
    """Three leads through intake, the joint review and the coordinator: one returned, resubmitted and approved with
    conditions, one rejected at convening (an eliminated sector), one left a lead; then the coordinator's own acts."""
    engines = {name: create_engine(f"sqlite:///{tmp_path / name}.db") for name in ("intake", "review", "coordinator")}
    for name, metadata in (("intake", intake_models.metadata), ("review", review_models.metadata),
                           ("coordinator", coordinator_models.metadata)):
        metadata.create_all(engines[name])
    clock = TestClock(shanghai(2026, 12, 1))
    intake = Harness(IntakeService, intake_models.metadata, engines["intake"], policy=POLICY, clock=clock)
    review = Harness(ReviewService, review_models.metadata, engines["review"], policy=POLICY, clock=clock,
                     calendar=WorkingDayCalendar(POLICY.holiday_years), checks=discover_checks())
    coordinator = Harness(CoordinatorService, coordinator_models.metadata, engines["coordinator"], policy=POLICY,
                          clock=clock)
    approved = intake.register_lead(IPB, lead(1, project_name="年产5万吨高性能铝合金型材项目", sector="C3252"))
    rejected = intake.register_lead(IPB, lead(2, project_name="平板玻璃生产线项目", sector="C3041"))
    intake.register_lead(IPB, lead(3, project_name="农产品冷链物流项目", sector="G5951",
                                   preferred_location={"kind": "town", "id": "xintang"}))
    for one in (approved, rejected):
        intake.file_project(IPB, one["id"], {"reason": "材料齐全，予以备案"})

    relayed = {}

    def relay(harness, handlers):
        events = harness.events()
        for body in events[relayed.get(id(harness), 0):]:
            for target in handlers:
                if body["type"] in HANDLERS and (target is coordinator or body["type"] == "intake.project_filed"):
                    target.call(HANDLERS[body["type"]], body)
        relayed[id(harness)] = len(events)

    relay(intake, [review, coordinator])
    review.convene(IPB, approved["id"], {"note": None})
    review.convene(IPB, rejected["id"], {"note": None})
    review.record_return(IPB, approved["id"], {"unit": "LAND", "request": "补充用地预审材料"})
    review.resubmit(IPB, approved["id"], {"note": "已补充用地预审意见"})
    for unit in [*review_domain.REVIEWING_BUREAUS, "PARK:hengdong"]:
        opinion = {"opinion": "conditional", "conditions": ["环评批复前不得开工"]} if unit == "EPB" else {"opinion": "pass"}
        review.record_opinion(reviewer(unit), approved["id"], opinion)
    relay(review, [coordinator])
    coordinator.set_key_project(MAGISTRATE, approved["id"], {"designated": True, "liaison_leader": {
        "user_id": "u-mag", "name": "王县长", "position": "county_magistrate"}, "service_team": [
        {"name": "赵六", "role": "队长"}]})
    coordinator.assign_responsibility(IPB, approved["id"], {"responsible_person": {"name": "李文员"}})
    coordinator.set_requirements(IPB, approved["id"], {"requirements": [{"step": "完成项目选址", "due": "2026-11-15"}]})
    clock.now = shanghai(2026, 12, 31)  # later: a requirement overdue, projects idle
    return {"intake": intake, "review": review, "coordinator": coordinator,
            "projects": [approved["id"], rejected["id"]], "names": ("年产5万吨高性能铝合金型材项目", "平板玻璃生产线项目",
                                                                   "农产品冷链物流项目", "李文员", "王县长", "赵六")}


def test_a_sample_lifecycle_reads_in_chinese_on_every_screen_and_document(lifecycle):
    coordinator, review = lifecycle["coordinator"], lifecycle["review"]
    sweep = Sweep("zh-CN", data=lifecycle["names"])
    for project_id in lifecycle["projects"]:
        project = coordinator.get_project(IPB, project_id)
        assert len(project["timeline"]) >= 3
        for i, entry in enumerate(project["timeline"]):
            sweep.answer(entry, f"timeline of {project['ref']} [{i}] {entry['kind']}")
        sweep.answer(review.get_review(IPB, project_id), f"review of {project['ref']}")
    page = coordinator.ledger(IPB, {"state": "审查通过"})  # a state filter by its Chinese name
    assert page["total"] == 1
    for row in coordinator.ledger(IPB, {"limit": 50})["items"]:
        sweep.answer(row, f"ledger row {row['ref']}")
    workbook = load_workbook(io.BytesIO(base64.b64decode(coordinator.ledger_workbook(IPB)["content_base64"])))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    sweep.text(value, f"ledger workbook, sheet {sheet.title}")
    for kind in ("docx", "pdf", "xlsx"):
        content = base64.b64decode(coordinator.work_summary(IPB, "2026-12", kind)["content_base64"])
        for i, text in enumerate(document_texts(kind, content)):
            sweep.text(text, f"work summary ({kind}) [{i}]")
    sweep.check()


def test_the_same_lifecycle_reads_in_english_but_for_its_data(lifecycle):
    coordinator, review = lifecycle["coordinator"], lifecycle["review"]
    typed = ("材料齐全，予以备案", "补充用地预审材料", "已补充用地预审意见", "环评批复前不得开工", "完成项目选址", "队长",
             *(f"示例投资有限公司{n}" for n in (1, 2, 3)))
    untranslated_sectors = tuple(zh for zh, en in vocabulary.sectors().values() if zh == en)  # shipped in Chinese only
    sweep = Sweep("en", data=lifecycle["names"] + typed + untranslated_sectors)
    for project_id in lifecycle["projects"]:
        project = coordinator.get_project(IPB, project_id)
        for i, entry in enumerate(project["timeline"]):
            sweep.answer(entry, f"timeline of {project['ref']} [{i}] {entry['kind']}")
        sweep.answer(review.get_review(IPB, project_id), f"review of {project['ref']}")
    for row in coordinator.ledger(IPB, {"limit": 50})["items"]:
        sweep.answer(row, f"ledger row {row['ref']}")
    sweep.check()


def document_texts(kind: str, content: bytes) -> list[str]:
    if kind == "docx":
        return gongwen.read_docx_text(content)
    if kind == "pdf":
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True,
                              check=True).stdout.decode().splitlines()
    workbook = load_workbook(io.BytesIO(content))
    return [v for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]


def test_the_sweep_finds_a_leak_and_says_where():
    sweep = Sweep("zh-CN")
    sweep.text(Message("{state:state} ({unit:unit})", {"state": "not_a_state", "unit": "IPB"}), "a planted code")
    sweep.text("铝压延加工（C3252），ZS2026-0001，GB/T 4754", "allowed codes")
    assert [f.split(":")[0] for f in sweep.found] == ["a planted code"] and "'not_a_state'" in sweep.found[0]
    english = Sweep("en")
    english.text(Message("{unit:unit} asks for more information: {request}", {"unit": "DRB", "request": "x"}), "ok")
    english.text("联审中", "a planted word")
    assert [f.split(":")[0] for f in english.found] == ["a planted word"]


PHASE_TWO = {
    "wire schemas": ["shared/wire/negotiation.py", "shared/wire/contracts.py", "shared/wire/accounting.py",
                     "shared/wire/notifications.py", "shared/wire/people.py"],
    "domain checks": ["negotiation: assignment, sessions, the decision route and deciders",
                      "contracts: drafts, legal review, signing, copies, custody, grants",
                      "accounting: figures, recovery, write-off", "notifications/supervision: tracking, problems, "
                      "special reports", "gateway people: sign-in, users"],
    "lifecycle": ["negotiation, contracts and accounting harnesses in the sample lifecycle, to its archiving; their "
                  "events' reasons on the timeline and the ledger's latest progress"],
    "documents": ["the contract (services/contracts/document.py)", "the accounting report (services/accounting/"
                  "report.py) on shared/gongwen.py", "special reports on shared/gongwen.py", "notification texts"],
    "web": ["every page of the web app per position (tests/browser)"],
}
"""What the sweep adds once those services' messages are in the catalogue (docs/ARCHITECTURE.md §5)."""


def test_the_phase_two_list_names_only_what_exists():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in PHASE_TWO["wire schemas"]:
        assert (root / path).exists(), path
        assert Path(path).stem not in CONVERTED_WIRE
