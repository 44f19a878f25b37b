"""The SOPs laid out as the paper sheet, and their revision by the admin.

Every official reads the revisions in force. The admin copies a revision into a draft, edits
its header and steps here, and publishes it from an effective date (models/sop_revision.py);
a published revision is never changed.
"""

import re
from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from admin_views.base import SecureModelView, may_open
from admin_views.i18n import AdminBaseForm, AppForm
from models import Complaint, Role, Sop, SopOutcome, SopStep, db
from models.dates import format_date_long, format_date_short, today_wib
from models.kinds import DOCUMENT_TITLES, FORM_LABELS
from models.params import MAX_ID, parse_count, parse_id
from models.sop import ACTOR_LABELS, ACTORS, ENDS_LABELS, current_sop, sop_codes
from models.sop_revision import (
    ACTOR_CHOICES,
    HEADER_FIELDS,
    RevisionInvalid,
    changes,
    compare,
    copy_revision,
    delete_step,
    outcome_code,
    outcome_names,
    problems,
    publish,
    revisions,
    takes_effect,
    target_words,
)
from models.swimlane import swimlane

CODE = Regexp(r"^[a-z0-9_]+$", message="Hanya huruf kecil, angka dan garis bawah.")
LINES = ("legal_basis", "qualifications", "related", "equipment", "warnings", "records")


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _not_before_today(_form, field):
    if field.data and field.data < today_wib():
        raise ValidationError("Tanggal efektif tidak boleh sebelum hari ini.")


class HeaderForm(AppForm):
    """The header of the paper sheet."""

    number = StringField("Nomor SOP", validators=[DataRequired(), Length(max=60)])
    name = TextAreaField("Nama SOP", validators=[DataRequired(), Length(max=1000)])
    unit = StringField("Unit pemilik", validators=[DataRequired(), Length(max=200)])
    made_on = DateField("Tgl Pembuatan", validators=[InputRequired("Tanggal wajib diisi.")])
    revised_on = DateField("Tgl Revisi", validators=[Optional()])
    effective_on = DateField("Tgl Efektif", validators=[InputRequired("Tanggal wajib diisi."),
                                                        _not_before_today])  # fmt: skip
    approver_position = StringField("Disahkan oleh (jabatan)",
                                    validators=[DataRequired(), Length(max=200)])  # fmt: skip
    approver_name = StringField("Nama pengesah", validators=[DataRequired(), Length(max=120)])
    approver_rank = StringField("Pangkat pengesah", validators=[Length(max=80)])
    approver_nip = StringField(
        "NIP pengesah",
        validators=[Regexp(r"^\d{18}$", message="NIP terdiri atas 18 angka tanpa spasi.")],
    )
    legal_basis = TextAreaField("Dasar Hukum (satu per baris)")
    qualifications = TextAreaField("Kualifikasi Pelaksana (satu per baris)")
    related = TextAreaField("Keterkaitan (satu per baris)")
    equipment = TextAreaField("Peralatan/Perlengkapan (satu per baris)")
    warnings = TextAreaField("Peringatan (satu per baris)")
    records = TextAreaField("Pencatatan dan Pendataan (satu per baris)")
    procedure_title = TextAreaField("Judul uraian prosedur", validators=[DataRequired()])
    reconstructed = BooleanField("Tabel prosedur direkonstruksi")
    note = TextAreaField("Catatan", validators=[Length(max=2000)])


class OutcomeForm(AdminBaseForm):
    """One way a step ends; a row left blank is ignored, a ticked `remove` drops the row. The
    code is the engine's name of the outcome: made from the name when left empty."""

    label = StringField("Nama hasil", validators=[Length(max=200)])
    form = SelectField(
        "Formulir yang diisi", choices=_choices([("", "— pilih formulir —"), *FORM_LABELS.items()])
    )
    leads_to = SelectField("Lanjut ke", validate_choice=False)
    document = SelectField(
        "Dokumen", choices=_choices([("", "tanpa dokumen"), *DOCUMENT_TITLES.items()])
    )
    only_after = SelectMultipleField(
        "Hanya ditawarkan bila langkah ini dicapai lewat",
        validate_choice=False,  # an outcome no longer in the SOP: `problems` names it
        description="Kosongkan bila hasil ini selalu ditawarkan.",
    )
    code = StringField("Kode (untuk sistem)", validators=[Optional(), CODE, Length(max=40)],
                       description="Boleh dikosongkan: dibuat dari nama hasil.")  # fmt: skip
    remove = BooleanField("Hapus hasil ini")

    def is_blank(self) -> bool:
        typed = ((self.label.data or "").strip(), (self.code.data or "").strip())
        chosen = (self.form.data, self.leads_to.data, self.document.data, self.only_after.data)
        return not any((*typed, *chosen))


class SopStepForm(AppForm):
    """One row of the paper's table, with its outcomes."""

    actor = SelectField(
        "Pelaksana",
        choices=_choices([("", "— pilih pelaksana —"), *ACTOR_CHOICES]),
        validators=[DataRequired("Pilih pelaksana langkah ini.")],
    )
    co_actor = SelectField(
        "Dipimpin oleh (bila ada)", choices=_choices([("", "— tidak ada —"), *ACTOR_CHOICES[1:]])
    )
    activity = TextAreaField("Kegiatan", validators=[DataRequired(), Length(max=2000)])
    short_name = StringField("Nama singkat (di antrian)",
                             validators=[DataRequired(), Length(max=60)])  # fmt: skip
    input_doc = StringField("Kelengkapan", validators=[Length(max=200)])
    time_amount = IntegerField(
        "Waktu",
        validators=[
            InputRequired("Standar waktu wajib diisi."),
            NumberRange(min=1, max=100_000, message="Standar waktu harus lebih dari nol."),
        ],
    )
    time_unit = SelectField(
        "Satuan", choices=_choices([("minutes", "menit"), ("days", "hari kerja")])
    )
    output = StringField("Output", validators=[Length(max=200)])
    outcomes = FieldList(FormField(OutcomeForm), min_entries=1)

    def kept_outcomes(self) -> list[OutcomeForm]:
        """The outcome rows to save: neither blank nor ticked for removal."""
        return [e.form for e in self.outcomes.entries
                if not e.form.is_blank() and not e.form.remove.data]  # fmt: skip

    def validate_outcomes(self, _field):
        kept = self.kept_outcomes()
        for sub in kept:
            if not (sub.label.data or "").strip():
                raise ValidationError("Setiap hasil memerlukan nama.")
            if not sub.form.data:
                raise ValidationError(f"Hasil '{sub.label.data}': pilih formulir yang diisi.")
            if not (sub.leads_to.data or "").isdigit() and sub.leads_to.data not in ENDS_LABELS:
                raise ValidationError(f"Hasil '{sub.label.data}': pilih ke mana hasil ini "
                                      "mengarah.")  # fmt: skip
        codes = [sub.code.data.strip() for sub in kept if (sub.code.data or "").strip()]
        if len(codes) != len(set(codes)):
            raise ValidationError("Kode hasil tidak boleh sama dalam satu langkah.")


class NewSopForm(AppForm):
    code = StringField(
        "Kode SOP baru",
        validators=[DataRequired(), Regexp(r"^SOP\.\d{1,3}$", message="Tulis seperti SOP.51.")],
    )
    source = SelectField("Salin dari", coerce=int)
    effective_on = DateField("Tgl Efektif", validators=[InputRequired("Tanggal wajib diisi."),
                                                        _not_before_today])  # fmt: skip


def _leads_to_choices(sop: Sop, number: int) -> list[SelectChoice]:
    """Where an outcome may lead: a step by its number and name (the one being added too), or
    an end; nothing chosen until the admin chooses."""
    names = {s.no: s.short_name for s in sop.steps}
    names.setdefault(number, "langkah yang sedang ditambahkan")
    steps = [(str(no), target_words(no, None, names)) for no in sorted(names)]
    ends = [(end, target_words(None, end, names)) for end in ENDS_LABELS]
    return _choices([("", "— pilih —"), *steps, *ends])


def _entered_by_choices(sop: Sop, held) -> list[SelectChoice]:
    """The outcomes of the draft by name and step; one held that the draft no longer has is
    listed as such, so that the admin sees it and can drop it."""
    names = outcome_names(sop)
    gone = [(code, "hasil yang sudah tidak ada di SOP ini") for code in held or ()
            if code not in names]  # fmt: skip
    return _choices([*names.items(), *gone])


def _is_admin() -> bool:
    return may_open((Role.ADMIN,))


def _status(sop: Sop, in_force: Sop | None) -> str:
    if sop.draft:
        return "Draf (belum berlaku)"
    if in_force is not None and sop.id == in_force.id:
        return "Berlaku"
    if sop.effective_on > today_wib():
        return f"Berlaku mulai {format_date_long(sop.effective_on)}"
    return "Diganti"


class SopView(SecureModelView):
    """Every official may read the SOPs in force; the admin revises them."""

    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    column_list = ("code", "revision", "number", "name", "effective_on", "draft",
                   "reconstructed")  # fmt: skip
    column_labels = {
        "code": "SOP",
        "revision": "Revisi",
        "number": "Nomor SOP",
        "name": "Nama SOP",
        "effective_on": "Tgl Efektif",
        "draft": "Draf",
        "reconstructed": "Rekonstruksi",
    }
    column_default_sort = [("code", False), ("revision", False)]
    column_formatters = {"effective_on": lambda v, c, m, n: format_date_short(m.effective_on)}
    column_descriptions = {
        "reconstructed": "Tabel prosedur direkonstruksi karena hilang pada sumber.",
        "draft": "Revisi yang sedang disusun admin; belum berlaku bagi siapa pun.",
    }
    list_template = "admin/sop_list.html"

    def get_query(self):
        query = super().get_query()
        return query if _is_admin() else query.where(Sop.draft.is_(False))

    def get_count_query(self):
        query = super().get_count_query()
        return query if _is_admin() else query.where(Sop.draft.is_(False))

    # --- reading ---------------------------------------------------------------------------

    def _sop_or_404(self, draft_only=False) -> Sop:
        sop_id = parse_id(request.args.get("id"))
        sop = db.session.get(
            Sop, sop_id, options=[selectinload(Sop.steps).selectinload(SopStep.outcomes)]
        ) if sop_id else None  # fmt: skip
        if sop is None or (sop.draft and not _is_admin()):
            abort(404)
        return sop

    @expose("/details/")
    def details_view(self):
        """Show one SOP revision as the paper shows it, beside its other revisions."""
        sop = self._sop_or_404()
        others = [r for r in revisions(sop.code) if _is_admin() or not r.draft]
        in_force = current_sop(sop.code, today_wib())
        used = dict(db.session.execute(
            select(Complaint.sop_id, func.count(Complaint.id))
            .where(Complaint.sop_id.in_([r.id for r in others])).group_by(Complaint.sop_id)
        ).all())  # fmt: skip
        earlier = [r for r in others if r.revision < sop.revision and not r.draft]
        found = problems(sop) if sop.draft else []
        return self.render(
            "admin/sop_details.html",
            sop=sop,
            diagram=None if found else swimlane(sop),
            lanes=ACTORS,
            lane_labels=ACTOR_LABELS,
            date_short=format_date_short,
            revisions=[(r, _status(r, in_force), used.get(r.id, 0)) for r in others],
            changed=changes(earlier[-1], sop) if earlier else None,
            previous=earlier[-1] if earlier else None,
            problems=found,
            editing=_is_admin() and sop.draft,
            may_revise=_is_admin() and not sop.draft,
            ends_labels=ENDS_LABELS,
        )

    # --- the admin's revision pages --------------------------------------------------------

    def _draft(self) -> Sop:
        """The draft asked for (admin only); a published revision sends the admin back to its
        page with the reason."""
        if not _is_admin():
            abort(403)
        sop = self._sop_or_404()
        if not sop.draft:
            flash("Revisi yang sudah diterbitkan tidak dapat diubah; buat revisi baru.", "error")
            abort(redirect(url_for(".details_view", id=sop.id)))
        return sop

    @expose("/revisi/", methods=("POST",))
    def revise_view(self):
        """Copy a published revision into a new draft, effective tomorrow by default."""
        if not _is_admin():
            abort(403)
        source = self._sop_or_404()
        waiting = [r for r in revisions(source.code) if r.draft]
        if waiting:
            flash(f"{source.code} sudah memiliki draf revisi {waiting[0].revision}; lanjutkan "
                  "draf itu.", "warning")  # fmt: skip
            return redirect(url_for(".details_view", id=waiting[0].id))
        draft = copy_revision(source, today_wib() + timedelta(days=1))
        db.session.commit()
        flash(f"Draf revisi {draft.revision} {draft.code} dibuat dari revisi {source.revision}. "
              "Ubah lalu terbitkan.", "success")  # fmt: skip
        return redirect(url_for(".details_view", id=draft.id))

    @expose("/baru/", methods=("GET", "POST"))
    def new_view(self):
        """A new SOP (e.g. for a new channel), starting as a copy of one in force."""
        if not _is_admin():
            abort(403)
        form = NewSopForm()
        today = today_wib()
        sources = [current_sop(code, today) for code in sop_codes(published_only=True)]
        form.source.choices = _choices((s.id, f"{s.code} rev. {s.revision}") for s in sources if s)
        if request.method == "GET":
            form.effective_on.data = today + timedelta(days=1)
        if form.validate_on_submit():
            code = form.code.data.strip()
            if db.session.scalar(select(func.count(Sop.id)).where(Sop.code == code)):
                form.code.errors.append(f"{code} sudah ada; buat revisi barunya dari halamannya.")
            else:
                draft = copy_revision(db.session.get(Sop, form.source.data),
                                      form.effective_on.data, code=code)  # fmt: skip
                draft.number = re.sub(r"SOP\.\d+", code, draft.number)
                db.session.commit()
                flash(f"Draf {code} dibuat. Ubah kepala dan langkahnya, lalu terbitkan.",
                      "success")  # fmt: skip
                return redirect(url_for(".details_view", id=draft.id))
        status = 400 if request.method == "POST" else 200
        return self.render("admin/sop_new.html", form=form), status

    @expose("/kepala/", methods=("GET", "POST"))
    def header_view(self):
        """Edit the header of a draft."""
        sop = self._draft()
        form = HeaderForm(obj=sop) if request.method == "GET" else HeaderForm()
        if form.validate_on_submit():
            for name in HEADER_FIELDS:
                value = form[name].data
                if name in LINES:
                    value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
                setattr(sop, name, value)
            db.session.commit()
            flash("Kepala SOP tersimpan.", "success")
            return redirect(url_for(".details_view", id=sop.id))
        status = 400 if request.method == "POST" else 200
        return self.render("admin/sop_edit.html", sop=sop, form=form, title="Kepala SOP"), status

    @expose("/langkah/", methods=("GET", "POST"))
    def step_view(self):
        """Edit a step of a draft and its outcomes; without `no`, add a step at the end."""
        sop = self._draft()
        no = request.args.get("no", type=int)
        step = next((s for s in sop.steps if s.no == no), None)
        if no is not None and step is None:
            abort(404)
        number = step.no if step else len(sop.steps) + 1
        if request.method == "GET":
            form = SopStepForm(obj=step) if step else SopStepForm()
            if step:
                form.time_amount.data = step.time_minutes or step.time_working_days
                form.time_unit.data = "minutes" if step.time_minutes else "days"
                form.co_actor.data = step.co_actor or ""
                while form.outcomes.entries:
                    form.outcomes.pop_entry()
                for o in step.outcomes:
                    form.outcomes.append_entry({
                        "code": o.code, "label": o.label, "form": o.form,
                        "leads_to": str(o.leads_to), "document": o.document or "",
                        "only_after": list(o.only_after_codes)})  # fmt: skip
                form.outcomes.append_entry()  # one empty row: a new outcome
        else:
            form = SopStepForm()
        targets = _leads_to_choices(sop, number)
        for entry in form.outcomes.entries:
            entry.form.leads_to.choices = targets
            entry.form.only_after.choices = _entered_by_choices(sop, entry.form.only_after.data)
        if form.validate_on_submit():
            if step is None:
                step = SopStep(no=number)
                sop.steps.append(step)
            self._save_step(step, form)
            db.session.commit()
            flash(f"Langkah {step.no} tersimpan.", "success")
            return redirect(url_for(".details_view", id=sop.id, _anchor=f"langkah-{step.no}"))
        status = 400 if request.method == "POST" else 200
        return self.render("admin/sop_edit.html", sop=sop, form=form,
                           title=f"Langkah {number}"), status  # fmt: skip

    @staticmethod
    def _save_step(step: SopStep, form: SopStepForm) -> None:
        step.actor = form.actor.data
        step.co_actor = form.co_actor.data or None
        step.activity = form.activity.data.strip()
        step.short_name = form.short_name.data.strip()
        step.input_doc = (form.input_doc.data or "").strip()
        step.output = (form.output.data or "").strip()
        minutes = form.time_unit.data == "minutes"
        step.time_minutes = form.time_amount.data if minutes else None
        step.time_working_days = None if minutes else form.time_amount.data
        step.outcomes.clear()
        db.session.flush()  # the old rows go before new ones may reuse their codes
        kept = form.kept_outcomes()
        taken = {sub.code.data.strip() for sub in kept if (sub.code.data or "").strip()}
        for position, sub in enumerate(kept):
            target = sub.leads_to.data or ""
            label = sub.label.data.strip()
            code = (sub.code.data or "").strip() or outcome_code(label, taken)
            taken.add(code)
            step.outcomes.append(SopOutcome(
                position=position, code=code, label=label,
                form=sub.form.data, document=sub.document.data or None,
                next_step_no=parse_count(target, MAX_ID) if target.isdigit() else None,
                ends=None if target.isdigit() else (target or None),
                only_after=",".join(c.strip() for c in sub.only_after.data or () if c.strip())
                or None,
            ))  # fmt: skip

    @expose("/hapus-langkah/", methods=("POST",))
    def step_delete_view(self):
        """Remove a step of a draft; later steps move up one number."""
        sop = self._draft()
        no = request.args.get("no", type=int)
        if no not in {s.no for s in sop.steps}:
            abort(404)
        try:
            delete_step(sop, no)
        except RevisionInvalid as invalid:
            db.session.rollback()
            for line in invalid.problems:
                flash(line, "error")
        else:
            db.session.commit()
            flash(f"Langkah {no} dihapus; langkah sesudahnya bergeser satu nomor.", "success")
        return redirect(url_for(".details_view", id=sop.id))

    @expose("/terbitkan/", methods=("GET", "POST"))
    def publish_view(self):
        """Show what publishing a draft changes and when it takes effect (GET); put it in force
        from its effective date (POST), if the engine can run it."""
        sop = self._draft()
        if request.method == "GET":
            return self._publish_page(sop)
        try:
            publish(sop, today_wib())
        except RevisionInvalid as invalid:
            db.session.rollback()
            flash("Revisi belum dapat diterbitkan:", "error")
            for line in invalid.problems:
                flash(line, "error")
            return redirect(url_for(".details_view", id=sop.id))
        effect = takes_effect(sop)
        db.session.commit()
        flash(f"{sop.code} revisi {sop.revision} diterbitkan. {effect[0]} {effect[1]}",
              "success")  # fmt: skip
        return redirect(url_for(".details_view", id=sop.id))

    def _publish_page(self, sop: Sop):
        """The confirmation: the changes against the revision in force, the effect on
        complaints, and what still keeps the draft from being published."""
        today = today_wib()
        in_force = current_sop(sop.code, today)
        return self.render(
            "admin/sop_publish.html",
            sop=sop,
            in_force=in_force,
            comparison=compare(in_force, sop),
            effect=takes_effect(sop),
            problems=problems(sop, today),
            date_short=format_date_short,
        )

    @expose("/hapus-draf/", methods=("POST",))
    def discard_view(self):
        """Drop a draft (a published revision is never deleted)."""
        sop = self._draft()
        code, revision = sop.code, sop.revision
        db.session.delete(sop)
        db.session.commit()
        flash(f"Draf revisi {revision} {code} dihapus.", "success")
        return redirect(url_for(".index_view"))
