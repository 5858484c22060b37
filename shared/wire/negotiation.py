"""Wire format of negotiation's RPCs and events (R3, R4, R5)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.wire import ShanghaiDateTime
from shared.wire.intake import LandSchema

TEXT = validate.Length(min=1, max=2000)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class IntermediaryInputSchema(Strict):
    """The investor's intermediary (R3), or ``none: true`` when it has none."""

    none = fields.Boolean(load_default=False)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def name_or_none(self, data, **kwargs):
        if data["none"] and data["name"]:
            raise ValidationError("give a name or none: true, not both", "name")
        if not data["none"] and not (data["name"] or "").strip():
            raise ValidationError("the intermediary's name, or none: true when there is none", "name")


class AssignInputSchema(Strict):
    unit = fields.String(required=True, metadata={"description": "PARK:<id> or TOWN:<id>"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "required when not the top-ranked unit"})


class ParticipantSchema(Strict):
    unit = fields.String(required=True)
    position = fields.String(required=True, validate=validate.Length(min=1, max=80))
    name = fields.String(load_default=None, allow_none=True)


class SessionInputSchema(Strict):
    held_on = fields.Date(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(["early", "final"]))
    participants = fields.List(fields.Nested(ParticipantSchema), required=True, validate=validate.Length(min=1))
    agreed = fields.List(fields.String(validate=TEXT), load_default=list)
    open = fields.List(fields.String(validate=TEXT), load_default=list)
    exceeding_terms = fields.List(fields.String(validate=TEXT), load_default=list,
                                  metadata={"description": "terms beyond current policy, as they stand after this session"})
    land = fields.Nested(LandSchema, load_default=None, allow_none=True,
                         metadata={"description": "the land as agreed (mu, m2 or ha); the 60-mu rule uses it"})


class RecommendInputSchema(Strict):
    recommendation = fields.String(required=True, validate=TEXT)


class DecisionInputSchema(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["agree", "refuse"]))
    reasons = fields.List(fields.String(validate=TEXT), load_default=list)

    @validates_schema
    def refusal_has_reasons(self, data, **kwargs):
        if data["decision"] == "refuse" and not data["reasons"]:
            raise ValidationError("a refusal gives its reasons", "reasons")


class CandidateSchema(Schema):
    unit = fields.String()
    name = fields.String()
    rank = fields.Integer()
    why = fields.String()


class RouteSchema(Schema):
    in_park = fields.Boolean()
    within_policy = fields.Boolean()
    land_mu = fields.String()
    threshold_mu = fields.String()
    escalated = fields.Boolean()
    decides = fields.List(fields.String())
    recommends = fields.String(allow_none=True)
    signs = fields.String()
    reasons = fields.List(fields.String())


class SessionSchema(Schema):
    seq = fields.Integer()
    held_on = fields.Date()
    stage = fields.String()
    participants = fields.List(fields.Dict())
    agreed = fields.List(fields.String())
    open_matters = fields.List(fields.String(), data_key="open")
    exceeding_terms = fields.List(fields.String())
    land_value = fields.String(allow_none=True)
    land_unit = fields.String(allow_none=True)
    land_mu = fields.Decimal(as_string=True, allow_none=True)
    logged_by = fields.Dict()
    at = ShanghaiDateTime()


class NegotiationSchema(Schema):
    project_id = fields.String()
    ref = fields.String()
    project_name = fields.String()
    stage = fields.String()
    intermediary = fields.Dict(allow_none=True)
    responsible_unit = fields.String(allow_none=True)
    ranking = fields.List(fields.Nested(CandidateSchema), allow_none=True)
    assignment_reason = fields.String(allow_none=True)
    session_lead = fields.String(allow_none=True)
    sessions = fields.List(fields.Nested(SessionSchema))
    route = fields.Nested(RouteSchema, allow_none=True, metadata={"description": "computed now from the data (R5)"})
    recommendation = fields.Dict(allow_none=True)
    decisions = fields.Dict()
    outside_policy = fields.Boolean()
    review_conditions = fields.List(fields.Dict())
