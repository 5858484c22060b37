"""Wire format of review's RPCs and events (R2), shared by review and its callers."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.actor import ActorSchema
from shared.schema import Text
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema

TEXT = validate.Length(min=1, max=2000)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ConveneInputSchema(Strict):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class OpinionInputSchema(Strict):
    """A unit's opinion. ``unit`` may be omitted: it is always the acting reviewer's own unit."""

    unit = fields.String(load_default=None, allow_none=True)
    opinion = fields.String(required=True, validate=validate.OneOf(["pass", "conditional", "fail"]))
    conditions = fields.List(
        fields.String(validate=TEXT), load_default=list, metadata={"description": "for conditional"}
    )
    reasons = fields.List(fields.String(validate=TEXT), load_default=list, metadata={"description": "for fail"})


class ReturnInputSchema(Strict):
    unit = fields.String(required=True, metadata={"description": "the unit asking for more information"})
    request = fields.String(required=True, validate=TEXT, metadata={"description": "what the investor must supply"})


class ResubmitInputSchema(Strict):
    note = fields.String(required=True, validate=TEXT, metadata={"description": "what the investor supplied"})


class FindingSchema(Schema):
    check = fields.String()
    unit = fields.String()
    verdict = fields.String(metadata={"description": "ok | flag | fail | error"})
    reason = Text()
    policy_values = fields.Dict()
    outside_policy = fields.Boolean()


class OpinionSchema(Schema):
    round = fields.Integer()
    unit = fields.String()
    opinion = fields.String()
    conditions = fields.List(fields.String())
    reasons = fields.List(fields.String())
    actor = fields.Nested(ActorSchema)
    at = ShanghaiDateTime()


class ReturnSchema(Schema):
    round = fields.Integer()
    unit = fields.String()
    request = fields.String()
    recorded_by = fields.Nested(ActorSchema)
    at = ShanghaiDateTime()
    resubmitted_at = ShanghaiDateTime(allow_none=True)
    resubmission_note = fields.String(allow_none=True)


class ReviewSchema(Schema):
    project_id = fields.String()
    ref = fields.String()
    project_name = fields.String()
    state = fields.String(metadata={"description": "open | returned | concluded"})
    round = fields.Integer()
    outcome = fields.String(allow_none=True, metadata={"description": "approved | rejected"})
    required_units = fields.List(fields.String())
    awaiting = fields.List(fields.String(), metadata={"description": "units yet to give their opinion this round"})
    findings = fields.List(fields.Nested(FindingSchema))
    outside_policy = fields.Boolean(metadata={"description": "a restricted-class finding is open (R5)"})
    conditions = fields.List(fields.Dict())
    deadline = fields.Date(metadata={"description": "last working day of the review period"})
    deadline_provisional = fields.Boolean(metadata={"description": "R16: counted on weekends only"})
    escalated_at = ShanghaiDateTime(allow_none=True)
    convened_at = ShanghaiDateTime()
    concluded_at = ShanghaiDateTime(allow_none=True)
    opinions = fields.List(fields.Nested(OpinionSchema))
    returns = fields.List(fields.Nested(ReturnSchema))


class QueueItemSchema(Schema):
    project_id = fields.String()
    ref = fields.String()
    project_name = fields.String()
    round = fields.Integer()
    deadline = fields.Date()
    deadline_provisional = fields.Boolean()
