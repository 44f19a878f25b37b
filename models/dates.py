"""Dates and times as the office reads them: Indonesian names, Asia/Jakarta (WIB)."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.types import utcnow

WIB = ZoneInfo("Asia/Jakarta")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_SHORT = tuple(m[:3] for m in MONTHS[:7]) + ("Agu", "Sep", "Okt", "Nov", "Des")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def to_wib(moment: datetime) -> datetime:
    """Return an aware moment on the office clock."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: its zone is unknown")
    return moment.astimezone(WIB)


def format_moment(moment: datetime | None) -> str:
    """``28 Nov 2026 14.05 WIB`` — the short form used in lists and pages."""
    if moment is None:
        return "-"
    return _short_text(to_wib(moment))


def _short_text(m: datetime) -> str:
    return f"{m.day} {MONTHS_SHORT[m.month - 1]} {m.year} {m.hour:02d}.{m.minute:02d} WIB"


_WIB_OFFSET = timedelta(hours=7)  # WIB has kept UTC+7, without daylight saving, since 1964


def format_stored_moment(value: str | datetime | None) -> str:
    """`format_moment` of a value as the driver returns it, without the ORM's conversion:
    SQLite's naive UTC text or PostgreSQL's aware datetime (exports of a million rows)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return _short_text(datetime.fromisoformat(value) + _WIB_OFFSET)
    return _short_text(to_wib(value))


def _day_text(day: date | datetime | None, months) -> str:
    """A day (a moment: its WIB day) with its month's name from `months`; "-" for none."""
    if day is None:
        return "-"
    if isinstance(day, datetime):
        day = to_wib(day).date()
    return f"{day.day} {months[day.month - 1]} {day.year}"


def format_date_long(day: date | datetime | None) -> str:
    """``28 November 2026`` — the form of letters and documents."""
    return _day_text(day, MONTHS)


def format_day_date(day: date | datetime) -> str:
    """``Sabtu, 28 November 2026``."""
    if isinstance(day, datetime):
        day = to_wib(day).date()
    return f"{DAYS[day.weekday()]}, {format_date_long(day)}"


def format_moment_long(moment: datetime) -> str:
    """``Sabtu, 28 November 2026 pukul 14.05 WIB`` — a due moment in a message."""
    m = to_wib(moment)
    return f"{format_day_date(m.date())} pukul {m.hour:02d}.{m.minute:02d} WIB"


def format_date(day: date | datetime | None) -> str:
    """``28 Nov 2026`` — a day in lists and pages, as format_moment writes its date."""
    return _day_text(day, MONTHS_SHORT)


def format_time(moment: time | None) -> str:
    """``14.05`` — a time of day (24-hour), as format_moment writes it."""
    return "-" if moment is None else f"{moment.hour:02d}.{moment.minute:02d}"


_STORED = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?)?"
    r"|\d{2}:\d{2}(?::\d{2})?"
)


def format_value(value):
    """A moment, a date or a time (or one kept as ISO text, as the change log keeps values) the
    way pages show them (format_moment, format_date, format_time); any other value unchanged."""
    if isinstance(value, str) and _STORED.fullmatch(value):
        try:
            value = (time.fromisoformat(value) if len(value) <= 8
                     else datetime.fromisoformat(value) if len(value) > 10
                     else date.fromisoformat(value))  # fmt: skip
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:  # a naive moment is on the office clock
            return _short_text(value)
        return format_moment(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, time):
        return format_time(value)
    return value


def format_date_short(day: date | None) -> str:
    """``28-11-2026`` — the form of the SOP sheets' header."""
    return "-" if day is None else f"{day:%d-%m-%Y}"


def today_wib() -> date:
    """Today's date on the office clock."""

    return to_wib(utcnow()).date()


# Dates anybody may type: a year 0001 or 9999 is no office day, and moving it to UTC or a day
# on would leave the calendar (an error page instead of a message).
FIRST_YEAR, LAST_YEAR = 1900, 2200


def sane_date(day: date | datetime | None) -> bool:
    """Whether `day` lies in the years the office can mean (FIRST_YEAR … LAST_YEAR)."""
    return day is None or FIRST_YEAR <= day.year <= LAST_YEAR


SANE_DATE_MESSAGE = f"Tanggal harus antara tahun {FIRST_YEAR} dan {LAST_YEAR}."


# -- what an official or a citizen types: dd-mm-yyyy, 24-hour times ---------------------------
# Shown and typed the Indonesian way whatever the browser's language (models/inputs.py draws the
# inputs); ISO (2026-12-02, 2026-12-02T14:30) is read too, as older pages and links post it.

DATE_HINT, TIME_HINT = "hh-bb-tttt", "jj.mm"
DATE_MESSAGE = f"Tanggal tidak valid; tulis {DATE_HINT}, mis. 02-12-2026."
TIME_MESSAGE = f"Jam tidak valid; tulis {TIME_HINT} (24 jam), mis. 14.30."
MOMENT_MESSAGE = (
    f"Tanggal dan jam tidak valid; tulis {DATE_HINT} {TIME_HINT}, mis. 02-12-2026 14.30."
)

_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")
_HM = re.compile(r"(\d{1,2})[.:](\d{2})(?:[.:](\d{2}))?|(\d{2})(\d{2})")
_MOMENT = re.compile(r"(\S+?)(?:T|,?\s+(?:pukul\s+)?)(\S+?)(?:\s*WIB)?", re.IGNORECASE)


def parse_date(text: str) -> date:
    """``02-12-2026`` (also ``2-12-2026``, ``02/12/2026``, ``02.12.2026``, ``02122026`` and ISO
    ``2026-12-02``) → ``date(2026, 12, 2)``.

    :raise ValueError: with DATE_MESSAGE.
    """
    text = text.strip()
    try:
        if match := _DMY.fullmatch(text):
            day, _, month, year = match.groups()
        elif match := _DMY_DIGITS.fullmatch(text):
            day, month, year = match.groups()
        elif match := _YMD.fullmatch(text):
            year, month, day = match.groups()
        else:
            raise ValueError
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(DATE_MESSAGE) from None


def parse_time(text: str) -> time:
    """``14.30``, ``14:30``, ``9.05``, ``1430`` or ``14:30:00`` → ``time(14, 30)``; 24-hour.

    :raise ValueError: with TIME_MESSAGE.
    """
    match = _HM.fullmatch(text.strip())
    if match is None:
        raise ValueError(TIME_MESSAGE)
    hour, minute, second, hour4, minute4 = match.groups()
    try:
        return time(int(hour or hour4), int(minute or minute4), int(second or 0))
    except ValueError:
        raise ValueError(TIME_MESSAGE) from None


def parse_moment(text: str) -> datetime:
    """``02-12-2026 14.30`` (or ``2026-12-02T14:30``, ``02-12-2026, 14:30``, ``… pukul 14.30
    WIB``) → a naive ``datetime(2026, 12, 2, 14, 30)`` on the office clock.

    :raise ValueError: with MOMENT_MESSAGE.
    """
    match = _MOMENT.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        return datetime.combine(parse_date(match.group(1)), parse_time(match.group(2)))
    except ValueError:
        raise ValueError(MOMENT_MESSAGE) from None


def date_input(day: date | None) -> str:
    """The value of a date input: ``02-12-2026``."""
    return "" if day is None else f"{day:%d-%m-%Y}"


def time_input(moment: time | None) -> str:
    """The value of a time input: ``14.30`` (24-hour, as format_moment writes it)."""
    return "" if moment is None else f"{moment:%H.%M}"


def moment_input(moment: datetime | None) -> str:
    """The value of a date-and-time input: ``02-12-2026 14.30`` (naive, on the office clock)."""
    return "" if moment is None else f"{date_input(moment.date())} {time_input(moment.time())}"
