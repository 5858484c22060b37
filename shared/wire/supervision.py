"""Wire format of supervision's RPCs and events (R7, R11): tracking (progress, problems, contacts), the stalled
lists, its deadlines and the register of special reports to the Leading Group."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.i18n import N_
from shared.schema import Text
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema

TEXT = validate.Length(min=1, max=4000)
ADDRESS = validate.Regexp(
    r"^(unit|position|user):\S+$",
    error=N_("must be a unit, a position or a user (unit:<code>, position:<position> or user:<id>)"),
)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ProgressInputSchema(Strict):
    note = fields.String(required=True, validate=TEXT, metadata={"description": "what moved forward"})


class ProblemInputSchema(Strict):
    description = fields.String(required=True, validate=TEXT)
    owner = fields.String(
        required=True,
        validate=ADDRESS,
        metadata={"description": "who must solve it: unit:LAND, position:bureau_head …"},
    )


class ResolutionInputSchema(Strict):
    resolution = fields.String(required=True, validate=TEXT)


class PersonSchema(Strict):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ContactsInputSchema(Strict):
    responsible_person = fields.Nested(
        PersonSchema, allow_none=True, metadata={"description": "reminded when the project is stale"}
    )
    liaison_leader = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "a position; receives problems open too long"},
    )


class UploadSchema(Strict):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content_base64 = fields.String(required=True)


class SpecialReportInputSchema(Strict):
    cause = fields.String(
        required=True,
        validate=validate.OneOf(["unfinished_review", "cannot_go_ahead", "overdue_obligation"]),
        metadata={"description": "reports on overdue obligations are filed against the obligation"},
    )
    summary = fields.String(required=True, validate=TEXT)
    document = fields.Nested(UploadSchema, required=True)


class ReminderInputSchema(Strict):
    at = ShanghaiDateTime(required=True, metadata={"description": "when to remind (with its offset)"})
    note = fields.String(required=True, validate=TEXT)
    to = fields.List(
        fields.String(validate=ADDRESS),
        load_default=list,
        metadata={"description": "default: the responsible unit, else IPB"},
    )


class DeadlineSchema(Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={"description": "stale_project | problem_escalation | special_report_due | review_period | reminder"}
    )
    project_id = fields.String(allow_none=True)
    subject = fields.String()
    due_at = ShanghaiDateTime()
    payload = fields.Dict()
    fired_at = ShanghaiDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    cancelled_at = ShanghaiDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)


class ProgressSchema(Schema):
    id = fields.Integer()
    source = fields.String(metadata={"description": "recorded | obligation"})
    note = Text(metadata={"description": "what moved forward (a message where the platform wrote it)"})
    by = fields.Dict()
    at = ShanghaiDateTime()


class ProblemSchema(Schema):
    id = fields.Integer()
    description = fields.String()
    owner = fields.String()
    owner_name = Text(metadata={"description": "who must solve it, by name"})
    raised_by = fields.Dict()
    raised_at = ShanghaiDateTime()
    escalation_due = ShanghaiDateTime(metadata={"description": "when it goes to the liaison leader if still open"})
    escalated_at = ShanghaiDateTime(allow_none=True)
    escalated_to = fields.List(fields.String(), allow_none=True)
    resolved_at = ShanghaiDateTime(allow_none=True)
    resolved_by = fields.Dict(allow_none=True)
    resolution = fields.String(allow_none=True)


class TrackingSchema(Schema):
    project_id = fields.String()
    ref = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    state_since = ShanghaiDateTime(allow_none=True)
    responsible_unit = fields.String(allow_none=True)
    responsible_person = fields.Dict(allow_none=True)
    liaison_leader = fields.String(allow_none=True)
    last_progress_at = ShanghaiDateTime(allow_none=True)
    stale = fields.Boolean()
    stale_since = ShanghaiDateTime(allow_none=True)
    stale_due = ShanghaiDateTime(allow_none=True, metadata={"description": "stale from then without progress"})
    progress = fields.List(fields.Nested(ProgressSchema))
    problems = fields.List(fields.Nested(ProblemSchema))
    deadlines = fields.List(fields.Nested(DeadlineSchema))


class StalledItemSchema(Schema):
    project_id = fields.String()
    ref = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    state = fields.String()
    state_since = ShanghaiDateTime()
    days_in_state = fields.Integer()
    responsible_unit = fields.String(allow_none=True)
    stale = fields.Boolean()
    open_problems = fields.Integer()


class StalledGroupSchema(Schema):
    category = fields.String(
        metadata={"description": "approved_not_assigned | signed_not_started | started_not_completed"}
    )
    label = Text(metadata={"description": "已批未落地 | 签约未开工 | 开工未竣工 (in the reader's language)"})
    count = fields.Integer()
    items = fields.List(fields.Nested(StalledItemSchema))


class SpecialReportSchema(Schema):
    ref = fields.String()
    project_id = fields.String()
    project_ref = fields.String(allow_none=True)
    project_name = fields.String(allow_none=True)
    cause = fields.String()
    cause_name = Text(metadata={"description": "the cause by name"})
    summary = fields.String()
    document = fields.Dict(metadata={"description": "the stored document: id (sha256), filename, content_type, size"})
    obligation_key = fields.String(allow_none=True)
    rectification_id = fields.Integer(
        allow_none=True, metadata={"description": "the standard-land rectification after which a commitment is unmet"}
    )
    filed_by = fields.Dict()
    filed_at = ShanghaiDateTime()


# -- standard land (R6, R17) ------------------------------------------------------------------------------------
FIGURES = ["fixed_asset_investment", "land_used_mu", "plot_ratio", "output", "tax", "energy"]


class CheckFigureInputSchema(Strict):
    """A figure entered by hand by the unit that owns it (tax: FIN; output: IND; energy: DRB; plot ratio and land
    used: LAND; audited fixed-asset investment: AUDIT), with the reason; every entry is kept."""

    figure = fields.String(required=True, validate=validate.OneOf(FIGURES))
    year = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "the year of a yearly figure (tax, output, energy)"},
    )
    value = fields.Decimal(
        required=True,
        as_string=True,
        allow_nan=False,
        metadata={"description": "yuan (tax, output, investment), tce (energy), mu, or the ratio"},
    )
    reason = fields.String(required=True, validate=TEXT, metadata={"description": "where the figure comes from"})


class RecheckInputSchema(Strict):
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=TEXT,
        metadata={"description": "what the enterprise did to rectify"},
    )


class DamagesActInputSchema(Strict):
    amount = fields.Decimal(
        required=True, as_string=True, allow_nan=False, metadata={"description": "yuan, to the fen"}
    )
    voucher = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=80))
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class DamagesReductionInputSchema(Strict):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(["agree", "refuse"]),
        metadata={"description": "a principal agrees to reduce the damages, or refuses the reduction proposed"},
    )
    amount = fields.Decimal(
        load_default=None,
        allow_none=True,
        as_string=True,
        allow_nan=False,
        metadata={"description": "yuan, to the fen: the reduction proposed (when no round awaits the principals)"},
    )
    reason = fields.String(required=True, validate=TEXT)


class StandardLandSchema(Schema):
    """A project's standard-land commitments, checks (with each indicator's actual value and formula), figures,
    rectifications and damages (each one receivable, with its payments and reductions)."""

    project_id = fields.String()
    commitments = fields.List(fields.Dict())
    checks = fields.List(fields.Dict())
    figures = fields.List(fields.Dict())
    rectifications = fields.List(fields.Dict())
    damages = fields.List(fields.Dict())
