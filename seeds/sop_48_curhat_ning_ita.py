"""065/SOP.48/417.514.3/2021 — pengaduan masyarakat melalui Curhat Ning Ita (rev. 22-12-2021)."""

from seeds.sop_common import COMMON, closing_stages
from seeds.sop_format import (
    DISPATCH,
    FO,
    KABID,
    KADIS,
    KASI,
    PUBLIC,
    Header,
    Outcome,
    SopSeed,
    Step,
    minutes,
)  # fmt: skip

HEADER = Header(
    code="SOP.48",
    number="065/SOP.48/417.514.3/2021",
    name="PENANGANAN PENGADUAN MASYARAKAT (PENGADUAN / KELUHAN / MASALAH / SARAN / PERTANYAAN "
    "/ INFORMASI) CURHAT NING ITA",
    procedure_title="URAIAN PROSEDUR PENANGANAN PENGADUAN MASYARAKAT (Pengaduan/Keluhan/Masalah/"
    "Saran/Pertanyaan/Informasi) CURHAT NING ITA",
    **COMMON,
)

# fmt: off
STEPS = (
#   no  actor   Kegiatan                                                                        Kelengkapan                                     Waktu         Output                                  short name
    # The paper says "melalui medsos" here too; the channel of this SOP is Curhat Ning Ita.
    Step(1, PUBLIC, "Masyarakat menyampaikan keluhan atau pengaduan melalui medsos",               "pengaduan masyarakat",                          minutes(30),  "pengaduan masyarakat",                 "Pengaduan disampaikan"),
    Step(2, FO,     "Petugas FO mendaftarkan pengaduan yang masuk dan meneruskan kepada Kepala Dinas untuk mendapatkan disposisi tindak lanjut",
                                                                                                   "pengaduan masyarakat",                          minutes(30),  "buku registrasi pengaduan masyarakat", "Registrasi"),
    Step(3, KADIS,  "Kepala Dinas memberikan arahan tindak lanjut atau meminta pendapat kepada Kabid PKPL",
                                                                                                   "pengaduan masyarakat yang telah diregistrasi",  minutes(120), "lembar disposisi",                     "Disposisi Kepala Dinas"),
    Step(4, KABID,  "Kepala Bidang memberikan resume terkait permasalahan atau memerintahkan Kasi untuk menindaklanjuti sesuai arahan Kepala Dinas",
                                                                                                   "lembar disposisi",                              minutes(120), "Disposisi penyelesaian",               "Resume / perintah Kabid"),
    Step(5, KASI,   "Kepala Seksi Memberikan Jawaban tertulis atas permasalahan yang diajukan atau menindaklanjuti dengan mengadakan rapat koordinasi dengan Tim Teknis",
                                                                                                   "Disposisi penyelesaian",                        minutes(180), "Jawaban atas pengaduan masyarakat",    "Jawaban / rakor Kasi"),
)

# SOP.48 names no step after 5: a coordination meeting and its Berita Acara are recorded by the
# Kasi within step 5, who then answers (SPEC §2).
OUTCOMES = (
#   step code              label                                              form           leads to  document            offered only after
    Outcome(1, "diajukan",      "Pengaduan disampaikan",                      "submit",      2),
    Outcome(2, "diregistrasi",  "Diregistrasi dan diteruskan ke Kepala Dinas", "register",   3,        "buku_registrasi"),
    Outcome(3, "arahan",        "Arahan tindak lanjut",                       "disposition", 4,        "lembar_disposisi"),
    Outcome(3, "minta_pendapat", "Minta pendapat Kabid PKPL",                 "disposition", 4,        "lembar_disposisi"),
    Outcome(4, "resume",        "Resume kepada Kepala Dinas",                 "resume",      3,        "resume",           ("minta_pendapat",)),
    Outcome(4, "perintah_kasi", "Perintah kepada Kasi sesuai arahan",         "order",       5,        "lembar_disposisi", ("arahan",)),
    Outcome(5, "jawab",         "Jawaban tertulis",                           "answer",      DISPATCH, "surat_dinas",      ("perintah_kasi", "berita_acara")),
    Outcome(5, "rakor",         "Rapat koordinasi dengan Tim Teknis",         "meeting",     5,        "undangan_rakor",   ("perintah_kasi", "berita_acara")),
    Outcome(5, "berita_acara",  "Berita Acara rapat koordinasi",              "minutes",     5,        "berita_acara",     ("rakor",)),
)
# fmt: on

# After the paper's table: sending the answer (written by the Kasi within step 5).
CLOSING_STEPS, CLOSING_OUTCOMES = closing_stages(after=5, kinds=(DISPATCH,))

SOP = SopSeed(HEADER, STEPS + CLOSING_STEPS, OUTCOMES + CLOSING_OUTCOMES)
