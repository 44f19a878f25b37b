"""The citizen's pages, apart from the back-office: tracking a complaint by its code.

No login, no link into the back-office, nobody's name but what the answer letter prints; the
same security headers and Content-Security-Policy as every page (admin_views/auth.py).
"""

from flask import Blueprint, render_template, request

from admin_views.responses import file_response
from models.dates import format_moment
from models.documents import filename, record_document
from models.pdf import render_pdf
from models.tracking import (
    failed_lookup,
    find,
    format_code,
    normalize_code,
    public_timeline,
    sent_answer,
    wait_minutes,
)
from models.workflow import history_of

bp = Blueprint("public", __name__)


def _address() -> str:
    return (request.remote_addr or "-")[:64]


def _lookup():
    """(complaint, refusal page) for the `kode` asked: a page when it is held back or finds
    nothing (a wrong code and an unknown one answer alike)."""
    typed = (request.args.get("kode") or "")[:40]
    wait = wait_minutes(_address())
    if wait:
        return None, (render_template("public/track.html", typed=typed, wait=wait), 429)
    complaint = find(typed)
    if complaint is None:
        failed_lookup(_address())
        return None, (render_template("public/track.html", typed=typed, unknown=True), 404)
    return complaint, None


@bp.route("/lacak/")
def track():
    """The tracking page: a form for the code, then the complaint's public timeline."""
    if "kode" not in request.args:
        return render_template("public/track.html", typed="")
    complaint, refused = _lookup()
    if refused:
        return refused
    history = history_of(complaint)
    code = normalize_code(request.args["kode"])
    return render_template(
        "public/track.html",
        typed=format_code(code),
        complaint=complaint,
        stages=public_timeline(complaint, history),
        letter=sent_answer(complaint, history) is not None,
        moment=format_moment,
    )


@bp.route("/lacak/surat/")
def letter():
    """The answer letter (Surat Dinas) as PDF, once it has been sent to the citizen.

    :raise 404: unknown code, or no letter sent yet.
    """
    complaint, refused = _lookup()
    if refused:
        return refused
    record = sent_answer(complaint, history_of(complaint))
    if record is None:
        return render_template("public/track.html", typed=request.args.get("kode", "")[:40],
                               no_letter=True), 404  # fmt: skip
    template, context = record_document(complaint, record, identity=True, revealed=False)
    name = filename(record.document, complaint, "")
    return file_response(render_pdf(template, **context), "application/pdf", name, inline=True)
