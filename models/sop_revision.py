"""Revising an SOP in the admin: copy a revision into a draft, check its step graph, publish it.

A draft (`Sop.draft`) is in force for nobody. Publishing it checks that the engine can run it
(`problems`) and fixes its effective date; `current_sop` gives it to complaints received from
that date (registration asks for the revision in force on the day of receipt; an online
submission keeps the one in force when it was sent), while complaints in flight keep the
revision they were registered under (`Complaint.sop_id`). `compare` and `takes_effect` say so
to the admin before publishing. A published revision is never edited or deleted; a draft may be
dropped.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import db
from models.dates import format_date_long, format_date_short, today_wib
from models.kinds import DOCUMENT_TITLES, DOCUMENTS, FORM_LABELS, FORMS
from models.sop import (
    ACTOR_LABELS,
    ACTORS,
    CLOSING_KINDS,
    ENDS,
    ENDS_LABELS,
    PUBLIC,
    Sop,
    SopOutcome,
    SopStep,
)

# The header fields a revision copies and the admin edits.
HEADER_FIELDS = (
    "number", "name", "unit", "made_on", "revised_on", "effective_on", "approver_position",
    "approver_name", "approver_rank", "approver_nip", "legal_basis", "qualifications", "related",
    "equipment", "warnings", "records", "procedure_title", "reconstructed", "note",
)  # fmt: skip
STEP_FIELDS = ("no", "actor", "co_actor", "activity", "short_name", "input_doc", "time_minutes",
               "time_working_days", "output", "closing")  # fmt: skip
# The stages after the paper's table (CLOSING_KINDS), as the admin pages name them.
CLOSING_LABELS = {"answer": "Penyusunan jawaban tertulis",
                  "dispatch": "Pengiriman jawaban kepada pengadu"}  # fmt: skip
OUTCOME_FIELDS = ("position", "code", "label", "form", "next_step_no", "ends", "document",
                  "only_after")  # fmt: skip


class RevisionInvalid(Exception):
    """A revision the engine could not run; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def revisions(code: str) -> list[Sop]:
    """Every revision of SOP `code`, oldest first, with its steps and their outcomes."""
    return list(db.session.scalars(
        select(Sop).where(Sop.code == code).order_by(Sop.revision)
        .options(selectinload(Sop.steps).selectinload(SopStep.outcomes))))  # fmt: skip


def copy_revision(source: Sop, effective_on: date, code: str | None = None) -> Sop:
    """A new draft revision of `source` (or, with `code`, revision 1 of a new SOP) copying its
    header, steps and outcomes."""
    code = code or source.code
    latest = db.session.scalar(select(func.max(Sop.revision)).where(Sop.code == code))
    draft = Sop(code=code, revision=(latest or 0) + 1, draft=True,
                **{f: getattr(source, f) for f in HEADER_FIELDS})  # fmt: skip
    draft.effective_on = effective_on
    draft.revised_on = today_wib() if latest else None
    for step in source.steps:
        copy = SopStep(**{f: getattr(step, f) for f in STEP_FIELDS})
        copy.outcomes = [SopOutcome(**{f: getattr(o, f) for f in OUTCOME_FIELDS})
                         for o in step.outcomes]  # fmt: skip
        draft.steps.append(copy)
    db.session.add(draft)
    db.session.flush()
    return draft


def problems(sop: Sop, today: date | None = None) -> list[str]:
    """Why the engine could not run this revision, in Indonesian; empty when it can.

    Steps numbered 1..N; step 1 is the public's, with one outcome; exactly one registration,
    by the Petugas FO; every other step acted by an official; every outcome leads to an
    existing step or closes; every step reachable from step 1 and with at least one outcome;
    every document one that has a template and that the outcome's form can fill; `only_after`
    names outcomes of this SOP; with `today`, an effective date not in the past.
    """
    found = []
    steps = sorted(sop.steps, key=lambda s: s.no)
    numbers = [s.no for s in steps]
    if not steps:
        return ["SOP belum memiliki langkah."]
    if numbers != list(range(1, len(steps) + 1)):
        found.append(f"Langkah harus bernomor urut 1 sampai {len(steps)} (sekarang: "
                     f"{', '.join(map(str, numbers))}).")  # fmt: skip
    by_no = {s.no: s for s in steps}
    codes = {o.code for s in steps for o in s.outcomes}
    first = by_no.get(1)
    if first is not None and (first.actor != PUBLIC or len(first.outcomes) != 1):
        found.append("Langkah 1 harus langkah Masyarakat menyampaikan pengaduan, dengan satu "
                     "hasil.")  # fmt: skip
    for kind in CLOSING_KINDS:
        closing = [s.no for s in steps if s.closing == kind]
        if len(closing) > 1:
            found.append(f"Tahap penutup '{CLOSING_LABELS[kind]}' hanya boleh ada pada satu "
                         f"langkah (sekarang langkah {', '.join(map(str, closing))}).")  # fmt: skip
    registrations = [(s, o) for s in steps for o in s.outcomes if o.form == "register"]
    if len(registrations) != 1:
        found.append("Harus ada tepat satu hasil berformulir registrasi pengaduan "
                     f"(sekarang {len(registrations)}).")  # fmt: skip
    elif registrations[0][0].actor != "fo":
        found.append(f"Registrasi (langkah {registrations[0][0].no}) harus dilakukan Petugas FO.")
    for step in steps:
        where = f"Langkah {step.no}"
        if step.actor not in ACTORS:
            found.append(f"{where}: pelaksana '{step.actor}' tidak dikenal.")
        elif step.actor == PUBLIC and step.no != 1:
            found.append(f"{where}: hanya langkah 1 yang dilakukan Masyarakat; pilih pejabat.")
        if step.co_actor and (step.co_actor not in ACTORS or step.co_actor == PUBLIC):
            found.append(f"{where}: pemimpin '{step.co_actor}' tidak dikenal.")
        if not (step.time_minutes or step.time_working_days):
            found.append(f"{where}: standar waktu harus lebih dari nol.")
        if not step.outcomes:
            found.append(f"{where}: belum ada hasil; setiap langkah harus mengarah ke langkah "
                         "lain atau selesai.")  # fmt: skip
        seen = set()
        for o in step.outcomes:
            what = f"{where}, hasil '{o.label or o.code}'"
            if o.code in seen:
                found.append(f"{what}: kode '{o.code}' dipakai dua kali pada langkah ini.")
            seen.add(o.code)
            if o.next_step_no is None and o.ends not in ENDS:
                found.append(f"{what}: belum ditentukan ke mana hasil ini mengarah.")
            elif o.next_step_no is not None and o.next_step_no not in by_no:
                found.append(f"{what}: mengarah ke langkah {o.next_step_no} yang tidak ada.")
            if o.form not in FORMS:
                found.append(f"{what}: formulir '{o.form}' tidak dikenal.")
            if o.document:
                if o.document not in DOCUMENTS:
                    found.append(f"{what}: dokumen '{o.document}' tidak memiliki templat.")
                elif o.form not in FORMS or o.document not in FORMS[o.form].documents:
                    found.append(
                        f"{what}: dokumen {DOCUMENT_TITLES[o.document]} tidak dapat "
                        f"dibuat dari formulir {FORM_LABELS.get(o.form, o.form)}."
                    )
            for name in o.only_after_codes:
                if name not in codes:
                    found.append(f"{what}: hanya ditawarkan setelah hasil '{name}', padahal "
                                 "hasil itu tidak ada di SOP ini.")  # fmt: skip
    if first is not None:
        reached, todo = {1}, [1]
        while todo:
            for o in by_no[todo.pop()].outcomes:
                if o.next_step_no in by_no and o.next_step_no not in reached:
                    reached.add(o.next_step_no)
                    todo.append(o.next_step_no)
        for no in numbers:
            if no not in reached:
                found.append(f"Langkah {no} tidak pernah dicapai dari langkah 1.")
    if today is not None and sop.effective_on < today:
        found.append("Tanggal efektif tidak boleh sebelum hari ini: pengaduan yang sudah "
                     "diregistrasi tetap mengikuti revisi lamanya.")  # fmt: skip
    return found


def publish(sop: Sop, today: date) -> None:
    """Put the draft in force from its effective date.

    :raise RevisionInvalid: the engine could not run it, or the date is in the past.
    """
    found = problems(sop, today)
    if found:
        raise RevisionInvalid(found)
    sop.draft = False
    db.session.flush()


def delete_step(sop: Sop, no: int) -> None:
    """Remove step `no` of a draft and number the later steps one lower (their outcomes'
    targets follow).

    :raise RevisionInvalid: another outcome still leads to that step.
    """
    step = sop.step(no)
    leading = [f"langkah {s.no} ('{o.label}')" for s in sop.steps for o in s.outcomes
               if o.next_step_no == no and s.no != no]  # fmt: skip
    if leading:
        raise RevisionInvalid([f"Langkah {no} masih dituju oleh {', '.join(leading)}; ubah "
                               "hasil itu dahulu."])  # fmt: skip
    sop.steps.remove(step)
    db.session.flush()
    for later in sorted((s for s in sop.steps if s.no > no), key=lambda s: s.no):
        later.no -= 1
        db.session.flush()  # one at a time: (sop_id, no) stays unique
    for s in sop.steps:
        for o in s.outcomes:
            if o.next_step_no is not None and o.next_step_no > no:
                o.next_step_no -= 1
    db.session.flush()


HEADER_LABELS = {
    "number": "Nomor SOP", "name": "Nama SOP", "unit": "Unit", "made_on": "Tgl Pembuatan",
    "revised_on": "Tgl Revisi", "effective_on": "Tgl Efektif",
    "approver_position": "Jabatan pengesah", "approver_name": "Nama pengesah",
    "approver_rank": "Pangkat pengesah", "approver_nip": "NIP pengesah",
    "legal_basis": "Dasar Hukum", "qualifications": "Kualifikasi Pelaksana",
    "related": "Keterkaitan", "equipment": "Peralatan/Perlengkapan", "warnings": "Peringatan",
    "records": "Pencatatan dan Pendataan", "procedure_title": "Judul uraian prosedur",
    "reconstructed": "Direkonstruksi", "note": "Catatan",
}  # fmt: skip
# How a step reads in a comparison, in the order of the paper's columns.
STEP_WORDS = (
    ("Pelaksana", lambda s: s.actor_label),
    ("Nama singkat", lambda s: s.short_name),
    ("Kegiatan", lambda s: s.activity),
    ("Kelengkapan", lambda s: s.input_doc),
    ("Waktu", lambda s: s.time_label),
    ("Output", lambda s: s.output),
)


@dataclass(frozen=True)
class Change:
    """One thing said otherwise, in words: `before` empty for something new, `after` empty
    for something gone."""

    what: str
    before: str = ""
    after: str = ""

    def __str__(self) -> str:
        if self.before and self.after:
            return f"{self.what}: {self.before} → {self.after}"
        return f"{self.what}: {self.before or self.after}"


@dataclass(frozen=True)
class StepDiff:
    """A step as a comparison shows it: its number in the new revision and in the old one
    (None where it is not), how people name it and, for a step in both, what changes."""

    no: int | None
    old_no: int | None
    name: str
    actor: str
    activity: str
    time: str
    outcomes: tuple[str, ...]
    changes: tuple[Change, ...] = ()

    @property
    def moved(self) -> bool:
        return None not in (self.no, self.old_no) and self.no != self.old_no


@dataclass(frozen=True)
class Comparison:
    """What a revision changes against another, as plain data for a page: header fields,
    steps added, removed and changed (against no revision at all, every step is added)."""

    header: tuple[Change, ...]
    added: tuple[StepDiff, ...]
    removed: tuple[StepDiff, ...]
    changed: tuple[StepDiff, ...]

    def __bool__(self) -> bool:
        return bool(self.header or self.added or self.removed or self.changed)


def target_words(no: int | None, ends: str | None, names: dict[int, str]) -> str:
    """Where an outcome leads, as the admin reads it: "langkah 4 (Resume)" or "selesai"."""
    if no is None:
        return ENDS_LABELS.get(ends, "belum ditentukan")
    return f"langkah {no} ({names[no]})" if no in names else f"langkah {no}"


def outcome_names(sop: Sop) -> dict[str, str]:
    """Each outcome code of a revision as people name it: the outcome's name and its step."""
    names: dict[str, list[str]] = {}
    for step in sop.steps:
        for o in step.outcomes:
            names.setdefault(o.code, []).append(f"{o.label} (langkah {step.no})")
    return {code: " / ".join(labels) for code, labels in names.items()}


def outcome_code(label: str, taken: set[str]) -> str:
    """A code for a new outcome named `label`: its letters and digits in lower case joined by
    underscores, numbered when the step already has it."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:36] or "hasil"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}_{n}"
    return code


class _Words:
    """How one revision's outcomes read: their targets by step name, `only_after` by name."""

    def __init__(self, sop: Sop):
        self.steps = {s.no: s.short_name for s in sop.steps}
        self.outcomes = outcome_names(sop)

    def target(self, o: SopOutcome) -> str:
        return target_words(o.next_step_no, o.ends, self.steps)

    def outcome(self, o: SopOutcome) -> str:
        return f"{o.label} → {self.target(o)}"

    def only_after(self, o: SopOutcome) -> str:
        if not o.only_after_codes:
            return "selalu ditawarkan"
        return ", ".join(self.outcomes.get(c, c) for c in o.only_after_codes)


def _pairs(old: list[SopStep], new: list[SopStep]) -> list[tuple]:
    """The steps of two revisions side by side, (old, new), None where a step has no twin:
    aligned by their short names, so that a deleted step does not make every later step look
    changed; a renamed step in the same place stays the same step."""
    matcher = SequenceMatcher(None, [s.short_name for s in old], [s.short_name for s in new],
                              autojunk=False)  # fmt: skip
    pairs = []
    for _tag, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = old[i1:i2], new[j1:j2]
        both = min(len(olds), len(news))
        pairs += list(zip(olds[:both], news[:both], strict=True))
        pairs += [(s, None) for s in olds[both:]] + [(None, s) for s in news[both:]]
    return pairs


def _step_diff(step: SopStep, words: _Words, old_no=None, no=None, changes=()) -> StepDiff:
    return StepDiff(no=no, old_no=old_no, name=step.short_name, actor=step.actor_label,
                    activity=step.activity, time=step.time_label,
                    outcomes=tuple(words.outcome(o) for o in step.outcomes),
                    changes=tuple(changes))  # fmt: skip


def _document(o: SopOutcome) -> str:
    return DOCUMENT_TITLES.get(o.document, "tanpa dokumen")


def _outcome_changes(old: SopStep, new: SopStep, before: _Words, after: _Words,
                     renumbered: dict[int, int]) -> list[Change]:  # fmt: skip
    """The outcomes of one step compared, matched by their codes; a target counts as the same
    when it is the same step under its new number."""
    found = []
    olds = {o.code: o for o in old.outcomes}
    for o in new.outcomes:
        was = olds.pop(o.code, None)
        if was is None:
            found.append(Change("Hasil baru", after=after.outcome(o)))
            continue
        moved = (was.ends != o.ends if o.next_step_no is None
                 else renumbered.get(was.next_step_no) != o.next_step_no)  # fmt: skip
        pairs = [
            ("Nama", was.label, o.label),
            ("Formulir", FORM_LABELS.get(was.form, was.form), FORM_LABELS.get(o.form, o.form)),
            ("Dokumen", _document(was), _document(o)),
            ("Hanya ditawarkan setelah", before.only_after(was), after.only_after(o)),
        ]
        if moved:
            pairs.append(("Lanjut ke", before.target(was), after.target(o)))
        found += [Change(f"Hasil '{was.label}', {what}", a, b) for what, a, b in pairs if a != b]
    found += [Change("Hasil dihapus", before=before.outcome(o)) for o in olds.values()]
    return found


def _header_text(value) -> str:
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, date):
        return format_date_short(value)
    return value or "—"


def compare(old: Sop | None, new: Sop) -> Comparison:
    """What `new` changes against `old` (None: a new SOP, every step added), in words: the
    header fields, the steps added, removed and changed (actor, name, activity, time standard,
    outcomes and their form, target, document), each by its label, never a code."""
    if old is None:
        words = _Words(new)
        return Comparison((), tuple(_step_diff(s, words, no=s.no) for s in new.steps), (), ())
    header = tuple(Change(HEADER_LABELS[f], _header_text(getattr(old, f)),
                          _header_text(getattr(new, f)))
                   for f in HEADER_FIELDS
                   if f not in ("revised_on", "effective_on")
                   and getattr(old, f) != getattr(new, f))  # fmt: skip
    before, after = _Words(old), _Words(new)
    pairs = _pairs(sorted(old.steps, key=lambda s: s.no), sorted(new.steps, key=lambda s: s.no))
    renumbered = {o.no: n.no for o, n in pairs if o and n}
    added, removed, changed = [], [], []
    for o, n in pairs:
        if o is None:
            added.append(_step_diff(n, after, no=n.no))
        elif n is None:
            removed.append(_step_diff(o, before, old_no=o.no))
        else:
            found = [Change(what, text(o) or "—", text(n) or "—") for what, text in STEP_WORDS
                     if text(o) != text(n)]  # fmt: skip
            found += _outcome_changes(o, n, before, after, renumbered)
            if found or o.no != n.no:
                changed.append(_step_diff(n, after, old_no=o.no, no=n.no, changes=found))
    return Comparison(header, tuple(added), tuple(removed), tuple(changed))


def changes(old: Sop, new: Sop) -> list[str]:
    """What `new` changes against `old`, one line each, in Indonesian."""
    found = compare(old, new)
    lines = [f"{c.what} diubah." for c in found.header]
    lines += [f"Langkah {s.old_no} ({s.name}) dihapus." for s in found.removed]
    lines += [f"Langkah {s.no} ditambahkan: {s.activity}" for s in found.added]
    for step in found.changed:
        if step.moved:
            lines.append(f"Langkah {step.old_no} ({step.name}) kini langkah {step.no}.")
        lines += [f"Langkah {step.no}, {c}" for c in step.changes]
    return lines


def in_flight(code: str) -> int:
    """How many complaints of SOP `code` are still in progress (on whichever revision)."""
    from models.complaint import Complaint

    return db.session.scalar(
        select(func.count(Complaint.id)).join(Sop, Complaint.sop_id == Sop.id)
        .where(Sop.code == code, Complaint.status == "in_progress"))  # fmt: skip


def takes_effect(sop: Sop) -> list[str]:
    """What publishing `sop` does, in Indonesian: from which date it is given to complaints,
    and that complaints already registered keep their revision (the rule of `current_sop`,
    `Complaint.sop_id` and `Submission.sop_id`)."""
    day = format_date_long(sop.effective_on)
    running = in_flight(sop.code)
    now = (f"saat ini {running} pengaduan {sop.code} sedang berjalan" if running
           else f"saat ini tidak ada pengaduan {sop.code} yang sedang berjalan")  # fmt: skip
    return [
        f"Pengaduan {sop.code} yang diterima mulai {day} mengikuti revisi {sop.revision}.",
        "Pengaduan yang sudah diregistrasi tetap mengikuti revisi lamanya sampai selesai; "
        f"langkah dan standar waktunya tidak berubah ({now}).",
        f"Pengaduan yang diterima sebelum {day} tetap mengikuti revisi yang berlaku pada tanggal "
        "diterimanya, walaupun diregistrasi kemudian; pengaduan daring yang menunggu "
        "registrasi mengikuti revisi yang berlaku ketika dikirim.",
    ]


ACTOR_CHOICES = [(a, ACTOR_LABELS[a]) for a in ACTORS]
