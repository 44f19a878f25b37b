"""The shape of an SOP seed file: a header, then one `Step` per paper row, then the outcomes.

A seed reads beside the paper: `Step(no, actor, activity, kelengkapan, waktu, output, ...)`.
"""

from dataclasses import dataclass, field
from datetime import date

from models.accounts import Role
from models.sop import CLOSED as CLOSED  # re-exported for the seed files
from models.sop import CLOSING_KINDS
from models.sop import PUBLIC as PUBLIC

FO, KADIS, KABID, KASI, TIM_TEKNIS = Role.FO, Role.KADIS, Role.KABID, Role.KASI, Role.TIM_TEKNIS
# The stages after the paper's table, as an outcome's target or a step's `closing`: the Kasi
# drafts the Surat Dinas; the front office sends it. CLOSED: selesai.
ANSWER, DISPATCH = CLOSING_KINDS


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
    closing: str | None = None  # ANSWER or DISPATCH: a stage after the paper's table


@dataclass(frozen=True)
class Outcome:
    step: int
    code: str
    label: str
    form: str
    to: int | str  # the next step's number, ANSWER or DISPATCH (that stage's step), or CLOSED
    document: str | None = None
    only_after: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SopSeed:
    header: Header
    steps: tuple[Step, ...]
    outcomes: tuple[Outcome, ...]

    def step_number(self, target: int | str) -> int | None:
        """The number of the step `target` names (a number, or a closing stage's name);
        None for CLOSED."""
        if isinstance(target, int):
            return target
        if target == CLOSED:
            return None
        return next(s.no for s in self.steps if s.closing == target)
