"""Wire format of intake's project reserve (R8) and its public catalog (R9)."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.schema import Text
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema
from shared.wire.intake import LocationSchema, PHONE

TEXT = validate.Length(min=1, max=4000)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ReserveDocumentSchema(Strict):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["proposal", "feasibility_study"]),
        metadata={"description": "项目建议书 (proposal) or 可行性研究报告 (feasibility study)"},
    )
    filename = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content_base64 = fields.String(required=True)


class IntendedInvestorSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=18))


class ContactPersonSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(required=True, validate=PHONE)
    email = fields.Email(load_default=None, allow_none=True)


class ReserveInputSchema(Strict):
    """A reserve project (R8). Confidential: intended_investor, contact_person, negotiation_notes,
    contract_notes and description — never in the public catalog."""

    year = fields.Integer(
        required=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "the plan year it is reserved for"},
    )
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    sector = fields.String(required=True, metadata={"description": "GB/T 4754 code"})
    location = fields.Nested(LocationSchema, required=True)
    location_detail = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    total_investment = fields.Decimal(required=True, as_string=True, allow_nan=False, metadata={"description": "yuan"})
    cooperation_mode = fields.String(required=True, metadata={"description": "policy county.cooperation_modes"})
    contact_office = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata={"description": "the office investors contact (public)"},
    )
    description = fields.String(load_default=None, allow_none=True, validate=TEXT)
    intended_investor = fields.Nested(IntendedInvestorSchema, load_default=None, allow_none=True)
    contact_person = fields.Nested(ContactPersonSchema, load_default=None, allow_none=True)
    negotiation_notes = fields.String(load_default=None, allow_none=True, validate=TEXT)
    contract_notes = fields.String(load_default=None, allow_none=True, validate=TEXT)
    document = fields.Nested(ReserveDocumentSchema, required=True)


class WithdrawInputSchema(Strict):
    reason = fields.String(required=True, validate=TEXT)


class ReserveSchema(Schema):
    """A reserve project as its keepers (DRB, IPB, the entering unit) read it."""

    id = fields.String()
    ref = fields.String()
    year = fields.Integer()
    name = fields.String()
    sector = fields.String()
    location = fields.Dict()
    location_name = Text()
    location_detail = fields.String(allow_none=True)
    total_investment = fields.Decimal(as_string=True)
    tier = fields.String(allow_none=True)
    tier_label = Text()
    sector_name = Text(metadata={"description": "the GB/T 4754-2017 name and code: 铝压延加工（C3252）"})
    cooperation_mode = fields.String()
    contact_office = fields.String()
    description = fields.String(allow_none=True)
    intended_investor = fields.Dict(allow_none=True)
    contact_person = fields.Dict(allow_none=True)
    negotiation_notes = fields.String(allow_none=True)
    contract_notes = fields.String(allow_none=True)
    document = fields.Dict()
    owner_unit = fields.String()
    entered_by = fields.Dict()
    entered_at = ShanghaiDateTime()
    published = fields.Boolean()
    published_at = ShanghaiDateTime(allow_none=True)
    published_by = fields.Dict(allow_none=True)
    withdrawn_at = ShanghaiDateTime(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)


class ReserveSearchQuerySchema(Strict):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "a fragment of a reserve project's name (two Chinese characters are "
            "enough), its reference, or its intended investor's name or credit code"
        },
    )
    year = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "the plan year"},
    )
    unit = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "the park or town it is in, or the unit that entered it"},
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class ReserveHitSchema(Schema):
    """A reserve project found by search (the gateway's /api/search lists it beside leads and projects)."""

    kind = fields.Constant("reserve")
    id = fields.String()
    ref = fields.String()
    name = fields.String()
    year = fields.Integer()
    investor = fields.String(allow_none=True, metadata={"description": "the intended investor's name"})
    credit_code = fields.String(allow_none=True, metadata={"description": "the intended investor's credit code"})
    unit = fields.String(allow_none=True, metadata={"description": "its park or town"})
    location_name = Text()
    total_investment = fields.Decimal(as_string=True)
    tier = fields.String(allow_none=True)
    tier_label = Text()
    published = fields.Boolean()


class ReservePageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(ReserveSchema))


class TierCountSchema(Schema):
    tier = fields.String()
    label = Text()
    count = fields.Integer()
    minimum = fields.Integer()
    shortfall = fields.Integer()


class ReservePlanSchema(Schema):
    year = fields.Integer()
    minimum_per_tier = fields.Integer()
    tiers = fields.List(fields.Nested(TierCountSchema))
    below_tiers = fields.Integer(metadata={"description": "reserve projects below the lowest tier"})
    shortfall = fields.Integer(metadata={"description": "projects still to plan to reach the minimum in every tier"})


class PublicCatalogQuerySchema(Strict):
    sector = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[A-Ta-t]\d{0,4}$"),
        metadata={"description": "GB/T 4754 code or prefix"},
    )
    location = fields.String(load_default=None, allow_none=True, metadata={"description": "a park or town id"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=0, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class PublicCatalogEntrySchema(Schema):
    """The only fields the public catalog ever shows (R9)."""

    ref = fields.String(metadata={"description": "the catalog number"})
    name = fields.String()
    sector = fields.String()
    sector_name = Text(metadata={"description": "the GB/T 4754-2017 name and code: 铝压延加工（C3252）"})
    location = Text()
    investment_scale = Text()
    cooperation_mode = fields.String()
    contact_office = fields.String()


class PublicCatalogPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(PublicCatalogEntrySchema))


PUBLIC_FIELDS = frozenset(PublicCatalogEntrySchema().fields)
