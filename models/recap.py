"""Rekapitulasi: counts and time-standard compliance of complaints over a period."""

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select

from models import db
from models.complaint import STATUSES, Complaint, StepRecord
from models.dates import MONTHS, WIB, format_date_long
from models.masterdata import Channel, Jenis
from models.sop import PUBLIC, Sop, SopStep

PERIOD_KINDS = {"bulan": "Bulan", "triwulan": "Triwulan", "tahun": "Tahun", "rentang": "Rentang"}


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC-comparable aware moments [start, end) on the office clock."""
        return (datetime.combine(self.first, time.min, WIB),
                datetime.combine(self.last + timedelta(days=1), time.min, WIB))  # fmt: skip


def parse_period(kind: str, value: str, first: str = "", last: str = "") -> Period:
    """Read a period: ``bulan 2026-11``, ``triwulan 2026-Q4``, ``tahun 2026`` or a range.

    :raise ValueError: with an Indonesian message.
    """
    try:
        if kind == "bulan":
            year, month = (int(x) for x in value.split("-"))
            start = date(year, month, 1)
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            return Period(start, end, f"{MONTHS[month - 1]} {year}")
        if kind == "triwulan":
            match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", value.strip())
            if not match:
                raise ValueError
            year, quarter = int(match.group(1)), int(match.group(2))
            start = date(year, 3 * quarter - 2, 1)
            nxt = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
            return Period(start, nxt - timedelta(days=1), f"Triwulan {quarter} {year}")
        if kind == "tahun":
            year = int(value)
            return Period(date(year, 1, 1), date(year, 12, 31), f"Tahun {year}")
        if kind == "rentang":
            start, end = date.fromisoformat(first), date.fromisoformat(last)
            if end < start:
                raise ValueError("Tanggal akhir tidak boleh sebelum tanggal awal.")
            label = f"{format_date_long(start)} s.d. {format_date_long(end)}"
            return Period(start, end, label)
    except ValueError as exc:
        if str(exc).startswith("Tanggal"):
            raise
        raise ValueError("Periode tidak dapat dibaca; periksa isiannya.") from None
    raise ValueError("Jenis periode tidak dikenal.")


@dataclass
class StepCompliance:
    sop: str
    step_no: int
    name: str
    standard: str
    finished: int
    met: int
    median_minutes: float | None

    @property
    def share(self) -> float | None:
        return self.met / self.finished if self.finished else None


@dataclass
class Recap:
    period: Period
    received: int = 0
    closed: int = 0
    carried_over: int = 0
    open_at_end: int = 0
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_jenis: list[tuple[str, int]] = field(default_factory=list)
    by_sop: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)
    steps: list[StepCompliance] = field(default_factory=list)


def _grouped(column, label_of, where):
    rows = db.session.execute(
        select(column, func.count(Complaint.id)).where(where).group_by(column)
    ).all()
    counts = dict(rows)
    return [(label, counts.get(key, 0)) for key, label in label_of]


def build_recap(period: Period) -> Recap:
    """Count what came in, what was closed and carried over, and step compliance."""
    start, end = period.bounds
    received_in = and_(Complaint.received_at >= start, Complaint.received_at < end)
    recap = Recap(period)
    count = func.count(Complaint.id)
    recap.received = db.session.scalar(select(count).where(received_in))
    recap.closed = db.session.scalar(
        select(count).where(Complaint.closed_at >= start, Complaint.closed_at < end)
    )
    recap.carried_over = db.session.scalar(select(count).where(
        Complaint.received_at < start,
        or_(Complaint.closed_at.is_(None), Complaint.closed_at >= start),
    ))  # fmt: skip
    recap.open_at_end = db.session.scalar(select(count).where(
        Complaint.received_at < end,
        or_(Complaint.closed_at.is_(None), Complaint.closed_at >= end),
    ))  # fmt: skip
    channels = db.session.execute(select(Channel.id, Channel.name).order_by(Channel.ordering))
    recap.by_channel = _grouped(Complaint.channel_id, channels.all(), received_in)
    jenis = db.session.execute(select(Jenis.id, Jenis.name).order_by(Jenis.ordering))
    recap.by_jenis = _grouped(Complaint.jenis_id, jenis.all(), received_in)
    sop_rows = db.session.execute(
        select(Sop.code, func.count(Complaint.id)).join(Complaint, Complaint.sop_id == Sop.id)
        .where(received_in).group_by(Sop.code).order_by(Sop.code)
    ).all()  # fmt: skip
    recap.by_sop = [(code, n) for code, n in sop_rows]
    recap.by_status = _grouped(Complaint.status, list(STATUSES.items()), received_in)
    recap.steps = _step_compliance(start, end)
    return recap


def _step_compliance(start, end) -> list[StepCompliance]:
    rows = db.session.execute(
        select(Sop.code, StepRecord.step_no, StepRecord.met_standard, StepRecord.working_minutes)
        .join(Sop, Sop.id == StepRecord.sop_id)
        .where(StepRecord.finished_at >= start, StepRecord.finished_at < end,
               StepRecord.step_no.is_not(None), StepRecord.phase == "in_progress",
               StepRecord.actor_role != PUBLIC)
    ).all()  # fmt: skip
    grouped: dict[tuple[str, int], list] = {}
    for code, no, met, minutes in rows:
        grouped.setdefault((code, no), []).append((met, minutes))
    names = {}
    for code, no, short, minutes, days in db.session.execute(
        select(Sop.code, SopStep.no, SopStep.short_name, SopStep.time_minutes,
               SopStep.time_working_days).join(Sop, Sop.id == SopStep.sop_id)
    ):  # fmt: skip
        names.setdefault((code, no), (short, f"{minutes} menit" if minutes else f"{days} hari"))
    result = []
    for (code, no), items in sorted(grouped.items()):
        short, standard = names.get((code, no), (f"Langkah {no}", "-"))
        minutes = [m for _, m in items if m is not None]
        result.append(StepCompliance(
            code, no, short, standard, len(items), sum(1 for met, _ in items if met),
            statistics.median(minutes) if minutes else None,
        ))  # fmt: skip
    return result


def compliance_share(start: datetime, end: datetime) -> float | None:
    """Share of the steps finished in [start, end) that met their time standard."""
    finished, met = db.session.execute(
        select(func.count(StepRecord.id),
               func.count(StepRecord.id).filter(StepRecord.met_standard.is_(True)))
        .where(StepRecord.finished_at >= start, StepRecord.finished_at < end,
               StepRecord.step_no.is_not(None), StepRecord.phase == "in_progress",
               StepRecord.actor_role != PUBLIC)
    ).one()  # fmt: skip
    return met / finished if finished else None


def weekly_incoming(weeks: int, today: date) -> list[tuple[date, int]]:
    """Complaints received per office week (Monday first), the last `weeks` weeks."""
    monday = today - timedelta(days=today.weekday())
    result = []
    for i in range(weeks - 1, -1, -1):
        first = monday - timedelta(weeks=i)
        lo = datetime.combine(first, time.min, WIB)
        hi = lo + timedelta(weeks=1)
        n = db.session.scalar(select(func.count(Complaint.id)).where(
            Complaint.received_at >= lo, Complaint.received_at < hi))  # fmt: skip
        result.append((first, n))
    return result
