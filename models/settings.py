"""The agency's own settings: the letterhead (kop), city, paper size, numbering patterns."""

from sqlalchemy import CheckConstraint, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, deferred, mapped_column

from models import db

PAPER_SIZES = {"F4": (215, 330), "A4": (210, 297)}  # millimetres, portrait
# Who signs the invitation to a coordination meeting (Undangan Rakor): the Kepala Dinas, or
# the Kabid who leads the meeting on his behalf (a.n. Kepala Dinas).
INVITATION_SIGNERS = {"kadis": "Kepala Dinas", "kabid": "Kepala Bidang, a.n. Kepala Dinas"}


class AgencySettings(db.Model):
    """A single row (id 1) read by every document and page header."""

    __tablename__ = "agency_settings"
    __table_args__ = (
        CheckConstraint("paper_size IN ('F4', 'A4')", name="paper_known"),
        CheckConstraint("invitation_signer IN ('kadis', 'kabid')", name="invitation_signer_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    government: Mapped[str] = mapped_column(String(200))  # PEMERINTAH KOTA MOJOKERTO
    # DINAS PENANAMAN MODAL ...: printed in the kop line by line as set (newlines kept)
    agency: Mapped[str] = mapped_column(String(300))
    agency_short: Mapped[str] = mapped_column(String(60))  # DPMPTSP dan Naker
    division: Mapped[str] = mapped_column(String(200))  # the Bidang that owns the SOPs
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(60), default="")
    fax: Mapped[str] = mapped_column(String(60), default="")
    website: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60))  # MOJOKERTO, under the kop
    place: Mapped[str] = mapped_column(String(60))  # "Mojokerto" in the date line
    postcode: Mapped[str] = mapped_column(String(10), default="")
    head_position: Mapped[str] = mapped_column(Text)  # position line of the Kepala Dinas
    paper_size: Mapped[str] = mapped_column(String(4), default="F4")
    unit_code: Mapped[str] = mapped_column(String(40))  # 417.514.3
    registration_number_pattern: Mapped[str] = mapped_column(String(120))
    letter_number_pattern: Mapped[str] = mapped_column(String(120))
    invitation_signer: Mapped[str] = mapped_column(String(10), default="kadis",
                                                   server_default="kadis")  # fmt: skip
    logo = deferred(mapped_column(LargeBinary))
    logo_mime: Mapped[str | None] = mapped_column(String(40))


def agency_settings() -> AgencySettings:
    """Return the settings row; init-db creates it."""
    row = db.session.scalar(select(AgencySettings).where(AgencySettings.id == 1))
    if row is None:
        raise LookupError("agency settings missing: run `flask --app app init-db`")
    return row
