"""Wire format of accounting's RPCs (R12)."""
from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.wire.base import Schema
from shared.wire.intake import LandSchema

TEXT = validate.Length(min=1, max=4000)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class OpenInputSchema(Strict):
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class ActualFaiInputSchema(Strict):
    amount = fields.Decimal(required=True, as_string=True, allow_nan=False, metadata={"description": "yuan, audited"})
    basis = fields.String(required=True, validate=TEXT, metadata={"description": "the audit report it comes from"})


class LandUsedInputSchema(Strict):
    land = fields.Nested(LandSchema, required=True)
    basis = fields.String(required=True, validate=TEXT)
    delisting_price_per_mu = fields.Decimal(load_default=None, allow_none=True, as_string=True, allow_nan=False,
                                            metadata={"description": "from the land record, if it differs from policy"})


class ReportInputSchema(Strict):
    opinion = fields.String(load_default=None, allow_none=True, validate=TEXT,
                            metadata={"description": "the opinion on land use; default: written from the figures"})


class RecoveryInputSchema(Strict):
    amount = fields.Decimal(required=True, as_string=True, allow_nan=False, validate=validate.Range(min=0))
    note = fields.String(required=True, validate=TEXT)
    settled = fields.Boolean(load_default=False)


class WaiveInputSchema(Strict):
    reason = fields.String(required=True, validate=TEXT)


class AccountingSchema(Schema):
    project_id = fields.String()
    ref = fields.String()
    project_name = fields.String()
    state = fields.String(metadata={"description": "open | computed | closed"})
    cause = fields.String()
    participants = fields.List(fields.String())
    opened_at = fields.AwareDateTime()
    actual_fai = fields.Decimal(as_string=True, allow_none=True)
    land_used_mu = fields.Decimal(as_string=True, allow_none=True)
    figures = fields.List(fields.Dict(), allow_none=True, metadata={"description": "each with its formula and inputs"})
    report = fields.Dict(allow_none=True)
    tasks = fields.List(fields.Dict())
    closed_at = fields.AwareDateTime(allow_none=True)
