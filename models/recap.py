"""Rekapitulasi: counts, time-standard compliance and the satisfaction index (IKM) of
complaints over a period."""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from models import db
from models.complaint import CLOSURES, STATUSES, Complaint
from models.dates import (
    MONTHS,
    SANE_DATE_MESSAGE,
    WIB,
    format_date_long,
    parse_date,
    sane_date,
)
from models.lapor import FOLLOW_UP_DAYS, lapor_followups_met
from models.masterdata import Channel, ComplaintClass, Jenis
from models.sop import Sop, SopStep
from models.submission import ARCHIVE_REASONS, Submission
from models.survey import UNSUR, Index, period_index
from models.tally import UNKNOWN_MINUTES, DayTally, StepTally

PERIOD_KINDS = {"bulan": "Bulan", "triwulan": "Triwulan", "tahun": "Tahun", "rentang": "Rentang"}
IKM_METHOD = ("IKM = rata-rata NRR unsur × 25 (PermenPAN-RB 14/2017); responden: pengaduan "
              "yang selesai pada periode ini.")  # fmt: skip
NO_RATINGS = "Belum ada penilaian pada periode ini."


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
    """Read a period: ``bulan 11-2026``, ``triwulan Q4-2026``, ``tahun 2026`` or a range of
    two dates (``02-11-2026``); the ISO forms (``2026-11``, ``2026-Q4``, ``2026-11-02``) too.

    :raise ValueError: with an Indonesian message.
    """
    period = _parse_period(kind, value, first, last)
    if not (sane_date(period.first) and sane_date(period.last)):
        raise ValueError(SANE_DATE_MESSAGE)
    return period


def _parse_period(kind: str, value: str, first: str, last: str) -> Period:
    try:
        if kind == "bulan":
            match = re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})[-/.](\d{4})", value.strip())
            if not match:
                raise ValueError
            iso_year, iso_month, month, year = match.groups()
            year, month = int(year or iso_year), int(month or iso_month)
            start = date(year, month, 1)
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            return Period(start, end, f"{MONTHS[month - 1]} {year}")
        if kind == "triwulan":
            match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])|[Qq]([1-4])[-/ ]?(\d{4})", value.strip())
            if not match:
                raise ValueError
            iso_year, iso_quarter, quarter, year = match.groups()
            year, quarter = int(year or iso_year), int(quarter or iso_quarter)
            start = date(year, 3 * quarter - 2, 1)
            nxt = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
            return Period(start, nxt - timedelta(days=1), f"Triwulan {quarter} {year}")
        if kind == "tahun":
            year = int(value)
            return Period(date(year, 1, 1), date(year, 12, 31), f"Tahun {year}")
        if kind == "rentang":
            start, end = parse_date(first), parse_date(last)
            if end < start:
                raise ValueError("Tanggal akhir tidak boleh sebelum tanggal awal.")
            label = f"{format_date_long(start)} s.d. {format_date_long(end)}"
            return Period(start, end, label)
    except (ValueError, OverflowError) as exc:
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


ANSWERED = "Dijawab"  # closed through the SOP's answer letter


@dataclass
class ClassShare:
    """The complaints of a class closed in the period, and how many within its limit."""

    label: str
    closed: int
    met: int

    @property
    def share(self) -> float | None:
        return self.met / self.closed if self.closed else None


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
    # Kanal × status: (channel, [count per status in STATUSES' order], total).
    channel_status: list[tuple[str, list[int], int]] = field(default_factory=list)
    status_labels = tuple(STATUSES.values())
    steps: list[StepCompliance] = field(default_factory=list)
    # Messages archived in the period as no complaint, by reason (models/submission.py).
    by_archive: list[tuple[str, int]] = field(default_factory=list)
    # SP4N-LAPOR! follow-ups posted in the period: how many, how many within LAPOR!'s limit.
    lapor_posted: int = 0
    lapor_met: int = 0
    lapor_days = FOLLOW_UP_DAYS
    # The complaints closed in the period: answered, merged, forwarded (models/closing.py).
    by_closure: list[tuple[str, int]] = field(default_factory=list)
    # Per complaint class: closed in the period, of which within the class's overall limit.
    by_class: list[ClassShare] = field(default_factory=list)
    ikm: Index = field(default_factory=Index)  # of the complaints finished in the period

    @property
    def ikm_elements(self) -> list[tuple[str, str, Decimal]]:
        """Each element rated in the period, in UNSUR's order: (code, label, NRR to three
        decimals)."""
        return [(code, label, self.ikm.nrr_rounded(code))
                for code, label in UNSUR.items() if code in self.ikm.nrr]  # fmt: skip

    ikm_method = IKM_METHOD

    @property
    def ikm_warning(self) -> str:
        """Why the period's IKM does not represent it yet (too few respondents), or ""."""
        ikm = self.ikm
        if ikm.ikm is None or not ikm.below_sample:
            return ""
        return (f"Jumlah responden ({ikm.respondents}) di bawah sampel minimal Krejcie–Morgan "
                f"({ikm.sample_needed}) untuk {ikm.population} pengaduan selesai pada periode "
                "ini; IKM belum mewakili.")  # fmt: skip


def build_recap(period: Period) -> Recap:
    """Count what came in, what was closed and carried over, step compliance, and the IKM of
    the complaints closed in the period."""
    start, end = period.bounds
    recap = Recap(period)
    count = func.count(Complaint.id)
    # What was open at the period's start and end, and what closed in it: sums over the
    # office days' counts (models/tally.py). Every closed complaint was received before it
    # closed, so what was open at a moment is what came in before it less what closed.
    balance = DayTally.received - DayTally.closed
    before, through, closed = db.session.execute(select(
        func.coalesce(func.sum(case((DayTally.day < period.first, balance))), 0),
        func.coalesce(func.sum(case((DayTally.day <= period.last, balance))), 0),
        func.coalesce(func.sum(case((DayTally.day.between(period.first, period.last),
                                     DayTally.closed))), 0),
    )).one()  # fmt: skip
    recap.carried_over, recap.open_at_end, recap.closed = int(before), int(through), int(closed)
    # One pass over the period's complaints, grouped four ways at once.
    groups = db.session.execute(
        select(Complaint.channel_id, Complaint.jenis_id, Complaint.sop_id, Complaint.status, count)
        .where(Complaint.received_at >= start, Complaint.received_at < end)
        .group_by(Complaint.channel_id, Complaint.jenis_id, Complaint.sop_id, Complaint.status)
    ).all()  # fmt: skip
    recap.received = sum(row[-1] for row in groups)
    sop_codes = dict(db.session.execute(select(Sop.id, Sop.code)).all())
    channels = db.session.execute(select(Channel.id, Channel.name).order_by(Channel.ordering))
    channels = channels.all()
    jenis = db.session.execute(select(Jenis.id, Jenis.name).order_by(Jenis.ordering))
    recap.by_channel = _summed(groups, 0, channels)
    recap.channel_status = _crossed(groups, channels)
    recap.by_jenis = _summed(groups, 1, jenis.all())
    by_code = Counter()
    for row in groups:
        by_code[sop_codes[row[2]]] += row[-1]
    recap.by_sop = sorted(by_code.items())
    recap.by_status = _summed(groups, 3, list(STATUSES.items()))
    recap.steps = _step_compliance(period.first, period.last)
    recap.ikm = period_index(start, end)
    archived = dict(db.session.execute(
        select(Submission.archive_reason, func.count(Submission.id))
        .where(Submission.status == "archived", Submission.decided_at >= start,
               Submission.decided_at < end)
        .group_by(Submission.archive_reason)
    ).all())  # fmt: skip
    recap.by_archive = [(label, archived.get(code, 0)) for code, label in ARCHIVE_REASONS.items()]
    recap.lapor_posted, recap.lapor_met = lapor_followups_met(start, end)
    recap.by_closure, recap.by_class = _closures(start, end)
    return recap


def _closures(start: datetime, end: datetime) -> tuple[list, list[ClassShare]]:
    """How the complaints closed in [start, end) ended, and per class how many closed within
    its overall limit; one pass over the closing-moment index."""
    within = case((Complaint.closed_at <= Complaint.class_due_at, 1), else_=0)
    rows = db.session.execute(
        select(Complaint.closed_as, Complaint.class_id, func.count(Complaint.id),
               func.sum(within))
        .where(Complaint.closed_at >= start, Complaint.closed_at < end)
        .group_by(Complaint.closed_as, Complaint.class_id)
    ).all()  # fmt: skip
    ended, closed, met = Counter(), Counter(), Counter()
    for closed_as, class_id, n, within_limit in rows:
        ended[closed_as] += n
        if class_id is not None:
            closed[class_id] += n
            met[class_id] += int(within_limit or 0)
    by_closure = [(ANSWERED, ended.get(None, 0))] + [
        (label, ended.get(code, 0)) for code, label in CLOSURES.items()
    ]
    classes = db.session.scalars(select(ComplaintClass).order_by(ComplaintClass.ordering))
    by_class = [ClassShare(c.label, closed[c.id], met[c.id]) for c in classes
                if c.active or closed[c.id]]  # fmt: skip
    return by_closure, by_class


def _crossed(groups, channels) -> list[tuple[str, list[int], int]]:
    """The period's complaints by channel and status (each channel a row, STATUSES' columns)."""
    counts = Counter()
    for row in groups:
        counts[(row[0], row[3])] += row[-1]
    rows = []
    for channel_id, name in channels:
        cells = [counts.get((channel_id, status), 0) for status in STATUSES]
        rows.append((name, cells, sum(cells)))
    return rows


def _summed(groups, index: int, labels) -> list[tuple[str, int]]:
    counts = Counter()
    for row in groups:
        counts[row[index]] += row[-1]
    return [(label, counts.get(key, 0)) for key, label in labels]


def median_of_counts(counts: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times), as statistics.median would."""
    counts = sorted((v, n) for v, n in counts if n > 0)
    total = sum(n for _, n in counts)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle position(s), 0-based
    found, seen = [], 0
    for value, n in counts:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return (found[0] + found[1]) / 2 if found[0] != found[1] else found[0]


def _step_compliance(first: date, last: date) -> list[StepCompliance]:
    """Per SOP step: finished, within the standard, median working minutes (from the tally)."""
    rows = db.session.execute(
        select(Sop.code, StepTally.step_no, StepTally.minutes, func.sum(StepTally.finished),
               func.sum(StepTally.met))
        .join(Sop, Sop.id == StepTally.sop_id)
        .where(StepTally.day >= first, StepTally.day <= last)
        .group_by(Sop.code, StepTally.step_no, StepTally.minutes)
    ).all()  # fmt: skip
    grouped: dict[tuple[str, int], list] = {}
    for code, no, minutes, finished, met in rows:
        grouped.setdefault((code, no), []).append((minutes, int(finished), int(met)))
    names = {}
    for code, no, short, minutes, days in db.session.execute(
        select(Sop.code, SopStep.no, SopStep.short_name, SopStep.time_minutes,
               SopStep.time_working_days).join(Sop, Sop.id == SopStep.sop_id)
    ):  # fmt: skip
        names.setdefault((code, no), (short, f"{minutes} menit" if minutes else f"{days} hari"))
    result = []
    for (code, no), items in sorted(grouped.items()):
        short, standard = names.get((code, no), (f"Langkah {no}", "-"))
        measured = [(m, n) for m, n, _ in items if m != UNKNOWN_MINUTES]
        result.append(StepCompliance(
            code, no, short, standard, sum(n for _, n, _ in items),
            sum(met for _, _, met in items), median_of_counts(measured),
        ))  # fmt: skip
    return result


def compliance_share(first: date, last: date) -> float | None:
    """Share of the steps finished on the office days first..last that met their standard."""
    finished, met = db.session.execute(
        select(func.sum(StepTally.finished), func.sum(StepTally.met))
        .where(StepTally.day >= first, StepTally.day <= last)
    ).one()  # fmt: skip
    return met / finished if finished else None


def weekly_incoming(weeks: int, today: date) -> list[tuple[date, int]]:
    """Complaints received per office week (Monday first), the last `weeks` weeks, from the
    daily tally (one statement)."""
    monday = today - timedelta(days=today.weekday())
    firsts = [monday - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(firsts, 0)
    rows = db.session.execute(select(DayTally.day, DayTally.received).where(
        DayTally.day >= firsts[0], DayTally.day < monday + timedelta(weeks=1)))  # fmt: skip
    for day, received in rows:
        counts[day - timedelta(days=day.weekday())] += received
    return list(counts.items())
