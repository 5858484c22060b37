"""shared.schema.schema: one instance per schema class (and per ``many``), reused without carrying state."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields, validate

from shared.errors import InvalidInput
from shared.schema import load_or_invalid, schema


class ItemSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    count = fields.Integer(load_default=1)


def test_one_instance_per_class_and_many():
    assert schema(ItemSchema) is schema(ItemSchema)
    assert schema(ItemSchema, many=True) is schema(ItemSchema, many=True)
    assert schema(ItemSchema) is not schema(ItemSchema, many=True)
    assert schema(ItemSchema, many=True).many and not schema(ItemSchema).many


def test_a_failed_load_leaves_nothing_behind_for_the_next():
    with pytest.raises(InvalidInput) as bad:
        load_or_invalid(schema(ItemSchema), {"name": ""})
    assert "name" in bad.value.fields
    assert load_or_invalid(schema(ItemSchema), {"name": "a"}) == {"name": "a", "count": 1}
    assert schema(ItemSchema, many=True).dump([{"name": "a", "count": 2}]) == [{"name": "a", "count": 2}]
