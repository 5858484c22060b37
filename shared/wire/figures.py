"""Wire format of the enterprise data store (supervision, R17): imports of yearly figures and of the register,
a figure entered by hand, an enterprise with its figures and their audit."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.schema import Text
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema

DECIMAL = {"as_string": True, "allow_nan": False}
KINDS = ["tax", "output", "energy", "electricity", "land"]


class Strict(Schema):
    class Meta:
        unknown = RAISE


class FiguresUploadSchema(Strict):
    """An Excel workbook (.xlsx) or a CSV file sent as base64: every row is checked; a bad row imports nothing."""

    filename = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"description": "ends .xlsx or .csv"}
    )
    content_base64 = fields.String(required=True)
    year = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1949, max=9999),
        metadata={"description": "the year of every row, when the file has no 年度 column"},
    )


class FigureImportSchema(Schema):
    import_id = fields.Integer()
    filename = fields.String()
    kinds = fields.List(fields.String(), metadata={"description": "the kinds of figure the file brought"})
    rows = fields.Integer()
    added = fields.Integer()
    changed = fields.Integer(metadata={"description": "figures (or register rows) that replaced a kept one"})
    by = fields.Dict()
    at = ShanghaiDateTime()


class FigureInputSchema(Strict):
    value = fields.Decimal(required=True, **DECIMAL)
    unit = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=20),
        metadata={
            "description": "one of the kind's units in policy (万元, 元, 吨标准煤, 亩…); the kind's own by default"
        },
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class FigureChangeSchema(Schema):
    year = fields.Integer()
    kind = fields.String()
    kind_name = Text()
    old_value = fields.Decimal(allow_none=True, **DECIMAL)
    new_value = fields.Decimal(**DECIMAL)
    import_id = fields.Integer(allow_none=True, metadata={"description": "None: entered by hand"})
    reason = fields.String(allow_none=True)
    by = fields.Dict()
    at = ShanghaiDateTime()


class EnterpriseSchema(Schema):
    credit_code = fields.String(metadata={"description": "统一社会信用代码"})
    name = fields.String(allow_none=True)
    location = fields.String(allow_none=True, metadata={"description": "PARK:<id> or TOWN:<id>"})
    location_name = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    production_year = fields.Integer(allow_none=True)
    figures = fields.Dict(metadata={"description": "year -> kind -> value in the kind's unit (units)"})
    units = fields.Dict(metadata={"description": "kind -> the unit its figures are kept in"})
    changes = fields.List(fields.Nested(FigureChangeSchema))


class EnterprisePageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(EnterpriseSchema))
