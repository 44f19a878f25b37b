"""The SOPs as data: each revision's header, its numbered steps and the outcomes of each step.

Glossary: Kegiatan = activity, Pelaksana = actor, Mutu Baku = quality standard made of
Kelengkapan (input document), Waktu (time standard) and Output (output document).
"""

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.accounts import ROLE_LABELS, ROLE_VALUES, Role
from models.kinds import DOCUMENT_KINDS, FORM_KINDS

PUBLIC = "masyarakat"
ACTORS = (PUBLIC, *(r for r in ROLE_VALUES if r != Role.ADMIN))
ACTOR_LABELS = {PUBLIC: "Masyarakat", **{k.value: v for k, v in ROLE_LABELS.items()}}

# The stages after the paper's table, rows of each SOP's data like any step (their text, actor,
# time standard and outcomes: seeds/sop_common.py): the Kasi drafts the answer letter when the
# path did not already produce it, and the front office sends it. A step's `closing` names which
# one it is, for the seeds' symbolic targets and for history written before they were steps.
CLOSING_KINDS = ("answer", "dispatch")
# Where a path leaves the steps: the complaint is closed (selesai).
CLOSED = "closed"
ENDS = (CLOSED,)
ENDS_LABELS = {CLOSED: "selesai"}


def in_list(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class FormKindRow(db.Model):
    """A form kind of the registry (models/kinds.py), as a row outcomes refer to: the
    database refuses an outcome of a kind the code does not know. `sync_kinds` keeps the
    rows to the registry (init-db), so a new kind needs no migration."""

    __tablename__ = "form_kind"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))


class DocumentKindRow(db.Model):
    """A document of the registry, as a row outcomes refer to (see FormKindRow)."""

    __tablename__ = "document_kind"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


def sync_kinds(session=None) -> int:
    """Add the registry's kinds the database lacks and update their names; return how many
    rows changed. A kind no longer in the registry stays while outcomes name it."""
    session = session or db.session
    changed = 0
    for model, rows in ((FormKindRow, {k.code: k.label for k in FORM_KINDS}),
                        (DocumentKindRow, {k.code: k.title for k in DOCUMENT_KINDS})):  # fmt: skip
        have = {row.code: row for row in session.scalars(select(model))}
        name = "label" if model is FormKindRow else "title"
        for code, text_ in rows.items():
            if code not in have:
                session.add(model(code=code, **{name: text_}))
                changed += 1
            elif getattr(have[code], name) != text_:
                setattr(have[code], name, text_)
                changed += 1
    session.flush()
    return changed


class Sop(db.Model):
    """One revision of an SOP sheet: the header of the paper."""

    __tablename__ = "sop"
    __table_args__ = (UniqueConstraint("code", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))  # SOP.48
    revision: Mapped[int] = mapped_column(default=1)
    number: Mapped[str] = mapped_column(String(60))  # Nomor SOP
    name: Mapped[str] = mapped_column(Text)  # Nama SOP
    unit: Mapped[str] = mapped_column(String(200))  # the Bidang that owns it
    made_on: Mapped[date] = mapped_column(Date)  # Tgl Pembuatan
    revised_on: Mapped[date | None] = mapped_column(Date)  # Tgl Revisi
    effective_on: Mapped[date] = mapped_column(Date)  # Tgl Efektif
    approver_position: Mapped[str] = mapped_column(String(200))  # Disahkan oleh
    approver_name: Mapped[str] = mapped_column(String(120))
    approver_rank: Mapped[str] = mapped_column(String(80))
    approver_nip: Mapped[str] = mapped_column(String(18))
    legal_basis: Mapped[str] = mapped_column(Text)  # Dasar Hukum, one item a line
    qualifications: Mapped[str] = mapped_column(Text)  # Kualifikasi Pelaksana
    related: Mapped[str] = mapped_column(Text)  # Keterkaitan
    equipment: Mapped[str] = mapped_column(Text)  # Peralatan/Perlengkapan
    warnings: Mapped[str] = mapped_column(Text)  # Peringatan
    records: Mapped[str] = mapped_column(Text)  # Pencatatan dan Pendataan
    procedure_title: Mapped[str] = mapped_column(Text)  # Uraian Prosedur ...
    reconstructed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    # A revision the admin is still editing: in force for nobody until published.
    draft: Mapped[bool] = mapped_column(default=False, server_default=false())

    steps: Mapped[list["SopStep"]] = relationship(
        back_populates="sop", order_by="SopStep.no", cascade="all, delete-orphan"
    )

    def step(self, no: int) -> "SopStep":
        for s in self.steps:
            if s.no == no:
                return s
        raise LookupError(f"{self.code} has no step {no}")

    def closing_step(self, kind: str) -> "SopStep | None":
        """The step after the paper's table that does `kind` (CLOSING_KINDS), if any."""
        return next((s for s in self.steps if s.closing == kind), None)

    def step_of_record(self, step_no: int | None, phase: str) -> "SopStep | None":
        """The step a history record finished: by its number, or — written before the closing
        stages were steps — by its phase ("answer", "dispatch")."""
        if step_no is not None:
            return self.step(step_no)
        return self.closing_step(phase) if phase in CLOSING_KINDS else None

    @property
    def title(self) -> str:
        return f"{self.code} rev. {self.revision}"

    def __str__(self) -> str:
        return f"{self.code} — {self.number}"


def registration_step(sop: Sop) -> "SopStep":
    """The step whose outcome is the registration form (step 2 on the paper)."""
    for step in sop.steps:
        if any(o.form == "register" for o in step.outcomes):
            return step
    raise LookupError(f"{sop.title} has no registration step")


def current_sop(code: str, on: date) -> Sop | None:
    """Return the revision of SOP `code` in force on `on`: the latest already effective."""
    return db.session.scalar(
        select(Sop)
        .where(Sop.code == code, Sop.effective_on <= on, Sop.draft.is_(False))
        .order_by(Sop.effective_on.desc(), Sop.revision.desc())
        .limit(1)
    )


def sop_codes(published_only: bool = False) -> list[str]:
    """The SOP codes in the `sop` table, each once (with `published_only`, not drafts only)."""
    query = select(Sop.code).distinct().order_by(Sop.code)
    if published_only:
        query = query.where(Sop.draft.is_(False))
    return list(db.session.scalars(query))


class SopStep(db.Model):
    """One numbered row of the paper's Uraian Prosedur."""

    __tablename__ = "sop_step"
    __table_args__ = (
        UniqueConstraint("sop_id", "no"),
        CheckConstraint(in_list("actor", ACTORS), name="actor_known"),
        CheckConstraint(
            "co_actor IS NULL OR " + in_list("co_actor", ACTORS), name="co_actor_known"
        ),
        CheckConstraint(
            "(time_minutes IS NULL) <> (time_working_days IS NULL)", name="one_time_standard"
        ),
        CheckConstraint("time_minutes > 0 OR time_working_days > 0", name="time_positive"),
        CheckConstraint(
            "closing IS NULL OR " + in_list("closing", CLOSING_KINDS), name="closing_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[int] = mapped_column(ForeignKey("sop.id"), index=True)
    no: Mapped[int]
    actor: Mapped[str] = mapped_column(String(20))  # Pelaksana
    co_actor: Mapped[str | None] = mapped_column(String(20))  # e.g. the Kabid leading the team
    activity: Mapped[str] = mapped_column(Text)  # Kegiatan, as written on the paper
    short_name: Mapped[str] = mapped_column(String(60))  # for queue columns
    input_doc: Mapped[str] = mapped_column(String(200))  # Kelengkapan
    time_minutes: Mapped[int | None]  # Waktu "N menit"
    time_working_days: Mapped[int | None]  # Waktu "N hari"
    output: Mapped[str] = mapped_column(String(200))  # Output
    # One of CLOSING_KINDS for the stages after the paper's table; None for the paper's rows.
    closing: Mapped[str | None] = mapped_column(String(20))

    sop: Mapped[Sop] = relationship(back_populates="steps")
    outcomes: Mapped[list["SopOutcome"]] = relationship(
        back_populates="step", order_by="SopOutcome.position", cascade="all, delete-orphan"
    )

    @property
    def time_standard(self) -> dict:
        if self.time_minutes is not None:
            return {"minutes": self.time_minutes}
        return {"working_days": self.time_working_days}

    @property
    def time_label(self) -> str:
        if self.time_minutes is not None:
            return f"{self.time_minutes} menit"
        return f"{self.time_working_days} hari"

    @property
    def actor_label(self) -> str:
        label = ACTOR_LABELS[self.actor]
        if self.co_actor:
            label += f" (dipimpin {ACTOR_LABELS[self.co_actor]})"
        return label

    @property
    def on_paper(self) -> bool:
        return self.closing is None

    def __str__(self) -> str:
        return f"{self.no}. {self.short_name}"


class SopOutcome(db.Model):
    """One way a step can end (e.g. "minta pendapat Kabid") and where it leads."""

    __tablename__ = "sop_outcome"
    __table_args__ = (
        UniqueConstraint("step_id", "code"),
        CheckConstraint("ends IS NULL OR " + in_list("ends", ENDS), name="ends_known"),
        CheckConstraint("(next_step_no IS NULL) <> (ends IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("sop_step.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    # Kinds the registry knows (models/kinds.py), kept as rows the database refers to.
    form: Mapped[str] = mapped_column(ForeignKey("form_kind.code"))
    next_step_no: Mapped[int | None]
    ends: Mapped[str | None] = mapped_column(String(20))
    document: Mapped[str | None] = mapped_column(ForeignKey("document_kind.code"))
    # Offered only when the step was entered through one of these outcomes (comma-separated).
    only_after: Mapped[str | None] = mapped_column(String(200))

    step: Mapped[SopStep] = relationship(back_populates="outcomes")

    @property
    def leads_to(self) -> int | str:
        return self.next_step_no if self.next_step_no is not None else self.ends

    @property
    def leads_to_label(self) -> str:
        if self.next_step_no is not None:
            return f"langkah {self.next_step_no}"
        return ENDS_LABELS[self.ends]

    @property
    def only_after_codes(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in (self.only_after or "").split(",") if c.strip())

    def __str__(self) -> str:
        return self.label


def sop_as_dict(sop: Sop) -> dict:
    """Return an SOP revision as plain data, for `flask sop list --json` and exports."""
    return {
        "code": sop.code,
        "revision": sop.revision,
        "number": sop.number,
        "name": sop.name,
        "unit": sop.unit,
        "made_on": sop.made_on.isoformat(),
        "revised_on": sop.revised_on.isoformat() if sop.revised_on else None,
        "effective_on": sop.effective_on.isoformat(),
        "approved_by": {
            "position": sop.approver_position,
            "name": sop.approver_name,
            "rank": sop.approver_rank,
            "nip": sop.approver_nip,
        },
        "legal_basis": sop.legal_basis.splitlines(),
        "qualifications": sop.qualifications.splitlines(),
        "related": sop.related.splitlines(),
        "equipment": sop.equipment.splitlines(),
        "warnings": sop.warnings.splitlines(),
        "records": sop.records.splitlines(),
        "reconstructed": sop.reconstructed,
        "steps": [
            {
                "no": step.no,
                "actor": step.actor,
                "co_actor": step.co_actor,
                "activity": step.activity,
                "input": step.input_doc,
                "time_standard": step.time_standard,
                "output": step.output,
                "closing": step.closing,
                "outcomes": [
                    {
                        "code": o.code,
                        "label": o.label,
                        "form": o.form,
                        "leads_to": o.leads_to,
                        "document": o.document,
                        "only_after": list(o.only_after_codes),
                    }
                    for o in step.outcomes
                ],
            }
            for step in sop.steps
        ],
    }
