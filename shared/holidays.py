"""Official holiday schedules an administrator loads while the platform runs (R16).

A year the ``chinesecalendar`` package and ``policy/holidays.yaml`` do not know gives *provisional* working-day
deadlines (weekends only).  When the State Council publishes it, an administrator loads it — the same shape as a
year of ``policy/holidays.yaml`` — with ``zhaoshang holidays load <file>`` or ``PUT /api/holidays/<year>``; the
gateway hands it to every service that counts working days (review, contracts) and to supervision (which alerts
the administrators while next year's is missing).  Each keeps it in its own table ``holiday_years`` — so a
restarted service still knows it — adds it to its calendar, and recomputes its provisional deadlines, saying which
moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import JSON, Column, Integer, MetaData, Table, select

from shared.errors import InvalidInput
from shared.i18n import _
from shared.schema import load_or_invalid, schema
from shared.statements import first, insert_row, update_rows
from shared.types import UtcDateTime
from shared.wire.calendar import HolidayYearInputSchema
from shared.workdays import load_extra_years


def holiday_years_table(metadata: MetaData) -> Table:
    return Table(
        "holiday_years",
        metadata,
        Column("year", Integer, primary_key=True, autoincrement=False),
        Column("holidays", JSON, nullable=False),  # the official days off falling on weekdays, ISO dates
        Column("workdays", JSON, nullable=False),  # the make-up working days falling on weekends
        Column("loaded_by", JSON, nullable=False),
        Column("loaded_at", UtcDateTime(), nullable=False),
    )


def schedule_of(year, data: Mapping) -> tuple[int, dict[str, list[str]]]:
    """A year's schedule as loaded (``HolidayYearInputSchema``: the official days off on weekdays, the make-up
    working days on weekends), checked as the calendar checks a policy year (``load_extra_years``: days off listed,
    every date in its year, none both); ``InvalidInput`` naming the field otherwise."""
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput.for_field("year", _("must be a year between 2000 and 2100"))
    entry = load_or_invalid(schema(HolidayYearInputSchema), data if isinstance(data, Mapping) else None)
    if not entry["holidays"]:
        raise InvalidInput.for_field("holidays", _("must list the year's official days off"))
    for key in ("holidays", "workdays"):
        for day in entry[key]:
            if day.year != year:
                raise InvalidInput.for_field(key, _("{day:date} is not in {year}", day=day, year=str(year)))
    for day in set(entry["holidays"]) & set(entry["workdays"]):
        raise InvalidInput.for_field(
            "workdays", _("{day:date} is listed both as a day off and as a make-up working day", day=day)
        )
    load_extra_years({year: entry})  # the calendar's own rule, which the checks above have just applied
    return year, {key: sorted(d.isoformat() for d in set(entry[key])) for key in ("holidays", "workdays")}


def store_year(session, table: Table, year: int, schedule: Mapping, actor: Mapping, now: dt.datetime) -> None:
    values = {
        "holidays": list(schedule["holidays"]),
        "workdays": list(schedule["workdays"]),
        "loaded_by": dict(actor),
        "loaded_at": now,
    }
    if first(session, table, year=year) is None:
        insert_row(session, table, {"year": year, **values})
    else:
        update_rows(session, table, {"year": year}, values)


def stored_years(connection, table: Table) -> dict[int, dict[str, list[str]]]:
    """Every loaded year as ``WorkingDayCalendar`` takes it."""
    return {
        r["year"]: {"holidays": r["holidays"], "workdays": r["workdays"]}
        for r in connection.execute(select(table)).mappings()
    }
