"""Drive the engine as the officials would: the form data each step needs."""

from datetime import timedelta

from sqlalchemy import select

from models import Channel, Complaint, Jenis, Platform, User, db
from models.dates import to_wib
from models.types import utcnow
from models.workflow import advance, register


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def uid(username: str) -> int:
    return user(username).id


def registration(channel="media_sosial", **overrides) -> dict:
    channel_row = db.session.scalar(select(Channel).where(Channel.code == channel))
    platform = db.session.scalar(select(Platform).where(Platform.code == "instagram"))
    jenis = db.session.scalar(select(Jenis).where(Jenis.code == "pengaduan"))
    # Twenty minutes ago, but today in WIB: a revision taking effect today is the one in force
    # for it, even in the first minutes after midnight.
    now = to_wib(utcnow())
    received = max(now - timedelta(minutes=20), now.replace(hour=0, minute=0, second=0,
                                                            microsecond=0))  # fmt: skip
    received = received.strftime("%Y-%m-%dT%H:%M")
    data = {
        "channel_id": str(channel_row.id),
        "platform_id": str(platform.id) if channel_row.needs_platform else "0",
        "lapor_tracking_no": "LPR-2026-000123" if channel_row.needs_tracking_number else "",
        "jenis_id": str(jenis.id),
        "received_at": received,
        "complainant_name": "Budi Santoso",
        "complainant_contact": "0812-3456-7890",
        "complainant_address": "Jl. Majapahit No. 5, Mojokerto",
        "subject": "Izin usaha belum terbit",
        "description": "Permohonan NIB saya sejak dua minggu belum ada kabar.",
    }
    data.update(overrides)
    return data


def register_complaint(channel="media_sosial", by="fo", **overrides) -> Complaint:
    return register(user(by), registration(channel, **overrides))


FORMS = {
    "arahan": lambda: {"sifat": "Segera", "marks": ["ditindaklanjuti"],
                       "to_user": str(uid("kabid")),
                       "instruction": "Segera tindak lanjuti dan jawab pengadu."},
    "minta_pendapat": lambda: {"sifat": "Biasa", "marks": ["dipelajari"],
                               "to_user": str(uid("kabid")),
                               "instruction": "Mohon pendapat Kabid atas persoalan ini."},
    "resume": lambda: {"matter": "NIB belum terbit", "facts": "Berkas lengkap sejak 2 minggu.",
                       "analysis": "Terhambat verifikasi.", "conclusion": "Perlu percepatan.",
                       "recommendation": "Perintahkan Kasi menjawab dan koordinasi."},
    "perintah_kasi": lambda: {"sifat": "Segera", "to_user": str(uid("kasi")),
                              "instruction": "Jawab pengadu sesuai arahan Kepala Dinas."},
    "jawab": lambda: _answer(),
    "jawaban_tertulis": lambda: _answer(),
    "rakor": lambda: {"day": to_wib(utcnow()).date().isoformat(), "start": "09:00",
                      "place": "Ruang Rapat Lt. 2", "agenda": "Pembahasan pengaduan NIB",
                      "invitees": [str(uid("teknis1")), str(uid("teknis2"))]},
    "berita_acara": lambda: {"attendees": [str(uid("teknis1")), str(uid("kabid"))],
                             "discussion": "Verifikasi tertunda karena data KBLI.",
                             "considerations": "Pemohon perlu memperbaiki KBLI.",
                             "conclusion": "Jawab pengadu dengan langkah perbaikan."},
    "resume_ba": lambda: FORMS["resume"](),
    "dipelajari": lambda: {"note": "Setuju dengan resume."},
    "perintah_kabid": lambda: {"sifat": "Segera", "marks": ["ditindaklanjuti"],
                               "to_user": str(uid("kabid")),
                               "instruction": "Tindak lanjuti hasil rakor."},
    "perintah_jawab": lambda: {"sifat": "Segera", "to_user": str(uid("kasi")),
                               "instruction": "Buat jawaban tertulis kepada pengadu."},
    "terkirim": lambda: {"sent_on": to_wib(utcnow()).date().isoformat(),
                         "medium": "Surat melalui pos", "note": "Resi 123"},
}  # fmt: skip


# SOP.50 from the Kepala Dinas to selesai: (who, their queue's address, outcome).
SOP_50_WALK = [
    ("kadis", "kadis", "arahan"), ("kabid", "kabid", "perintah_kasi"),
    ("kasi", "kasi", "rakor"), ("teknis1", "tim-teknis", "berita_acara"),
    ("kabid", "kabid", "resume_ba"), ("kadis", "kadis", "dipelajari"),
    ("kadis", "kadis", "perintah_kabid"), ("kabid", "kabid", "perintah_jawab"),
    ("kasi", "kasi", "jawaban_tertulis"), ("fo", "fo", "terkirim"),
]  # fmt: skip


def closing(complaint_or_sop, kind: str) -> int:
    """The number of the SOP's closing stage `kind` ("answer", "dispatch"), from its data."""
    sop = getattr(complaint_or_sop, "sop", complaint_or_sop)
    return sop.closing_step(kind).no


def _answer():
    return {"sifat": "Biasa", "enclosure": "-", "subject": "Jawaban atas pengaduan",
            "addressee": "Sdr. Budi Santoso", "addressee_place": "Mojokerto",
            "body": "Dengan hormat, NIB Saudara telah terbit.",
            "signatory": str(uid("kadis")), "copies": "Wali Kota Mojokerto"}  # fmt: skip


def act(complaint: Complaint, username: str, outcome: str, **overrides):
    data = {**FORMS[outcome](), **overrides}
    return advance(complaint.id, user(username), outcome, data)
