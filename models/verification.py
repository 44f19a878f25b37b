"""The verification code printed on every document, and the public check of a printout.

Each document a step record produced carries a short code (``7KQ2M-XW4PA``) and its QR code,
which open the public page /cek/<code>: it shows the document's kind, number, date and the
signer's position, and the fingerprint (SHA-256) of its content, so that a citizen or another
office can tell a genuine printout from a forged or altered one. Never the complainant, never
the subject.

The code is computed, not stored: the step record is append-only history (models/integrity.py),
so it cannot be given a column later, and a computed code also covers every document printed
before this module. The content hash is SHA-256 over a canonical JSON of the record's stored
facts (`content_facts`). The code is 50 bits, 10 characters of Crockford's base32: the record
id (26 bits) beside a tag (24 bits), an HMAC of the id and the content hash under the
application's key, the two encrypted together by a keyed permutation (a small Feistel
network) so that the code says nothing of the id and a changed character changes it whole.
A re-printed document therefore has the same code; a record whose stored facts were altered
in the database no longer matches its tag, and a code changed by one character decrypts to
another id with a tag that does not match (1 in 16.7 million by chance; lookups that fail
are counted with the tracking page's, models/tracking.py).

The key is DOCUMENT_SEAL_KEY, else SECRET_KEY: changing it invalidates every printed code.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC

import segno
from flask import current_app

from models import db
from models.complaint import StepRecord
from models.kinds import DOCUMENTS

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
# What people misread or mistype, read as Crockford's base32 reads it.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
CODE_LENGTH = 10
ID_BITS, TAG_BITS = 26, 24  # 67 million step records; a guessed tag matches 1 in 16.7 million
_HALF = (ID_BITS + TAG_BITS) // 2
_ROUNDS = 6
HASH_VERSION = 1  # of `content_facts`: a new version would be a new field list


@dataclass(frozen=True)
class Seal:
    """What a printout carries and the verification page shows of it."""

    code: str  # formatted, ABCDE-FGHJK
    content_hash: str  # SHA-256, hex
    url: str

    @property
    def short_hash(self) -> str:
        return short_hash(self.content_hash)

    def qr_data_uri(self) -> str:
        """The QR code of the verification URL as a PNG data URI (xhtml2pdf reads those)."""
        return segno.make(self.url, error="m").png_data_uri(scale=4, border=2)


def _key(purpose: str) -> bytes:
    config = current_app.config
    secret = config.get("DOCUMENT_SEAL_KEY") or config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    return hmac.new(secret, f"pengaduan/verifikasi-dokumen/{purpose}".encode(),
                    hashlib.sha256).digest()  # fmt: skip


def sealable(record: StepRecord | None) -> bool:
    """Whether `record` produced a document printed from a template (the register is a day's
    page of many complaints, not one record's document)."""
    kind = DOCUMENTS.get(record.document) if record is not None and record.document else None
    return kind is not None and kind.template is not None


def content_facts(record: StepRecord) -> dict:
    """The stored facts of a record's document: all of the record but what points elsewhere."""
    return {
        "v": HASH_VERSION,
        "record": record.id,
        "complaint": record.complaint_id,
        "seq": record.seq,
        "step_no": record.step_no,
        "phase": record.phase,
        "outcome": record.outcome,
        "actor": record.actor_id,
        "actor_role": record.actor_role,
        "acting_kind": record.acting_kind,
        "started_at": record.started_at.astimezone(UTC).isoformat(timespec="seconds"),
        "finished_at": record.finished_at.astimezone(UTC).isoformat(timespec="seconds"),
        "note": record.note or "",
        "data": record.data or {},
        "document": record.document,
        "document_number": record.document_number,
    }


def content_hash(record: StepRecord) -> str:
    """SHA-256 (hex) of the canonical JSON of `content_facts`."""
    canonical = json.dumps(content_facts(record), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False, default=str)  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


def _tag(record_id: int, digest: str) -> int:
    mac = hmac.new(_key("tag"), f"{record_id}:{digest}".encode(), hashlib.sha256).digest()
    return int.from_bytes(mac[:4], "big") >> (32 - TAG_BITS)


def _round(key: bytes, number: int, half: int) -> int:
    mac = hmac.new(key, f"{number}:{half}".encode(), hashlib.sha256).digest()
    return int.from_bytes(mac[:4], "big") >> (32 - _HALF)


def _permute(block: int, decrypt: bool = False) -> int:
    """A keyed permutation of 50-bit blocks (a balanced Feistel network of `_ROUNDS`)."""
    key, mask = _key("permutation"), (1 << _HALF) - 1
    left, right = block >> _HALF, block & mask
    if not decrypt:
        for n in range(_ROUNDS):
            left, right = right, left ^ _round(key, n, right)
    else:
        for n in reversed(range(_ROUNDS)):
            left, right = right ^ _round(key, n, left), left
    return (left << _HALF) | right


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalize_code(raw: str | None) -> str | None:
    """The code as computed (upper case, no spaces or dashes), or None when it cannot be one."""
    text = "".join((raw or "").split()).replace("-", "").upper().translate(_READ_AS)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def code_of(record: StepRecord, digest: str | None = None) -> str:
    """The record's verification code, unformatted.

    :raise ValueError: the record's id needs more than ID_BITS.
    """
    if record.id >= 1 << ID_BITS:
        raise ValueError("step record id beyond the verification code's range")
    digest = digest or content_hash(record)
    block = _permute((record.id << TAG_BITS) | _tag(record.id, digest))
    return "".join(ALPHABET[(block >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


def verify_url(code: str) -> str:
    from models.channels import base_url

    return f"{base_url()}/cek/{format_code(code)}"


def seal(record: StepRecord) -> Seal | None:
    """The seal a printout of `record`'s document carries (None: a document not sealed)."""
    if not sealable(record) or record.id >= 1 << ID_BITS:
        return None
    digest = content_hash(record)
    code = code_of(record, digest)
    return Seal(format_code(code), digest, verify_url(code))


def short_hash(digest: str) -> str:
    """The first 16 hex digits of a hash in groups of four: ``3f2a 9c01 77be 4d10``."""
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def check(typed: str | None) -> StepRecord | None:
    """The record whose document the code as typed seals, when it matches the record as
    stored now; None for a code that cannot be one, is unknown, or no longer matches."""
    code = normalize_code(typed)
    if code is None:
        return None
    block = 0
    for ch in code:
        block = (block << 5) | ALPHABET.index(ch)
    plain = _permute(block, decrypt=True)
    record_id, tag = plain >> TAG_BITS, plain & ((1 << TAG_BITS) - 1)
    record = db.session.get(StepRecord, record_id) if record_id else None
    if not sealable(record):
        return None
    expected = _tag(record.id, content_hash(record))
    if not hmac.compare_digest(tag.to_bytes(4, "big"), expected.to_bytes(4, "big")):
        return None
    return record


def public_facts(record: StepRecord) -> dict:
    """What the verification page says of a genuine document: no name, no subject."""
    from models.dates import format_date_long, to_wib
    from models.documents import SIGNERS

    kind = DOCUMENTS[record.document]
    issued_on = to_wib(record.finished_at).date()
    signer = SIGNERS[kind.signer](record, issued_on) if kind.signer else None
    digest = content_hash(record)
    return {
        "title": kind.title,
        "number": record.document_number,
        "reg_number": record.complaint.reg_number,
        "date": format_date_long(issued_on),
        "signer": f"{signer['prefix']}{signer['position']}" if signer else None,
        "hash": digest,
        "short_hash": short_hash(digest),
        "code": format_code(code_of(record, digest)),
    }
