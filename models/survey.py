"""The citizen's satisfaction survey (Survei Kepuasan Masyarakat, PermenPAN-RB 14/2017) and
its index (IKM).

Once a complaint is finished (*selesai*), its citizen may rate it on the tracking page: the
complaint-handling element (U9, *penanganan pengaduan, saran dan masukan*) on the 1–4 scale,
an optional comment, and optionally the other eight elements. One response per complaint,
changeable for CHANGE_DAYS after it was first given.

The index of a period, over the responses of the complaints finished in it: each element's
average value (NRR: the sum of its values over the respondents who rated it), IKM = the
mean of the elements' NRR × 25, rounded only at the end (the regulation's weight 1/9 = 0.111
is not rounded early); its grade (A 88.31–100 … D 25.00–64.99); the number of respondents;
and the sample Krejcie and Morgan's formula asks for the period's finished complaints,
with a warning when fewer answered.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.complaint import Complaint
from models.types import UTCDateTime, utcnow

# The nine elements (unsur) of PermenPAN-RB 14/2017, in its order; U9 is always asked.
UNSUR = {
    "u1": "Persyaratan",
    "u2": "Sistem, mekanisme dan prosedur",
    "u3": "Waktu penyelesaian",
    "u4": "Biaya/tarif",
    "u5": "Produk spesifikasi jenis pelayanan",
    "u6": "Kompetensi pelaksana",
    "u7": "Perilaku pelaksana",
    "u8": "Sarana dan prasarana",
    "u9": "Penanganan pengaduan, saran dan masukan",
}
REQUIRED = "u9"
SCALE = {1: "Tidak baik", 2: "Kurang baik", 3: "Baik", 4: "Sangat baik"}
CHANGE_DAYS = 7
# The grade of an IKM (its lower bound, the grade, what it means), highest first.
GRADES = (
    (Decimal("88.31"), "A", "Sangat baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang baik"),
    (Decimal("25.00"), "D", "Tidak baik"),
)
MAX_COMMENT = 2000


class Rating(db.Model):
    """A citizen's response to the survey for one finished complaint."""

    __tablename__ = "rating"
    __table_args__ = tuple(
        CheckConstraint(f"{u} IS NULL OR {u} BETWEEN 1 AND 4", name=f"{u}_scale") for u in UNSUR
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), unique=True)
    u1: Mapped[int | None] = mapped_column(SmallInteger)
    u2: Mapped[int | None] = mapped_column(SmallInteger)
    u3: Mapped[int | None] = mapped_column(SmallInteger)
    u4: Mapped[int | None] = mapped_column(SmallInteger)
    u5: Mapped[int | None] = mapped_column(SmallInteger)
    u6: Mapped[int | None] = mapped_column(SmallInteger)
    u7: Mapped[int | None] = mapped_column(SmallInteger)
    u8: Mapped[int | None] = mapped_column(SmallInteger)
    u9: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def values(self) -> dict[str, int]:
        """The elements rated: {code: value}."""
        return {u: getattr(self, u) for u in UNSUR if getattr(self, u) is not None}

    def changeable(self, now: datetime) -> bool:
        return now < self.created_at + timedelta(days=CHANGE_DAYS)

    @property
    def u9_label(self) -> str:
        return SCALE[self.u9]


# A finished complaint's response, for the complaint's page to load with the complaint itself.
Complaint.rating = relationship(Rating, uselist=False, viewonly=True)


class SurveyRefused(Exception):
    """The response cannot be taken; `str(exc)` says why, in Indonesian."""


def rating_of(complaint_id: int) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.complaint_id == complaint_id))


def rate(complaint: Complaint, values: dict[str, int | None], comment: str,
         now: datetime | None = None) -> Rating:  # fmt: skip
    """Take or change the response for a finished complaint, and commit.

    :raise SurveyRefused: not finished yet, U9 missing, a value off the scale, or the
        response is older than CHANGE_DAYS.
    """
    now = now or utcnow()
    if complaint.status != "closed":
        raise SurveyRefused("Penilaian dapat diberikan setelah pengaduan selesai.")
    if complaint.closed_as:  # merged or forwarded: not answered here
        raise SurveyRefused("Pengaduan ini tidak dijawab oleh kami (digabung atau dilimpahkan); "
                            "tidak ada layanan untuk dinilai.")  # fmt: skip
    if values.get(REQUIRED) is None:
        raise SurveyRefused(f"Pilih nilai untuk '{UNSUR[REQUIRED]}'.")
    if any(v is not None and v not in SCALE for v in values.values()) or set(values) - set(UNSUR):
        raise SurveyRefused("Nilai harus salah satu dari 1 sampai 4.")
    for attempt in (1, 2):  # a second try when the same citizen's other tab was first
        rating = rating_of(complaint.id)
        if rating is None:
            rating = Rating(complaint_id=complaint.id, created_at=now)
            db.session.add(rating)
        elif not rating.changeable(now):
            raise SurveyRefused(f"Penilaian hanya dapat diubah dalam {CHANGE_DAYS} hari "
                                "setelah diberikan.")  # fmt: skip
        for u in UNSUR:
            setattr(rating, u, values.get(u))
        rating.comment = (comment or "").strip()[:MAX_COMMENT]
        rating.updated_at = now
        try:
            db.session.commit()
            return rating
        except IntegrityError:  # one response per complaint: the other insert won
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def krejcie_morgan(population: int) -> int:
    """The sample a population of `population` needs (95 % confidence, 5 % margin,
    proportion 0.5): s = χ²NP(1−P) / (d²(N−1) + χ²P(1−P)), rounded as their published table
    rounds it (10 → 10, 50 → 44, 100 → 80, 1000 → 278)."""
    if population <= 0:
        return 0
    chi2, p, d = Fraction("3.841"), Fraction(1, 2), Fraction(1, 20)
    s = chi2 * population * p * (1 - p) / (d * d * (population - 1) + chi2 * p * (1 - p))
    return math.floor(s + Fraction(1, 2))


def grade_of(ikm: Decimal) -> tuple[str, str]:
    """(grade, meaning) of an IKM rounded to two decimals."""
    for lower, grade, meaning in GRADES:
        if ikm >= lower:
            return grade, meaning
    return "-", "Di bawah skala"


@dataclass
class Index:
    """The IKM of a period."""

    respondents: int = 0
    population: int = 0  # complaints finished in the period
    nrr: dict[str, Fraction] = field(default_factory=dict)  # per element rated, exact
    ikm: Decimal | None = None  # rounded to two decimals, at the end
    grade: str = "-"
    meaning: str = ""
    sample_needed: int = 0

    @property
    def below_sample(self) -> bool:
        return self.respondents < self.sample_needed

    def nrr_rounded(self, code: str) -> Decimal:
        return _round(self.nrr[code], "0.001")


def _round(value: Fraction, places: str) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def compute_index(responses: list[dict[str, int]], population: int) -> Index:
    """The IKM of `responses` (each {element: value}) for a population of finished
    complaints, in exact fractions until the end."""
    index = Index(respondents=len(responses), population=population,
                  sample_needed=krejcie_morgan(population))  # fmt: skip
    for code in UNSUR:
        given = [r[code] for r in responses if r.get(code) is not None]
        if given:
            index.nrr[code] = Fraction(sum(given), len(given))
    if index.nrr:
        mean = sum(index.nrr.values(), Fraction(0)) / len(index.nrr)
        index.ikm = _round(mean * 25, "0.01")
        index.grade, index.meaning = grade_of(index.ikm)
    return index


def period_index(start: datetime, end: datetime) -> Index:
    """The IKM of the complaints finished in [start, end), from their responses."""
    population = db.session.scalar(
        select(func.count(Complaint.id))
        .where(Complaint.closed_at >= start, Complaint.closed_at < end)
    )  # fmt: skip
    rows = db.session.execute(
        select(*(getattr(Rating, u) for u in UNSUR))
        .join(Complaint, Complaint.id == Rating.complaint_id)
        .where(Complaint.closed_at >= start, Complaint.closed_at < end)
    ).all()
    responses = [{u: v for u, v in zip(UNSUR, row, strict=True) if v is not None}
                 for row in rows]  # fmt: skip
    return compute_index(responses, population)
