"""Header text the three 2021 SOP sheets of Bidang PKPL share word for word, and the stages
every SOP closes with after its paper table."""

from datetime import date

from seeds.sop_format import ANSWER, CLOSED, DISPATCH, FO, KASI, Outcome, Step, days

UNIT = "BIDANG PENGADUAN, KEBIJAKAN DAN PELAPORAN LAYANAN"
MADE_ON, REVISED_ON, EFFECTIVE_ON = date(2021, 8, 4), date(2021, 12, 22), date(2022, 1, 3)
# The extraction reads "Pt." / "Pit.": the sheets are signed by the acting head, "Plt.".
APPROVER = dict(
    approver_position="Plt. KEPALA DINAS",
    approver_name="HERYANA DODIK MURTONO, S. STP, M. Si",
    approver_rank="Pembina Tingkat I",
    approver_nip="197807271997031002",
)
LEGAL_BASIS = (
    "Peraturan Daerah Kota Mojokerto Nomor 8 Tahun 2016 tentang pembentukan Perangkat Daerah "
    "Kota Mojokerto sebagaimana telah diubah dengan Peraturan Daerah Kota Mojokerto Nomor 5 "
    "Tahun 2020 tentang pembentukan Perangkat Daerah Kota Mojokerto",
    "Peraturan Walikota Mojokerto Nomor 111 Tahun 2020 Tentang Kedudukan, Susunan Organisasi, "
    "Tugas Dan Fungsi Serta Tata Kerja Dinas Penanaman Modal Pelayanan Terpadu Satu Pintu Dan "
    "Tenaga Kerja Kota Mojokerto",
)
QUALIFICATIONS = (
    "Mampu melaksanakan koordinasi terkait dengan kegiatan",
    "Memiliki kemampuan bekerja dalam tim",
)
RELATED = ("Surat keluar masuk", "Form pengaduan", "Aplikasi LAPOR")
EQUIPMENT = ("ATK", "Komputer yang dilengkapi aplikasi office", "Printer")
WARNINGS = (
    "Bila SOP ini tidak dilaksanakan maka penanganan pengaduan masyarakat tidak dapat "
    "dilakukan secara sistematis dan paripurna",
)
RECORDS = ("Buku Pengaduan Masyarakat",)
COMMON = dict(
    unit=UNIT,
    made_on=MADE_ON,
    revised_on=REVISED_ON,
    effective_on=EFFECTIVE_ON,
    legal_basis=LEGAL_BASIS,
    qualifications=QUALIFICATIONS,
    related=RELATED,
    equipment=EQUIPMENT,
    warnings=WARNINGS,
    records=RECORDS,
    **APPROVER,
)


def closing_stages(after: int, kinds=(ANSWER, DISPATCH)) -> tuple[tuple, tuple]:
    """The stages after the paper's last step `after`, numbered on from it, the same in every
    SOP until the agency sets its own (time standards: one working day each): the Kasi drafts
    the Surat Dinas (ANSWER; only where a path leads there, not where the Kasi answers within
    the table), and the front office sends it (DISPATCH); then the complaint is closed."""
    numbers = {kind: after + i for i, kind in enumerate(kinds, 1)}
    # fmt: off
    rows = {
        ANSWER: (Step(numbers.get(ANSWER, 0), KASI, "Kepala Seksi menyusun jawaban tertulis (Surat Dinas) kepada pengadu",
                      "Perintah membuat jawaban tertulis", days(1), "Surat Dinas jawaban atas pengaduan",
                      "Penyusunan jawaban tertulis", closing=ANSWER),
                 Outcome(numbers.get(ANSWER, 0), "jawaban_tertulis", "Jawaban tertulis (Surat Dinas)", "answer", DISPATCH, "surat_dinas")),
        DISPATCH: (Step(numbers.get(DISPATCH, 0), FO, "Petugas FO mengirimkan jawaban kepada pengadu",
                        "Surat Dinas jawaban atas pengaduan", days(1), "Jawaban terkirim kepada pengadu",
                        "Pengiriman jawaban", closing=DISPATCH),
                   Outcome(numbers.get(DISPATCH, 0), "terkirim", "Jawaban dikirim kepada pengadu", "dispatch", CLOSED)),
    }
    # fmt: on
    return tuple(rows[k][0] for k in kinds), tuple(rows[k][1] for k in kinds)
