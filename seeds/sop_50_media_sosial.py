"""065/SOP.50/417.514.3/2021 — pengaduan masyarakat melalui media sosial (rev. 22-12-2021)."""

from seeds.sop_common import COMMON, closing_stages
from seeds.sop_format import (
    ANSWER,
    DISPATCH,
    FO,
    KABID,
    KADIS,
    KASI,
    PUBLIC,
    TIM_TEKNIS,
    Header,
    Outcome,
    SopSeed,
    Step,
    days,
    minutes,
)  # fmt: skip

HEADER = Header(
    code="SOP.50",
    number="065/SOP.50/417.514.3/2021",
    # The extraction ends the name in "MELALUI MEDIA SOSIAL TI"; kept as the source has it.
    name="PENANGANAN PENGADUAN MASYARAKAT (PENGADUAN / KELUHAN / MASALAH / SARAN / PERTANYAAN "
    "/ INFORMASI) MELALUI MEDIA SOSIAL TI",
    procedure_title="URAIAN PROSEDUR PENANGANAN PENGADUAN MASYARAKAT (Pengaduan/Keluhan/Masalah/"
    "Saran/Pertanyaan/Informasi) MELALUI MEDIA SOSIAL TI",
    **COMMON,
)

# fmt: off
STEPS = (
#   no  actor       Kegiatan                                                                    Kelengkapan                                      Waktu         Output                                                    short name
    Step(1,  PUBLIC,     "Masyarakat menyampaikan keluhan atau pengaduan melalui medsos",      "pengaduan masyarakat",                          minutes(30),  "pengaduan masyarakat",                                   "Pengaduan disampaikan"),
    Step(2,  FO,         "Petugas FO meregistrasi pengaduan yang masuk dan meneruskan kepada Kepala Dinas untuk mendapatkan disposisi tindak lanjut",
                                                                                               "pengaduan masyarakat",                          minutes(30),  "buku registrasi pengaduan masyarakat",                   "Registrasi"),
    Step(3,  KADIS,      "Kepala Dinas memberikan arahan tindak lanjut atau meminta pendapat kepada Kabid PKPL",
                                                                                               "pengaduan masyarakat yang telah diregistrasi",  minutes(60),  "lembar disposisi",                                       "Disposisi Kepala Dinas"),
    Step(4,  KABID,      "Kepala Bidang memberikan resume terkait permasalahan atau memerintahkan Kasi untuk menindaklanjuti sesuai arahan Kepala Dinas",
                                                                                               "lembar disposisi",                              days(1),      "Disposisi penyelesaian",                                 "Resume / perintah Kabid"),
    Step(5,  KASI,       "Kepala Seksi Memberikan Jawaban atas permasalahan yang diajukan atau menindaklanjuti dengan mengadakan rapat koordinasi dengan Tim Teknis",
                                                                                               "Disposisi penyelesaian",                        days(1),      "Disposisi arahan penyelesaian atau undangan rakor",      "Jawaban / rakor Kasi"),
    Step(6,  TIM_TEKNIS, "Tim Teknis berkoordinasi dipimpin Kepala Bidang dan memberikan pertimbangan pemecahan permasalahan dalam bentuk Berita Acara",
                                                                                               "Undangan Rakor",                                minutes(180), "Berita Acara penyelesaian pengaduan masyarakat",         "Rakor Tim Teknis", co_actor=KABID),
    Step(7,  KABID,      "Kepala Bidang Menerima Berita Acara pertimbangan pemecahan permasalahan dan menyampaikan resume berdasarkan Berita Acara Tim Teknis kepada Kepala Dinas",
                                                                                               "Berita Acara penyelesaian pengaduan masyarakat", minutes(30), "Resume sesuai Berita Acara",                             "Resume Berita Acara"),
    Step(8,  KADIS,      "Kepala Dinas mempelajari resume tentang penyelesaian pengaduan",     "Resume sesuai Berita Acara",                    minutes(60),  "Disposisi Kepala Dinas",                                 "Kadis mempelajari resume"),
    Step(9,  KADIS,      "Kepala Dinas memerintahkan Kepala Bidang untuk menindaklanjuti hasil Rakor dengan Tim Teknis",
                                                                                               "Disposisi Kepala Dinas",                        minutes(60),  "Disposisi Kepala Bidang",                                "Perintah Kadis ke Kabid"),
    Step(10, KABID,      "Kepala Bidang memerintahkan Kepala Seksi untuk membuat jawaban tertulis atas pengaduan dkepada pemohon tentang pengaduannya",
                                                                                               "Disposisi Kepala Bidang",                       minutes(180), "Surat Dinas tentang jawaban atas pengaduan masyarakat",  "Perintah jawaban tertulis"),
)

OUTCOMES = (
#   step code               label                                               form           leads to  document            offered only after
    Outcome(1,  "diajukan",        "Pengaduan disampaikan",                     "submit",      2),
    Outcome(2,  "diregistrasi",    "Diregistrasi dan diteruskan ke Kepala Dinas", "register",  3,        "buku_registrasi"),
    Outcome(3,  "arahan",          "Arahan tindak lanjut",                      "disposition", 4,        "lembar_disposisi"),
    Outcome(3,  "minta_pendapat",  "Minta pendapat Kabid PKPL",                 "disposition", 4,        "lembar_disposisi"),
    Outcome(4,  "resume",          "Resume kepada Kepala Dinas",                "resume",      3,        "resume",           ("minta_pendapat",)),
    Outcome(4,  "perintah_kasi",   "Perintah kepada Kasi sesuai arahan",        "order",       5,        "lembar_disposisi", ("arahan",)),
    Outcome(5,  "jawab",           "Jawaban langsung",                          "answer",      DISPATCH, "surat_dinas"),
    Outcome(5,  "rakor",           "Rapat koordinasi dengan Tim Teknis",        "meeting",     6,        "undangan_rakor"),
    Outcome(6,  "berita_acara",    "Berita Acara rapat koordinasi",             "minutes",     7,        "berita_acara"),
    Outcome(7,  "resume_ba",       "Resume sesuai Berita Acara",                "resume",      8,        "resume"),
    Outcome(8,  "dipelajari",      "Resume dipelajari",                         "study",       9,        "lembar_disposisi"),
    Outcome(9,  "perintah_kabid",  "Perintah kepada Kabid menindaklanjuti hasil rakor", "disposition", 10, "lembar_disposisi"),
    Outcome(10, "perintah_jawab",  "Perintah kepada Kasi membuat jawaban tertulis", "order",   ANSWER,   "lembar_disposisi"),
)
# fmt: on

# After the paper's table: the Kasi drafts the answer letter (step 10 orders it), the front
# office sends it.
CLOSING_STEPS, CLOSING_OUTCOMES = closing_stages(after=10)

SOP = SopSeed(HEADER, STEPS + CLOSING_STEPS, OUTCOMES + CLOSING_OUTCOMES)
