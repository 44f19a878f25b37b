"""Revising an SOP in the admin: copy a revision into a draft, check its step graph, publish it.

A draft (`Sop.draft`) is in force for nobody. Publishing it checks that the engine can run it
(`problems`) and fixes its effective date; from that date `current_sop` gives it to newly
registered complaints, while complaints in flight keep the revision they were registered under
(`Complaint.sop_id`). A published revision is never edited or deleted; a draft may be dropped.
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import db
from models.dates import today_wib
from models.kinds import DOCUMENT_TITLES, DOCUMENTS, FORM_LABELS, FORMS
from models.sop import (
    ACTOR_LABELS,
    ACTORS,
    CLOSING_KINDS,
    ENDS,
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
            found.append(f"Tahap penutup '{kind}' hanya boleh ada pada satu langkah (sekarang "
                         f"langkah {', '.join(map(str, closing))}).")  # fmt: skip
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
                    found.append(f"{what}: 'hanya setelah' menyebut hasil '{name}' yang tidak "
                                 "ada di SOP ini.")  # fmt: skip
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


def _step_text(step: SopStep) -> dict:
    return {
        "Pelaksana": step.actor_label,
        "Kegiatan": step.activity,
        "Kelengkapan": step.input_doc,
        "Waktu": step.time_label,
        "Output": step.output,
        "Hasil": "; ".join(f"{o.label} → {o.leads_to_label}" for o in step.outcomes),
    }


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


def changes(old: Sop, new: Sop) -> list[str]:
    """What `new` changes against `old`, one line each, in Indonesian."""
    found = []
    for field in HEADER_FIELDS:
        if field in ("revised_on", "effective_on"):
            continue
        if getattr(old, field) != getattr(new, field):
            found.append(f"{HEADER_LABELS[field]} diubah.")
    before = {s.no: _step_text(s) for s in old.steps}
    after = {s.no: _step_text(s) for s in new.steps}
    for no in sorted(set(before) | set(after)):
        if no not in after:
            found.append(f"Langkah {no} dihapus.")
        elif no not in before:
            found.append(f"Langkah {no} ditambahkan: {after[no]['Kegiatan']}")
        else:
            for name, value in after[no].items():
                if before[no][name] != value:
                    found.append(f"Langkah {no}, {name}: {before[no][name]} → {value}")
    return found


ACTOR_CHOICES = [(a, ACTOR_LABELS[a]) for a in ACTORS]
