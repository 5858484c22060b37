"""R16 working days (工作日) of mainland China, for dates in Asia/Shanghai.

Sources, in order of precedence for a given year:

1. policy data passed as ``extra_years`` (see ``load_extra_years``): for each
   year the official days off falling on weekdays (``holidays``) and the
   make-up working days falling on weekends (``workdays``, 调休上班);
2. the ``chinesecalendar`` package, for the years its data covers (the range
   is read from the package's own data, not hard-coded);
3. otherwise the year is *unknown*: Monday-Friday count as working days and
   every result that looked at such a day is marked provisional.

Counting rule: the deadline "n working days after D" is the n-th working day
strictly after D, i.e. D itself never counts.  "Within 3 working days after the
due date" is ``add_working_days(due, 3)``.  Dates are calendar dates in
Asia/Shanghai (use ``shared.clock.today_shanghai``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import chinese_calendar
from chinese_calendar import constants as _cc_data

__all__ = [
    "Deadline",
    "WorkingDayCount",
    "WorkingDayCalendar",
    "load_extra_years",
    "chinese_calendar_years",
]

ExtraYears = dict[int, dict[str, list[dt.date]]]

_KEYS = ("holidays", "workdays")
_ONE_DAY = dt.timedelta(days=1)


def chinese_calendar_years() -> range:
    """Years covered by the installed ``chinesecalendar`` data (inclusive range).

    Mirrors the package's own check, which raises ``NotImplementedError`` for
    a date outside ``[min year, max year]`` of its holiday table.
    """
    years = [d.year for d in _cc_data.holidays]
    return range(min(years), max(years) + 1)


@dataclass(frozen=True)
class Deadline:
    """The n-th working day after a start date.

    ``provisional`` is True when a day examined lies in a year with no official
    schedule (judged by weekends only); those years are in ``unknown_years``.
    """

    date: dt.date
    provisional: bool
    unknown_years: tuple[int, ...]


class WorkingDayCount(NamedTuple):
    """Working days in a span ``(a, b]``; provisional as for ``Deadline``."""

    days: int
    provisional: bool


class WorkingDayCalendar:
    """Working-day arithmetic over chinesecalendar plus policy-supplied years.

    ``extra_years`` takes the shape produced by ``load_extra_years`` (string
    dates are accepted too); a year given there overrides chinesecalendar.
    """

    def __init__(self, extra_years: Mapping[object, Mapping[str, Iterable[object]]] | None = None):
        loaded = load_extra_years(extra_years or {})
        self._holidays = {year: frozenset(v["holidays"]) for year, v in loaded.items()}
        self._workdays = {year: frozenset(v["workdays"]) for year, v in loaded.items()}
        self._cc_years = chinese_calendar_years()

    def add_years(self, extra_years: Mapping[object, Mapping[str, Iterable[object]]]) -> list[int]:
        """Take the official schedules of more years (an administrator loaded them, R16); a year already known
        is replaced.  Validated as ``load_extra_years``; returns the years taken."""
        loaded = load_extra_years(extra_years)
        for year, entry in loaded.items():
            self._workdays[year] = frozenset(entry["workdays"])
            self._holidays[year] = frozenset(entry["holidays"])
        return sorted(loaded)

    def with_years(self, extra_years: Mapping[object, Mapping[str, Iterable[object]]]) -> "WorkingDayCalendar":
        """A copy of this calendar that also knows ``extra_years`` (this one is unchanged)."""
        copy = WorkingDayCalendar()
        copy._holidays, copy._workdays = dict(self._holidays), dict(self._workdays)
        copy.add_years(extra_years)
        return copy

    def is_known_year(self, year: int) -> bool:
        """True when the official schedule of ``year`` is known."""
        return year in self._holidays or year in self._cc_years

    def is_working_day(self, d: dt.date) -> bool:
        """Whether ``d`` is a working day; for an unknown year, whether it is Mon-Fri."""
        return self._judge(_check_date(d, "d"))

    def add_working_days(self, start: dt.date, n: int) -> Deadline:
        """The n-th working day strictly after ``start`` (n >= 1)."""
        _check_date(start, "start")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n: must be a whole number of working days >= 1, got {n!r}")
        unknown: set[int] = set()
        day, counted = start, 0
        while counted < n:
            day += _ONE_DAY
            if not self.is_known_year(day.year):
                unknown.add(day.year)
            if self._judge(day):
                counted += 1
        return Deadline(day, bool(unknown), tuple(sorted(unknown)))

    def working_days_between(self, a: dt.date, b: dt.date) -> WorkingDayCount:
        """Number of working days in ``(a, b]`` (0 when a == b); requires a <= b."""
        _check_date(a, "a")
        _check_date(b, "b")
        if b < a:
            raise ValueError(f"b: must not be before a ({b} < {a})")
        days, provisional, day = 0, False, a
        while day < b:
            day += _ONE_DAY
            provisional = provisional or not self.is_known_year(day.year)
            days += self._judge(day)
        return WorkingDayCount(days, provisional)

    def _judge(self, d: dt.date) -> bool:
        if d.year in self._holidays:
            if d in self._workdays[d.year]:
                return True
            return d.weekday() < 5 and d not in self._holidays[d.year]
        if d.year in self._cc_years:
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5


def _check_date(d: object, field: str) -> dt.date:
    if isinstance(d, dt.datetime) or not isinstance(d, dt.date):
        raise TypeError(f"{field}: expected a datetime.date, got {type(d).__name__}")
    return d


def load_extra_years(policy_holidays: Mapping[object, Mapping[str, Iterable[object]]]) -> ExtraYears:
    """Validate policy holiday data into ``{year: {"holidays": [...], "workdays": [...]}}``.

    Years may be ints or digit strings; dates may be ``date`` objects or ISO
    strings ("2027-01-01").  Each year needs a non-empty ``holidays`` list;
    ``workdays`` may be omitted.  Every date must lie in its year and may not be
    both a holiday and a workday.  Lists come back sorted and de-duplicated.
    Bad input raises ``ValueError`` naming the year (and date).
    """
    if not isinstance(policy_holidays, Mapping):
        raise ValueError(
            f"policy holidays: expected a mapping of year -> schedule, got {type(policy_holidays).__name__}"
        )
    result: ExtraYears = {}
    for raw_year, schedule in policy_holidays.items():
        year = _parse_year(raw_year)
        if year in result:
            raise ValueError(f"policy holidays {year}: year given twice")
        if not isinstance(schedule, Mapping):
            raise ValueError(f"policy holidays {year}: expected a mapping with 'holidays' and 'workdays'")
        unknown_keys = set(schedule) - set(_KEYS)
        if unknown_keys:
            raise ValueError(
                f"policy holidays {year}: unknown keys {sorted(map(str, unknown_keys))}; expected {list(_KEYS)}"
            )
        entry = {key: _parse_dates(year, key, schedule.get(key) or []) for key in _KEYS}
        if not entry["holidays"]:
            raise ValueError(f"policy holidays {year}: 'holidays' must list the year's official days off")
        both = sorted(set(entry["holidays"]) & set(entry["workdays"]))
        if both:
            raise ValueError(f"policy holidays {year}: {both[0].isoformat()} is listed both as holiday and workday")
        result[year] = entry
    return result


def _parse_year(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    raise ValueError(f"policy holidays: year must be a number, got {raw!r}")


def _parse_dates(year: int, key: str, values: object) -> list[dt.date]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(f"policy holidays {year}: '{key}' must be a list of dates")
    dates: set[dt.date] = set()
    for value in values:
        if isinstance(value, dt.datetime):
            raise ValueError(f"policy holidays {year}: {key} entry {value!r} is a datetime, expected a date")
        if isinstance(value, dt.date):
            day = value
        elif isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"policy holidays {year}: {key} entry {value!r} is not a YYYY-MM-DD date") from None
        else:
            raise ValueError(f"policy holidays {year}: {key} entry {value!r} is not a date")
        if day.year != year:
            raise ValueError(f"policy holidays {year}: {key} entry {day.isoformat()} is not in {year}")
        dates.add(day)
    return sorted(dates)
