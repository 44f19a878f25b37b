"""Lookup lists officials pick from: channels, platforms, jenis, disposition marks, complaint
classes, the other agencies complaints are forwarded to and the answer letters' templates."""

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db


class _Lookup:
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    ordering: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name


def offered(model) -> list:
    """The rows of a pick list that forms offer: the active ones, in the list's order."""
    return list(db.session.scalars(select(model).where(model.active.is_(True))
                                   .order_by(model.ordering, model.name)))  # fmt: skip


class Channel(_Lookup, db.Model):
    """Where a complaint came in (Curhat Ning Ita, Kantor, Media Sosial, LAPOR!); names its SOP."""

    __tablename__ = "channel"
    sop_code: Mapped[str] = mapped_column(String(20))
    needs_platform: Mapped[bool] = mapped_column(default=False)
    needs_tracking_number: Mapped[bool] = mapped_column(default=False)


class Platform(_Lookup, db.Model):
    """A social-media platform of the Media Sosial channel."""

    __tablename__ = "platform"


class Jenis(_Lookup, db.Model):
    """The kind of submission: pengaduan, keluhan, masalah, saran, pertanyaan, informasi."""

    __tablename__ = "jenis"


class DispositionMark(_Lookup, db.Model):
    """A tick box of the lembar disposisi ("Untuk ditindaklanjuti", ...)."""

    __tablename__ = "disposition_mark"


class ComplaintClass(_Lookup, db.Model):
    """A complaint's class by weight (ringan, normatif, …) with its overall limit in working
    days from receipt: the standar pelayanan's, at most Perpres 76/2013's 60 days."""

    __tablename__ = "complaint_class"
    limit_days: Mapped[int] = mapped_column(default=5)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.limit_days} hari kerja)"


class OtherAgency(_Lookup, db.Model):
    """Another agency a complaint that is not ours is forwarded to (pelimpahan), with the
    address its Surat Pelimpahan carries."""

    __tablename__ = "other_agency"
    address: Mapped[str] = mapped_column(Text, default="")


class AnswerTemplate(_Lookup, db.Model):
    """A template the answer letter (Surat Dinas) starts from: its Hal and its body with
    placeholders ({nomor}, {tanggal}, {perihal}, {sapaan}, …: models/answer_templates.py),
    offered for one jenis or, without one, for every jenis."""

    __tablename__ = "answer_template"
    jenis_id: Mapped[int | None] = mapped_column(ForeignKey("jenis.id"))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")

    jenis: Mapped[Jenis | None] = relationship()
