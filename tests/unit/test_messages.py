"""The message catalogue (R18): extracted from the code, every text translated, rendered per reader."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from shared import i18n, vocabulary
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound, ZhaoshangError
from shared.i18n import Message, _
from zhaoshang import messages

ROOT = Path(__file__).resolve().parents[2]


def test_the_catalogue_is_the_codes_and_every_text_has_its_chinese():
    problems = messages.check()
    assert problems.ok, "\n" + problems.report()


def test_a_text_without_its_chinese_is_found(tmp_path, monkeypatch):
    (tmp_path / "services" / "x").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "zhaoshang").mkdir()
    (tmp_path / "services" / "x" / "domain.py").write_text(
        'from shared.i18n import _\nMESSAGE = _("a text nobody translated {n:count}", n=1)\n', encoding="utf-8"
    )
    problems = messages.check(tmp_path)
    assert "a text nobody translated {n:count}" in problems.stale
    assert "a text nobody translated {n:count}" in problems.untranslated["zh-CN"]
    assert not problems.ok


def test_a_translation_must_use_its_sources_placeholders():
    assert i18n.placeholders("{a:unit} and {b}") == {("a", "unit"), ("b", "")}
    assert i18n.placeholders("{a:unit}和{b}") == i18n.placeholders("{a:unit} and {b}")
    assert i18n.placeholders("{a}和{b}") != i18n.placeholders("{a:unit} and {b}")


def test_messages_render_in_chinese_by_default_and_in_english_on_request():
    message = _("must be more than {min}", min=0)
    assert message.render() == "须大于0"
    assert message.render("zh-CN") == "须大于0"
    assert message.render("en") == "must be more than 0"
    assert str(message) == "must be more than 0"


@pytest.mark.parametrize(
    "spec, value, zh, en",
    [
        ("unit", "PARK:hengdong", "衡东工业园", "Hengdong Industrial Park"),
        ("unit", "DRB", "县发改局", "County Development and Reform Bureau"),
        (
            "units",
            ["DRB", "IND", "FIN"],
            "县发改局、县工信局和县财政局",
            "County Development and Reform Bureau, County Industry and Information Technology Bureau and "
            "County Finance Bureau",
        ),
        (
            "position",
            "park_head:hengdong",
            "衡东工业园管委会主任",
            "director of the Hengdong Industrial Park management committee",
        ),
        ("position", "county_magistrate", "县长", "county magistrate"),
        ("state", "under_review", "联审中", "under joint review"),
        ("event", "review.opinion_recorded", "部门审查意见已提交", "review opinion recorded"),
        ("mu", Decimal("60.0045"), "60.0045 亩", "60.0045 mu"),  # kept exactly: never 60.00 beside the 60-mu rule
        ("mu", Decimal("40.5"), "40.50 亩", "40.50 mu"),
        ("mu", Decimal("1.23456"), "1.2346 亩", "1.2346 mu"),
        ("mu", "45", "45.00 亩", "45.00 mu"),
        ("wan", "150000000", "15,000.00 万元", "CNY 150,000,000.00"),
        ("yuan", Decimal("810000"), "810,000.00 元", "CNY 810,000.00"),
        ("intensity", "222.2222", "222.22 万元/亩", "222.22 10k yuan/mu"),
        ("date", "2026-12-01", "2026年12月1日", "2026-12-01"),
        ("datetime", "2026-12-01T01:30:00+00:00", "2026年12月1日 09:30", "2026-12-01 09:30"),
        ("field", "participants[0].unit", "参会单位", "participant's unit"),
        ("field", "investor.credit_code", "统一社会信用代码", "unified social credit code"),
    ],
)
def test_codes_are_shown_as_names(spec, value, zh, en):
    template = "{value:" + spec + "}"
    assert i18n.KINDS[spec](value, "zh-CN") == zh
    assert i18n.KINDS[spec](value, "en") == en
    assert i18n.placeholders(template) == {("value", spec)}


def test_an_unknown_code_is_shown_as_it_is_and_rendering_never_raises():
    assert vocabulary.unit_name("PARK:nowhere") == "PARK:nowhere"
    assert vocabulary.state_name("no_such_state") == "no_such_state"
    assert _("must be more than {min}").render("zh-CN") == "must be more than {min}"  # a parameter missing
    assert i18n.KINDS["mu"]("not a number", "zh-CN") == "not a number"


def test_nested_messages_and_lists_render_in_the_same_language():
    rule = _("must be more than {min}", min=0)
    message = _("{field:field}: {rule}", field="land.value", rule=rule)
    assert message.render("zh-CN") == "用地：须大于0"
    assert message.render("en") == "land: must be more than 0"
    both = _(
        "invalid input — {problems:clauses}",
        problems=[message, _("{field:field}: {rule}", field="sector", rule=_("required"))],
    )
    assert both.render("zh-CN") == "输入不符合规则：用地：须大于0；所属行业：必填"


@pytest.mark.parametrize(
    "header, locale",
    [
        (None, "zh-CN"),
        ("", "zh-CN"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("fr-FR, en;q=0.5", "en"),
        ("fr-FR", "zh-CN"),
        ("en;q=0.2, zh;q=0.8", "zh-CN"),
        ("*", "zh-CN"),
        ("zh-Hans-CN", "zh-CN"),
        ("en;q=0", "zh-CN"),
    ],
)
def test_the_readers_language_comes_from_accept_language(header, locale):
    assert i18n.negotiate(header) == locale


@pytest.mark.parametrize(
    "cls, code",
    [(InvalidInput, "invalid_input"), (NotFound, "not_found"), (NotAllowed, "not_allowed"), (Conflict, "conflict")],
)
def test_errors_keep_their_code_and_messages_across_nameko(cls, code):
    from nameko.exceptions import deserialize, serialize

    import shared.rpc  # noqa: F401  (registers the typed errors)

    original = cls(_("must be more than {min}", min=0), {"land.value": [_("must be more than {min}", min=0)]})
    wire = json.loads(json.dumps(serialize(original)))  # as it travels over AMQP
    back = deserialize(wire)
    assert type(back) is cls and back.code == code
    assert back.to_dict("zh-CN") == {"error": code, "message": "须大于0", "details": {"land.value": ["须大于0"]}}
    assert back.to_dict("en") == {
        "error": code,
        "message": "must be more than 0",
        "details": {"land.value": ["must be more than 0"]},
    }
    assert str(back) == "must be more than 0"


def test_a_message_in_an_rpc_answer_stays_a_message():
    import kombu.serialization

    import shared.rpc  # noqa: F401  (registers Message with kombu's JSON)

    answer = {"findings": [{"check": "x", "why": _("must be more than {min}", min=Decimal("200"))}]}
    content_type, encoding, data = kombu.serialization.dumps(answer, "json")
    back = kombu.serialization.loads(data, content_type, encoding)
    assert isinstance(back["findings"][0]["why"], Message)
    assert back["findings"][0]["why"].render("zh-CN") == "须大于200"


def test_a_field_error_names_the_field_in_chinese():
    error = InvalidInput.for_field("land.value", _("must be more than {min}", min=0))
    assert error.to_dict("zh-CN")["message"] == "用地：须大于0"
    assert error.details == {"land.value": ["must be more than 0"]}
    assert isinstance(error, ZhaoshangError)


def test_marshmallows_own_texts_are_read_in_chinese():
    from marshmallow import Schema, fields, validate

    from shared.schema import load_or_invalid

    class Form(Schema):
        project_name = fields.String(required=True, validate=validate.Length(min=1, max=5))
        year = fields.Integer(required=True)
        stage = fields.String(validate=validate.OneOf(["early", "final"]))

    with pytest.raises(InvalidInput) as info:
        load_or_invalid(Form(), {"project_name": "abcdefg", "year": "x", "stage": "late", "other": 1})
    answer = info.value.to_dict("zh-CN")
    assert answer["details"] == {
        "project_name": ["长度须在1至5之间"],
        "year": ["须为整数"],
        "stage": ["须为以下之一：early, final"],
        "other": ["不是本表单的填写项"],
    }
    assert answer["message"].startswith("输入不符合规则：项目名称：长度须在1至5之间；")


PURE_BESIDE = (
    "services.coordinator.ledger",
    "services.coordinator.attachments",
    "services.intake.reserve",
    "services.supervision.commitments",
    "services.supervision.benefit",
    "services.supervision.figures",
)
"""The pure modules beside a service's domain.py that decide its rules (docs/ARCHITECTURE.md, section 7)."""

BLOCK_NAMEKO = f"""
PURE_BESIDE = {PURE_BESIDE!r}
import importlib, importlib.abc, sys, glob
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("nameko", "eventlet", "kombu", "sqlalchemy"):
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
for path in sorted(glob.glob("services/*/domain.py")):
    importlib.import_module(path[:-3].replace("/", "."))
for module in PURE_BESIDE:
    importlib.import_module(module)
import shared.errors, shared.i18n, shared.vocabulary
print("imported")
"""


def test_every_domain_and_pure_module_imports_without_nameko_eventlet_kombu_or_sqlalchemy():
    run = subprocess.run([sys.executable, "-c", BLOCK_NAMEKO], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "imported"
