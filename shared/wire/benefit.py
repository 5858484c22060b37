"""Wire format of the yearly per-mu benefit evaluation (亩均效益综合评价, supervision, R17 §4–§6): the results per
grade and per park or town, an enterprise's card, a project's forecast at the door."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.schema import Text
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema

DECIMAL = {"as_string": True, "allow_nan": False}


class Strict(Schema):
    class Meta:
        unknown = RAISE


class BenefitResultSchema(Schema):
    credit_code = fields.String()
    name = fields.String(allow_none=True)
    location = fields.String(allow_none=True, metadata={"description": "PARK:<id> or TOWN:<id>"})
    location_name = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "graded | T | not_evaluated"})
    grade = fields.String(allow_none=True, metadata={"description": "A B C D, T (not graded), none (not evaluated)"})
    grade_name = Text(allow_none=True)
    rank = fields.Integer(allow_none=True)
    total = fields.String(allow_none=True, metadata={"description": "the total score, half-up to 2 places"})
    reason = Text(allow_none=True, metadata={"description": "why class T or not evaluated"})
    values = fields.Dict(
        metadata={
            "description": "indicator -> value, 2 places (tax_per_mu, output_per_mu 万元/亩; "
            "tax_per_energy 万元/吨标准煤)"
        }
    )
    scores = fields.Dict(metadata={"description": "indicator -> score, 2 places"})


class LocationCountSchema(Schema):
    location = fields.String(allow_none=True)
    location_name = fields.String(allow_none=True)
    grades = fields.Dict(metadata={"description": "grade -> enterprises"})


class BenefitEvaluationSchema(Schema):
    year = fields.Integer()
    rules = fields.Dict(metadata={"description": "baselines, weights, cap, minimum_land as applied"})
    evaluated_by = fields.Dict()
    evaluated_at = ShanghaiDateTime()
    enterprises = fields.Integer()
    graded = fields.Integer()
    not_evaluated = fields.Integer()
    per_grade = fields.Dict(metadata={"description": "A B C D T -> enterprises"})
    per_location = fields.List(fields.Nested(LocationCountSchema))
    grade_names = fields.Dict(values=Text())
    total = fields.Integer(metadata={"description": "the results the filters select"})
    items = fields.List(fields.Nested(BenefitResultSchema))


class IndicatorSchema(Schema):
    key = fields.String()
    name = Text()
    unit = fields.String()
    value = fields.String(allow_none=True)
    baseline = fields.String()
    weight = fields.String()
    score = fields.String(allow_none=True)


class HistorySchema(Schema):
    year = fields.Integer()
    grade = fields.String(allow_none=True)
    total = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)


class BenefitCardSchema(BenefitResultSchema):
    year = fields.Integer()
    of = fields.Integer(metadata={"description": "the enterprises graded that year"})
    cap = fields.String()
    production_year = fields.Integer(allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorSchema))
    figures = fields.Dict(metadata={"description": "the year's figures: kind -> value in its unit"})
    history = fields.List(fields.Nested(HistorySchema))


class ForecastInputSchema(Strict):
    tax = fields.Decimal(
        required=True,
        **DECIMAL,
        validate=validate.Range(min=0),
        metadata={"description": "planned yearly tax at full production, 万元"},
    )
    output = fields.Decimal(
        required=True,
        **DECIMAL,
        validate=validate.Range(min=0),
        metadata={"description": "planned yearly output value, 万元"},
    )
    energy = fields.Decimal(
        load_default=None,
        allow_none=True,
        **DECIMAL,
        validate=validate.Range(min=0),
        metadata={"description": "planned yearly energy, 吨标准煤 (none: not stated)"},
    )
    land_mu = fields.Decimal(required=True, **DECIMAL, metadata={"description": "the land, 亩"})


class ForecastSchema(Schema):
    baseline_year = fields.Integer(metadata={"description": "the year whose baselines are applied"})
    compared_with = fields.Integer(allow_none=True, metadata={"description": "the evaluation ranked against"})
    total = fields.String()
    grade = fields.String(allow_none=True)
    grade_name = Text()
    rank = fields.Integer(allow_none=True)
    of = fields.Integer()
    indicators = fields.List(fields.Nested(IndicatorSchema))


class OutcomeSchema(Schema):
    ref = fields.String()
    name = fields.String(allow_none=True)
    year = fields.Integer()
    grade = fields.String(allow_none=True, metadata={"description": "only where policy lists it as public"})
    grade_name = Text(allow_none=True)
    total = fields.String(allow_none=True)
    indicators = fields.Dict(metadata={"description": "the public indicators' verified values"})


class OutcomePageSchema(Schema):
    year = fields.Integer(allow_none=True)
    public = fields.List(fields.String(), metadata={"description": "what policy lists as public"})
    items = fields.List(fields.Nested(OutcomeSchema))
