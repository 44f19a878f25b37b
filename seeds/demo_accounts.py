"""Demo officials of Bidang PKPL: realistic names, NIPs, positions and ranks (fictional people)."""

# (username, full name, NIP, position, rank, role)
DEMO_ACCOUNTS = (
    ("fo", "Dewi Rahmawati, A.Md.", "199203152019032011",
     "Petugas Front Office", "Pengatur (II/c)", "fo"),
    ("kadis", "Dr. Bambang Hariyanto, S.Sos., M.Si.", "197502101998031004",
     "Kepala Dinas Penanaman Modal Pelayanan Terpadu Satu Pintu dan Tenaga Kerja",
     "Pembina Utama Muda (IV/c)", "kadis"),
    ("kabid", "Sri Wahyuni, S.H., M.H.", "197808222003122005",
     "Kepala Bidang Pengaduan, Kebijakan dan Pelaporan Layanan", "Pembina (IV/a)", "kabid"),
    ("kasi", "Agus Setiawan, S.Kom.", "198401172009011003",
     "Kepala Seksi Monitoring, Evaluasi dan Pengaduan", "Penata Tingkat I (III/d)", "kasi"),
    ("teknis1", "Ir. Hendra Kurniawan", "198005052006041008",
     "Kepala Seksi Perizinan Usaha (Tim Teknis)", "Penata Tingkat I (III/d)", "tim_teknis"),
    ("teknis2", "Rina Puspitasari, S.T.", "198711302011012006",
     "Analis Perizinan (Tim Teknis)", "Penata (III/c)", "tim_teknis"),
    ("teknis3", "Moch. Fauzi, S.E.", "198906142014021002",
     "Pengawas Ketenagakerjaan (Tim Teknis)", "Penata Muda Tingkat I (III/b)", "tim_teknis"),
    ("admin", "Yusuf Prasetyo, S.Kom.", "199010092015031001",
     "Pranata Komputer", "Penata Muda Tingkat I (III/b)", "admin"),
)  # fmt: skip


# Demo officials' mailboxes: a reserved domain (RFC 2606) that no real mail server delivers
# to; with a local SMTP server (README, "Notifications") every message lands there.
DEMO_MAIL_DOMAIN = "dpmptsp.example"


def demo_email(username: str) -> str:
    return f"{username}@{DEMO_MAIL_DOMAIN}"
