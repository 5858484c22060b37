"""Wire format of intake's RPCs and events (marshmallow), shared by intake and its callers."""

from __future__ import annotations

from marshmallow import fields, validate, RAISE

from shared.errors import InvalidInput
from shared.i18n import N_
from shared.schema import Text, load_or_invalid, schema
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema

PHONE = validate.Regexp(r"^\+?[0-9][0-9\- ]{5,19}$", error=N_("must be a telephone number (digits, -, optional +)"))


class InvestorSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(["domestic", "foreign"]))
    credit_code = fields.String(
        load_default=None, allow_none=True, metadata={"description": "统一社会信用代码, 18 chars (domestic)"}
    )
    registration_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "home registration id (foreign)"},
    )
    country = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[A-Za-z]{2}$", error=N_("must be a two-letter ISO 3166 code")),
    )


class ContactSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(required=True, validate=PHONE)
    email = fields.Email(load_default=None, allow_none=True)


class LandSchema(Schema):
    class Meta:
        unknown = RAISE

    value = fields.Decimal(required=True, as_string=True, allow_nan=False)
    unit = fields.String(required=True, validate=validate.OneOf(["mu", "m2", "ha", "亩", "平方米", "公顷"]))


class LocationSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(["park", "town", "open"]))
    id = fields.String(load_default=None, allow_none=True)


class LeadInputSchema(Schema):
    """A lead as registered (R1). Amounts in yuan, as strings or integers."""

    class Meta:
        unknown = RAISE

    investor = fields.Nested(InvestorSchema, required=True)
    contact = fields.Nested(ContactSchema, required=True)
    project_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    sector = fields.String(required=True, metadata={"description": "GB/T 4754 code, e.g. C3612"})
    planned_total_investment = fields.Decimal(
        required=True, as_string=True, allow_nan=False, metadata={"description": "yuan"}
    )
    planned_fixed_asset_investment = fields.Decimal(
        required=True, as_string=True, allow_nan=False, metadata={"description": "yuan"}
    )
    land_demand = fields.Nested(LandSchema, required=True)
    preferred_location = fields.Nested(LocationSchema, required=True)
    source_channel = fields.String(required=True)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    planned_annual_output = fields.Decimal(
        load_default=None,
        allow_none=True,
        as_string=True,
        allow_nan=False,
        validate=validate.Range(min=0),
        metadata={"description": "yuan a year at full production (R17 forecast)"},
    )
    planned_annual_tax = fields.Decimal(
        load_default=None,
        allow_none=True,
        as_string=True,
        allow_nan=False,
        validate=validate.Range(min=0),
        metadata={"description": "yuan a year at full production (R17 forecast)"},
    )
    planned_annual_energy = fields.Decimal(
        load_default=None,
        allow_none=True,
        as_string=True,
        allow_nan=False,
        validate=validate.Range(min=0),
        metadata={"description": "tonnes of standard coal equivalent a year (R17)"},
    )
    confirmed_new = fields.Boolean(
        load_default=False, metadata={"description": "IPB confirms a project matching an open one is new"}
    )


class FileInputSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class LeadSchema(Schema):
    """A lead as read back."""

    id = fields.String()
    ref = fields.String()
    status = fields.String()
    investor = fields.Dict()
    contact = fields.Dict()
    project_name = fields.String()
    sector = fields.String()
    planned_total_investment = fields.Decimal(as_string=True)
    planned_fixed_asset_investment = fields.Decimal(as_string=True)
    land_mu = fields.Decimal(as_string=True)
    land_demand = fields.Dict()
    preferred_location = fields.Dict()
    sector_name = Text(metadata={"description": "the GB/T 4754-2017 name and code: 铝压延加工（C3252）"})
    location_name = Text(metadata={"description": "the preferred park or town by name (or: location open)"})
    source_channel = fields.String()
    source_channel_name = Text()
    notes = fields.String(allow_none=True)
    planned_annual_output = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "yuan"})
    planned_annual_tax = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "yuan"})
    planned_annual_energy = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "吨标准煤"})
    registered_by = fields.Dict()
    registered_at = ShanghaiDateTime()
    filed_by = fields.Dict(allow_none=True)
    filed_at = ShanghaiDateTime(allow_none=True)
    confirmed_new_by = fields.Dict(allow_none=True)


class LeadEventSchema(Schema):
    """Payload of ``intake.lead_registered`` and ``intake.project_filed``."""

    ref = fields.String(required=True)
    project_name = fields.String(required=True)
    investor_name = fields.String(required=True)
    credit_code = fields.String(load_default=None, allow_none=True)  # the investor's, for search
    sector = fields.String(required=True)
    planned_total_investment = fields.Decimal(as_string=True, required=True)
    planned_fixed_asset_investment = fields.Decimal(as_string=True, required=True)
    land_mu = fields.Decimal(as_string=True, required=True)
    location_kind = fields.String(required=True)
    location_id = fields.String(allow_none=True)
    registered_unit = fields.String(required=True)
    source_channel = fields.String(load_default=None, allow_none=True)  # how the investor reached the county
    planned_annual_output = fields.Decimal(as_string=True, load_default=None, allow_none=True)  # yuan (R17 forecast)
    planned_annual_tax = fields.Decimal(as_string=True, load_default=None, allow_none=True)  # yuan
    planned_annual_energy = fields.Decimal(as_string=True, load_default=None, allow_none=True)  # 吨标准煤
    reason = fields.String(allow_none=True)


def load_lead_input(data) -> dict:
    return load_or_invalid(schema(LeadInputSchema), data)


__all__ = ["LeadInputSchema", "LeadSchema", "FileInputSchema", "LeadEventSchema", "load_lead_input", "InvalidInput"]


class SectorQuerySchema(Schema):
    """A search of the GB/T 4754-2017 classification: a code prefix (C32) or part of a name (铝, battery)."""

    class Meta:
        unknown = RAISE

    q = fields.String(
        load_default="",
        validate=validate.Length(max=40),
        metadata={"description": "a code prefix (C325) or part of a name (铝压延)"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class SectorSchema(Schema):
    code = fields.String(metadata={"description": "GB/T 4754-2017: section letter and 0, 2, 3 or 4 digits"})
    level = fields.String(metadata={"description": "section | division | group | class"})
    label = Text(metadata={"description": "name and code in the reader's language: 铝压延加工（C3252）"})
    name_zh = fields.String()
    name_en = fields.String(metadata={"description": "the Chinese name where no English one is shipped"})
