"""R16 working days: chinesecalendar years, policy-supplied years, unknown years.

2026 arrangement as shipped in chinesecalendar 1.11.0:
  Spring Festival: off Sun 2026-02-15 .. Mon 2026-02-23; make-up Sat 02-14 and Sat 02-28.
  Mid-Autumn: off Fri 2026-09-25 .. Sun 09-27.
  National Day: off Thu 2026-10-01 .. Wed 10-07; make-up Sun 09-20 and Sat 10-10.
"""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest
import yaml
from chinese_calendar import constants as cc_data

from shared.workdays import (
    Deadline,
    WorkingDayCalendar,
    WorkingDayCount,
    chinese_calendar_years,
    load_extra_years,
)

D = date

# A made-up 2027 schedule for tests (not the official one).
TEST_2027 = {
    2027: {
        "holidays": ["2027-01-01", "2027-10-01", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"],
        "workdays": ["2027-10-09"],
    }
}


@pytest.fixture
def cal() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def test_package_data_matches_the_documented_2026_arrangement():
    national_day = [d for d, name in cc_data.holidays.items() if d.year == 2026 and name == "National Day"]
    assert national_day == [D(2026, 10, day) for day in range(1, 8)]
    assert D(2026, 9, 20) in cc_data.workdays and D(2026, 9, 20).weekday() == 6  # Sunday
    assert D(2026, 10, 10) in cc_data.workdays and D(2026, 10, 10).weekday() == 5  # Saturday
    assert D(2026, 2, 14) in cc_data.workdays and D(2026, 2, 28) in cc_data.workdays


def test_known_years_come_from_the_package_data(cal):
    years = chinese_calendar_years()
    assert years.stop - 1 == max(d.year for d in cc_data.holidays) == 2026
    assert years.start == 2004
    assert cal.is_known_year(2026) and cal.is_known_year(2004)
    assert not cal.is_known_year(2027) and not cal.is_known_year(2003)
    with pytest.raises(NotImplementedError):  # why we never ask the package about 2027
        chinese_calendar.is_workday(D(2027, 1, 4))


# --- National Day 2026 ------------------------------------------------------


def test_three_working_days_after_sep_30_skip_the_holiday_week_and_use_the_make_up_saturday(cal):
    # Oct 1-7 off; Thu Oct 8 (1), Fri Oct 9 (2), make-up Sat Oct 10 (3)
    assert cal.add_working_days(D(2026, 9, 30), 3) == Deadline(D(2026, 10, 10), False, ())
    assert cal.add_working_days(D(2026, 9, 30), 1).date == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 9, 30), 4).date == D(2026, 10, 12)  # Sun Oct 11 is off


def test_holiday_week_and_make_up_days_individually(cal):
    for day in range(1, 8):
        assert cal.is_working_day(D(2026, 10, day)) is False
    assert cal.is_working_day(D(2026, 10, 10)) is True  # Saturday, make-up
    assert cal.is_working_day(D(2026, 10, 11)) is False  # ordinary Sunday
    assert cal.is_working_day(D(2026, 9, 20)) is True  # Sunday, make-up
    assert cal.is_working_day(D(2026, 9, 25)) is False  # Friday, Mid-Autumn


def test_make_up_sunday_before_mid_autumn_counts(cal):
    # Fri Sep 18 -> Sat 19 off, Sun 20 make-up working day
    assert cal.add_working_days(D(2026, 9, 18), 1).date == D(2026, 9, 20)
    # Thu Sep 24 -> Fri 25..Sun 27 off -> Mon 28
    assert cal.add_working_days(D(2026, 9, 24), 1).date == D(2026, 9, 28)


def test_counting_starts_strictly_after_start(cal):
    # start itself is a working day but never counts
    assert cal.add_working_days(D(2026, 10, 8), 1).date == D(2026, 10, 9)
    # start on a holiday
    assert cal.add_working_days(D(2026, 10, 3), 1).date == D(2026, 10, 8)


def test_working_days_between_counts_half_open_span(cal):
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == WorkingDayCount(3, False)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 7)) == (0, False)
    assert cal.working_days_between(D(2026, 10, 8), D(2026, 10, 8)) == (0, False)
    days, provisional = cal.working_days_between(D(2026, 9, 1), D(2026, 9, 30))
    # September 2026: 22 weekdays - Fri 25 + Sun 20 = 22, minus Tue Sep 1 (excluded)
    assert (days, provisional) == (21, False)
    with pytest.raises(ValueError, match="before"):
        cal.working_days_between(D(2026, 10, 10), D(2026, 10, 1))


# --- Spring Festival 2026 ---------------------------------------------------


def test_spring_festival_2026(cal):
    # Fri Feb 13 -> make-up Sat Feb 14
    assert cal.add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    # Feb 15-23 off -> Tue Feb 24
    assert cal.add_working_days(D(2026, 2, 14), 1).date == D(2026, 2, 24)
    # Tue 24, Wed 25, Thu 26, Fri 27, make-up Sat 28
    assert cal.add_working_days(D(2026, 2, 23), 5) == Deadline(D(2026, 2, 28), False, ())
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == (2, False)


# --- unknown and policy-supplied years --------------------------------------


def test_2027_without_data_is_provisional_weekends_only(cal):
    # Jan 1 2027 is a Friday: weekend rule says working, hence provisional
    assert cal.add_working_days(D(2026, 12, 31), 1) == Deadline(D(2027, 1, 1), True, (2027,))
    assert cal.add_working_days(D(2027, 9, 30), 3) == Deadline(D(2027, 10, 5), True, (2027,))
    assert cal.is_working_day(D(2027, 1, 1)) is True
    assert cal.is_working_day(D(2027, 1, 2)) is False  # Saturday


def test_span_crossing_into_2027_is_provisional(cal):
    # Thu Dec 31 2026 (known), Fri Jan 1 2027 (unknown), Mon Jan 4 2027
    assert cal.add_working_days(D(2026, 12, 30), 3) == Deadline(D(2027, 1, 4), True, (2027,))
    assert cal.working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == (3, True)


def test_only_days_examined_make_a_result_provisional(cal):
    assert cal.add_working_days(D(2026, 12, 28), 3) == Deadline(D(2026, 12, 31), False, ())
    assert cal.working_days_between(D(2026, 12, 28), D(2026, 12, 31)) == (3, False)


def test_years_before_the_package_range_are_provisional(cal):
    assert cal.add_working_days(D(2003, 12, 30), 1) == Deadline(D(2003, 12, 31), True, (2003,))
    result = cal.add_working_days(D(2003, 12, 30), 3)
    assert result.provisional and result.unknown_years == (2003,)  # Jan 2004 is known


def test_span_over_several_unknown_years_lists_them_all(cal):
    result = cal.add_working_days(D(2026, 12, 31), 300)
    assert result.provisional and result.unknown_years == (2027, 2028)


def test_extra_2027_data_is_honoured_and_not_provisional():
    cal = WorkingDayCalendar(load_extra_years(TEST_2027))
    assert cal.is_known_year(2027)
    assert cal.is_working_day(D(2027, 1, 1)) is False
    assert cal.add_working_days(D(2026, 12, 31), 1) == Deadline(D(2027, 1, 4), False, ())
    # Thu Sep 30 -> Fri Oct 1 off, Oct 4-7 off, Fri Oct 8 (1), make-up Sat Oct 9 (2), Mon Oct 11 (3)
    assert cal.add_working_days(D(2027, 9, 30), 3) == Deadline(D(2027, 10, 11), False, ())
    assert cal.working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == (2, False)
    # 2028 is still unknown
    assert cal.add_working_days(D(2027, 12, 31), 1) == Deadline(D(2028, 1, 3), True, (2028,))


def test_calendar_accepts_raw_policy_data_directly():
    cal = WorkingDayCalendar(TEST_2027)
    assert cal.add_working_days(D(2026, 12, 31), 1) == Deadline(D(2027, 1, 4), False, ())


def test_extra_data_overrides_the_package_for_the_same_year():
    cal = WorkingDayCalendar({2026: {"holidays": ["2026-10-08"]}})
    assert cal.is_working_day(D(2026, 10, 8)) is False
    assert cal.is_working_day(D(2026, 10, 1)) is True  # not in the override
    assert cal.is_working_day(D(2026, 10, 10)) is False  # make-up day not in the override


def test_bad_arguments(cal):
    with pytest.raises(ValueError, match="n:"):
        cal.add_working_days(D(2026, 1, 5), 0)
    with pytest.raises(ValueError, match="n:"):
        cal.add_working_days(D(2026, 1, 5), True)
    with pytest.raises(TypeError, match="start"):
        cal.add_working_days(datetime(2026, 1, 5, 9, 0), 1)
    with pytest.raises(TypeError, match="d:"):
        cal.is_working_day("2026-01-05")


# --- load_extra_years -------------------------------------------------------


def test_load_extra_years_from_yaml():
    text = """
    2027:
      holidays: [2027-01-01, "2027-02-08"]
      workdays: ["2027-02-06"]
    "2028":
      holidays: [2028-01-01]
    """
    loaded = load_extra_years(yaml.safe_load(text))
    assert loaded == {
        2027: {"holidays": [D(2027, 1, 1), D(2027, 2, 8)], "workdays": [D(2027, 2, 6)]},
        2028: {"holidays": [D(2028, 1, 1)], "workdays": []},
    }


def test_load_extra_years_sorts_and_deduplicates():
    loaded = load_extra_years({2027: {"holidays": ["2027-05-03", D(2027, 5, 1), "2027-05-01"]}})
    assert loaded[2027]["holidays"] == [D(2027, 5, 1), D(2027, 5, 3)]


@pytest.mark.parametrize(
    "data, message",
    [
        ({2027: {"holidays": ["2027-02-30"]}}, r"2027.*'2027-02-30'"),
        ({2027: {"holidays": ["2028-01-01"]}}, r"2027.*2028-01-01 is not in 2027"),
        ({2027: {"holidays": [D(2027, 1, 1)], "workdays": ["2027-01-01"]}}, r"2027.*2027-01-01.*both"),
        ({2027: {"holidays": [datetime(2027, 1, 1)]}}, r"2027.*datetime"),
        ({2027: {"holidays": [20270101]}}, r"2027.*20270101"),
        ({2027: {"holiday": ["2027-01-01"]}}, r"2027.*unknown keys"),
        ({2027: {"holidays": []}}, r"2027.*'holidays' must list"),
        ({2027: {"holidays": "2027-01-01"}}, r"2027.*must be a list"),
        ({2027: ["2027-01-01"]}, r"2027.*expected a mapping"),
        ({"next year": {"holidays": ["2027-01-01"]}}, r"year must be a number"),
        ({2027: {"holidays": ["2027-01-01"]}, "2027": {"holidays": ["2027-01-01"]}}, r"2027.*twice"),
    ],
)
def test_load_extra_years_rejects_bad_input(data, message):
    with pytest.raises(ValueError, match=message):
        load_extra_years(data)


def test_a_year_loaded_later_is_known_and_counted_on_its_schedule():
    cal = WorkingDayCalendar()
    before = cal.add_working_days(D(2026, 12, 30), 3)
    assert (before.date, before.provisional) == (D(2027, 1, 4), True)  # Fri 1 Jan counted as a weekday
    copy = cal.with_years({2027: {"holidays": ["2027-01-01"], "workdays": []}})
    assert cal.add_working_days(D(2026, 12, 30), 3) == before  # the original is unchanged
    after = copy.add_working_days(D(2026, 12, 30), 3)
    assert (after.date, after.provisional, after.unknown_years) == (D(2027, 1, 5), False, ())
    assert cal.add_years({"2027": {"holidays": ["2027-01-01"]}}) == [2027] and cal.is_known_year(2027)
    assert cal.add_working_days(D(2026, 12, 30), 3) == after
    with pytest.raises(ValueError):
        cal.add_years({2028: {"holidays": ["2027-05-01"]}})


def test_a_loaded_schedule_is_checked_naming_the_field():
    from shared.errors import InvalidInput
    from shared.holidays import schedule_of

    assert schedule_of(2027, {"holidays": ["2027-01-01", "2027-01-01"], "workdays": ["2027-02-07"]}) == (
        2027,
        {"holidays": ["2027-01-01"], "workdays": ["2027-02-07"]},
    )
    for year, data, field in [
        (2027, {"holidays": ["2026-10-01"]}, "holidays"),
        (2027, {"holidays": []}, "holidays"),
        (2027, {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}, "workdays"),
        (2027, {"holidays": ["not a date"]}, "holidays.0"),
        (1999, {"holidays": ["1999-01-01"]}, "year"),
        (2027, {"holidays": ["2027-01-01"], "extra": []}, "extra"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            schedule_of(year, data)
        assert field in refused.value.details
