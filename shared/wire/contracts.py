"""Wire format of contracts' RPCs and events (R6, R7, R13)."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.i18n import N_
from shared.wire.base import WHOLE_NUMBER, Schema

from shared.wire import ShanghaiDateTime
from shared.wire.negotiation import DecidedTermsSchema

TEXT = validate.Length(min=1, max=4000)
POSITIVE = validate.Range(min=0, min_inclusive=False)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ObligationTermSchema(Strict):
    id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$", error=N_("letters, digits, - or _ (at most 40)")),
    )
    text = fields.String(required=True, validate=TEXT)
    due = fields.Date(required=True)
    party = fields.String(
        load_default="investor",
        validate=validate.Length(min=1, max=40),
        metadata={"description": "investor, county, or a unit code"},
    )


class CommitmentTermSchema(Strict):
    """A standard-land commitment the draft states (R6, R17): the indicator, its value (else policy's floor), the
    damages clause (else the indicator's) and the base of proportional damages (yuan; else policy's share of the
    fixed-asset investment)."""

    indicator = fields.String(required=True, validate=validate.Length(min=1, max=40))
    value = fields.Decimal(load_default=None, allow_none=True, as_string=True, allow_nan=False)
    clause = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40))
    base_amount = fields.Decimal(load_default=None, allow_none=True, as_string=True, allow_nan=False)


DECIDED = {
    "description": "the decision's (R5): taken from the decision in force; if given, it must be the decided "
    "figure (a change goes back to negotiation)"
}


class TermsSchema(Strict):
    """What IPB adds to the decided terms to draft a version (R6): the dates, obligations and other terms.  The
    land, investment, intensity, agreed matters and policy terms are the decision's (R5). Amounts in yuan, land in mu."""

    total_investment = fields.Decimal(
        load_default=None, allow_none=True, as_string=True, allow_nan=False, validate=POSITIVE, metadata=DECIDED
    )
    fixed_asset_investment = fields.Decimal(
        load_default=None, allow_none=True, as_string=True, allow_nan=False, validate=POSITIVE, metadata=DECIDED
    )
    land_mu = fields.Decimal(
        load_default=None, allow_none=True, as_string=True, allow_nan=False, validate=POSITIVE, metadata=DECIDED
    )
    construction_start = fields.Date(required=True)
    completion = fields.Date(required=True)
    production = fields.Date(required=True)
    obligations = fields.List(fields.Nested(ObligationTermSchema), load_default=list)
    other_terms = fields.List(fields.String(validate=TEXT), load_default=list)
    dispute_resolution = fields.String(load_default=None, allow_none=True, validate=TEXT)
    commitments = fields.List(
        fields.Nested(CommitmentTermSchema),
        load_default=list,
        metadata={
            "description": "standard-land commitments (标准地): every indicator policy sets "
            "for the project's park or town and sector is committed, at "
            "its floor unless stated here"
        },
    )
    parcel = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=2, max=40),
        metadata={
            "description": "the land reserve's parcel the contract supplies (地块编号); "
            "ready or in listing; its facts and delisting price are recorded"
        },
    )


class SubmitInputSchema(Strict):
    version = fields.Integer(required=True, validate=WHOLE_NUMBER)


class LegalReviewInputSchema(Strict):
    version = fields.Integer(required=True, validate=WHOLE_NUMBER)
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    comments = fields.List(fields.String(validate=TEXT), load_default=list)


class SignatorySchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SignInputSchema(Strict):
    version = fields.Integer(required=True, validate=WHOLE_NUMBER)
    investor_signatory = fields.Nested(SignatorySchema, required=True)


class CustodianInputSchema(Strict):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    cabinet = fields.String(required=True, validate=validate.Length(min=1, max=100))
    replaces = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "the user id of the unit's current custodian, when this designation replaces them"},
    )
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=4000),
        metadata={"description": "why the current custodian's term ends (required with replaces)"},
    )


class CopySchema(Strict):
    number = fields.Integer(required=True, validate=WHOLE_NUMBER)
    unit = fields.String(required=True)


class CopiesInputSchema(Strict):
    copies = fields.List(fields.Nested(CopySchema), required=True)


class GrantInputSchema(Strict):
    grantee_user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=TEXT)
    expires_at = ShanghaiDateTime(required=True)


class ReadInputSchema(Strict):
    reason = fields.String(required=True, validate=TEXT, metadata={"description": "why the contract is read (audited)"})


class ProgressInputSchema(Strict):
    note = fields.String(required=True, validate=TEXT)
    met = fields.Boolean(load_default=False)


class UploadSchema(Strict):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content_base64 = fields.String(required=True)


class SpecialReportInputSchema(Strict):
    summary = fields.String(required=True, validate=TEXT)
    document = fields.Nested(UploadSchema, required=True)


class VersionSchema(Schema):
    version = fields.Integer()
    status = fields.String()
    drafted_by = fields.Dict()
    drafted_at = ShanghaiDateTime()
    legal_comments = fields.List(fields.String())
    reviewed_by = fields.Dict(allow_none=True)
    reviewed_at = ShanghaiDateTime(allow_none=True)


class ObligationSchema(Schema):
    key = fields.String()
    text = fields.String()
    due = fields.String(metadata={"format": "date"})
    party = fields.String()
    status = fields.String(metadata={"description": "open | met | lapsed | ended (the project was terminated)"})
    progress = fields.List(fields.Dict())
    report_due = fields.String(
        allow_none=True, metadata={"format": "date", "description": "the special report's due date"}
    )
    report_due_provisional = fields.Boolean(allow_none=True)
    report = fields.Dict(allow_none=True)
    red_flag = fields.Boolean()


class ContractSchema(Schema):
    project_id = fields.String()
    ref = fields.String()
    project_name = fields.String()
    investor_name = fields.String()
    responsible_unit = fields.String(allow_none=True)
    state = fields.String()
    signatory = fields.String(
        allow_none=True, metadata={"description": "the position the decision route names to sign"}
    )
    decided_terms = fields.Nested(
        DecidedTermsSchema,
        allow_none=True,
        metadata={
            "description": "the terms of the decision in force (R5): every version is "
            "drafted from them, a signature checks them"
        },
    )
    party_a = fields.String(
        allow_none=True,
        metadata={
            "description": "甲方: the county government where the county magistrate or the deputy magistrate signs"
        },
    )
    versions = fields.List(fields.Nested(VersionSchema))
    signed_version = fields.Integer(allow_none=True)
    signed_by = fields.Dict(allow_none=True)
    investor_signatory = fields.Dict(allow_none=True)
    signed_at = ShanghaiDateTime(allow_none=True)
    obligations = fields.List(fields.Nested(ObligationSchema))
    copies = fields.List(fields.Dict())
    archived = fields.Dict(allow_none=True)
    red_flag = fields.Boolean()
