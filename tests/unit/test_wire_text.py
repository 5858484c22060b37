"""Every text field of shared/wire refuses control characters at load, naming the field; prose keeps its lines."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import marshmallow
import pytest
from marshmallow import fields

import shared.wire
from shared.errors import InvalidInput
from shared.schema import load_or_invalid
from shared.wire.base import MULTILINE, PlainText
from shared.wire.contracts import LegalReviewInputSchema
from shared.wire.intake import load_lead_input
from shared.wire.people import UserInputSchema
from tests.factories import lead


def wire_schemas() -> list[type[marshmallow.Schema]]:
    found = []
    for module in pkgutil.iter_modules(shared.wire.__path__):
        mod = importlib.import_module(f"shared.wire.{module.name}")
        found += [
            c
            for c in vars(mod).values()
            if inspect.isclass(c)
            and issubclass(c, marshmallow.Schema)
            and c.__module__ == mod.__name__
            and c is not shared.wire.base.Schema
        ]
    return found


def text_fields(schema: marshmallow.Schema):
    for name, field in schema.fields.items():
        for f in (field, getattr(field, "inner", None)):
            if isinstance(f, fields.String):
                yield f"{type(schema).__name__}.{name}", name, f


def test_every_text_field_of_every_wire_schema_refuses_control_characters():
    schemas = wire_schemas()
    assert len(schemas) > 60
    checked = 0
    for cls in schemas:
        assert issubclass(cls, shared.wire.base.Schema), f"{cls.__name__} is not a wire schema (shared/wire/base.py)"
        for where, name, field in text_fields(cls()):
            rules = [v for v in field.validators if isinstance(v, PlainText)]
            assert len(rules) == 1, where
            assert rules[0].multiline == (name in MULTILINE), where
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u009b"])
def test_a_control_character_is_refused_naming_the_field(character):
    with pytest.raises(InvalidInput) as one_line:
        load_lead_input(lead(1, project_name=f"示例{character}项目"))
    assert list(one_line.value.details) == ["project_name"]
    assert f"U+{ord(character):04X}" in one_line.value.details["project_name"][0]
    with pytest.raises(InvalidInput) as nested:
        load_lead_input(lead(1, contact={"name": f"李{character}", "phone": "0731-12345678"}))
    assert list(nested.value.details) == ["contact.name"]
    with pytest.raises(InvalidInput) as in_a_list:
        load_or_invalid(
            LegalReviewInputSchema(),
            {"version": 1, "decision": "return", "comments": ["第七条", f"违约{character}责任"]},
        )
    assert list(in_a_list.value.details) == ["comments.1"]


def test_prose_keeps_its_line_breaks_and_tabs_a_name_does_not():
    assert load_lead_input(lead(1, notes="第一行\r\n第二行\n\t第三行"))["notes"] == "第一行\r\n第二行\n\t第三行"
    with pytest.raises(InvalidInput) as refused:
        load_lead_input(lead(1, project_name="第一行\n第二行"))
    assert "U+000A" in refused.value.details["project_name"][0]
    with pytest.raises(InvalidInput) as password:
        load_or_invalid(
            UserInputSchema(),
            {"user_id": "li", "name": "李", "position": "ipb_clerk", "unit": "IPB", "password": "zhaoshang\x002026"},
        )
    assert list(password.value.details) == ["password"]
