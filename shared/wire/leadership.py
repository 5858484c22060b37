"""Wire format of the leadership service: the Leading Group's roster and its office, investment events (招商活动)
and their effectiveness."""

from __future__ import annotations

from marshmallow import fields, validate

from shared.schema import Text
from shared.wire.base import Schema

from shared.wire.landreserve import DECIMAL, TEXT, Strict, WorkbookInputSchema  # noqa: F401 (re-exported)

NAME = validate.Length(min=1, max=200)


class AppointmentInputSchema(Strict):
    """A person takes a seat from a date; the previous holder's term ends the day before."""

    seat = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "a seat of policy leading_group.yaml (id or Chinese title)"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    user_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "the person's platform account (notices reach it)"},
    )
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    since = fields.Date(required=True)
    until = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)


class RosterEntrySchema(Schema):
    id = fields.Integer(allow_none=True)
    seat = fields.String()
    seat_title = fields.String()
    role = fields.String()
    name = fields.String()
    user_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    since = fields.String(metadata={"format": "date"})
    until = fields.String(allow_none=True, metadata={"format": "date"})
    note = fields.String(allow_none=True)
    positions = fields.List(fields.String())
    unit = fields.String()


class SeatSchema(Schema):
    id = fields.String()
    role = fields.String(
        metadata={"description": "leader | executive_deputy_leader | deputy_leader | member | office_director"}
    )
    title_zh = fields.String()
    title_en = fields.String()
    positions = fields.List(fields.String(), metadata={"description": "the platform's positions it answers for"})
    unit = fields.String()
    holder = fields.Nested(RosterEntrySchema, allow_none=True)
    history = fields.List(fields.Nested(RosterEntrySchema))


class RosterSchema(Schema):
    on = fields.String(metadata={"format": "date"})
    office = fields.Dict(metadata={"description": "the office: its unit and director"})
    seats = fields.List(fields.Nested(SeatSchema))


class HolderSchema(Schema):
    name = fields.String()
    user_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    seat = fields.String()
    seat_title = fields.String()


class RosterImportSchema(Schema):
    imported = fields.Integer()
    appointments = fields.List(fields.Nested(RosterEntrySchema))


class PersonInputSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    position = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class InvestorMetInputSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    interest = fields.String(load_default=None, allow_none=True, validate=TEXT)


class EventPlanInputSchema(Strict):
    kind = fields.String(required=True, metadata={"description": "policy leading_group.event_kinds"})
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    organising_unit = fields.String(required=True)
    place = fields.String(required=True, validate=NAME)
    planned_on = fields.Date(required=True)
    budget = fields.Decimal(required=True, **DECIMAL, metadata={"description": "yuan"})
    plan_notes = fields.String(load_default=None, allow_none=True, validate=TEXT)


class EventRecordInputSchema(Strict):
    held_on = fields.Date(required=True)
    place = fields.String(load_default=None, allow_none=True, validate=NAME)
    participants = fields.List(fields.Nested(PersonInputSchema), required=True)
    investors_met = fields.List(fields.Nested(InvestorMetInputSchema), load_default=list)
    actual_cost = fields.Decimal(required=True, **DECIMAL, metadata={"description": "yuan"})
    summary = fields.String(load_default=None, allow_none=True, validate=TEXT)


class CancelInputSchema(Strict):
    reason = fields.String(required=True, validate=TEXT)


class MaterialInputSchema(Strict):
    title = fields.String(required=True, validate=NAME)
    filename = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content_base64 = fields.String(required=True)


class LinkInputSchema(Strict):
    refs = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)),
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the references of the leads the event produced (ZS2026-0001)"},
    )


class EventSchema(Schema):
    id = fields.String()
    ref = fields.String()
    year = fields.Integer()
    kind = fields.String()
    kind_name = Text()
    title = fields.String()
    organising_unit = fields.String()
    place = fields.String()
    planned_on = fields.Date()
    budget = fields.Decimal(**DECIMAL)
    plan_notes = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "planned | held | cancelled"})
    held_on = fields.Date(allow_none=True)
    participants = fields.List(fields.Dict())
    investors_met = fields.List(fields.Dict())
    actual_cost = fields.Decimal(allow_none=True, **DECIMAL)
    summary = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    materials = fields.List(fields.Dict())
    leads = fields.List(fields.Dict(), metadata={"description": "the leads it produced: ref, name, signed_on"})
    created_by = fields.Dict()
    created_at = fields.String(metadata={"format": "date-time"})


class EventPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(EventSchema))


class EffectivenessSchema(Schema):
    year = fields.Integer()
    events = fields.List(fields.Dict())
    kinds = fields.List(fields.Dict())
    channels = fields.List(fields.Dict())
    total = fields.Dict()
