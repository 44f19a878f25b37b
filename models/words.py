"""Numbers and dates written in Indonesian words, as minutes (berita acara) spell them out;
what every form does to what is typed, and WTForms's own messages in Indonesian."""

import gettext
from datetime import date
from functools import cache
from pathlib import Path

from models.dates import DAYS, MONTHS

_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
          "sepuluh", "sebelas")  # fmt: skip


def number_words(n: int) -> str:
    """``2026`` → ``dua ribu dua puluh enam``; ``1000`` → ``seribu``; ``100`` → ``seratus``."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_UNITS[tens]} puluh" + (f" {_UNITS[rest]}" if rest else "")
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"),
                       (1000, "ribu"), (100, "ratus")):  # fmt: skip
        if n >= size:
            head, rest = divmod(n, size)
            if head == 1 and size in (1000, 100):
                text = "se" + word
            else:
                text = f"{number_words(head)} {word}"
            return text + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(n)


def date_words(day: date) -> str:
    """``Sabtu tanggal dua puluh delapan bulan November tahun dua ribu dua puluh enam``."""
    return (f"{DAYS[day.weekday()]} tanggal {number_words(day.day)} bulan "
            f"{MONTHS[day.month - 1]} tahun {number_words(day.year)}")  # fmt: skip


_CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
_CONTROLS[127] = None


def without_controls(value):
    """Text with control characters (NUL, BEL, ESC …) removed; tabs and line breaks kept.

    A form filter: they mean nothing to a reader, NUL breaks PostgreSQL text, and escape
    sequences can disguise what a printed or exported text says.
    """
    return value.translate(_CONTROLS) if isinstance(value, str) else value


def _sane_date(_form, field):
    from wtforms.validators import ValidationError

    from models.dates import SANE_DATE_MESSAGE, sane_date

    if not sane_date(field.data):
        raise ValidationError(SANE_DATE_MESSAGE)


def bind_clean_text_field(unbound_field, form, options):
    """WTForms `Meta.bind_field` of every form: each text field gets the `without_controls`
    filter, each date or moment field the check that its year is one the office can mean, and
    each date or time field is drawn as the office writes it (models/inputs.py)."""
    from wtforms import DateField, DateTimeField, StringField, TimeField
    from wtforms.fields import DateTimeLocalField

    from models.inputs import bind_typed_field

    unbound_field = bind_typed_field(unbound_field)
    field_class = unbound_field.field_class
    dated = issubclass(
        field_class, DateField | DateTimeField | DateTimeLocalField
    ) and not issubclass(field_class, TimeField)  # (a TimeField is a DateTimeField)
    if issubclass(field_class, StringField):
        options = {**options, "filters": (*options.get("filters", ()), without_controls)}
    if dated:
        if len(unbound_field.args) > 1:  # validators given by position
            from wtforms.fields.core import UnboundField

            label, validators, *rest = unbound_field.args
            unbound_field = UnboundField(
                field_class, label, (*validators, _sane_date), *rest, **unbound_field.kwargs
            )
            return unbound_field.bind(form=form, **options)
        validators = options.get("validators", unbound_field.kwargs.get("validators", ()))
        options = {**options, "validators": (*validators, _sane_date)}
    return unbound_field.bind(form=form, **options)


TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


@cache
def wtforms_translations() -> gettext.NullTranslations:
    """The Indonesian WTForms catalog (built-in validator and field messages)."""
    return gettext.translation("wtforms", TRANSLATIONS_DIR, languages=["id"])
