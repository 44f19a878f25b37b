"""About forty demo complaints spread over the three SOPs and every step, made by the engine."""

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from models import Channel, Complaint, ComplaintClass, Jenis, OtherAgency, Platform, User, db
from models.calendar import load_calendar
from models.closing import forward, merge
from models.dates import to_wib
from models.types import utcnow
from models.workflow import advance, register

TOPICS = (
    ("NIB belum terbit setelah dua minggu",
     "Saya mengajukan NIB melalui OSS untuk usaha katering sejak dua minggu lalu, statusnya "
     "masih menunggu verifikasi. Mohon dibantu."),
    ("Antrean Mal Pelayanan Publik terlalu lama",
     "Hari Senin saya antre lebih dari tiga jam di MPP untuk mengurus izin, loket yang buka "
     "hanya dua."),
    ("Persyaratan PBG tidak jelas",
     "Informasi persyaratan Persetujuan Bangunan Gedung di situs berbeda dengan yang "
     "disampaikan petugas."),
    ("Pelatihan kerja menjahit untuk warga Prajurit Kulon",
     "Apakah ada jadwal pelatihan menjahit gratis dari Disnaker tahun ini? Bagaimana cara "
     "mendaftarnya?"),
    ("Upah di bawah UMK Kota Mojokerto",
     "Pabrik tempat saya bekerja membayar upah di bawah UMK 2026 tanpa kesepakatan."),
    ("Kartu pencari kerja (AK/1) belum jadi",
     "Saya sudah mendaftar kartu kuning secara daring seminggu lalu tetapi belum bisa dicetak."),
    ("Izin reklame di Jl. Gajah Mada",
     "Ada papan reklame besar yang menutupi rambu lalu lintas, apakah sudah berizin?"),
    ("Aplikasi OSS gagal unggah dokumen",
     "Setiap unggah dokumen lingkungan di OSS muncul galat. Mohon informasi solusinya."),
    ("Saran: layanan izin keliling di kelurahan",
     "Usul agar ada layanan perizinan keliling di kelurahan untuk pelaku UMKM lanjut usia."),
    ("PHK sepihak tanpa pesangon",
     "Saya diberhentikan tanpa surat dan tanpa pesangon setelah lima tahun bekerja."),
)  # fmt: skip
NAMES = (
    "Siti Aminah",
    "Budi Santoso",
    "Ahmad Fauzan",
    "Rina Kartika",
    "Joko Susilo",  # fmt: skip
    "Nur Hidayati",
    "Eko Prasetyo",
    "Lilik Suryani",
    "Yudi Hartono",
    "Wahyu Ningsih",
)
KELURAHAN = ("Prajurit Kulon", "Magersari", "Kranggan", "Gunung Gedangan", "Surodinawan",
             "Wates", "Balongsari", "Meri", "Pulorejo", "Blooto")  # fmt: skip

# The path each SOP takes in the demo: (username, outcome).
PATHS = {
    "SOP.50": [("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "rakor"),
               ("teknis1", "berita_acara"), ("kabid", "resume_ba"), ("kadis", "dipelajari"),
               ("kadis", "perintah_kabid"), ("kabid", "perintah_jawab"),
               ("kasi", "jawaban_tertulis"), ("fo", "terkirim")],
    "SOP.48": [("kadis", "minta_pendapat"), ("kabid", "resume"), ("kadis", "arahan"),
               ("kabid", "perintah_kasi"), ("kasi", "jawab"), ("fo", "terkirim")],
    "SOP.49": [("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "rakor"),
               ("kasi", "berita_acara"), ("kasi", "jawab"), ("fo", "terkirim")],
}  # fmt: skip
CHANNELS = ("media_sosial", "media_sosial", "curhat_ning_ita", "kantor", "media_sosial",
            "curhat_ning_ita", "lapor", "kantor")  # fmt: skip


def _users():
    return {u.username: u for u in db.session.scalars(select(User))}


def _form(outcome, users, topic, name, when):
    day = to_wib(when).date().isoformat()
    ids = {k: str(v.id) for k, v in users.items()}
    disposition = {
        "sifat": "Segera",
        "marks": ["ditindaklanjuti", "dijawab"],
        "to_user": ids["kabid"],
        "instruction": f"Mohon ditindaklanjuti: {topic[0].lower()}.",
    }
    order = {
        "sifat": "Segera",
        "to_user": ids["kasi"],
        "instruction": "Tindak lanjuti sesuai arahan Kepala Dinas dan jawab pengadu.",
    }
    resume = {
        "matter": topic[0],
        "facts": topic[1],
        "analysis": "Perlu klarifikasi teknis.",
        "conclusion": "Pengaduan beralasan dan dapat ditindaklanjuti.",
        "recommendation": "Kasi menjawab secara tertulis.",
    }
    answer = {
        "sifat": "Biasa",
        "enclosure": "-",
        "subject": f"Jawaban pengaduan: {topic[0]}",
        "addressee": f"Sdr. {name}",
        "addressee_place": "Mojokerto",
        "body": "Dengan hormat, menindaklanjuti pengaduan Saudara, bersama ini kami "
        "sampaikan bahwa permasalahan telah kami tangani.",
        "signatory": ids["kadis"],
        "copies": "Wali Kota Mojokerto",
    }
    return {
        "arahan": disposition, "minta_pendapat": {**disposition, "marks": ["dipelajari"]},
        "perintah_kabid": disposition, "perintah_kasi": order, "perintah_jawab": order,
        "resume": resume, "resume_ba": resume, "dipelajari": {"note": "Setuju, lanjutkan."},
        "jawab": answer, "jawaban_tertulis": answer,
        "rakor": {"day": day, "start": "09:00", "place": "Ruang Rapat Lt. 2 Gedung Gajah Mada",
                  "agenda": f"Pembahasan pengaduan: {topic[0]}",
                  "invitees": [ids["teknis1"], ids["teknis2"]]},
        "berita_acara": {"attendees": [ids["teknis1"], ids["teknis2"], ids["kabid"]],
                         "discussion": topic[1], "considerations": "Sesuai ketentuan berlaku.",
                         "conclusion": "Pengadu diberi jawaban tertulis."},
        "terkirim": {"sent_on": day, "medium": "Surat melalui pos", "note": ""},
    }[outcome]  # fmt: skip


def _start_for(calendar, now: datetime, working_minutes: int) -> datetime:
    """The latest whole minute from which `working_minutes` of office time end by `now`."""
    lo, hi = now - timedelta(days=120), now
    while hi - lo > timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        if calendar.add_minutes(mid, working_minutes) <= now:
            lo = mid
        else:
            hi = mid
    return lo.replace(second=0, microsecond=0)


def create_demo_complaints(count: int = 40, seed: int = 2026) -> int:
    """Create `count` complaints at varied steps (some overdue); skip if any exist."""
    if db.session.scalar(select(func.count(Complaint.id))):
        return 0
    rnd = random.Random(seed)
    users = _users()
    channels = {c.code: c for c in db.session.scalars(select(Channel))}
    platforms = list(db.session.scalars(select(Platform)))
    jenis = list(db.session.scalars(select(Jenis)))
    now = utcnow().replace(second=0, microsecond=0)
    calendar = load_calendar()
    classes = list(db.session.scalars(select(ComplaintClass).order_by(ComplaintClass.ordering)))
    made_per_sop: dict[str, int] = {}
    for i in range(count):
        channel = channels[CHANNELS[i % len(CHANNELS)]]
        path = PATHS[channel.sop_code]
        k = made_per_sop[channel.sop_code] = made_per_sop.get(channel.sop_code, -1) + 1
        done = k % (len(path) + 1)  # 0 … all steps: every stage of every SOP appears
        topic, name = TOPICS[i % len(TOPICS)], NAMES[(i * 3) % len(NAMES)]
        # Officials act in office hours: each gap is working minutes, now and then slow.
        gaps = [rnd.choice((15, 25, 40, 60, 90, 150, 240)) for _ in range(done + 1)]
        overdue = i % 3 == 0
        tail = rnd.randint(900, 3000) if overdue else rnd.randint(1, 20)  # working minutes
        received = _start_for(calendar, now, sum(gaps) + tail)
        when = calendar.add_minutes(received, gaps[0])
        anonymous = i % 11 == 5
        complaint = register(users["fo"], {
            "channel_id": str(channel.id),
            "platform_id": str(rnd.choice(platforms).id) if channel.needs_platform else "0",
            "lapor_tracking_no": f"LPR-{to_wib(received):%Y%m}-{1000 + i}"
                                 if channel.needs_tracking_number else "",
            "jenis_id": str(jenis[i % len(jenis)].id),
            "received_at": to_wib(received).strftime("%Y-%m-%dT%H:%M"),
            "complainant_name": "" if anonymous else name,
            "is_anonymous": "y" if anonymous else "",
            "is_confidential": "y" if i % 13 == 7 else "",
            "complainant_contact": f"08{rnd.randint(11, 99)}-{rnd.randint(1000, 9999)}-"
                                   f"{rnd.randint(1000, 9999)}",
            "complainant_address": f"Kel. {KELURAHAN[i % len(KELURAHAN)]}, Kota Mojokerto",
            "subject": topic[0],
            "description": topic[1],
            # most with a class (its overall limit), a few left for the Kabid to set
            "class_id": str(classes[i % len(classes)].id) if i % 5 else "0",
        }, now=when)  # fmt: skip
        for (username, outcome), gap in zip(path[:done], gaps[1:], strict=True):
            when = calendar.add_minutes(when, gap)
            advance(complaint.id, users[username], outcome,
                    _form(outcome, users, topic, name, when), now=when)  # fmt: skip
    _merge_and_forward(users, now)
    return count


def _merge_and_forward(users: dict, now: datetime) -> None:
    """One open complaint merged into an earlier open one of the same subject, and one about
    a billboard over a traffic sign forwarded to the agency it belongs to: something of each
    to look at."""
    open_ = list(db.session.scalars(select(Complaint).where(Complaint.status == "in_progress")
                                    .order_by(Complaint.id)))  # fmt: skip
    first_of: dict[str, Complaint] = {}
    for complaint in open_:
        primary = first_of.setdefault(complaint.subject, complaint)
        if primary is not complaint:
            merge(complaint.id, users["fo"], primary.reg_number,
                  "Pengadu dan pokok pengaduan yang sama.", now=now)  # fmt: skip
            open_.remove(complaint)
            break
    agency = db.session.scalar(select(OtherAgency).where(OtherAgency.code == "satpolpp"))
    billboard = [c for c in open_ if c.subject == TOPICS[6][0]]  # over a traffic sign
    if billboard and agency is not None:
        forward(billboard[-1].id, users["kadis"], agency.id,
                "penertiban reklame yang menutupi rambu lalu lintas adalah kewenangan Satuan "
                "Polisi Pamong Praja.", now=now)  # fmt: skip
