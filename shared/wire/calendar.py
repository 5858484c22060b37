"""Wire format of a year's official holiday schedule, as an administrator loads it (R16; ``shared.holidays``)."""

from __future__ import annotations

from marshmallow import RAISE, fields

from shared.wire.base import Schema


class HolidayYearInputSchema(Schema):
    """The same shape as a year of ``policy/holidays.yaml``; checked by the calendar's own rule."""

    class Meta:
        unknown = RAISE

    holidays = fields.List(
        fields.Date(),
        required=True,
        metadata={"description": "the year's official days off that fall on weekdays (YYYY-MM-DD)"},
    )
    workdays = fields.List(
        fields.Date(),
        load_default=list,
        metadata={"description": "the adjusted make-up working days that fall on weekends (调休上班)"},
    )
