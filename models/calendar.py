"""Working time: office hours, Indonesian holidays and cuti bersama, days the admin adds.

`WorkCalendar.add` gives a due moment; `WorkCalendar.between` measures working minutes. A
"N hari" standard ends at the same office clock time N working days later; minutes count only
inside office hours; a start outside office hours counts from the next opening.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Time, select
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.dates import WIB
from models.types import UTCDateTime, utcnow

WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


class OfficeHours(db.Model):
    """The office's opening hours on one weekday (0 = Monday), with an optional break."""

    __tablename__ = "office_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("closes > opens", name="closes_after_opens"),
        CheckConstraint(
            "(break_start IS NULL AND break_end IS NULL) OR "
            "(break_start > opens AND break_end > break_start AND closes > break_end)",
            name="break_inside",
        ),
    )

    weekday: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    is_open: Mapped[bool] = mapped_column(default=True)
    opens: Mapped[time] = mapped_column(Time, default=time(7, 30))
    closes: Mapped[time] = mapped_column(Time, default=time(16, 0))
    break_start: Mapped[time | None] = mapped_column(Time)
    break_end: Mapped[time | None] = mapped_column(Time)

    @property
    def name(self) -> str:
        return WEEKDAYS[self.weekday]


class CalendarDay(db.Model):
    """A day the admin declares: a local day off (closure) or an extra working day (swap)."""

    __tablename__ = "calendar_day"
    __table_args__ = (CheckConstraint("kind IN ('off', 'work')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(4))
    note: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)


DEFAULT_HOURS = {wd: (time(7, 30), time(16, 0)) for wd in range(5)}


@dataclass(frozen=True)
class Hours:
    opens: time
    closes: time
    break_start: time | None = None
    break_end: time | None = None

    def periods(self) -> list[tuple[time, time]]:
        if self.break_start is None:
            return [(self.opens, self.closes)]
        return [(self.opens, self.break_start), (self.break_end, self.closes)]


@lru_cache(maxsize=32)
def national_days_off(year: int) -> dict[date, str]:
    """Indonesia's national holidays and cuti bersama of `year`, with Indonesian names."""
    days = holidays.country_holidays(
        "ID", years=year, categories=("public", "government"), language="id"
    )
    return dict(days.items())


class WorkCalendar:
    """Office hours per weekday, national days off, and the admin's own days."""

    def __init__(self, hours: dict[int, Hours] | None = None, days_off: dict | None = None,
                 extra_workdays: set[date] | None = None):  # fmt: skip
        self.hours = hours if hours is not None else {
            wd: Hours(*span) for wd, span in DEFAULT_HOURS.items()
        }  # fmt: skip
        self.days_off = days_off or {}
        self.extra_workdays = extra_workdays or set()

    # -- days ---------------------------------------------------------------------------------
    def day_off_reason(self, day: date) -> str | None:
        """Why `day` is not a working day, or None when it is one."""
        if day in self.extra_workdays:
            return None
        if day in self.days_off:
            return self.days_off[day]
        if day in national_days_off(day.year):
            return national_days_off(day.year)[day]
        if day.weekday() not in self.hours:
            return "Akhir pekan"
        return None

    def _hours_of(self, day: date) -> Hours | None:
        if self.day_off_reason(day) is not None:
            return None
        return self.hours.get(day.weekday()) or self.hours.get(0)  # an extra day: Monday's hours

    def periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The office's working periods of `day`, as aware WIB moments."""
        hours = self._hours_of(day)
        if hours is None:
            return []
        return [(datetime.combine(day, a, WIB), datetime.combine(day, b, WIB))
                for a, b in hours.periods()]  # fmt: skip

    def _next_working_day(self, day: date) -> date:
        for _ in range(400):
            day += timedelta(days=1)
            if self._hours_of(day) is not None:
                return day
        raise ValueError("no working day within 400 days: check the office hours")

    def is_open(self, moment: datetime) -> bool:
        """Whether the office is open at `moment` (a working day, inside its hours)."""
        m = moment.astimezone(WIB)
        return any(start <= m < end for start, end in self.periods(m.date()))

    def working_day_before(self, day: date, count: int) -> date:
        """The working day `count` working days before `day` (`day` itself when 0 and it is
        one)."""
        for _ in range(count):
            for _ in range(400):
                day -= timedelta(days=1)
                if self._hours_of(day) is not None:
                    break
            else:
                raise ValueError("no working day within 400 days: check the office hours")
        return day

    def longest_day_minutes(self) -> int:
        """The working minutes of the longest office day of the week."""

        def minutes(a: time, b: time) -> int:
            return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)

        return max((sum(minutes(a, b) for a, b in hours.periods())
                    for hours in self.hours.values()), default=0)  # fmt: skip

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when the office is open then, else the next opening."""
        m = moment.astimezone(WIB)
        day = m.date()
        for start, end in self.periods(day):
            if m < end:
                return max(m, start)
        return self.periods(self._next_working_day(day))[0][0]

    # -- arithmetic ----------------------------------------------------------------------------
    def add_minutes(self, moment: datetime, minutes: int) -> datetime:
        """The moment `minutes` working minutes after `moment` (UTC)."""
        m = self.next_opening(moment)
        remaining = timedelta(minutes=minutes)
        day = m.date()
        while True:
            for start, end in self.periods(day):
                if end <= m:
                    continue
                begin = max(m, start)
                if begin + remaining <= end:
                    return (begin + remaining).astimezone(UTC)
                remaining -= end - begin
            day = self._next_working_day(day)
            m = self.periods(day)[0][0]

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """The same office clock time `days` working days after `moment` (from next opening)."""
        m = self.next_opening(moment)
        day = m.date()
        for _ in range(days):
            day = self._next_working_day(day)
        periods = self.periods(day)
        clock = datetime.combine(day, m.timetz().replace(tzinfo=None), WIB)
        clock = min(max(clock, periods[0][0]), periods[-1][1])  # other hours that weekday
        return clock.astimezone(UTC)

    def add(self, moment: datetime, standard: dict) -> datetime:
        """Apply an SOP time standard: ``{"minutes": n}`` or ``{"working_days": n}``."""
        if "minutes" in standard:
            return self.add_minutes(moment, standard["minutes"])
        return self.add_working_days(moment, standard["working_days"])

    def between(self, start: datetime, end: datetime) -> int:
        """Whole working minutes from `start` to `end`."""
        if end <= start:
            return 0
        a, b = start.astimezone(WIB), end.astimezone(WIB)
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for p_start, p_end in self.periods(day):
                lo, hi = max(a, p_start), min(b, p_end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)

    def year_days_off(self, year: int) -> list[tuple[date, str, str]]:
        """Every day off of `year` that is not a weekend: (day, name, source)."""
        rows = {d: (n, "nasional") for d, n in national_days_off(year).items()}
        rows.update({d: (n, "dinas") for d, n in self.days_off.items() if d.year == year})
        return sorted((d, n, s) for d, (n, s) in rows.items() if d not in self.extra_workdays)


def load_calendar(session=None) -> WorkCalendar:
    """The calendar as the admin has set it: office hours and the admin's days (read through
    `session`, by default the app's)."""
    session = session or db.session
    rows = session.scalars(select(OfficeHours)).all()
    if rows:
        hours = {r.weekday: Hours(r.opens, r.closes, r.break_start, r.break_end)
                 for r in rows if r.is_open}  # fmt: skip
    else:
        hours = None
    days_off, extra = {}, set()
    for d in session.scalars(select(CalendarDay)):
        if d.kind == "off":
            days_off[d.day] = d.note
        else:
            extra.add(d.day)
    return WorkCalendar(hours, days_off, extra)
