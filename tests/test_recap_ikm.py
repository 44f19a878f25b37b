"""The satisfaction index (IKM) of a period: its arithmetic worked out by hand, and how the
recap's page, PDF and CSV show it for complaints closed and rated in November 2026."""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from pypdf import PdfReader

from models.survey import compute_index, grade_of, krejcie_morgan, rate
from models.workflow import advance, register
from tests.test_calendar import wib
from tests.workflow_helpers import FORMS, registration, user

U = [f"u{i}" for i in range(1, 10)]


def _two_places(value: Fraction) -> Decimal:
    """Round an exact value half up to two decimals, once (written out here, not the module's)."""
    hundredths = value * 100
    whole = hundredths.numerator // hundredths.denominator
    if hundredths - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 100


# Five responses (None: the element was skipped; U9 is always rated). By hand:
#   U1: 4, 4, 3 -> 11/3       U2: 4, 3, 3 -> 10/3       U3..U8: 4, 3 -> 7/2 each
#   U9: 4, 4, 4, 4, 3 -> 19/5
HAND_SET = [
    dict(zip(U, [4, 4, 4, 4, 4, 4, 4, 4, 4], strict=True)),
    dict(zip(U, [4, 3, 3, 3, 3, 3, 3, 3, 4], strict=True)),
    {"u1": 3, "u2": 3, "u9": 4},
    {"u9": 4},
    {"u9": 3},
]
HAND_NRR = {"u1": Fraction(11, 3), "u2": Fraction(10, 3), "u3": Fraction(7, 2),
            "u4": Fraction(7, 2), "u5": Fraction(7, 2), "u6": Fraction(7, 2),
            "u7": Fraction(7, 2), "u8": Fraction(7, 2), "u9": Fraction(19, 5)}  # fmt: skip


def test_the_index_is_the_exact_mean_of_the_nrr_times_25():
    # sum of the NRR = 11/3 + 10/3 + 6 * 7/2 + 19/5 = 7 + 21 + 19/5 = 159/5
    assert sum(HAND_NRR.values()) == Fraction(159, 5)
    exact = Fraction(159, 5) / 9 * 25  # = 265/3 = 88.333...
    assert exact == Fraction(265, 3)
    assert _two_places(exact) == Decimal("88.33")

    index = compute_index(HAND_SET, population=5)
    assert index.nrr == HAND_NRR
    assert (index.nrr_rounded("u1"), index.nrr_rounded("u2")) == (Decimal("3.667"),
                                                                  Decimal("3.333"))  # fmt: skip
    assert index.ikm == Decimal("88.33")
    assert (index.grade, index.meaning) == ("A", "Sangat baik")
    assert (index.respondents, index.population) == (5, 5)


def test_the_weight_rounded_early_to_0_111_would_give_another_result_and_grade():
    """The regulation's weight 1/9 written as 0.111: sum(NRR x 0.111) x 25 = 159/5 x 0.111 x 25
    = 88.245 -> 88.25, grade B, where the exact mean gives 88.33, grade A."""
    early = Fraction(159, 5) * Fraction("0.111") * 25
    assert early == Fraction("88.245")
    assert Decimal("88.245").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal("88.25")
    assert grade_of(Decimal("88.25")) == ("B", "Baik")
    # the module keeps 1/9 exact:
    index = compute_index(HAND_SET, population=5)
    assert index.ikm == Decimal("88.33") != Decimal("88.25")
    assert index.grade == "A"


def test_elements_rated_by_some_weigh_as_much_as_the_others():
    """The mean is over the elements' NRR, not over all the values given at once."""
    # pooled: (36 + 29 + 10 + 4 + 3) / 23 values = 82/23 -> x 25 = 89.13, not the IKM (88.33)
    pooled = Fraction(36 + 29 + 10 + 4 + 3, 9 + 9 + 3 + 1 + 1) * 25
    assert _two_places(pooled) == Decimal("89.13")
    assert compute_index(HAND_SET, population=5).ikm == Decimal("88.33")


def test_no_response_no_index():
    index = compute_index([], population=12)
    assert index.ikm is None and index.nrr == {} and index.grade == "-"
    assert index.sample_needed == 12 and index.below_sample


@pytest.mark.parametrize(
    ("ikm", "grade"),
    [("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"),
     ("65.00", "C"), ("64.99", "D"), ("25.00", "D")],
)  # fmt: skip
def test_grade_boundaries(ikm, grade):
    assert grade_of(Decimal(ikm))[0] == grade


@pytest.mark.parametrize(("population", "sample"),
                         [(0, 0), (10, 10), (50, 44), (100, 80), (1000, 278)])  # fmt: skip
def test_krejcie_morgan_matches_the_published_table(population, sample):
    assert krejcie_morgan(population) == sample


# --- Through the page, the PDF and the CSV -------------------------------------------------

CLOSE_48 = [("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "jawab"), ("fo", "terkirim")]


def _closed(day: tuple[int, int, int]):
    """A complaint received, registered and closed (SOP.48) on the office day `day`."""
    y, mo, d = day
    iso = f"{y}-{mo:02d}-{d:02d}"
    c = register(user("fo"), registration("curhat_ning_ita", received_at=f"{iso}T08:30"),
                 now=wib(y, mo, d, 9, 0))  # fmt: skip
    for minute, (who, outcome) in enumerate(CLOSE_48, 1):
        form = FORMS[outcome]()
        if outcome == "terkirim":
            form["sent_on"] = iso
        advance(c.id, user(who), outcome, form, now=wib(y, mo, d, 10, minute * 10))
    assert c.status == "closed"
    return c


# November 2026: four complaints closed, three of them rated; one closed (and rated all 1)
# in October, outside the period.
NOVEMBER_RATINGS = [
    dict(zip(U, [4, 3, 3, 3, 4, 3, 3, 3, 3], strict=True)),
    {"u1": 3, "u2": 4, "u9": 4},
    {"u9": 3},
]
# By hand: U1 (4+3)/2 = 7/2, U2 (3+4)/2 = 7/2, U3 3, U4 3, U5 4, U6 3, U7 3, U8 3,
# U9 (3+4+3)/3 = 10/3. Sum = 7 + 19 + 10/3 = 88/3; IKM = 88/3 / 9 * 25 = 2200/27 = 81.48...
NOVEMBER_IKM = _two_places(
    (Fraction(7, 2) + Fraction(7, 2) + 3 + 3 + 4 + 3 + 3 + 3 + Fraction(10, 3)) / 9 * 25
)
# Krejcie-Morgan for N = 4: 3.841 * 4 * 0.25 / (0.05^2 * 3 + 3.841 * 0.25) = 3.841 / 0.96775
# = 3.97 -> 4, so 3 respondents are too few.
NOVEMBER_SAMPLE = 4


@pytest.fixture
def rated_november(app):
    with app.app_context():
        october = _closed((2026, 10, 28))
        rate(october, dict.fromkeys(U, 1), "Buruk", now=wib(2026, 10, 29, 8, 0))
        closed = [_closed((2026, 11, d)) for d in (2, 3, 4, 5)]  # the fourth is not rated
        for c, values, d in zip(closed[:3], NOVEMBER_RATINGS, (9, 10, 11), strict=True):
            rate(c, values, "Terima kasih", now=wib(2026, 11, d, 8, 0))
        register(user("fo"), registration("media_sosial", received_at="2026-11-06T08:30"),
                 now=wib(2026, 11, 6, 9, 0))  # still open: not counted  # fmt: skip
    return app


def test_the_hand_made_november_figures():
    assert NOVEMBER_IKM == Decimal("81.48") and grade_of(NOVEMBER_IKM) == ("B", "Baik")


def test_the_recap_page_pdf_and_csv_show_the_index(rated_november, client, auth):
    from models.recap import build_recap, parse_period

    with rated_november.app_context():
        recap = build_recap(parse_period("bulan", "2026-11"))
        assert recap.closed == recap.ikm.population == 4  # the tally and the survey agree
        assert recap.ikm.ikm == NOVEMBER_IKM
    warning = (f"Jumlah responden (3) di bawah sampel minimal Krejcie–Morgan "
               f"({NOVEMBER_SAMPLE}) untuk 4 pengaduan selesai pada periode ini; "
               "IKM belum mewakili.")  # fmt: skip

    auth.login("kabid")
    page = client.get("/admin/rekap/?jenis=bulan&nilai=2026-11")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Indeks Kepuasan Masyarakat (IKM)" in html
    assert re.search(rf'id="ikm-nilai">{re.escape(str(NOVEMBER_IKM))}<', html)
    assert 'id="ikm-mutu">B — Baik<' in html
    assert 'id="ikm-responden">3 dari 4 pengaduan selesai<' in html
    assert warning in html
    assert '<td>U1</td><td>Persyaratan</td><td class="text-right">3.500</td>' in html
    assert "<td>U9</td><td>Penanganan pengaduan, saran dan masukan</td>" \
           "<td class=\"text-right\">3.333</td>" in html  # fmt: skip
    assert "IKM = rata-rata NRR unsur × 25 (PermenPAN-RB 14/2017)" in html

    pdf = client.get("/admin/rekap/pdf/?jenis=bulan&nilai=2026-11")
    assert pdf.status_code == 200
    text = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))  # fmt: skip
    assert "Indeks Kepuasan Masyarakat (IKM)" in text
    assert f"IKM {NOVEMBER_IKM}" in text and "B — Baik" in text
    assert "3 dari 4 pengaduan selesai" in text
    assert "U9. Penanganan pengaduan, saran dan masukan 3.333" in text
    assert "IKM belum mewakili" in text

    data = client.get("/admin/rekap/csv/?jenis=bulan&nilai=2026-11").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    start = rows.index(next(r for r in rows if r[0] == "Indeks Kepuasan Masyarakat (IKM)"))
    assert rows[start + 1 :] == [
        ["NRR", "U1 Persyaratan", "3.500"],
        ["NRR", "U2 Sistem, mekanisme dan prosedur", "3.500"],
        ["NRR", "U3 Waktu penyelesaian", "3.000"],
        ["NRR", "U4 Biaya/tarif", "3.000"],
        ["NRR", "U5 Produk spesifikasi jenis pelayanan", "4.000"],
        ["NRR", "U6 Kompetensi pelaksana", "3.000"],
        ["NRR", "U7 Perilaku pelaksana", "3.000"],
        ["NRR", "U8 Sarana dan prasarana", "3.000"],
        ["NRR", "U9 Penanganan pengaduan, saran dan masukan", "3.333"],
        ["IKM", "Nilai IKM", str(NOVEMBER_IKM)],
        ["IKM", "Mutu pelayanan", "B", "Baik"],
        ["IKM", "Responden", "3"],
        ["IKM", "Pengaduan selesai", "4"],
        ["IKM", "Sampel minimal (Krejcie–Morgan)", str(NOVEMBER_SAMPLE)],
        ["IKM", "Peringatan", warning],
    ]


def test_october_counts_only_its_own_rating_and_a_quiet_month_says_so(rated_november, client,
                                                                       auth):  # fmt: skip
    auth.login("kabid")
    october = client.get("/admin/rekap/?jenis=bulan&nilai=2026-10").get_data(as_text=True)
    # the one October response, all 1: NRR 1 everywhere, IKM 25.00, grade D; 1 of 1 is enough
    assert 'id="ikm-nilai">25.00<' in october and 'id="ikm-mutu">D — Tidak baik<' in october
    assert 'id="ikm-responden">1 dari 1 pengaduan selesai<' in october
    assert "di bawah sampel minimal" not in october
    september = client.get("/admin/rekap/?jenis=bulan&nilai=2026-09").get_data(as_text=True)
    assert "Belum ada penilaian pada periode ini." in september
    assert 'id="ikm-nilai"' not in september
    pdf = client.get("/admin/rekap/pdf/?jenis=bulan&nilai=2026-09")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Belum ada penilaian pada periode ini." in re.sub(r"\s+", " ", text)
    data = client.get("/admin/rekap/csv/?jenis=bulan&nilai=2026-09").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert ["IKM", "Keterangan", "Belum ada penilaian pada periode ini."] in rows
    assert ["IKM", "Responden", "0"] in rows and not any(r[0] == "NRR" for r in rows)
