"""Header text the three 2021 SOP sheets of Bidang PKPL share word for word."""

from datetime import date

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
