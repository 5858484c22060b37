"""Wire format of contracts' RPCs and events (R6, R7, R13)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

TEXT = validate.Length(min=1, max=4000)
POSITIVE = validate.Range(min=0, min_inclusive=False)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ObligationTermSchema(Strict):
    id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$", error="letters, digits, - or _"))
    text = fields.String(required=True, validate=TEXT)
    due = fields.Date(required=True)
    party = fields.String(load_default="investor", validate=validate.Length(min=1, max=40),
                          metadata={"description": "investor, county, or a unit code"})


class TermsSchema(Strict):
    """The agreed terms a draft is made from (R6). Amounts in yuan, land in mu."""

    total_investment = fields.Decimal(required=True, as_string=True, allow_nan=False, validate=POSITIVE)
    fixed_asset_investment = fields.Decimal(required=True, as_string=True, allow_nan=False, validate=POSITIVE)
    land_mu = fields.Decimal(required=True, as_string=True, allow_nan=False, validate=POSITIVE)
    construction_start = fields.Date(required=True)
    completion = fields.Date(required=True)
    production = fields.Date(required=True)
    obligations = fields.List(fields.Nested(ObligationTermSchema), load_default=list)
    other_terms = fields.List(fields.String(validate=TEXT), load_default=list)
    dispute_resolution = fields.String(load_default=None, allow_none=True, validate=TEXT)


class SubmitInputSchema(Strict):
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class LegalReviewInputSchema(Strict):
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    comments = fields.List(fields.String(validate=TEXT), load_default=list)


class SignatorySchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SignInputSchema(Strict):
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    investor_signatory = fields.Nested(SignatorySchema, required=True)


class CustodianInputSchema(Strict):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    cabinet = fields.String(required=True, validate=validate.Length(min=1, max=100))


class CopySchema(Strict):
    number = fields.Integer(required=True, validate=validate.Range(min=1))
    unit = fields.String(required=True)


class CopiesInputSchema(Strict):
    copies = fields.List(fields.Nested(CopySchema), required=True)


class GrantInputSchema(Strict):
    grantee_user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=TEXT)
    expires_at = fields.AwareDateTime(required=True)


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
    drafted_at = fields.AwareDateTime()
    legal_comments = fields.List(fields.String())
    reviewed_by = fields.Dict(allow_none=True)
    reviewed_at = fields.AwareDateTime(allow_none=True)


class ObligationSchema(Schema):
    key = fields.String()
    text = fields.String()
    due = fields.String(metadata={"format": "date"})
    party = fields.String()
    status = fields.String(metadata={"description": "open | met | lapsed | ended (the project was terminated)"})
    progress = fields.List(fields.Dict())
    report_due = fields.String(allow_none=True, metadata={"format": "date", "description": "the special report's due date"})
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
    signatory = fields.String(allow_none=True, metadata={"description": "the position the decision route names to sign"})
    versions = fields.List(fields.Nested(VersionSchema))
    signed_version = fields.Integer(allow_none=True)
    signed_by = fields.Dict(allow_none=True)
    investor_signatory = fields.Dict(allow_none=True)
    signed_at = fields.AwareDateTime(allow_none=True)
    obligations = fields.List(fields.Nested(ObligationSchema))
    copies = fields.List(fields.Dict())
    archived = fields.Dict(allow_none=True)
    red_flag = fields.Boolean()
