"""Every URL of the application × every role and an anonymous visitor.

The table below says, for each view, who may open it; the test walks the application's own
URL map, so a new view or a new page of a view without an entry here fails. For every
principal each endpoint answers as expected: an anonymous visitor is sent to the login page,
a role that may not open it gets 403 (404 where the role may open the list but the complaint
is not in it), a role that may gets anything but 403 and 500 (a form may answer 400, a
complaint outside the list 404). POSTs carry a valid CSRF token, so that
what is tested is the permission, not the token.
"""

import re

import pytest

from tests.conftest import PASSWORD
from tests.workflow_helpers import register_complaint

ANYONE = {"fo", "kadis", "kabid", "kasi", "tim_teknis", "admin"}
COMPLAINT_READERS = {"fo", "kadis", "kabid", "kasi", "admin"}
USERS = {"fo": "fo", "kadis": "kadis", "kabid": "kabid", "kasi": "kasi",
         "tim_teknis": "teknis1", "admin": "admin"}  # fmt: skip
# Principals who act by appointment: (user, the appointment's role, its period from today in
# days). A Tim Teknis member made Plh. Kasi holds both roles today; the Kabid as Plt. Kepala
# Dinas both of his; an appointment that ended yesterday gives nothing.
ACTING = {"plh_kasi": ("teknis2", "kasi", (0, 5)), "plt_kadis": ("kabid", "kadis", (-3, 3)),
          "ended_plh_kasi": ("teknis3", "kasi", (-10, -1))}  # fmt: skip

# Who may open each view (the part of the endpoint before the dot).
VIEWS = {
    "admin": ANYONE,
    "queue_fo": {"fo"},
    "queue_kadis": {"kadis"},
    "queue_kabid": {"kabid"},
    "queue_kasi": {"kasi"},
    "queue_tim_teknis": {"tim_teknis"},
    "complaints": COMPLAINT_READERS,
    "recap": COMPLAINT_READERS,
    "sop": ANYONE,
    "users": {"admin"},
    "appointments": {"admin"},
    "calendar": {"admin"},
    "office_hours": {"admin"},
    "settings": {"admin"},
    "admin_changes": {"admin"},
    "identity_reveals": {"admin"},
    "channels": {"admin"},
    "platforms": {"admin"},
    "jenis": {"admin"},
    "disposition_marks": {"admin"},
    "complaint_classes": {"admin"},
    "other_agencies": {"admin"},
    "answer_templates": {"admin"},
    "notifications": ANYONE,  # each official's own inbox (the bell)
    "profile": ANYONE,  # each official's own e-mail, WhatsApp number and channels
    "exports": ANYONE,  # each official's own export jobs (tests/test_export_jobs.py)
    "outbox": {"admin"},
    "deliveries": {"admin"},
    "notification_settings": {"admin"},
    "submissions": {"fo", "kasi"},
    "citizen_messages": {
        "admin"
    },  # their state only: no address, no code  # the online submissions waiting for registration
}
# Pages that ask more than the view: registering a complaint is the front office's; the
# complaint of the fixture waits for the Kepala Dinas's disposition, so only he may act on
# it, and nobody may stop or restart its clock (only the holder of a step or one above: the
# Kasi or the Kabid, and neither is above the Kepala Dinas); only the officials
# who answer complainants may reveal an identity; the Buku Registrasi is for those who follow
# the whole register, not for the Tim Teknis, whichever list it is asked from; only the admin
# revises SOPs (publish_view answers GET with its confirmation page, POST publishes: both
# are the admin's).
SOP_REVISION_PAGES = ("revise_view", "new_view", "header_view", "step_view",
                      "step_delete_view", "publish_view", "discard_view")  # fmt: skip
NARROWER = {"register_view": {"fo"}, "receipt_view": {"fo"}, "new_code_view": {"fo"},
            "lapor_posted_view": {"fo"}, "lapor_send_view": {"fo"}, "lapor_closed_view": {"fo"},
            "archive_view": {"fo"}, "lapor_import_view": {"fo"},
            "act_view": {"kadis"}, "draft_view": {"kadis"}, "pause_view": set(),
            "scan_view": {"fo", "kadis", "kabid", "kasi"},
            "resume_view": set(),
            "reveal_view": {"fo", "kadis", "kabid", "kasi"},
            # beside the steps (models/actors.py): the complaint waits on the Kepala Dinas
            "class_view": {"kabid"}, "merge_view": {"fo", "kadis", "kabid", "kasi"},
            "forward_view": {"kadis"},
            "move_meeting_view": set(),  # it waits for no meeting (tests/test_meeting_moved.py)
            "register_book_view": COMPLAINT_READERS,
            **dict.fromkeys(SOP_REVISION_PAGES, {"admin"})}  # fmt: skip
# Every page a view may have; a new one must be added here (and thought about).
PAGES = {
    "index", "index_view", "details_view", "edit_view", "create_view", "delete_view",
    "action_view", "ajax_lookup", "ajax_update", "export", "export_view", "act_view",
    "together_view", "register_book_view", "document_view", "pause_view", "attachment_view",
    "resume_view", "register_view", "remove", "add", "csv", "pdf", "reveal_view",
    "read_view", "open_view", "receipt_view", "new_code_view", "details_page", "file_view",
    "archive_view", "lapor_import_view", "lapor_sample_view", "lapor_followups_view",
    "lapor_posted_view", "lapor_send_view", "lapor_closed_view", "restore_view", "class_view",
    "merge_view", "draft_view",
    "forward_view", "case_file_view", "scan_view", "move_meeting_view", *SOP_REVISION_PAGES,
    "job_view", "progress_view", "cancel_view", "download_view",
}  # fmt: skip
PUBLIC = {"auth.root", "auth.login", "auth.logout", "auth.favicon", "static",
          "admin.static", "bootstrap.static",
          # the citizen's: below, and tests/test_tracking.py, test_public_form.py
          "public.track", "public.letter", "public.submit_form", "public.sent",
          "public.rate_view", "public.verify",
          # a load balancer's and a monitoring system's: tests/test_ops.py (/metrics: a token)
          "ops.healthz", "ops.readyz", "ops.metrics"}  # fmt: skip
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in PUBLIC or rule.endpoint.endswith(".static"):
            continue
        view, _, page = rule.endpoint.partition(".")
        yield rule, view, page


def test_every_view_and_page_has_an_entry(app):
    unknown = [r.endpoint for r, view, page in _rules(app)
               if view not in VIEWS or (page and page not in PAGES)]  # fmt: skip
    assert unknown == []


def _url(rule, ids) -> str:
    values = {}
    for name in rule.arguments:
        values[name] = {"record_id": ids["record"], "attachment_id": 1, "fmt": "csv",
                        "export_type": "csv",
                        "notification_id": ids["notification"]}.get(name, 1)  # fmt: skip
    path = rule.build(values, append_unknown=False)[1]
    return f"{path}?id={ids['complaint']}"


def _token(client) -> str:
    match = CSRF_RE.search(client.get("/login").get_data(as_text=True))
    return match.group(1) if match else ""


@pytest.fixture
def ids(app):
    from sqlalchemy import select

    from models import Notification, StepRecord, db

    with app.app_context():
        complaint = register_complaint("kantor")
        record = db.session.scalar(select(StepRecord.id).where(
            StepRecord.complaint_id == complaint.id).limit(1))  # fmt: skip
        # The Kepala Dinas's notification of the complaint's arrival: opening it is his
        # alone (404 for every other official).
        notification = db.session.scalar(select(Notification.id).where(
            Notification.complaint_id == complaint.id))  # fmt: skip
        return {"complaint": complaint.id, "record": record, "notification": notification}


def _appoint(app, principal) -> tuple[str, set[str]]:
    """Give an acting principal its appointment; return its username and the roles it holds."""
    from datetime import timedelta

    from models import ActingAppointment, db
    from models.dates import today_wib
    from tests.workflow_helpers import user

    username, role, (first, last) = ACTING[principal]
    with app.app_context():
        official = user(username)
        today = today_wib()
        db.session.add(
            ActingAppointment(
                user_id=official.id,
                role=role,
                kind="Plh.",
                position=f"Plh. {role}",
                starts_on=today + timedelta(days=first),
                ends_on=today + timedelta(days=last),
            )
        )
        db.session.commit()
        return username, {official.role} | ({role} if first <= 0 <= last else set())


@pytest.mark.parametrize("principal", ["anonymous", *sorted(USERS), *sorted(ACTING)])
def test_each_principal_gets_the_expected_answer_everywhere(app, client, ids, principal):
    held = set()
    if principal != "anonymous":
        if principal in ACTING:
            username, held = _appoint(app, principal)
        else:
            username, held = USERS[principal], {principal}
        token = _token(client)
        response = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, principal
    token = _token(client) if principal == "anonymous" else _csrf_of_session(client)
    wrong, checked = [], 0
    for rule, view, page in _rules(app):
        # The view opens for a role held, and the page for a role held (not always the same
        # one: a Plh. Kasi opens the register book from the Tim Teknis's queue).
        opens_view, opens_page = held & VIEWS[view], held & NARROWER.get(page, ANYONE)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _url(rule, ids)
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            status = response.status_code
            response.close()
            checked += 1
            if principal == "anonymous":
                ok = status == 302 and "/login" in response.headers.get("Location", "")
            elif opens_view and opens_page:
                ok = status not in (403, 500) and "/login" not in response.headers.get(
                    "Location", "")  # fmt: skip
            elif page in NARROWER and view in VIEWS and held & VIEWS[view]:
                ok = status in (403, 404)  # in the list, but not this complaint's step or role
            else:
                ok = status == 403
            if not ok:
                wrong.append(f"{method} {url} → {status}")
    assert wrong == [], f"{principal}: {len(wrong)} of {checked} unexpected"
    assert checked > 150


def _csrf_of_session(client) -> str:
    match = CSRF_RE.search(client.get("/admin/").get_data(as_text=True))
    assert match, "no CSRF token on the home page"
    return match.group(1)


@pytest.mark.parametrize("raw_id", ["1,2", "abc", "999999", "-1", "1 OR 1=1", ""])
def test_forged_ids_are_refused_without_an_error(client, auth, ids, raw_id):
    auth.login("kadis")
    for path in ("/admin/antrian/kadis/details/", "/admin/pengaduan/details/",
                 "/admin/antrian/kadis/lampiran/1", "/admin/pengaduan/dokumen/1"):  # fmt: skip
        response = client.get(path, query_string={"id": raw_id})
        assert response.status_code == 404, (path, raw_id, response.status_code)


def test_a_complaint_of_another_queue_is_not_found_there(client, auth, ids):
    auth.login("kabid")  # the new complaint waits for the Kepala Dinas
    assert client.get(f"/admin/antrian/kabid/details/?id={ids['complaint']}").status_code == 404
    assert auth.post(f"/admin/antrian/kabid/aksi/?id={ids['complaint']}",
                     {"outcome": "arahan"}, form_page="/admin/").status_code == 404  # fmt: skip


@pytest.mark.parametrize("principal", ["anonymous", *sorted(USERS)])
def test_the_public_pages_answer_everyone_alike_and_lead_nowhere_inside(app, client,
                                                                       principal):  # fmt: skip
    """Logged in or not, the citizen's pages are the same: no back-office link, no name of an
    official; a rating or letter without a valid code finds nothing."""
    if principal != "anonymous":
        client.post("/login", data={"username": USERS[principal], "password": PASSWORD,
                                    "csrf_token": _token(client)})  # fmt: skip
    for path in ("/lapor/", "/lacak/", "/lacak/?kode=AAAA-BBBB-CCCC"):
        response = client.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 404), path
        assert "/admin" not in text and "Dewi" not in text and "Bambang" not in text, path
    assert client.get("/lapor/terkirim/").status_code == 302  # nothing sent in this session
    token = CSRF_RE.search(client.get("/lapor/").get_data(as_text=True)).group(1)
    for path in ("/lacak/nilai/", "/lacak/surat/?kode=AAAA-BBBB-CCCC"):
        method = client.post if path.startswith("/lacak/nilai") else client.get
        response = method(path, data={"csrf_token": token, "kode": "AAAA-BBBB-CCCC", "u9": "4"})
        assert response.status_code == 404, path
