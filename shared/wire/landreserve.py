"""Wire format of the land reserve (土地储备, the landreserve service): parcels, LAND's workbook, matching, the plan."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.schema import Text
from shared.wire.base import Schema

TEXT = validate.Length(min=1, max=4000)
DECIMAL = {"as_string": True, "allow_nan": False}


class Strict(Schema):
    class Meta:
        unknown = RAISE


class WorkbookInputSchema(Strict):
    """An Excel workbook (.xlsx) sent as base64: every row is checked; a bad row imports nothing."""

    filename = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content_base64 = fields.String(required=True)


class StatusInputSchema(Strict):
    status = fields.String(
        required=True,
        validate=validate.OneOf(["reserved", "ready", "in_listing"]),
        metadata={"description": "supplied comes only from the signed contract naming the parcel"},
    )
    reason = fields.String(required=True, validate=TEXT)
    delisting_price = fields.Decimal(
        load_default=None, allow_none=True, **DECIMAL, metadata={"description": "yuan per mu (a listing states it)"}
    )


class MatchQuerySchema(Strict):
    land_mu = fields.Decimal(
        required=True,
        **DECIMAL,
        validate=validate.Range(min=0, min_inclusive=False),
        metadata={"description": "the land asked for, in mu"},
    )
    sector = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Ta-t]\d{0,4}$"), metadata={"description": "GB/T 4754 code"}
    )
    location = fields.String(
        load_default=None, allow_none=True, metadata={"description": "the preferred park or town (PARK:hengdong)"}
    )
    planned_intensity = fields.Decimal(
        load_default=None,
        allow_none=True,
        **DECIMAL,
        metadata={"description": "planned fixed-asset investment per mu, 万元/亩"},
    )


class ParcelSearchQuerySchema(Strict):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "a fragment of a parcel's name (two Chinese characters are enough), its "
            "code, or the name of the project it is meant for"
        },
    )
    status = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(["reserved", "ready", "in_listing", "supplied"])
    )
    location = fields.String(load_default=None, allow_none=True, metadata={"description": "PARK:<id> or TOWN:<id>"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class ParcelHitSchema(Schema):
    """A parcel found by search (the gateway's /api/search lists it beside leads and projects)."""

    kind = fields.Constant("parcel")
    code = fields.String()
    name = fields.String()
    location = fields.String()
    location_name = fields.String()
    area_mu = fields.Decimal(**DECIMAL)
    use_name = Text()
    status = fields.String()
    status_name = fields.Raw()
    project = fields.Dict(allow_none=True, metadata={"description": "the project it is meant for or supplied to"})


class ParcelSchema(Schema):
    code = fields.String(metadata={"description": "地块编号"})
    name = fields.String()
    location = fields.String(metadata={"description": "PARK:<id> or TOWN:<id>"})
    location_name = fields.String()
    address = fields.String(allow_none=True)
    area_mu = fields.Decimal(**DECIMAL)
    use = fields.String()
    use_name = Text()
    plot_ratio_min = fields.Decimal(**DECIMAL)
    plot_ratio_max = fields.Decimal(**DECIMAL)
    status = fields.String(metadata={"description": "reserved | ready | in_listing | supplied"})
    status_name = fields.Raw(metadata={"description": "the status by name, in the reader's language"})
    delisting_price = fields.Decimal(allow_none=True, **DECIMAL, metadata={"description": "yuan per mu"})
    indicators = fields.Dict(
        metadata={
            "description": "standard-land indicators: investment_intensity, "
            "output_per_mu, tax_per_mu (万元/亩), energy_per_output"
        }
    )
    notes = fields.String(allow_none=True)
    project = fields.Dict(allow_none=True, metadata={"description": "the project a contract draft names it for"})
    supplied_by = fields.Dict(allow_none=True, metadata={"description": "the signed contract that supplied it"})
    source = fields.String()
    updated_by = fields.Dict()
    updated_at = fields.String(metadata={"format": "date-time", "description": "Asia/Shanghai"})
    history = fields.List(fields.Dict())


class ParcelPageSchema(Schema):
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    area_by_status = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "mu"})
    items = fields.List(fields.Nested(ParcelSchema))


class ParcelImportSchema(Schema):
    imported = fields.Integer()
    added = fields.List(fields.String())
    changed = fields.List(fields.String())


class ParcelMatchSchema(Schema):
    rank = fields.Integer()
    parcel = fields.Nested(ParcelSchema)
    preferred = fields.Boolean()
    excess_mu = fields.Decimal(**DECIMAL)
    below_standard = fields.Boolean()
    reasons = fields.List(fields.Raw(), metadata={"description": "messages, rendered in the reader's language"})


class ContractParcelSchema(Schema):
    """What a contract records of the parcel it supplies (R6, R12: accounting uses its delisting price)."""

    code = fields.String()
    name = fields.String()
    location = fields.String()
    area_mu = fields.Decimal(**DECIMAL)
    use = fields.String()
    delisting_price = fields.Decimal(allow_none=True, **DECIMAL)
