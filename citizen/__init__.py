"""The citizen's pages, apart from the back-office: the complaint form, tracking by code, the
answer letter, the satisfaction survey, the check of a printed document's verification code.

No login, no link into the back-office, nobody's name but what the answer letter prints; the
same security headers and Content-Security-Policy as every page (admin_views/auth.py). CSRF
on every form, checked by the pages themselves (the blueprint is exempt from the global
check) so that a form refused for an old token comes back with what was typed. Every page
works without JavaScript.
"""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import ValidationError

from admin_views.base import way_back
from admin_views.complaint_page import remember_receipt, take_receipt
from admin_views.responses import file_response
from citizen.forms import PublicComplaintForm, opened_token
from models import db, held_uploads, verification
from models.dates import format_moment
from models.documents import filename, record_document
from models.pdf import render_pdf
from models.step_forms import read_uploads
from models.submission import Submission, SubmissionRefused, find_submission, submit
from models.survey import CHANGE_DAYS, SCALE, UNSUR, SurveyRefused, rate, rating_of
from models.tracking import (
    failed_lookup,
    find,
    followed,
    format_code,
    normalize_code,
    public_timeline,
    qr_svg,
    sent_answer,
    tracking_url,
    wait_minutes,
)
from models.types import utcnow
from models.workflow import history_of

bp = Blueprint("public", __name__)
SENT = "sent_submission"  # session key: the submission whose receipt this visitor may see


def _address() -> str:
    return (request.remote_addr or "-")[:64]


# -- the complaint form ---------------------------------------------------------------------


def _form_page(form, status=200, refusal=None):
    return render_template("public/submit.html", form=form, refusal=refusal,
                           max_files=form.attachments.label.text), status  # fmt: skip


@bp.route("/lapor/", methods=("GET", "POST"))
def submit_form():
    """The public complaint form; a sent form leads to its receipt with the tracking code.

    A refused form (a mistake, a bot's sign, too many sent lately) comes back with what was
    typed, and the files chosen are kept for this browser and listed (a browser never refills
    a file input; models/held_uploads.py); those that cannot be kept are named to be chosen
    again. A form refused as a bot's keeps no new file.
    """
    form = PublicComplaintForm()
    if request.method == "GET":
        form.opened.data = opened_token()
        return _form_page(form)
    kept = held_uploads.posted(request.form)
    files, problems = read_uploads(request.files.getlist("attachments"), already=len(kept))

    def again(status, refusal, keep_new=True):
        held_uploads.show_again(form.attachments, kept, files, keep_new)
        return _form_page(form, status, refusal)

    if not form.validate():
        form.attachments.errors = problems
        if form.csrf_token.errors:
            form.opened.data = opened_token()
            return again(400, "Formulir sudah terlalu lama terbuka. Isian Anda masih ada; "
                         "periksa lalu kirim lagi.")  # fmt: skip
        return again(400, "Pengaduan belum terkirim; periksa pesan di bawah.")
    refusal = form.bot_refusal()
    if refusal:
        return again(400, refusal, keep_new=False)
    if problems:
        form.attachments.errors = problems
        return again(400, "Lampiran belum dapat diterima; periksa pesan di bawah.")
    try:
        sent = submit(form.fields(), [k.upload() for k in kept] + files, _address())
    except SubmissionRefused as refused:
        return again(refused.status, refused.message)
    held_uploads.release([k.id for k in kept])
    remember_receipt(f"s{sent.submission.id}", sent.code)
    session[SENT] = sent.submission.id
    return redirect(url_for(".sent"))


@bp.route("/lapor/terkirim/")
def sent():
    """The receipt of the form just sent in this browser: the tracking code (shown once),
    its link and QR code, printable."""
    submission = db.session.get(Submission, session.get(SENT) or 0)
    if submission is None:
        return redirect(url_for(".submit_form"))
    code = take_receipt(f"s{submission.id}")
    url = tracking_url(code) if code else None
    return render_template("public/sent.html", submission=submission, url=url, qr=qr_svg(url),
                           code=format_code(code) if code else None,
                           moment=format_moment)  # fmt: skip


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A request bigger than MAX_CONTENT_LENGTH (its content is never read): the citizen's
    page on the citizen's side, the back-office's elsewhere."""
    if request.blueprint == bp.name:
        return render_template("public/too_large.html"), 413
    return render_template("errors/413.html", back=way_back()), 413


# -- tracking -------------------------------------------------------------------------------


def _lookup(typed: str):
    """(complaint or submission, refusal page) for the code typed: a page when it is held
    back or finds nothing (a wrong code and an unknown one answer alike)."""
    wait = wait_minutes(_address())
    if wait:
        return None, (render_template("public/track.html", typed=typed, wait=wait), 429)
    found = find(typed) or find_submission(typed)
    if found is None:
        failed_lookup(_address())
        return None, (render_template("public/track.html", typed=typed, unknown=True), 404)
    return found, None


@bp.route("/lacak/")
def track():
    """The tracking page: a form for the code, then the complaint's public timeline, the
    answer letter once sent, and the survey once finished."""
    if "kode" not in request.args:
        return render_template("public/track.html", typed="")
    typed = (request.args.get("kode") or "")[:40]
    found, refused = _lookup(typed)
    if refused:
        return refused
    return _tracking_page(found, format_code(normalize_code(typed)))


def _tracking_page(found, code: str, status: int = 200, survey_error: str | None = None,
                   typed_rating: dict | None = None, thanks: bool = False):  # fmt: skip
    if isinstance(found, Submission):
        return render_template("public/track.html", typed=code, submission=found,
                               moment=format_moment), status  # fmt: skip
    history = history_of(found)
    rating = rating_of(found.id)
    now = utcnow()
    shown = followed(found)  # merged: the progress of the complaint it joined
    return render_template(
        "public/track.html",
        typed=code,
        complaint=found,
        primary=shown if shown is not found else None,
        stages=public_timeline(shown, history_of(shown) if shown is not found else history),
        letter=sent_answer(found, history) is not None,
        moment=format_moment,
        rating=rating,
        can_rate=found.status == "closed" and not found.closed_as
        and (rating is None or rating.changeable(now)),
        typed_rating=typed_rating or (rating.values() | {"comment": rating.comment}
                                      if rating else {}),
        unsur=UNSUR, scale=SCALE, change_days=CHANGE_DAYS,
        survey_error=survey_error, thanks=thanks,
    ), status  # fmt: skip


@bp.route("/lacak/surat/")
def letter():
    """The answer letter (Surat Dinas) as PDF, once it has been sent to the citizen.

    :raise 404: unknown code, or no letter sent yet.
    """
    typed = (request.args.get("kode") or "")[:40]
    found, refused = _lookup(typed)
    if refused:
        return refused
    record = None if isinstance(found, Submission) else sent_answer(found, history_of(found))
    if record is None:
        return render_template("public/track.html", typed=typed, no_letter=True), 404
    template, context = record_document(found, record, identity=True, revealed=False)
    name = filename(record.document, found, "")
    return file_response(render_pdf(template, **context), "application/pdf", name, inline=True)


@bp.route("/cek/", defaults={"code": None})
@bp.route("/cek/<code>")
def verify(code):
    """Check a printed document: the code under its QR code (or typed in the form) shows the
    document's kind, number, date, signer's position and content hash when it matches the
    record as stored, else "not found or not matching" (one answer for both). Failed codes
    count with the tracking page's, per address.
    """
    typed = (code or request.args.get("kode") or "")[:40]
    if not typed:
        return render_template("public/verify.html", typed="")
    wait = wait_minutes(_address())
    if wait:
        return render_template("public/verify.html", typed=typed, wait=wait), 429
    record = verification.check(typed)
    if record is None:
        failed_lookup(_address())
        return render_template("public/verify.html", typed=typed, unknown=True), 404
    facts = verification.public_facts(record)
    return render_template("public/verify.html", typed=facts["code"], facts=facts)


@bp.route("/lacak/nilai/", methods=("POST",))
def rate_view():
    """Take or change the citizen's rating of a finished complaint (the code is the key)."""
    typed = (request.form.get("kode") or "")[:40]
    found, refused = _lookup(typed)
    if refused:
        return refused
    code = format_code(normalize_code(typed))
    if isinstance(found, Submission):
        return _tracking_page(found, code, 409)
    values = {u: _scale_value(request.form.get(u)) for u in UNSUR}
    comment = (request.form.get("comment") or "")[:2000]
    try:
        _check_csrf()
        rate(found, values, comment)
    except SurveyRefused as exc:
        kept = {u: v for u, v in values.items() if v is not None} | {"comment": comment}
        return _tracking_page(found, code, 400, str(exc), kept)
    return _tracking_page(found, code, thanks=True)


def _check_csrf() -> None:
    """The blueprint checks its forms' CSRF tokens itself (app.py exempts it from the global
    check), so that a refused form comes back with what was typed."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        raise SurveyRefused("Halaman ini sudah terlalu lama terbuka. Pilihan Anda masih ada; "
                            "kirim sekali lagi.") from None  # fmt: skip


def _scale_value(raw: str | None) -> int | None:
    return int(raw) if raw in ("1", "2", "3", "4") else None
