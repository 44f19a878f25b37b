"""The agency's letterhead and numbering as printed on its SOP sheets, and its pick lists."""

AGENCY = dict(
    id=1,
    government="PEMERINTAH KOTA MOJOKERTO",
    agency="DINAS PENANAMAN MODAL PELAYANAN TERPADU SATU PINTU DAN TENAGA KERJA",
    agency_short="DPMPTSP dan Naker",
    division="BIDANG PENGADUAN, KEBIJAKAN DAN PELAPORAN LAYANAN",
    address="GEDUNG GAJAH MADA LANTAI 2, Jl. Gajah Mada No.100",
    phone="(0321) 330900",
    fax="(0321) 5885551",
    website="dpmptsp.kotamojokerto.go.id",
    city="MOJOKERTO",
    place="Mojokerto",
    head_position="KEPALA DINAS PENANAMAN MODAL PELAYANAN TERPADU SATU PINTU DAN TENAGA KERJA "
    "KOTA MOJOKERTO",
    paper_size="F4",
    unit_code="417.514.3",
    # {seq} is gap-free per year; documented in the README.
    registration_number_pattern="{seq:04d}/PGD/{unit_code}/{year}",
    letter_number_pattern="065/{seq}/{unit_code}/{year}",
)

# (code, name, SOP that follows, needs platform, needs LAPOR! tracking number)
CHANNELS = (
    ("curhat_ning_ita", "Curhat Ning Ita", "SOP.48", False, False),
    ("kantor", "Datang ke kantor", "SOP.49", False, False),
    ("media_sosial", "Media sosial", "SOP.50", True, False),
    # An online channel: handled like social media until the agency decides otherwise.
    ("lapor", "SP4N-LAPOR!", "SOP.50", False, True),
    # The public form (/lapor/): its submissions wait for registration like any online one.
    ("formulir_daring", "Formulir daring", "SOP.50", False, False),
)
PLATFORMS = (
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("x", "X/Twitter"),
    ("tiktok", "TikTok"),
    ("youtube", "YouTube"),
    ("whatsapp", "WhatsApp"),
    ("website", "Situs web"),
)
JENIS = (
    ("pengaduan", "Pengaduan"),
    ("keluhan", "Keluhan"),
    ("masalah", "Masalah"),
    ("saran", "Saran"),
    ("pertanyaan", "Pertanyaan"),
    ("informasi", "Informasi"),
)
DISPOSITION_MARKS = (
    ("diketahui", "Untuk diketahui"),
    ("ditindaklanjuti", "Untuk ditindaklanjuti"),
    ("dipelajari", "Untuk dipelajari"),
    ("dijawab", "Untuk dijawab"),
    ("dikoordinasikan", "Untuk dikoordinasikan"),
    ("tanggapan_saran", "Tanggapan dan saran"),
    ("siapkan_bahan", "Siapkan bahan"),
    ("arsip", "Arsip"),
)
# (code, name, overall limit in working days from receipt): the classes many local standar
# pelayanan publish; Perpres 76/2013 sets 60 days as the outer limit.
COMPLAINT_CLASSES = (
    ("ringan", "Ringan", 2),
    ("normatif", "Normatif", 5),
    ("tidak_berkadar", "Tidak berkadar pengawasan", 14),
    ("berkadar", "Berkadar pengawasan dan memerlukan pemeriksaan", 60),
)
# (code, name, address): agencies a complaint that is not ours is forwarded to. The addresses
# are the city's; the admin completes the street of each in master data.
OTHER_AGENCIES = (
    ("dukcapil", "Dinas Kependudukan dan Pencatatan Sipil Kota Mojokerto", "Kota Mojokerto"),
    ("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang Kota Mojokerto", "Kota Mojokerto"),
    ("dlh", "Dinas Lingkungan Hidup Kota Mojokerto", "Kota Mojokerto"),
    ("dishub", "Dinas Perhubungan Kota Mojokerto", "Kota Mojokerto"),
    ("satpolpp", "Satuan Polisi Pamong Praja Kota Mojokerto", "Kota Mojokerto"),
    ("bpjs_tk", "BPJS Ketenagakerjaan Kantor Cabang Mojokerto", "Mojokerto"),
)
# (code, name, jenis code or None for every jenis, Hal, body): the answer letters' templates the
# Kasi starts from. Placeholders: models/answer_templates.py. The Surat Dinas adds the standard
# closing after a body without one, so the bodies end before it.
ANSWER_TEMPLATES = (
    ("pengaduan_perizinan", "Jawaban pengaduan layanan perizinan", "pengaduan",
     "Jawaban atas pengaduan nomor {nomor}",
     "Menindaklanjuti pengaduan {sapaan} yang kami terima pada tanggal {tanggal} melalui "
     "{kanal} perihal {perihal}, bersama ini kami sampaikan hal-hal sebagai berikut:\n"
     "1. Kami telah memeriksa permohonan dan berkas yang Saudara sampaikan melalui sistem "
     "OSS/SiCantik.\n"
     "2. [Uraikan hasil pemeriksaan: penyebab hambatan dan kondisi berkas.]\n"
     "3. [Uraikan langkah yang perlu Saudara lakukan atau yang telah kami lakukan, beserta "
     "perkiraan waktunya.]\n"
     "Apabila Saudara memerlukan penjelasan lebih lanjut, Saudara dapat menghubungi Mal "
     "Pelayanan Publik Kota Mojokerto pada jam layanan."),
    ("keluhan_layanan", "Jawaban keluhan atas pelayanan", "keluhan",
     "Tanggapan atas keluhan nomor {nomor}",
     "Terima kasih atas keluhan {sapaan} yang kami terima pada tanggal {tanggal} perihal "
     "{perihal}. Keluhan tersebut menjadi masukan yang berharga bagi perbaikan pelayanan "
     "kami.\n"
     "Atas keluhan tersebut kami telah [uraikan tindakan: klarifikasi kepada petugas, "
     "perbaikan prosedur, dan sebagainya].\n"
     "Kami mohon maaf atas ketidaknyamanan yang Saudara alami."),
    ("pertanyaan_informasi", "Jawaban pertanyaan atau permintaan informasi", "pertanyaan",
     "Jawaban atas pertanyaan nomor {nomor}",
     "Menindaklanjuti pertanyaan {sapaan} yang kami terima pada tanggal {tanggal} perihal "
     "{perihal}, dengan ini kami sampaikan penjelasan sebagai berikut:\n"
     "[Uraikan jawaban beserta dasar peraturannya.]"),
    ("saran_masukan", "Tanggapan atas saran", "saran",
     "Tanggapan atas saran nomor {nomor}",
     "Terima kasih atas saran {sapaan} yang kami terima pada tanggal {tanggal} perihal "
     "{perihal}. Saran tersebut telah kami catat dan akan menjadi bahan pertimbangan dalam "
     "perbaikan penyelenggaraan pelayanan pada DPMPTSP dan Tenaga Kerja Kota Mojokerto.\n"
     "[Uraikan tindak lanjut yang telah atau akan dilakukan, bila ada.]"),
    ("umum", "Jawaban umum", None,
     "Jawaban atas pengaduan nomor {nomor}",
     "Menindaklanjuti {jenis} {sapaan} yang kami terima pada tanggal {tanggal} melalui "
     "{kanal} perihal {perihal}, bersama ini kami sampaikan sebagai berikut:\n"
     "[Uraikan jawaban.]"),
)  # fmt: skip
