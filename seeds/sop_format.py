"""The shape of an SOP seed file: a header, then one `Step` per paper row, then the outcomes.

A seed reads beside the paper: `Step(no, actor, activity, kelengkapan, waktu, output, ...)`.
"""

from dataclasses import dataclass, field
from datetime import date

PUBLIC, FO, KADIS, KABID, KASI, TIM_TEKNIS = (
    "masyarakat", "fo", "kadis", "kabid", "kasi", "tim_teknis",
)  # fmt: skip
ANSWER, DISPATCH = "answer", "dispatch"  # leave the table: draft the Surat Dinas / send it


def minutes(n: int) -> dict:
    return {"minutes": n}


def days(n: int) -> dict:
    return {"working_days": n}


@dataclass(frozen=True)
class Header:
    code: str
    number: str
    name: str
    unit: str
    made_on: date
    revised_on: date | None
    effective_on: date
    approver_position: str
    approver_name: str
    approver_rank: str
    approver_nip: str
    legal_basis: tuple[str, ...]
    qualifications: tuple[str, ...]
    related: tuple[str, ...]
    equipment: tuple[str, ...]
    warnings: tuple[str, ...]
    records: tuple[str, ...]
    procedure_title: str
    reconstructed: bool = False
    note: str = ""
    revision: int = 1


@dataclass(frozen=True)
class Step:
    no: int
    actor: str
    activity: str  # Kegiatan
    input: str  # Kelengkapan
    time: dict  # Waktu
    output: str  # Output
    short: str  # short name for queues
    co_actor: str | None = None


@dataclass(frozen=True)
class Outcome:
    step: int
    code: str
    label: str
    form: str
    to: int | str  # the next step's number, ANSWER or DISPATCH
    document: str | None = None
    only_after: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SopSeed:
    header: Header
    steps: tuple[Step, ...]
    outcomes: tuple[Outcome, ...]
