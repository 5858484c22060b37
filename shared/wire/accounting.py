"""Wire format of accounting's RPCs (R12)."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.wire import ShanghaiDateTime
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
    delisting_price_per_mu = fields.Decimal(
        load_default=None,
        allow_none=True,
        as_string=True,
        allow_nan=False,
        metadata={"description": "from the land record, if it differs from policy"},
    )


class ReportInputSchema(Strict):
    opinion = fields.String(
        load_default=None,
        allow_none=True,
        validate=TEXT,
        metadata={"description": "the opinion on land use; default: written from the figures"},
    )


class RecoveryInputSchema(Strict):
    amount = fields.Decimal(
        load_default=None,
        allow_none=True,
        as_string=True,
        allow_nan=False,
        metadata={
            "description": "yuan paid by the investor, counted against the one fee; none for an act without money "
            "(a demand notice, the land withdrawn, a suit filed)"
        },
    )
    voucher = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "the payment's voucher number: a payment with a voucher already recorded is not counted twice"
        },
    )
    note = fields.String(required=True, validate=TEXT)


class WriteOffInputSchema(Strict):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(["agree", "refuse"]),
        metadata={"description": "a principal agrees to write off what is outstanding, or refuses"},
    )
    reason = fields.String(required=True, validate=TEXT)


class AccountingSchema(Schema):
    project_id = fields.String()
    ref = fields.String()
    project_name = fields.String()
    state = fields.String(metadata={"description": "open | computed | reported | closed"})
    cause = fields.String()
    participants = fields.List(fields.String())
    opened_at = ShanghaiDateTime()
    actual_fai = fields.Decimal(as_string=True, allow_none=True)
    land_used_mu = fields.Decimal(as_string=True, allow_none=True)
    figures = fields.List(fields.Dict(), allow_none=True, metadata={"description": "each with its formula and inputs"})
    report = fields.Dict(allow_none=True)
    receivable = fields.Dict(
        allow_none=True,
        metadata={
            "description": "the fee owed by the investor, once: amount, paid, written_off, outstanding, status, the units' "
            "roles, what each recorded, the principals' write-off decisions; none without a report or a fee"
        },
    )
    closed_at = ShanghaiDateTime(allow_none=True)
