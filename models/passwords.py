"""What a new password must be (NIST SP 800-63B rev. 4, §3.1.1.2): long enough, not on a
list of common or easily guessed passwords, not made of the official's own name — and no
composition rules (no "one digit and one capital").

The list is zxcvbn's: common passwords, words, names, keyboard walks, sequences, repeats and
dates, scored by how many guesses they would take; the official's username, name and NIP
and the agency's own words count as guessable too.
"""

MIN_LENGTH = 15  # a password that is the only factor (NIST rev. 4)
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: about 10^8 guesses or more ("safely unguessable" online)
# Words anyone guessing at this office tries first.
AGENCY_WORDS = ("pengaduan", "mojokerto", "dpmptsp", "naker", "pkpl", "kadis", "kabid",
                "kasi", "teknis", "admin", "rahasia", "sandi", "katasandi", "password",
                "indonesia", "majapahit", "ita")  # fmt: skip
ADVICE = "Gunakan frasa dari beberapa kata yang mudah Anda ingat, mis. 'kopi pagi di alun-alun'."


def _own_words(user_inputs) -> list[str]:
    words = []
    for value in user_inputs:
        for word in str(value or "").lower().replace(".", " ").replace(",", " ").split():
            if len(word) >= 4:
                words.append(word)
    return words


def password_problem(password: str, user_inputs=()) -> str | None:
    """Why `password` may not be used, in Indonesian; None when it may.

    :param user_inputs: what the password must not be made of: the official's username,
        full name, NIP.
    """
    if len(password) < MIN_LENGTH:
        return f"Kata sandi minimal {MIN_LENGTH} karakter. {ADVICE}"
    if len(password) > MAX_LENGTH:
        return f"Kata sandi paling banyak {MAX_LENGTH} karakter."
    lowered = password.lower()
    own = _own_words(user_inputs)
    if any(word in lowered for word in own):
        return f"Kata sandi tidak boleh memuat nama, nama pengguna atau NIP Anda. {ADVICE}"
    from zxcvbn import zxcvbn  # its word lists (13 MB) are loaded at the first check

    result = zxcvbn(password, user_inputs=[*own, *AGENCY_WORDS], max_length=MAX_LENGTH)
    if result["score"] < MIN_SCORE:
        return ("Kata sandi ini terlalu mudah ditebak (kata sandi umum, urutan atau "
                f"pengulangan huruf dan angka, tanggal, atau nama instansi). {ADVICE}")  # fmt: skip
    return None
