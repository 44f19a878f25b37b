"""E-mail addresses and WhatsApp numbers: checked and written one way wherever they are kept.

E-mail by `email-validator` (syntax, a domain that can receive mail; no DNS lookup: the office
network may have none). WhatsApp numbers by `phonenumbers` (Google's libphonenumber): an
Indonesian mobile number, written as typed (0812-…, +62 812 …, 62812…) and kept in the
international form without "+" (6281234567890), which is what WhatsApp gateways take.
"""

import re

import email_validator
import phonenumbers
from wtforms.validators import ValidationError

MAX_EMAIL = 200


class ContactInvalid(ValueError):
    """An address or number that cannot be used; `str(exc)` says why, in Indonesian."""


def normalize_email(raw: str | None) -> str:
    """Return the address in its normal form, "" when empty.

    :raise ContactInvalid: not an address mail can reach.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    if len(text) > MAX_EMAIL:
        raise ContactInvalid(f"Alamat email paling panjang {MAX_EMAIL} karakter.")
    try:
        return email_validator.validate_email(text, check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        raise ContactInvalid("Alamat email tidak valid; tulis seperti nama@dinas.go.id.") from None


MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def normalize_whatsapp(raw: str | None) -> str:
    """Return an Indonesian mobile number as digits with the country code (62…), "" when
    empty.

    :raise ContactInvalid: not an Indonesian mobile number.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    message = (
        "Nomor WhatsApp harus nomor seluler Indonesia, mis. 0812-3456-7890 atau +62 812 3456 7890."
    )
    if len(text) > 30:
        raise ContactInvalid(message)
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise ContactInvalid(message) from None
    if (
        number.country_code != 62
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in MOBILE_TYPES
    ):
        raise ContactInvalid(message)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def format_whatsapp(number: str) -> str:
    """``+62 812-3456-7890``: a stored number as people read it."""
    if not number:
        return ""
    parsed = phonenumbers.parse("+" + number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class Normalized:
    """A WTForms validator: the field's text in the normal form `normalize` gives (e.g.
    `normalize_email`), or its reason for refusing it as the field's error."""

    def __init__(self, normalize):
        self.normalize = normalize

    def __call__(self, form, field):
        try:
            field.data = self.normalize(field.data)
        except ContactInvalid as exc:
            raise ValidationError(str(exc)) from None


def reachable(contact: str | None) -> tuple[str, str]:
    """(e-mail, WhatsApp number) found in a contact as the front office wrote it ("nama@x.id,
    0812-3456-7890", "telp 0812…", an account name): each normalized, "" when none is there."""
    email = number = ""
    text = (contact or "")[:200]
    for part in re.split(r"[,;/|]+", text):
        part = part.strip()
        if "@" in part and not email:
            for word in part.split():
                if "@" in word:
                    email = _quiet(normalize_email, word)
        elif not number and sum(ch.isdigit() for ch in part) >= 9:
            digits = "".join(ch for ch in part if ch.isdigit() or ch == "+")
            number = _quiet(normalize_whatsapp, digits)
    return email, number


def _quiet(normalize, raw: str) -> str:
    try:
        return normalize(raw)
    except ContactInvalid:
        return ""


def contact_text(email: str, number: str) -> str:
    """One contact line from an e-mail and a number, as the complaint keeps it."""
    return ", ".join(filter(None, (email, format_whatsapp(number))))
