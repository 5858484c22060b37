"""Wire format of negotiation's RPCs and events (R3, R4, R5)."""

from __future__ import annotations

from marshmallow import RAISE, ValidationError, fields, validate, validates_schema

from shared.i18n import N_
from shared.schema import Text
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema
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
            raise ValidationError(N_("give the intermediary's name or say there is none, not both"), "name")
        if not data["none"] and not (data["name"] or "").strip():
            raise ValidationError(N_("the intermediary's name, or say there is none"), "name")


class AssignInputSchema(Strict):
    unit = fields.String(required=True, metadata={"description": "PARK:<id> or TOWN:<id>"})
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "required when not the top-ranked unit"},
    )


class ParticipantSchema(Strict):
    unit = fields.String(required=True)
    position = fields.String(required=True, validate=validate.Length(min=1, max=80))
    name = fields.String(load_default=None, allow_none=True)


class PolicyTermInputSchema(Strict):
    """A policy term agreed in the session: a clause of the county's catalogue (``policy/incentives.yaml``) with its
    agreed value — it exceeds current policy when the value is above the clause's limit — or free text that says
    explicitly whether it exceeds current policy."""

    clause = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "a clause id of GET /api/policy/incentives"},
    )
    value = fields.Decimal(
        load_default=None,
        allow_none=True,
        as_string=True,
        allow_nan=False,
        metadata={"description": "the agreed value, in the clause's unit"},
    )
    text = fields.String(load_default=None, allow_none=True, validate=TEXT)
    commitment = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=40),
        metadata={
            "description": "a standard-land indicator (policy/standard_land.yaml) committed "
            "at ``value``: it exceeds current policy when weaker than the "
            "floor for the project's park or town and sector (R5, R17)"
        },
    )
    exceeds_policy = fields.Boolean(
        load_default=None, allow_none=True, metadata={"description": "required for free text; computed for a clause"}
    )

    @validates_schema
    def clause_or_text(self, data, **kwargs):
        if [bool(data["clause"]), bool(data["text"]), bool(data["commitment"])].count(True) != 1:
            raise ValidationError(N_("a clause of the catalogue (with its value) or free text, one of them"), "clause")
        if data["commitment"]:
            if data["value"] is None:
                raise ValidationError(N_("the committed value of the indicator"), "value")
            if data["exceeds_policy"] is not None:
                raise ValidationError(
                    N_("computed from the catalogue's limit: leave it out for a clause"), "exceeds_policy"
                )
            return
        if data["clause"] and data["value"] is None:
            raise ValidationError(N_("the agreed value of the clause"), "value")
        if data["clause"] and data["exceeds_policy"] is not None:
            raise ValidationError(
                N_("computed from the catalogue's limit: leave it out for a clause"), "exceeds_policy"
            )
        if data["text"] and data["exceeds_policy"] is None:
            raise ValidationError(N_("a free-text term says whether it exceeds current policy"), "exceeds_policy")


class WithdrawalInputSchema(Strict):
    """An open policy term the session records withdrawn (by IPB or the session lead), with the reason."""

    term = fields.String(
        required=True, validate=validate.Regexp(r"^T[0-9]{1,4}$", error=N_("a term number such as T1"))
    )
    reason = fields.String(required=True, validate=TEXT)


MONEY = dict(as_string=True, allow_nan=False, load_default=None, allow_none=True)


class SessionInputSchema(Strict):
    held_on = fields.Date(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(["early", "final"]))
    participants = fields.List(fields.Nested(ParticipantSchema), required=True, validate=validate.Length(min=1))
    agreed = fields.List(fields.String(validate=TEXT), load_default=list)
    open = fields.List(fields.String(validate=TEXT), load_default=list)
    policy_terms = fields.List(
        fields.Nested(PolicyTermInputSchema),
        load_default=list,
        metadata={"description": "policy terms agreed in this session; one recorded before stays open until withdrawn"},
    )
    exceeding_terms = fields.List(
        fields.String(validate=TEXT),
        load_default=list,
        metadata={
            "description": "free-text terms flagged as exceeding current policy; each "
            "stays open until a later session withdraws it"
        },
    )
    withdrawn = fields.List(
        fields.Nested(WithdrawalInputSchema),
        load_default=list,
        metadata={"description": "open policy terms withdrawn in this session (IPB or the lead)"},
    )
    land = fields.Nested(
        LandSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "the land as agreed (mu, m2 or ha); the 60-mu rule uses it"},
    )
    total_investment = fields.Decimal(**MONEY, metadata={"description": "the total investment as agreed (yuan)"})
    fixed_asset_investment = fields.Decimal(
        **MONEY, metadata={"description": "the fixed-asset investment as agreed (yuan)"}
    )


class RenegotiateInputSchema(Strict):
    reason = fields.String(required=True, validate=TEXT)


class RecommendInputSchema(Strict):
    recommendation = fields.String(required=True, validate=TEXT)


class DecisionInputSchema(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["agree", "refuse"]))
    reasons = fields.List(fields.String(validate=TEXT), load_default=list)

    @validates_schema
    def refusal_has_reasons(self, data, **kwargs):
        if data["decision"] == "refuse" and not data["reasons"]:
            raise ValidationError(N_("a refusal gives its reasons"), "reasons")


class CandidateSchema(Schema):
    unit = fields.String()
    name = Text()
    rank = fields.Integer()
    why = Text()


class RouteSchema(Schema):
    in_park = fields.Boolean()
    within_policy = fields.Boolean()
    land_mu = fields.String()
    threshold_mu = fields.String()
    escalated = fields.Boolean()
    decides = fields.List(fields.String())
    recommends = fields.String(allow_none=True)
    signs = fields.String()
    reasons = fields.List(Text())
    exceeding = fields.List(
        Text(), metadata={"description": "every open term beyond current policy, with the session that recorded it"}
    )


class DecidedTermsSchema(Schema):
    """The terms a decision is taken on (R5); the contract carries exactly these."""

    land_mu = fields.String()
    total_investment = fields.String()
    fixed_asset_investment = fields.String()
    intensity_wan_per_mu = fields.String()
    agreed = fields.List(fields.String())
    policy_terms = fields.List(fields.String())


class PolicyTermSchema(Schema):
    term_id = fields.String()
    text = fields.String()
    clause = fields.String(allow_none=True)
    value = fields.String(allow_none=True)
    limit = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    exceeds = fields.Boolean()
    status = fields.String(metadata={"description": "open | withdrawn"})
    recorded_in = fields.Integer(metadata={"description": "the session that recorded it"})
    recorded_on = fields.Date()
    withdrawn_in = fields.Integer(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    withdrawn_by = fields.Dict(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)


class ClauseSchema(Schema):
    id = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    unit = fields.String()
    limit = fields.Decimal(as_string=True)


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
    total_investment = fields.Decimal(as_string=True, allow_none=True)
    fixed_asset_investment = fields.Decimal(as_string=True, allow_none=True)
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
    round = fields.Integer(metadata={"description": "1, then one more each time the project is sent back (R5)"})
    pending = fields.Dict(allow_none=True, metadata={"description": "the park chosen, awaiting its review opinion"})
    terms = fields.Nested(DecidedTermsSchema, metadata={"description": "the terms a decision now is taken on"})
    decided_terms = fields.Nested(
        DecidedTermsSchema,
        allow_none=True,
        metadata={"description": "the terms the decision (or recommendation) was taken on"},
    )
    policy_terms = fields.List(fields.Nested(PolicyTermSchema))
    legal_attended = fields.Boolean(metadata={"description": "LEGAL took part in a final-stage session (R4)"})
