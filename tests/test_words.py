"""Indonesian number and date words, as customary in a berita acara."""

from datetime import date

import pytest

from models.words import date_words, number_words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "nol"), (1, "satu"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"),
        (19, "sembilan belas"), (20, "dua puluh"), (21, "dua puluh satu"), (100, "seratus"),
        (101, "seratus satu"), (115, "seratus lima belas"), (250, "dua ratus lima puluh"),
        (1000, "seribu"), (1001, "seribu satu"), (1965, "seribu sembilan ratus enam puluh lima"),
        (2026, "dua ribu dua puluh enam"), (11000, "sebelas ribu"),
        (100000, "seratus ribu"), (1_000_000, "satu juta"),
    ],
)  # fmt: skip
def test_number_words(n, words):
    assert number_words(n) == words


def test_date_words_as_in_a_berita_acara():
    assert date_words(date(2026, 11, 28)) == (
        "Sabtu tanggal dua puluh delapan bulan November tahun dua ribu dua puluh enam"
    )
    assert date_words(date(2027, 1, 1)).startswith("Jumat tanggal satu bulan Januari")
