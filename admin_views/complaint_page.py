"""The complaint page and what officials do on it: act on the open step, stop or restart the
clock, reveal a hidden identity with a reason, print the documents and the register book,
download attachments."""

from flask import (
    abort,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_admin import expose
from flask_login import current_user
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

from admin_views.base import draft_saved, may_open, safe_path
from admin_views.complaint_lists import (
    DEADLINE_BADGES,
    OVERALL_BADGES,
    ComplaintList,
    working_calendar,
)
from admin_views.i18n import AppForm
from admin_views.responses import file_response
from models import (
    Attachment,
    Complaint,
    StepRecord,
    db,
)
from models.accounts import ROLE_LABELS, Role
from models.actors import (
    class_role,
    clock_role,
    forward_role,
    meeting_role,
    merge_role,
    open_step,
    why_not,
)
from models.answer_templates import templates_for
from models.case_file import case_file
from models.closing import forward, merge, merged_into, move_form, move_meeting, set_class
from models.dates import (
    format_moment,
    to_wib,
    today_wib,
)
from models.deadlines import deadline_state, overall_state
from models.documents import (
    complainant,
    document_links,
    filename,
    record_document,
    register_book,
)
from models.drafts import open_drafts
from models.duplicates import similar
from models.identity import (
    REVEAL_MINUTES,
    RevealRefused,
    identity_hidden,
    reveal,
    reveal_in_force,
    sees_identities,
    visible_complaints,
)
from models.kinds import DOCUMENT_TITLES
from models.lapor import (
    class_label,
    followup_text,
    mark_followup_posted,
    mark_report_closed,
    national_limits,
)
from models.lapor_api import api_ready, latest_post, queue_followup
from models.masterdata import ComplaintClass, OtherAgency, offered
from models.params import parse_id
from models.pdf import render_pdf, render_register
from models.scans import PURPOSES, ScanRefused, file_scan, files_scans, may_file, scans_of
from models.settings import agency_settings
from models.step_forms import read_upload
from models.survey import SCALE, UNSUR
from models.swimlane import complaint_swimlane
from models.tracking import format_code, qr_svg, reissue, tracking_url
from models.types import utcnow
from models.workflow import (
    ActionRefused,
    FormInvalid,
    advance,
    form_for,
    history_of,
    last_record,
    offered_outcomes,
    pause,
    resume,
    role_label,
    save_draft,
)


class ComplaintPage:
    """Mixin of a complaint list: the page of one complaint and its actions."""

    def _complaint_or_404(self):
        complaint = self.get_one(request.args.get("id"))
        if complaint is None:
            abort(404)
        return complaint

    def _acted_on_or_gone(self):
        """The complaint a POST acts on; if another official has moved it out of this list
        since the user's page was shown (the posted version is older), back to the list with
        who did it (when the user may see it at all); else 404."""
        complaint = self.get_one(request.args.get("id"))
        if complaint is not None:
            return complaint, None
        moved = self._moved()
        seen = request.form.get("version", type=int)  # the version the official's page showed
        if moved is None or seen is None or seen >= moved.version:
            abort(404)
        record = last_record(moved)
        who = record.actor.full_name if record and record.actor else "pejabat lain"
        when = format_moment(record.finished_at)
        flash(f"Pengaduan {moved.reg_number} sudah ditindaklanjuti oleh {who} pada {when} dan "
              "tidak lagi menunggu Anda; isian Anda belum tersimpan.", "warning")  # fmt: skip
        return None, (self.render("admin/moved_on.html", complaint=moved, record=record,
                                  waiting=why_not(moved, current_user),
                                  typed_text=typed_text(moved)), 409)  # fmt: skip

    def _render_complaint(self, complaint, failed=None, refused=None, status=200,
                          revealed=None, typed=None, lost=None, moving=None):  # fmt: skip
        """The complaint page; `revealed` is the reveal just logged (its identity is shown,
        prefilled and carried into the document links of this page only); `lost` the texts
        of a form that could not be saved, shown to copy.

        Of the open step's outcomes one form shows (the others hidden until chosen): the one
        that failed, else the one asked for (`?hasil=`), else the first the SOP offers."""
        history = history_of(complaint)
        who = complainant(complaint, reveal=revealed is not None,
                          allowed=sees_identities(current_user))  # fmt: skip
        forms, drafts = [], {}
        reason = why_not(complaint, current_user)
        if reason is None:
            saved = open_drafts(complaint)
            for outcome in offered_outcomes(complaint):
                draft = saved.get(outcome.code)
                if failed is not None and failed[0] == outcome.code:
                    forms.append((outcome, failed[1]))
                    continue
                if draft is not None:  # saved to finish later: the form starts from it
                    drafts[outcome.code] = draft
                formdata = draft.formdata() if draft is not None else None
                forms.append((outcome, form_for(complaint, outcome, formdata, who=who)))
        codes = [outcome.code for outcome, _form in forms]
        asked = failed[0] if failed is not None else request.args.get("hasil")
        drafted = next(iter(drafts), None)
        chosen = asked if asked in codes else (drafted or (codes[0] if codes else None))
        letters = any(outcome.form == "answer" for outcome, _form in forms)
        stage = open_step(complaint)
        now = utcnow()
        may_merge = merge_role(complaint, current_user, now) is not None
        return self.render(
            "admin/complaint_page.html",
            complaint=complaint,
            who=who,
            rating=complaint.rating if complaint.status == "closed" else None,
            rating_comment=sees_identities(current_user),  # the citizen's words may name them
            unsur=UNSUR,
            scale=SCALE,
            lapor_class=class_label,
            lapor_limits=national_limits(complaint, utcnow(), working_calendar()),
            lapor_api=api_ready(),
            lapor_post=latest_post(complaint.id) if complaint.lapor_tracking_no else None,
            lapor_followup=followup_text(complaint, history)
            if complaint.lapor_tracking_no
            else None,
            may_reveal=identity_hidden(complaint)
            and sees_identities(current_user)
            and revealed is None,
            reveal_id=revealed.id if revealed is not None else None,
            stage=stage,
            history=history,
            sop_diagram=complaint_swimlane(complaint, history),
            forms=forms,
            drafts=drafts,
            answer_templates=templates_for(complaint, who) if letters else [],
            chosen=chosen,
            failed=failed is not None,
            typed_text=lost,
            reason=refused or reason,
            deadline=deadline_state(complaint, utcnow()),
            documents=document_links(complaint, history),
            scans=scans_of(complaint),
            purposes=PURPOSES,
            may_file=lambda purpose, record: may_file(current_user, purpose, record, now),
            badges=DEADLINE_BADGES,
            overall_badges=OVERALL_BADGES,
            role_label=role_label,
            role_labels=ROLE_LABELS,
            may_pause=clock_role(complaint, current_user) is not None,
            overall=overall_state(complaint, now),
            classes=offered(ComplaintClass) if class_role(complaint, current_user, now) else None,
            agencies=offered(OtherAgency) if forward_role(complaint, current_user, now) else None,
            moving=moving
            if moving is not None
            else (move_form(complaint) if meeting_role(complaint, current_user, now) else None),
            may_merge=may_merge,
            similar=similar(
                current_user,
                complaint.subject,
                complaint.complainant_contact,
                complaint.lapor_tracking_no,
                now,
                exclude_id=complaint.id,
            )
            if may_merge and request.args.get("mirip")  # asked for: not on every page view
            else None,
            merged=merged_into(complaint),
            links=self.reads_register(),  # other complaints' pages: in Semua pengaduan
            typed=typed or {},
            front_office=current_user.holds(Role.FO, today_wib()),
            return_url=safe_path(request.args.get("url"), url_for(".index_view")),
        ), status

    def _moved(self):
        """The complaint of the request that is not in this list (a queue it has left) but
        that the official may read in Semua pengaduan; None when not."""
        if not self.reads_register():
            return None
        return ComplaintList.scope(self, db.session.query(Complaint)).filter(
            Complaint.id == parse_id(request.args.get("id"))).first()  # fmt: skip

    @expose("/details/")
    def details_view(self):
        """Show a complaint: its fields, attachments, history and the actions open to the user.
        One that has left this queue (Back, an old bookmark) says what happened to it and
        where to read it (404: not here).
        """
        complaint = self.get_one(request.args.get("id"))
        if complaint is not None:
            return self._render_complaint(complaint)
        moved = self._moved()
        if moved is None:
            abort(404)
        return self.render("admin/moved_on.html", complaint=moved, record=last_record(moved),
                           waiting=why_not(moved, current_user), typed_text=None), 404  # fmt: skip

    @expose("/ungkap/", methods=("POST",))
    def reveal_view(self):
        """Show a hidden complainant's identity on this page once, logging who, when and why.

        :raise 403: the user's role may not see identities.
        """
        complaint = self._complaint_or_404()
        try:
            entry = reveal(complaint, current_user, request.form.get("reason", ""))
        except RevealRefused as refused:
            if refused.status == 403:
                abort(403)
            flash(refused.message, "error")
            return self._render_complaint(complaint, status=400)
        flash(f"Identitas pengadu dibuka untuk halaman ini (dan dokumennya selama "
              f"{REVEAL_MINUTES} menit dari halaman ini); pembukaan ini tercatat.",
              "warning")  # fmt: skip
        return self._render_complaint(complaint, revealed=entry)

    @expose("/aksi/", methods=("POST",))
    def act_view(self):
        """Finish the open step with the posted outcome.

        :raise 403: the user does not act on this step now.
        :raise 404: the complaint is not in this list.
        """
        complaint, gone = self._acted_on_or_gone()
        if gone:
            return gone
        outcome = request.form.get("outcome", "")
        version = request.form.get("version", type=int)
        try:
            record = advance(complaint.id, current_user, outcome, request.form,
                             expected_version=version)  # fmt: skip
        except FormInvalid as invalid:
            flash("Isian belum lengkap atau belum benar; periksa pesan di bawah.", "error")
            return self._render_complaint(complaint, failed=(outcome, invalid.form), status=400)
        except ActionRefused as refused:
            db.session.rollback()
            complaint, gone = self._acted_on_or_gone()  # another official may have moved it
            if gone:
                return gone
            return self._render_complaint(complaint, refused=refused.message,
                                          status=refused.status,
                                          lost=typed_text(complaint))  # fmt: skip
        db.session.refresh(complaint)
        draft_saved(f"aksi:{complaint.id}:")
        flash(f"Tersimpan: {record.outcome_label} — pengaduan {complaint.reg_number}. "
              f"{_next_text(complaint)}", "success")  # fmt: skip
        return redirect(self._next_task(complaint))

    def _next_task(self, complaint) -> str:
        """Where an official lands after acting: the same complaint when its next stage is
        theirs too (the Kepala Dinas's steps 8 → 9), else the next complaint their queue
        holds (by due moment), else the list."""
        if why_not(complaint, current_user) is None and self.get_one(str(complaint.id)):
            return url_for(".details_view", id=complaint.id)
        if getattr(self, "queue_role", None):
            following = self.get_query().filter(Complaint.id != complaint.id) \
                .order_by(None).order_by(Complaint.due_at.is_(None), Complaint.due_at,
                                         Complaint.id).first()  # fmt: skip
            if following is not None:
                return url_for(".details_view", id=following.id)
        return url_for(".index_view")

    @expose("/draf/", methods=("POST",))
    def draft_view(self):
        """Keep the open step's form as typed so far, to finish later (who acts on it).

        :raise 403: the user does not act on this step now.
        """
        complaint, gone = self._acted_on_or_gone()
        if gone:
            return gone
        outcome = request.form.get("outcome", "")
        try:
            save_draft(complaint.id, current_user, outcome, request.form,
                       expected_version=request.form.get("version", type=int))  # fmt: skip
        except ActionRefused as refused:
            db.session.rollback()
            if refused.status == 403:
                abort(403)
            complaint, gone = self._acted_on_or_gone()
            if gone:
                return gone
            return self._render_complaint(complaint, refused=refused.message,
                                          status=refused.status,
                                          lost=typed_text(complaint))  # fmt: skip
        draft_saved(f"aksi:{complaint.id}:{outcome}")  # the server keeps it now
        flash("Draf tersimpan. Lanjutkan kapan saja dari halaman pengaduan ini; draf hilang "
              "setelah langkah ini selesai.", "success")  # fmt: skip
        return redirect(url_for(".details_view", id=complaint.id, hasil=outcome,
                                url=request.args.get("url")) + "#tindakan")  # fmt: skip

    @expose("/jeda/", methods=("POST",))
    def pause_view(self):
        """Stop the complaint's clock with a reason (Kasi or Kabid).

        :raise 403: the user is neither (acting) Kasi nor Kabid.
        """
        complaint = self._complaint_or_404()
        return self._clock(complaint, lambda: pause(complaint.id, current_user,
                                                    request.form.get("reason", "")),
                           "Jam penanganan dihentikan sementara.")  # fmt: skip

    @expose("/lanjut/", methods=("POST",))
    def resume_view(self):
        """Restart the complaint's clock (Kasi or Kabid)."""
        complaint = self._complaint_or_404()
        return self._clock(complaint, lambda: resume(complaint.id, current_user),
                           "Jam penanganan dilanjutkan.")  # fmt: skip

    def _clock(self, complaint, change, message):
        try:
            change()
        except ActionRefused as refused:
            db.session.rollback()
            complaint = self._complaint_or_404()
            return self._render_complaint(complaint, refused=refused.message,
                                          status=refused.status)  # fmt: skip
        flash(message, "success")
        return redirect(url_for(".details_view", id=complaint.id))

    @expose("/kelas/", methods=("POST",))
    def class_view(self):
        """Set or change the complaint's class and so its overall limit (the Kabid).

        :raise 403: not (acting as) the Kabid.
        """
        complaint = self._complaint_or_404()
        return self._beside(complaint, lambda version: set_class(
            complaint.id, current_user, request.form.get("class_id"), expected_version=version),
            lambda cls: f"Kelas pengaduan: {cls.label}.")  # fmt: skip

    @expose("/gabung/", methods=("POST",))
    def merge_view(self):
        """Merge the complaint into another of the same matter (its registration number
        typed or picked from the possible duplicates), with a reason.

        :raise 403: not an official who may merge.
        """
        complaint = self._complaint_or_404()
        return self._beside(complaint, lambda version: merge(
            complaint.id, current_user, request.form.get("into"), request.form.get("reason"),
            expected_version=version),
            lambda primary: f"Pengaduan {complaint.reg_number} digabung ke pengaduan "
                            f"{primary.reg_number}.", closes=True)  # fmt: skip

    @expose("/limpahkan/", methods=("POST",))
    def forward_view(self):
        """Forward the complaint to the agency it belongs to (the Kepala Dinas, or the Kabid
        holding it), with the reason told to the citizen and written in the letter.

        :raise 403: neither.
        """
        complaint = self._complaint_or_404()
        return self._beside(complaint, lambda version: forward(
            complaint.id, current_user, request.form.get("agency_id"), request.form.get("reason"),
            expected_version=version),
            lambda record: f"Pengaduan {complaint.reg_number} dilimpahkan; Surat Pelimpahan "
                           f"nomor {record.document_number} siap dicetak.",
            closes=True)  # fmt: skip

    @expose("/rakor-pindah/", methods=("POST",))
    def move_meeting_view(self):
        """Move the coordination meeting the complaint waits for (whoever called or leads it):
        a corrected invitation is recorded and its invitees told; a form with errors comes
        back with what was typed.

        :raise 403: neither.
        """
        complaint = self._complaint_or_404()
        try:
            return self._beside(complaint, lambda version: move_meeting(
                complaint.id, current_user, request.form, expected_version=version),
                lambda record: f"Jadwal rapat diubah; undangan perubahan nomor "
                               f"{record.document_number} siap dicetak dan para undangan "
                               "diberi tahu.")  # fmt: skip
        except FormInvalid as invalid:
            db.session.rollback()
            complaint = self._complaint_or_404()
            return self._render_complaint(complaint, moving=invalid.form, status=400)

    def _beside(self, complaint, change, done, closes: bool = False):
        """Run an action beside the SOP's steps; refused: the page again with what was typed
        (403 as Forbidden); done: to the complaint's page (a closed one in Semua
        pengaduan, when the official reads it; else their list)."""
        try:
            result = change(request.form.get("version", type=int))
        except ActionRefused as refused:
            db.session.rollback()
            if refused.status == 403:
                abort(403)
            complaint = self._complaint_or_404()
            return self._render_complaint(complaint, refused=refused.message,
                                          status=refused.status, typed=request.form)  # fmt: skip
        flash(done(result), "success")
        if closes:
            draft_saved(f"aksi:{complaint.id}:", f"gabung:{complaint.id}", f"limpah:{complaint.id}")
        if not closes:
            return redirect(url_for(".details_view", id=complaint.id))
        if self.reads_register():
            return redirect(url_for("complaints.details_view", id=complaint.id))
        return redirect(url_for(".index_view"))

    @expose("/dokumen/<int:record_id>")
    def document_view(self, record_id):
        """Print the document a finished step of the complaint produced, as PDF."""
        complaint = self._complaint_or_404()
        record = db.session.get(StepRecord, record_id)
        if record is None or record.complaint_id != complaint.id or not record.document:
            abort(404)
        name = filename(record.document, complaint, f"-{record.seq}")
        if record.document == "buku_registrasi":  # this complaint's entry of the register
            day = to_wib(complaint.received_at).date()
            book = register_book(day, day, identity=sees_identities(current_user),
                                 visible=visible_complaints(current_user),
                                 only=Complaint.id == complaint.id)  # fmt: skip
            return _pdf_response(render_register(book), name)
        revealed = reveal_in_force(complaint, current_user, request.args.get("reveal"))
        template, context = record_document(complaint, record,
                                            identity=sees_identities(current_user),
                                            revealed=revealed is not None)  # fmt: skip
        return _pdf_response(render_pdf(template, **context), name)

    @expose("/scan/<int:record_id>", methods=("POST",))
    def scan_view(self, record_id):
        """File the signed scan of a printed document (the officials who sign), or the
        letter's proof of dispatch (the front office): models/scans.py.

        :raise 403: not the user's to file.
        :raise 404: no such document of this complaint.
        """
        if not files_scans(current_user):
            abort(403)
        complaint = self._complaint_or_404()
        record = db.session.get(StepRecord, record_id)
        if record is None or record.complaint_id != complaint.id or not record.document:
            abort(404)
        purpose = request.form.get("purpose", "")
        storage = request.files.get("berkas")
        upload = read_upload(storage) if storage is not None and storage.filename else \
            "Pilih berkasnya dahulu (PDF, PNG atau JPEG, paling besar 5 MB)."  # fmt: skip
        try:
            file_scan(complaint, record, current_user, purpose, upload)
        except ScanRefused as refused:
            db.session.rollback()
            if refused.status == 403:
                abort(403)
            flash(f"{PURPOSES.get(purpose, 'Berkas')} belum tersimpan: {refused.message}",
                  "error")  # fmt: skip
        else:
            flash(f"{PURPOSES[purpose]} {DOCUMENT_TITLES[record.document]} tersimpan.",
                  "success")  # fmt: skip
        return redirect(url_for(".details_view", id=complaint.id) + "#dokumen")

    @expose("/berkas/")
    def case_file_view(self):
        """The complaint's case file (berkas pengaduan): cover, history, every document and
        attachment, as one PDF; masked as the reader's documents are."""
        complaint = self._complaint_or_404()
        revealed = reveal_in_force(complaint, current_user, request.args.get("reveal"))
        content = case_file(complaint, history_of(complaint),
                            identity=sees_identities(current_user),
                            revealed=revealed is not None)  # fmt: skip
        return _pdf_response(content, filename("berkas_pengaduan", complaint))

    def reads_register(self) -> bool:
        """Whether the official follows the whole register (the Tim Teknis does not)."""
        return may_open(ComplaintList.roles)

    @expose("/buku-registrasi/")
    def register_book_view(self):
        """The Buku Registrasi for a period: a form, then the PDF (landscape)."""
        if not self.reads_register():
            abort(403)
        today = today_wib()
        form = RegisterBookForm(request.args, meta={"csrf": False})
        if not request.args or not form.validate():
            if not request.args:
                form.first.data, form.last.data = today.replace(day=1), today
            status = 400 if request.args else 200
            return self.render("admin/register_book.html", form=form), status
        name = f"buku-registrasi-{form.first.data:%Y%m%d}-{form.last.data:%Y%m%d}.pdf"
        book = register_book(form.first.data, form.last.data,
                             identity=sees_identities(current_user),
                             visible=visible_complaints(current_user))  # fmt: skip
        return _pdf_response(render_register(book), name)

    def _front_office_only(self):
        if not current_user.holds(Role.FO, today_wib()):
            abort(403)

    @expose("/tanda-terima/")
    def receipt_view(self):
        """The citizen's receipt: the tracking code, its link and QR code — shown once, right
        after registration or a new code (the database keeps only the code's hash).

        :raise 403: not (acting as) the front office.
        """
        self._front_office_only()
        complaint = self._complaint_or_404()
        code = take_receipt(complaint.id)
        url = tracking_url(code) if code else None
        return self.render("admin/receipt.html", complaint=complaint, url=url, qr=qr_svg(url),
                           settings=agency_settings(),
                           code=format_code(code) if code else None)  # fmt: skip

    @expose("/lapor-terkirim/", methods=("POST",))
    def lapor_posted_view(self):
        """Record that the complaint's follow-up was posted on SP4N-LAPOR! (the front office,
        its operator there).

        :raise 403: not (acting as) the front office.
        """
        self._front_office_only()
        complaint = self._complaint_or_404()
        if mark_followup_posted(complaint.id, current_user):
            flash("Tindak lanjut tercatat sudah dikirim ke SP4N-LAPOR!.", "success")
        else:
            flash("Tindak lanjut pengaduan ini sudah tercatat sebelumnya.", "warning")
        return redirect(url_for(".details_view", id=complaint.id))

    @expose("/lapor-tutup/", methods=("POST",))
    def lapor_closed_view(self):
        """Record that the report was closed on SP4N-LAPOR! after its follow-up had no reply
        (the front office, its operator there).

        :raise 403: not (acting as) the front office.
        """
        self._front_office_only()
        complaint = self._complaint_or_404()
        if mark_report_closed(complaint.id):
            flash("Laporan tercatat sudah ditutup di SP4N-LAPOR!.", "success")
        else:
            flash("Laporan ini sudah tercatat ditutup, atau tindak lanjutnya belum dikirim.",
                  "warning")  # fmt: skip
        return redirect(url_for(".details_view", id=complaint.id))

    @expose("/lapor-kirim/", methods=("POST",))
    def lapor_send_view(self):
        """Queue the complaint's follow-up for SP4N-LAPOR!'s API (the worker posts it).

        :raise 403: not (acting as) the front office.
        :raise 404: no follow-up to send (not from LAPOR!, or no answer yet).
        """
        self._front_office_only()
        complaint = self._complaint_or_404()
        text = followup_text(complaint, history_of(complaint))
        if not complaint.lapor_tracking_no or text is None:
            abort(404)
        if not api_ready():
            flash("API SP4N-LAPOR! belum dikonfigurasi; salin tindak lanjut ke LAPOR!.", "error")
        elif queue_followup(complaint, text, current_user) is None:
            flash("Tindak lanjut pengaduan ini sudah dikirim atau sedang menunggu dikirim.",
                  "warning")  # fmt: skip
        else:
            flash("Tindak lanjut masuk antrean pengiriman ke SP4N-LAPOR!.", "success")
        return redirect(url_for(".details_view", id=complaint.id))

    @expose("/kode-lacak/", methods=("POST",))
    def new_code_view(self):
        """Give the complaint a new tracking code (the citizen lost theirs; the old one stops
        working) and show its receipt.

        :raise 403: not (acting as) the front office.
        """
        self._front_office_only()
        complaint = self._complaint_or_404()
        remember_receipt(complaint.id, reissue(complaint.id))
        flash("Kode lacak baru dibuat; kode lama tidak berlaku lagi.", "warning")
        return redirect(url_for(".receipt_view", id=complaint.id))

    @expose("/lampiran/<int:attachment_id>")
    def attachment_view(self, attachment_id):
        """Download an attachment of a complaint in this list."""
        complaint = self._complaint_or_404()
        attachment = db.session.get(Attachment, attachment_id)
        if attachment is None or attachment.complaint_id != complaint.id:
            abort(404)
        return file_response(attachment.content, attachment.mime_type, attachment.filename)


# Session key: the codes of receipts not shown yet, by complaint id (each shown once).
RECEIPTS = "receipts"


def remember_receipt(key: int | str, code: str) -> None:
    """Keep `code` for the receipt page opened next in this session (once): the front
    office's by complaint id, the citizen's by "s<submission id>"."""
    receipts = dict(session.get(RECEIPTS, {}))
    receipts[str(key)] = code
    session[RECEIPTS] = receipts


def take_receipt(key: int | str) -> str | None:
    receipts = dict(session.get(RECEIPTS, {}))
    code = receipts.pop(str(key), None)
    session[RECEIPTS] = receipts
    return code


def _pdf_response(content: bytes, name: str):
    return file_response(content, "application/pdf", name, inline=True)


class RegisterBookForm(AppForm):
    first = DateField("Dari tanggal", validators=[InputRequired("Tanggal awal wajib diisi.")])
    last = DateField("Sampai tanggal", validators=[InputRequired("Tanggal akhir wajib diisi.")])

    def validate_last(self, field):
        if self.first.data and field.data:
            if field.data < self.first.data:
                raise ValidationError("Tanggal akhir tidak boleh sebelum tanggal awal.")
            if (field.data - self.first.data).days > 366:
                raise ValidationError("Periode paling lama satu tahun.")


def typed_text(complaint: Complaint) -> list[tuple[str, str]]:
    """The texts of a step form that could not be saved (another official acted first),
    each with its label: what the official typed, to copy before it is lost. Only the text
    fields of the outcome posted; nothing when the SOP has no such outcome."""
    code = request.form.get("outcome", "")
    outcome = next((o for step in complaint.sop.steps for o in step.outcomes
                    if o.code == code), None)  # fmt: skip
    if outcome is None:
        return []
    texts = [f for f in form_for(complaint, outcome) if f.type in ("StringField", "TextAreaField")]
    return [(f.label.text, value) for f in texts
            for value in request.form.getlist(f.name) if value.strip()]  # fmt: skip


def _next_text(complaint: Complaint) -> str:
    if complaint.status == "closed":
        return "Pengaduan selesai."
    return f"Diteruskan kepada {ROLE_LABELS[Role(complaint.current_actor)]}."
