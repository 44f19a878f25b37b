"""Dates and times as the office reads them: Indonesian names, Asia/Jakarta (WIB)."""

from datetime import date, datetime, timedelta
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


def format_date_long(day: date | datetime | None) -> str:
    """``28 November 2026`` — the form of letters and documents."""
    if day is None:
        return "-"
    if isinstance(day, datetime):
        day = to_wib(day).date()
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_day_date(day: date | datetime) -> str:
    """``Sabtu, 28 November 2026``."""
    if isinstance(day, datetime):
        day = to_wib(day).date()
    return f"{DAYS[day.weekday()]}, {format_date_long(day)}"


def format_moment_long(moment: datetime) -> str:
    """``Sabtu, 28 November 2026 pukul 14.05 WIB`` — a due moment in a message."""
    m = to_wib(moment)
    return f"{format_day_date(m.date())} pukul {m.hour:02d}.{m.minute:02d} WIB"


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
