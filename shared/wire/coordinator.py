"""Wire format of the coordinator's RPCs, shared by the coordinator and its callers."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.actor import ActorSchema
from shared.schema import Text
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema


class TransitionSchema(Schema):
    """One timeline entry: a state transition (kind ``transition``) or an activity (``review.opinion`` …)."""

    kind = fields.String()
    summary = Text()
    details = fields.Dict(allow_none=True)
    seq = fields.Integer(allow_none=True)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    trigger = fields.String(allow_none=True)
    actor = fields.Nested(ActorSchema)
    at = ShanghaiDateTime(metadata={"description": "Asia/Shanghai"})
    reason = Text(allow_none=True)
    who = Text(allow_none=True, metadata={"description": "who acted: name, unit and position"})
    event_id = fields.String(allow_none=True)
    time_in_state_seconds = fields.Integer(
        allow_none=True, metadata={"description": "until the next transition or now"}
    )


class ProjectSchema(Schema):
    id = fields.String()
    ref = fields.String()
    name = fields.String()
    state = fields.String()
    state_since = ShanghaiDateTime()
    version = fields.Integer()
    facts = fields.Dict()
    created_at = ShanghaiDateTime()
    allowed_next = fields.List(fields.String())
    timeline = fields.List(fields.Nested(TransitionSchema))
    basic = fields.Dict(
        allow_none=True,
        metadata={
            "description": "the project file's basic information (investor, "
            "credit code, sector, planned investment in yuan, land "
            "in mu, location, responsible unit and person, liaison "
            "leader, key project, tier), from the ledger"
        },
    )


class ProjectSummarySchema(Schema):
    id = fields.String()
    ref = fields.String()
    name = fields.String()
    state = fields.String()
    state_since = ShanghaiDateTime()


class TerminateInputSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(min=5, max=4000))
    special_report_ref = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "the special report to the Leading Group (R11)"},
    )
