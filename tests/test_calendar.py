"""Working time on the 2026 Indonesian calendar, checked against hand calculations."""

from datetime import UTC, date, datetime, time

import pytest

from models.calendar import Hours, WorkCalendar
from models.dates import WIB


def wib(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


CAL = WorkCalendar()

# (what, start (WIB), standard, due (WIB)) — worked out by hand from the 2026 calendar.
DUE = [
    ("30 minutes from 15:50 on a working day end 07:50 the next working day",
     wib(2026, 11, 25, 15, 50), {"minutes": 30}, wib(2026, 11, 26, 7, 50)),
    ("a step that ends exactly at closing time stays that day",
     wib(2026, 11, 25, 15, 30), {"minutes": 30}, wib(2026, 11, 25, 16, 0)),
    ("a Saturday start counts from Monday's opening",
     wib(2026, 11, 28, 10, 0), {"minutes": 30}, wib(2026, 11, 30, 8, 0)),
    ("a start before opening counts from 07:30",
     wib(2026, 11, 30, 6, 0), {"minutes": 120}, wib(2026, 11, 30, 9, 30)),
    ("Independence Day (Mon 17 Aug) is off",
     wib(2026, 8, 17, 9, 0), {"minutes": 60}, wib(2026, 8, 18, 8, 30)),
    ("cuti bersama Christmas Eve (Thu 24 Dec) and Christmas are off",
     wib(2026, 12, 24, 9, 0), {"minutes": 30}, wib(2026, 12, 28, 8, 0)),
    ("1 working day across Ascension Day, its cuti bersama and the weekend",
     wib(2026, 5, 13, 10, 0), {"working_days": 1}, wib(2026, 5, 18, 10, 0)),
    ("1 working day across Nyepi and the Idul Fitri leave (18-24 Mar)",
     wib(2026, 3, 17, 15, 0), {"working_days": 1}, wib(2026, 3, 25, 15, 0)),
    ("the turn of the year: New Year's Day is off",
     wib(2026, 12, 31, 15, 0), {"minutes": 180}, wib(2027, 1, 4, 9, 30)),
    ("1 working day from a Friday afternoon is Monday afternoon",
     wib(2026, 11, 27, 14, 0), {"working_days": 1}, wib(2026, 11, 30, 14, 0)),
    ("1 working day from after closing counts from the next opening",
     wib(2026, 11, 27, 18, 0), {"working_days": 1}, wib(2026, 12, 1, 7, 30)),
]  # fmt: skip


@pytest.mark.parametrize(("what", "start", "standard", "due"), DUE, ids=[d[0] for d in DUE])
def test_due_moments_match_the_hand_calculation(what, start, standard, due):
    result = CAL.add(start, standard)
    assert result == due
    assert result.tzinfo == UTC  # stored in UTC, shown in WIB


def test_cuti_bersama_comes_from_the_package_government_category():
    assert CAL.day_off_reason(date(2026, 12, 24)) is not None
    assert CAL.day_off_reason(date(2026, 3, 20)) is not None
    assert CAL.day_off_reason(date(2026, 11, 30)) is None
    assert CAL.day_off_reason(date(2026, 11, 29)) == "Akhir pekan"


def test_an_admin_closure_moves_the_due_moment():
    closed = WorkCalendar(days_off={date(2026, 12, 1): "Pemadaman listrik gedung"})
    assert CAL.add(wib(2026, 11, 30, 15, 45), {"minutes": 30}) == wib(2026, 12, 1, 7, 45)
    assert closed.add(wib(2026, 11, 30, 15, 45), {"minutes": 30}) == wib(2026, 12, 2, 7, 45)


def test_an_extra_working_day_counts():
    swapped = WorkCalendar(extra_workdays={date(2026, 11, 28)})  # a Saturday worked
    assert swapped.add(wib(2026, 11, 27, 15, 50), {"minutes": 30}) == wib(2026, 11, 28, 7, 50)


def test_a_break_is_not_counted():
    hours = {wd: Hours(time(7, 30), time(16, 0), time(12, 0), time(13, 0)) for wd in range(5)}
    cal = WorkCalendar(hours)
    assert cal.add(wib(2026, 11, 30, 11, 45), {"minutes": 30}) == wib(2026, 11, 30, 13, 15)
    assert cal.between(wib(2026, 11, 30, 11, 0), wib(2026, 11, 30, 14, 0)) == 120


def test_friday_short_hours_are_respected():
    hours = {wd: Hours(time(7, 30), time(16, 0)) for wd in range(4)}
    hours[4] = Hours(time(7, 30), time(11, 0))
    cal = WorkCalendar(hours)
    assert cal.add(wib(2026, 11, 27, 10, 45), {"minutes": 30}) == wib(2026, 11, 30, 7, 45)
    # 1 working day from Thursday 14:00 lands on Friday, clamped to its closing time
    assert cal.add(wib(2026, 11, 26, 14, 0), {"working_days": 1}) == wib(2026, 11, 27, 11, 0)


BETWEEN = [
    (wib(2026, 11, 25, 15, 50), wib(2026, 11, 26, 7, 50), 30),
    (wib(2026, 11, 27, 15, 0), wib(2026, 11, 30, 8, 30), 120),  # over a weekend
    (wib(2026, 12, 23, 15, 0), wib(2026, 12, 28, 8, 0), 90),  # over Christmas
    (wib(2026, 11, 30, 9, 0), wib(2026, 11, 30, 8, 0), 0),  # reversed
    (wib(2026, 11, 30, 0, 0), wib(2026, 12, 5, 0, 0), 5 * 510),  # Mon-Fri, 8.5 hours a day
]  # fmt: skip


@pytest.mark.parametrize(("start", "end", "minutes"), BETWEEN)
def test_working_minutes_between_two_moments(start, end, minutes):
    assert CAL.between(start, end) == minutes


def test_add_and_between_agree():
    start = wib(2026, 12, 22, 14, 10)
    for minutes in (1, 29, 30, 110, 510, 2000):
        assert CAL.between(start, CAL.add_minutes(start, minutes)) == minutes


def test_the_year_list_names_national_and_agency_days():
    cal = WorkCalendar(days_off={date(2026, 10, 5): "Hari jadi dinas"})
    days = {d: (name, source) for d, name, source in cal.year_days_off(2026)}
    assert days[date(2026, 8, 17)][1] == "nasional"
    assert "Kemerdekaan" in days[date(2026, 8, 17)][0]
    assert days[date(2026, 10, 5)] == ("Hari jadi dinas", "dinas")
    assert date(2026, 12, 24) in days
