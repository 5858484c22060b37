"""Wire format of the coordinator's ledger (R10), key projects and the Leading Group's targets (R14)."""

from __future__ import annotations

from marshmallow import RAISE, ValidationError, fields, validate, validates_schema

from shared.wire.base import Schema

from shared.i18n import N_
from shared.schema import Text

TEXT = validate.Length(min=1, max=500)
NAME = validate.Length(min=1, max=100)
NOT_NEGATIVE = validate.Range(min=0)
BOOKS = ("information", "negotiation", "contracted")
SORTS = (
    "ref",
    "name",
    "state",
    "state_since",
    "responsible_unit",
    "total_investment",
    "tier",
    "next_due",
    "last_progress",
)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class LedgerQuerySchema(Strict):
    """Filters, sorting and paging of a book (or of every book)."""

    book = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(BOOKS),
        metadata={"description": "information (leads and filed projects) | negotiation | contracted"},
    )
    unit = fields.String(
        load_default=None, allow_none=True, metadata={"description": "responsible unit, e.g. PARK:hengdong"}
    )
    state = fields.String(load_default=None, allow_none=True)
    sector = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[A-Ta-t]\d{0,4}$"),
        metadata={"description": "GB/T 4754 code or prefix (C, C32, C3252)"},
    )
    tier = fields.String(
        load_default=None, allow_none=True, metadata={"description": "a reserve tier (A, B, C) or none"}
    )
    key = fields.Boolean(
        load_default=None, allow_none=True, metadata={"description": "key projects only (true) or others"}
    )
    overdue = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "only rows with an advancement requirement past its due date"},
    )
    sort = fields.String(load_default="ref", validate=validate.OneOf(SORTS))
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=0, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class LeaderSchema(Strict):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=NAME)
    position = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "a county-level leader's position (policy: key_project)"},
    )


class TeamMemberSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    role = fields.String(required=True, validate=NAME, metadata={"description": "e.g. 队长, 专职服务专员"})
    unit = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=24))


class KeyProjectInputSchema(Strict):
    """The LG designates a key project (or confirms one over the threshold) with its liaison leader and team."""

    designated = fields.Boolean(
        load_default=False, metadata={"description": "true: designated by the LG; false: key by its total investment"}
    )
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)
    liaison_leader = fields.Nested(
        LeaderSchema, required=True, metadata={"description": "exactly one county-level leader"}
    )
    service_team = fields.List(
        fields.Nested(TeamMemberSchema),
        required=True,
        validate=validate.Length(min=1, max=30),
        metadata={"description": "the named full-time service team"},
    )


class ResponsibleLeaderSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    position = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))


class ResponsiblePersonSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=24))


class ResponsibilityInputSchema(Strict):
    responsible_leader = fields.Nested(ResponsibleLeaderSchema)
    responsible_person = fields.Nested(ResponsiblePersonSchema)

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError(N_("give the responsible leader, the responsible person or both"), "body")


class RequirementSchema(Strict):
    step = fields.String(required=True, validate=TEXT)
    due = fields.Date(load_default=None, allow_none=True)
    done = fields.Boolean(load_default=False)


class RequirementsInputSchema(Strict):
    """The advancement requirements set for a project (replacing those set before)."""

    requirements = fields.List(fields.Nested(RequirementSchema), required=True, validate=validate.Length(max=30))


class FundsInputSchema(Strict):
    """Funds actually in place (到位资金) on a date, in yuan."""

    on = fields.Date(required=True)
    amount = fields.Decimal(required=True, as_string=True, allow_nan=False, metadata={"description": "yuan"})
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)


class TargetItemSchema(Strict):
    unit = fields.String(required=True, metadata={"description": "a responsible unit: PARK:<id> or TOWN:<id>"})
    projects_signed = fields.Integer(required=True, validate=validate.Range(min=0, max=100000))
    contracted_investment = fields.Decimal(
        required=True, as_string=True, allow_nan=False, validate=NOT_NEGATIVE, metadata={"description": "yuan"}
    )
    funds_in_place = fields.Decimal(
        required=True, as_string=True, allow_nan=False, validate=NOT_NEGATIVE, metadata={"description": "yuan"}
    )


class TargetsInputSchema(Strict):
    targets = fields.List(fields.Nested(TargetItemSchema), required=True, validate=validate.Length(min=1, max=100))


class ImportInputSchema(Strict):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content_base64 = fields.String(required=True)
    mode = fields.String(
        load_default="all_or_nothing",
        validate=validate.OneOf(["all_or_nothing", "partial"]),
        metadata={
            "description": "all_or_nothing (default): any invalid row imports nothing; "
            "partial: the valid rows are imported, the others reported"
        },
    )


class LedgerRowSchema(Schema):
    project_id = fields.String()
    benefit = fields.Dict(
        allow_none=True,
        metadata={
            "description": "R17: the investor's latest per-mu benefit grade: year, grade (A B C D T), total, rank, of"
        },
    )
    damages_owed = fields.Dict(
        allow_none=True,
        metadata={"description": "R17: the open standard-land damages receivables: amount, outstanding (yuan)"},
    )
    ref = fields.String()
    name = fields.String()
    source = fields.String(metadata={"description": "events | import"})
    investor_name = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    sector_name = Text(allow_none=True, metadata={"description": "GB/T 4754-2017 name and code: 铝压延加工（C3252）"})
    location = fields.String(allow_none=True)
    land_mu = fields.String(allow_none=True, metadata={"description": "mu (planned)"})
    book = fields.String()
    book_name = Text()
    state = fields.String()
    state_name = Text()
    state_since = fields.String(allow_none=True, metadata={"format": "date-time"})
    time_in_state_days = fields.Integer(allow_none=True)
    planned_total_investment = fields.String(allow_none=True, metadata={"description": "yuan"})
    contracted_investment = fields.String(allow_none=True, metadata={"description": "yuan"})
    total_investment = fields.String(allow_none=True, metadata={"description": "yuan: contracted, else planned"})
    tier = fields.String(allow_none=True)
    is_key = fields.Boolean()
    key_basis = fields.String(allow_none=True, metadata={"description": "designated | threshold"})
    designation_reason = Text(allow_none=True)
    liaison_leader = fields.Dict(allow_none=True)
    service_team = fields.List(fields.Dict())
    responsible_leader = fields.Dict(allow_none=True)
    responsible_unit = fields.String(allow_none=True)
    responsible_unit_name = Text(allow_none=True)
    responsible_person = fields.Dict(allow_none=True)
    requirements = fields.List(fields.Dict(), metadata={"description": "advancement requirements: step, due, done"})
    next_due = fields.String(allow_none=True, metadata={"format": "date"})
    overdue = fields.Boolean()
    stale = fields.Boolean()
    last_progress = fields.Dict(allow_none=True)
    red_flags = fields.List(Text())
    registered_unit = fields.String(allow_none=True)
    registered_on = fields.String(allow_none=True)
    signed_on = fields.String(allow_none=True)
    funds_in_place = fields.String(metadata={"description": "yuan"})
    funds = fields.List(fields.Dict())


class LedgerPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(LedgerRowSchema))


class ImportReportSchema(Schema):
    mode = fields.String()
    imported = fields.Integer()
    refs = fields.List(fields.String())
    errors = fields.List(fields.Dict(), metadata={"description": "sheet, row, field, heading, message"})


class UnitCompletionSchema(Schema):
    unit = fields.String()
    unit_name = Text()
    target = fields.Dict(allow_none=True)
    done = fields.Dict()
    rate = fields.Dict(metadata={"description": "percent of the target, 2 places; null without a target"})
    projects = fields.List(fields.String(), metadata={"description": "the signed projects counted"})


class TargetsSchema(Schema):
    year = fields.Integer()
    units = fields.List(fields.Nested(UnitCompletionSchema))


class FileSchema(Schema):
    filename = fields.String()
    content_type = fields.String()
    content_base64 = fields.String()
