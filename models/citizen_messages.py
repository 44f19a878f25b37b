"""Telling the citizen: the submission received (with its tracking code), the complaint
registered, the answer sent — by e-mail, and by WhatsApp when the gateway is configured.

Written in the transaction of the step that causes them (an outbox), sent by the worker
(models/delivery.py): no request waits on a mail server or a gateway.

A citizen's address and tracking code are identity and key: the row keeps them sealed
(Fernet, with a key derived from SECRET_KEY) and forgets them once the message has been
handed over or has failed for the last time. What the admin sees of these messages (their
event, channel, state and error) names no one; the text stored has the code's place marked,
the code itself is put in only as the message leaves.
"""

import base64
import hashlib
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.channels import EXTERNAL, channel_ready
from models.dates import format_moment_long
from models.sop import in_list
from models.types import UTCDateTime, utcnow

EVENTS = {
    "received": "Pengaduan diterima",
    "registered": "Pengaduan diregistrasi",
    "answered": "Jawaban dikirim",
    "merged": "Pengaduan digabung",
    "forwarded": "Pengaduan dilimpahkan",
}
STATUSES = {"pending": "Menunggu dikirim", "sent": "Terkirim", "failed": "Gagal"}
CODE_MARK = "[[KODE]]"  # where the tracking code goes as the message leaves
LINK_MARK = "[[TAUTAN]]"  # the tracking link (with the code when it is known)


class CitizenMessage(db.Model):
    """One message to a citizen on one channel."""

    __tablename__ = "citizen_message"
    __table_args__ = (
        CheckConstraint(in_list("event", EVENTS), name="event_known"),
        CheckConstraint(in_list("channel", EXTERNAL), name="channel_known"),
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        Index("ix_citizen_message_due", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    address_sealed: Mapped[str | None] = mapped_column(Text)  # forgotten once done
    code_sealed: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # with CODE_MARK / LINK_MARK in place
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = mapped_column(UTCDateTime)

    @property
    def event_label(self) -> str:
        return EVENTS[self.event]

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    def __str__(self) -> str:
        return self.subject


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"citizen-messages\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def unseal(token: str | None) -> str:
    """The sealed text, or "" (none kept, or sealed under another SECRET_KEY)."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def _texts(event: str, now: datetime, reg_number: str | None,
           detail: str = "") -> tuple[str, str]:  # fmt: skip
    subject = {
        "received": "Pengaduan Anda telah kami terima",
        "registered": f"Pengaduan Anda diregistrasi: {reg_number}",
        "answered": f"Jawaban atas pengaduan Anda: {reg_number}",
        "merged": f"Pengaduan Anda ditangani bersama pengaduan lain: {reg_number}",
        "forwarded": f"Pengaduan Anda dilimpahkan kepada instansi yang berwenang: {reg_number}",
    }[event]
    middle = {
        "received": [
            f"pengaduan Anda telah kami terima pada {format_moment_long(now)}.",
            "",
            f"Kode lacak: {CODE_MARK}",
            "Simpan kode ini: dengan kode inilah Anda mengikuti pengaduan Anda. Kami tidak "
            "menyimpan kode itu dan tidak dapat menampilkannya lagi.",
        ],
        "registered": [
            f"pengaduan Anda telah diregistrasi dengan nomor {reg_number} dan diteruskan "
            "kepada pejabat yang menanganinya.",
            "",
            f"Kode lacak: {CODE_MARK}",
        ],
        "answered": [
            f"jawaban atas pengaduan Anda nomor {reg_number} telah dikirim. Surat jawabannya "
            "dapat Anda baca pada halaman lacak dengan kode lacak Anda; di sana Anda juga "
            "dapat menilai layanan pengaduan kami.",
        ],
        # detail: the registration number of the complaint it joined
        "merged": [
            f"pengaduan Anda nomor {reg_number} membahas hal yang sama dengan pengaduan nomor "
            f"{detail} dan ditangani bersama pengaduan itu. Perkembangannya dapat Anda ikuti "
            "pada halaman lacak dengan kode lacak Anda.",
        ],
        # detail: the agency and the reason, as the official wrote it for the citizen
        "forwarded": [
            f"pengaduan Anda nomor {reg_number} bukan kewenangan kami dan pada "
            f"{format_moment_long(now)} telah kami limpahkan kepada {detail}",
            "",
            "Instansi tersebut akan menindaklanjutinya; Anda dapat menghubunginya langsung.",
        ],
    }[event]
    lines = ["Yth. Bapak/Ibu,", "", *middle, "", f"Lacak pengaduan: {LINK_MARK}", "",
             "DPMPTSP dan Tenaga Kerja Kota Mojokerto",
             "Pesan ini dikirim otomatis; jangan dibalas."]  # fmt: skip
    return subject, "\n".join(lines)


def tell_citizen(
    event: str,
    email: str,
    whatsapp: str,
    now: datetime,
    *,
    code: str | None = None,
    complaint_id: int | None = None,
    submission_id: int | None = None,
    reg_number: str | None = None,
    detail: str = "",
) -> int:
    """Queue the message of `event` to each of the citizen's contacts whose channel is
    configured, in the caller's transaction; return how many."""
    subject, body = _texts(event, now, reg_number, detail)
    sealed_code = seal(code) if code else None
    written = 0
    for channel, address in (("email", email), ("whatsapp", whatsapp)):
        if not address or not channel_ready(channel):
            continue
        db.session.add(
            CitizenMessage(
                event=event, channel=channel, complaint_id=complaint_id,
                submission_id=submission_id, address_sealed=seal(address),
                code_sealed=sealed_code, subject=subject, body=body, status="pending",
                attempts=0, next_attempt_at=now, created_at=now,
            )
        )  # fmt: skip
        written += 1
    return written


def outgoing_text(message: CitizenMessage) -> str:
    """The message's text as it leaves: the code and the tracking link put in."""
    from models.channels import base_url
    from models.tracking import format_code, tracking_url

    code = unseal(message.code_sealed)
    link = tracking_url(code) if code else f"{base_url()}/lacak/"
    shown = format_code(code) if code else "(lihat tanda terima pengaduan Anda)"
    return message.body.replace(CODE_MARK, shown).replace(LINK_MARK, link)


def forget(message: CitizenMessage) -> None:
    """Drop what identifies the citizen once the message is done with."""
    message.address_sealed = message.code_sealed = None
