"""The admin revises an SOP in the admin: a draft copied from the revision in force, its header
and steps edited, its step graph checked, published from an effective date. New complaints
follow the new revision from that date; complaints in flight finish on theirs."""

import re
from datetime import datetime, time, timedelta
from html import unescape
from html.parser import HTMLParser

from sqlalchemy import select

from models import Complaint, Sop, db
from models.audit import AdminChange
from models.dates import WIB, format_date_long, today_wib
from models.kinds import FORM_LABELS
from models.sop import current_sop
from models.workflow import register
from tests.workflow_helpers import act, closing, register_complaint, registration, user


def _sop_id(app, code, revision=1) -> int:
    with app.app_context():
        return db.session.scalar(select(Sop.id).where(Sop.code == code,
                                                      Sop.revision == revision))  # fmt: skip


def _page(client, url) -> tuple[int, str]:
    response = client.get(url, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def _new_draft(app, client, auth, code) -> int:
    source = _sop_id(app, code)
    details = f"/admin/sop/details/?id={source}"
    response = auth.post(f"/admin/sop/revisi/?id={source}", {}, form_page=details)
    assert response.status_code == 302
    return int(re.search(r"id=(\d+)", response.headers["Location"]).group(1))


class _FormValues(HTMLParser):
    """What a browser would post from a page's form: inputs, ticked boxes, chosen options."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea, self._first = {}, None, None, {}
        self._multiple = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._multiple = a["name"], "multiple" in a
            if self._multiple:
                self.values[self._select] = []  # none chosen: nothing is sent
        elif tag == "option" and self._select:
            self._first.setdefault(self._select, a.get("value", ""))
            if "selected" in a and self._multiple:
                self.values[self._select].append(a.get("value", ""))
            elif "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.values.setdefault(self._select, self._first.get(self._select, ""))
            self._select = None
        elif tag == "textarea":
            self.values[self._textarea] = self.values[self._textarea].strip()
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def _form_values(client, url) -> dict:
    parser = _FormValues()
    parser.feed(client.get(url).get_data(as_text=True).split('<form method="post" novalidate')[1])
    parser.values.pop("csrf_token", None)
    return parser.values


def _step_form(client, draft, no) -> dict:
    """The step form as the page fills it: every field's current value."""
    return _form_values(client, f"/admin/sop/langkah/?id={draft}&no={no}")


def _save_step(auth, draft, no, changes) -> object:
    url = f"/admin/sop/langkah/?id={draft}&no={no}" if no else f"/admin/sop/langkah/?id={draft}"
    data = {**_step_form(auth._client, draft, no), **changes} if no else changes
    return auth.post(url, data, form_page=url)


def _publish(auth, draft):
    return auth.post(f"/admin/sop/terbitkan/?id={draft}", {},
                     form_page=f"/admin/sop/details/?id={draft}")  # fmt: skip


def _effective(app, client, auth, draft, day):
    url = f"/admin/sop/kepala/?id={draft}"
    return auth.post(url, {**_form_values(client, url), "effective_on": day.isoformat()},
                     form_page=url)  # fmt: skip


def test_a_revision_with_a_broken_step_graph_is_refused_with_a_message_per_problem(
        app, client, auth):  # fmt: skip
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    with app.app_context():
        sop = db.session.get(Sop, draft)
        new_no, dispatch = len(sop.steps) + 1, closing(sop, "dispatch")
    # Step 5's meeting now leads to a step that does not exist; a new last step is the public's.
    assert _save_step(auth, draft, 5, {"outcomes-1-leads_to": "99"}).status_code == 302
    added = _save_step(
        auth,
        draft,
        None,
        {
            "actor": "masyarakat",
            "co_actor": "",
            "activity": "Masyarakat menilai jawaban",
            "short_name": "Penilaian",
            "input_doc": "",
            "time_amount": "30",
            "time_unit": "minutes",
            "output": "",
            "outcomes-0-code": "dinilai",
            "outcomes-0-label": "Dinilai",
            "outcomes-0-form": "study",
            "outcomes-0-leads_to": str(dispatch),
            "outcomes-0-document": "surat_dinas",
            "outcomes-0-only_after": "tidak_ada",
        },
    )
    assert added.status_code == 302
    status, page = _page(client, f"/admin/sop/details/?id={draft}")
    assert "Belum dapat diterbitkan" in page
    refused = _publish(auth, draft)
    assert refused.status_code == 302
    messages = client.get(refused.headers["Location"]).get_data(as_text=True)
    for expected in (
        "hasil &#39;Rapat koordinasi dengan Tim Teknis&#39;: mengarah ke langkah 99 yang tidak ada",
        f"Langkah {new_no}: hanya langkah 1 yang dilakukan Masyarakat",
        "dokumen Surat Dinas Jawaban tidak dapat dibuat dari formulir Mempelajari",
        "hanya ditawarkan setelah hasil &#39;tidak_ada&#39;, padahal hasil itu tidak ada",
        "Langkah 6 tidak pernah dicapai dari langkah 1",
        f"Langkah {new_no} tidak pernah dicapai dari langkah 1",
    ):  # fmt: skip
        assert expected in messages, expected
    with app.app_context():
        assert db.session.get(Sop, draft).draft is True
        assert current_sop("SOP.50", today_wib()).revision == 1


def test_a_step_still_led_to_cannot_be_deleted_and_a_free_one_renumbers_the_rest(
        app, client, auth):  # fmt: skip
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    details = f"/admin/sop/details/?id={draft}"
    refused = auth.post(f"/admin/sop/hapus-langkah/?id={draft}&no=6", {}, form_page=details)
    assert "masih dituju oleh langkah 5" in _page(client, refused.headers["Location"])[1]
    # Step 5 answers directly only; then steps 6..10 are unreachable and 6 can go.
    form = _step_form(client, draft, 5)
    assert _save_step(auth, draft, 5, {**form, "outcomes-1-remove": "y"}).status_code == 302
    assert auth.post(f"/admin/sop/hapus-langkah/?id={draft}&no=6", {},
                     form_page=details).status_code == 302  # fmt: skip
    with app.app_context():
        sop = db.session.get(Sop, draft)
        source = current_sop("SOP.50", today_wib())
        assert [s.no for s in sop.steps] == list(range(1, len(source.steps)))
        assert sop.step(6).short_name.startswith("Resume")  # the old step 7
        assert [o.next_step_no for o in sop.step(6).outcomes] == [7]


def _step3_minutes(app) -> int:
    """The time standard of SOP.50's step 3 in force, in minutes (from the SOP data)."""
    with app.app_context():
        return current_sop("SOP.50", today_wib()).step(3).time_minutes


def test_a_revision_effective_tomorrow_leaves_todays_registrations_alone(
    app, client, auth, monkeypatch
):
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    old = _step3_minutes(app)
    assert _save_step(auth, draft, 3, {"time_amount": str(old + 30)}).status_code == 302
    published = _publish(auth, draft)
    assert "diterbitkan" in _page(client, published.headers["Location"])[1]
    tomorrow = today_wib() + timedelta(days=1)
    with app.app_context():
        today = register_complaint("media_sosial")
        assert (today.sop.revision, today.sop.step(3).time_minutes) == (1, old)
        moment = datetime.combine(tomorrow, time(9, 0), WIB)
        data = registration("media_sosial", received_at=moment.strftime("%Y-%m-%dT%H:%M"))
        monkeypatch.setattr("models.step_forms.utcnow", lambda: moment + timedelta(minutes=5))
        later = register(user("fo"), data, now=moment + timedelta(minutes=5))
        assert (later.sop.revision, later.sop.step(3).time_minutes) == (2, old + 30)


def test_a_complaint_in_flight_finishes_on_its_revision_while_a_new_one_follows_the_new(
        app, client, auth):  # fmt: skip
    with app.app_context():
        old = register_complaint("media_sosial")
        act(old, "kadis", "arahan")
        old_id = old.id
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    # The new revision: the Kabid's order goes straight to the Kasi's written answer, and the
    # steps after it (5..10) go; each deletion moves the later steps up to number 5.
    form = _step_form(client, draft, 4)
    with app.app_context():
        answer = closing(db.session.get(Sop, draft), "answer")
    assert _save_step(auth, draft, 4, {**form, "outcomes-1-leads_to": str(answer)}
                      ).status_code == 302  # fmt: skip
    details = f"/admin/sop/details/?id={draft}"
    assert "Langkah 5 tidak pernah dicapai" in _page(client, details)[1]
    for _ in range(6):
        auth.post(f"/admin/sop/hapus-langkah/?id={draft}&no=5", {}, form_page=details)
    assert "Alur langkah lengkap" in _page(client, details)[1]
    _effective(app, client, auth, draft, today_wib())
    published = _publish(auth, draft)
    assert "diterbitkan" in _page(client, published.headers["Location"])[1]
    with app.app_context():
        old = db.session.get(Complaint, old_id)
        act(old, "kabid", "perintah_kasi")  # the old revision's step 4 → step 5
        assert (old.sop.revision, old.current_step_no) == (1, 5)
        act(old, "kasi", "jawab")
        assert old.current_step_no == closing(old, "dispatch") == 12
        new = register_complaint("media_sosial")
        assert new.sop.revision == 2
        act(new, "kadis", "arahan")
        act(new, "kabid", "perintah_kasi")
        # the new revision's step 5 is its answer stage (the old 11, moved up by six)
        assert new.current_step_no == closing(new, "answer") == 5
        assert new.current_actor == "kasi"


def test_the_sop_page_lists_revisions_side_by_side_with_what_changed(app, client, auth):
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    old = _step3_minutes(app)
    _save_step(auth, draft, 3, {"time_amount": str(old + 30)})
    _publish(auth, draft)
    auth.logout()
    auth.login("kabid")
    status, page = _page(client, f"/admin/sop/details/?id={draft}")
    assert status == 200 and "Perubahan dibanding revisi 1" in page
    assert f"Langkah 3, Waktu: {old} menit → {old + 30} menit" in page
    assert "Berlaku mulai" in page and "revisi 1" in page


def test_drafts_are_the_admins_and_published_revisions_are_never_changed(app, client, auth):
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.49")
    auth.logout()
    auth.login("kadis")
    assert client.get(f"/admin/sop/details/?id={draft}").status_code == 404
    assert "revisi 2" not in client.get("/admin/sop/").get_data(as_text=True).lower()
    source = _sop_id(app, "SOP.49")
    refused = auth.post(f"/admin/sop/revisi/?id={source}", {},
                        form_page=f"/admin/sop/details/?id={source}")  # fmt: skip
    assert refused.status_code == 403
    auth.logout()
    auth.login("admin")
    published = _sop_id(app, "SOP.50")
    for url in (f"/admin/sop/kepala/?id={published}", f"/admin/sop/langkah/?id={published}&no=3"):
        status, page = _page(client, url)
        assert "tidak dapat diubah; buat revisi baru" in page, url
    discard = auth.post(f"/admin/sop/hapus-draf/?id={published}", {},
                        form_page=f"/admin/sop/details/?id={published}")  # fmt: skip
    assert "tidak dapat diubah" in _page(client, discard.headers["Location"])[1]
    with app.app_context():
        assert db.session.get(Sop, published) is not None


def test_the_admin_changes_sop_49_steps_and_each_change_is_in_the_history(app, client, auth):
    """SOP.49's lost table, corrected by the agency: step 1 says what the office form is."""
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.49")
    saved = _save_step(auth, draft, 1, {
        "activity": "Masyarakat datang ke kantor dan mengisi Formulir Pengaduan di loket FO",
        "time_amount": "15"})  # fmt: skip
    assert saved.status_code == 302
    assert _effective(app, client, auth, draft, today_wib()).status_code == 302
    assert "diterbitkan" in _page(client, _publish(auth, draft).headers["Location"])[1]
    with app.app_context():
        complaint = register_complaint("kantor")
        assert complaint.sop.revision == 2
        assert complaint.sop.step(1).activity.endswith("di loket FO")
        changes = db.session.scalars(select(AdminChange).where(
            AdminChange.table == "sop_step")).all()  # fmt: skip
        assert any(c.changes.get("time_minutes") == [30, 15] for c in changes), [
            c.changes for c in changes
        ]
    status, page = _page(client, "/admin/riwayat-administrasi/")
    assert "Langkah SOP" in page


def test_a_new_sop_for_a_whatsapp_hotline_is_made_from_one_in_force(app, client, auth):
    auth.login("admin")
    source = _sop_id(app, "SOP.50")
    response = auth.post(
        "/admin/sop/baru/",
        {"code": "SOP.51", "source": str(source), "effective_on": today_wib().isoformat()},
    )
    assert response.status_code == 302
    draft = int(re.search(r"id=(\d+)", response.headers["Location"]).group(1))
    duplicate = auth.post(
        "/admin/sop/baru/",
        {"code": "SOP.51", "source": str(source), "effective_on": today_wib().isoformat()},
    )
    assert duplicate.status_code == 400 and "SOP.51 sudah ada" in duplicate.get_data(as_text=True)
    hotline = {"code": "whatsapp_hotline", "name": "WhatsApp hotline", "sop_code": "SOP.51",
               "ordering": "10", "active": "y"}  # fmt: skip
    early = auth.post("/admin/kanal/new/", hotline)  # the draft is in force for nobody yet
    assert early.status_code == 200 and "Pilih SOP yang terdaftar" in early.get_data(as_text=True)
    status, page = _confirm(client, draft)  # nothing in force to compare with: all steps new
    assert status == 200 and "SOP.51 belum memiliki revisi yang berlaku" in page
    assert "Langkah yang ditambahkan" in page and "Langkah yang dihapus" not in page
    assert "diterbitkan" in _page(client, _publish(auth, draft).headers["Location"])[1]
    assert auth.post("/admin/kanal/new/", hotline).status_code == 302
    with app.app_context():
        sop = current_sop("SOP.51", today_wib())
        source = current_sop("SOP.50", today_wib())
        assert sop.revision == 1 and "SOP.51" in sop.number
        assert [s.short_name for s in sop.steps] == [s.short_name for s in source.steps]
        assert register_complaint("whatsapp_hotline").sop.code == "SOP.51"


def test_a_step_form_with_bad_input_says_so_and_keeps_what_was_typed(app, client, auth):
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    old = _step3_minutes(app)
    form = _step_form(client, draft, 3)
    response = _save_step(auth, draft, 3, {**form, "time_amount": "0",
                                           "activity": "Kadis menimbang ulang",
                                           "outcomes-2-code": "Bukan Kode!",
                                           "outcomes-2-label": "Baru"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Standar waktu harus lebih dari nol." in page
    assert "Hanya huruf kecil, angka dan garis bawah." in page
    assert "Kadis menimbang ulang" in page  # nothing typed is lost
    with app.app_context():
        assert db.session.get(Sop, draft).step(3).time_minutes == old


# --- issue 19 item 7: the admin pages in plain words -----------------------------------------

# Codes the admin pages must not show as text: roles, form kinds, documents, outcomes, ends.
CODES = re.compile(r"\b(kadis|kabid|tim_teknis|disposition|order|study|"
                   r"lembar_disposisi|surat_dinas|minta_pendapat|perintah_kasi|closed|"
                   r"step_id|only_after|next_step_no)\b")  # fmt: skip


def _shown(page: str, start: str = "<h1", end: str = "</form>") -> str:
    """The words of a page's part as the admin reads them: text only, no attribute values."""
    part = page[page.index(start):page.rindex(end)]  # fmt: skip
    part = re.sub(r"<script.*?</script>", " ", part, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", part)).split())


def _confirm(client, draft) -> tuple[int, str]:
    response = client.get(f"/admin/sop/terbitkan/?id={draft}")
    return response.status_code, response.get_data(as_text=True)


def _sop_50_shortened(app, client, auth) -> int:
    """A draft of SOP.50: step 3 slower, its first outcome another form and a new outcome to a
    new last step; the Kabid's order goes straight to the answer, steps 5..10 gone."""
    draft = _new_draft(app, client, auth, "SOP.50")
    with app.app_context():
        answer = closing(db.session.get(Sop, draft), "answer")
    form = _step_form(client, draft, 4)
    assert _save_step(auth, draft, 4, {**form, "outcomes-1-leads_to": str(answer)}
                      ).status_code == 302  # fmt: skip
    details = f"/admin/sop/details/?id={draft}"
    for _ in range(6):
        auth.post(f"/admin/sop/hapus-langkah/?id={draft}&no=5", {}, form_page=details)
    new_step = {
        "actor": "kasi", "co_actor": "", "activity": "Kasi mengarsipkan pengaduan",
        "short_name": "Arsip", "input_doc": "", "time_amount": "1", "time_unit": "days",
        "output": "arsip", "outcomes-0-label": "Diarsipkan", "outcomes-0-form": "study",
        "outcomes-0-leads_to": "closed", "outcomes-0-document": "", "outcomes-0-code": "",
    }  # fmt: skip
    assert _save_step(auth, draft, None, new_step).status_code == 302  # step 7
    old = _step3_minutes(app)
    assert _save_step(auth, draft, 3, {
        "time_amount": str(old + 30), "outcomes-0-form": "order",
        "outcomes-2-label": "Diarsipkan Kasi", "outcomes-2-form": "study",
        "outcomes-2-leads_to": "7"}).status_code == 302  # fmt: skip
    assert _effective(app, client, auth, draft, today_wib()).status_code == 302
    return draft


def test_publishing_first_shows_what_changes_in_words_and_only_the_post_publishes(
        app, client, auth):  # fmt: skip
    with app.app_context():
        register_complaint("media_sosial")  # in flight on revision 1
    auth.login("admin")
    draft = _sop_50_shortened(app, client, auth)
    old = _step3_minutes(app)
    details = client.get(f"/admin/sop/details/?id={draft}").get_data(as_text=True)
    assert f'href="/admin/sop/terbitkan/?id={draft}"' in details  # a link, not a POST form
    status, page = _confirm(client, draft)
    assert status == 200
    shown = _shown(page)
    for expected in (
        "Terbitkan SOP.50 revisi 2?",
        f"Pengaduan SOP.50 yang diterima mulai {format_date_long(today_wib())} mengikuti "
        "revisi 2.",
        "Pengaduan yang sudah diregistrasi tetap mengikuti revisi lamanya sampai selesai",
        "saat ini 1 pengaduan SOP.50 sedang berjalan",
        "Perubahan dibanding revisi 1 yang berlaku sekarang",
        "Langkah yang ditambahkan Langkah 7: Arsip — Kasi Monev & Pengaduan, 1 hari",
        "Hasil: Diarsipkan → selesai",
        "Langkah yang dihapus Langkah 5: Jawaban / rakor Kasi",
        "Langkah 10: Perintah jawaban tertulis",
        f"Langkah 3: Disposisi Kepala Dinas Waktu: {old} menit → {old + 30} menit",
        f"Hasil 'Arahan tindak lanjut', Formulir: {FORM_LABELS['disposition']} → "
        f"{FORM_LABELS['order']}",
        "Hasil baru: Diarsipkan Kasi → langkah 7 (Arsip)",
        "Hasil 'Perintah kepada Kasi sesuai arahan', Lanjut ke: langkah 5 (Jawaban / rakor "
        "Kasi) → langkah 5 (Penyusunan jawaban tertulis)",
        "Langkah 5: Penyusunan jawaban tertulis (sebelumnya langkah 11)",
        "Terbitkan Batal",
    ):  # fmt: skip
        assert expected in shown, expected
    assert CODES.search(shown) is None, CODES.search(shown)
    assert re.search(r'<form method="post" action="/admin/sop/terbitkan/\?id=\d+">\s*'
                     r'<input type="hidden" name="csrf_token" value="[^"]+">', page)  # fmt: skip
    assert f'href="/admin/sop/details/?id={draft}">Batal</a>' in page
    with app.app_context():
        assert db.session.get(Sop, draft).draft is True  # looking publishes nothing
        assert current_sop("SOP.50", today_wib()).revision == 1
        code = db.session.get(Sop, draft).step(3).outcomes[2].code
        assert code == "diarsipkan_kasi"  # made from the name the admin typed
    published = auth.post(f"/admin/sop/terbitkan/?id={draft}", {},
                          form_page=f"/admin/sop/terbitkan/?id={draft}")  # fmt: skip
    assert published.status_code == 302
    flashed = _page(client, published.headers["Location"])[1]
    assert "SOP.50 revisi 2 diterbitkan" in flashed
    assert "Pengaduan yang sudah diregistrasi tetap mengikuti revisi lamanya" in flashed
    with app.app_context():
        assert current_sop("SOP.50", today_wib()).revision == 2


def test_only_the_admin_opens_the_confirmation_and_a_published_revision_is_refused(
        app, client, auth):  # fmt: skip
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.48")
    status, page = _confirm(client, draft)  # effective tomorrow, nothing changed yet
    assert status == 200 and "Tidak ada yang berubah dibanding revisi 1" in page
    published = _sop_id(app, "SOP.48")
    response = client.get(f"/admin/sop/terbitkan/?id={published}")
    assert response.status_code == 302
    assert "tidak dapat diubah; buat revisi baru" in _page(client, response.headers["Location"])[1]
    auth.logout()
    auth.login("kasi")
    assert client.get(f"/admin/sop/terbitkan/?id={draft}").status_code == 403
    refused = auth.post(f"/admin/sop/terbitkan/?id={draft}", {}, form_page="/admin/")
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get(Sop, draft).draft is True


def test_a_draft_that_cannot_run_is_shown_with_its_problems_and_no_publish_button(
        app, client, auth):  # fmt: skip
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    assert _save_step(auth, draft, 5, {"outcomes-1-leads_to": "99"}).status_code == 302
    status, page = _confirm(client, draft)
    assert status == 200 and "Revisi ini belum dapat diterbitkan" in page
    assert "mengarah ke langkah 99 yang tidak ada" in page
    assert ">Terbitkan</button>" not in page and "Kembali ke draf" in page


def test_the_step_editor_shows_labels_and_a_new_outcome_starts_empty(app, client, auth):
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    url = f"/admin/sop/langkah/?id={draft}&no=4"
    page = client.get(url).get_data(as_text=True)
    shown = _shown(page)
    assert CODES.search(shown) is None, CODES.search(shown)
    chosen = {name: "; ".join(re.findall(r"<option selected[^>]*>([^<]*)", options))
              for name, options in re.findall(r'<select[^>]*id="outcomes-0-(\w+)"[^>]*>(.*?)'
                                              r"</select>", page, flags=re.S)}  # fmt: skip
    assert chosen == {"form": "Resume", "leads_to": "langkah 3 (Disposisi Kepala Dinas)",
                      "document": "Resume",
                      "only_after": "Minta pendapat Kabid PKPL (langkah 3)"}  # fmt: skip
    assert "Kode (untuk sistem)" in shown and "Hasil baru (isi bila perlu)" in shown
    values = _step_form(client, draft, 4)
    blank = {k.split("-", 2)[2]: v for k, v in values.items() if k.startswith("outcomes-2-")}
    assert blank == {"label": "", "form": "", "leads_to": "", "document": "", "only_after": [],
                     "code": ""}  # fmt: skip
    assert "<option selected" not in page.split('id="outcomes-2-label"')[1].split("Simpan")[0]
    # A name without a form kind: refused in words, the name kept; then chosen, the code made.
    typed = {**values, "outcomes-2-label": "Dikembalikan ke Kepala Dinas"}
    refused = auth.post(url, typed, form_page=url)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Hasil &#39;Dikembalikan ke Kepala Dinas&#39;: pilih formulir yang diisi." in text
    assert 'value="Dikembalikan ke Kepala Dinas"' in text
    saved = auth.post(url, {**typed, "outcomes-2-form": "study", "outcomes-2-leads_to": "3",
                            "outcomes-2-only_after": ["minta_pendapat", "arahan"]},
                      form_page=url)  # fmt: skip
    assert saved.status_code == 302
    with app.app_context():
        new = db.session.get(Sop, draft).step(4).outcomes[2]
        assert (new.code, new.label, new.form, new.next_step_no, new.only_after) == (
            "dikembalikan_ke_kepala_dinas", "Dikembalikan ke Kepala Dinas", "study", 3,
            "minta_pendapat,arahan")  # fmt: skip


def test_a_new_step_starts_with_no_actor_chosen(app, client, auth):
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.49")
    url = f"/admin/sop/langkah/?id={draft}"
    page = client.get(url).get_data(as_text=True)
    assert "<option selected" not in page.split('id="actor"')[1].split("</select>")[0]
    values = _form_values(client, url)
    assert values["actor"] == "" and values["outcomes-0-form"] == ""
    refused = auth.post(url, {**values, "activity": "Kasi memeriksa", "short_name": "Periksa",
                              "time_amount": "30"}, form_page=url)  # fmt: skip
    assert refused.status_code == 400
    assert "Pilih pelaksana langkah ini." in refused.get_data(as_text=True)


def test_the_history_tells_step_edits_and_publishing_in_words(app, client, auth):
    auth.login("admin")
    draft = _new_draft(app, client, auth, "SOP.50")
    form = _step_form(client, draft, 4)
    assert _save_step(auth, draft, 4, form).status_code == 302  # its outcomes written again
    assert _effective(app, client, auth, draft, today_wib()).status_code == 302
    assert _publish(auth, draft).status_code == 302
    page = client.get("/admin/riwayat-administrasi/").get_data(as_text=True)
    shown = _shown(page, "<table", "</table>")
    for expected in (
        "Status: draf (belum berlaku) → diterbitkan",
        "Hanya ditawarkan setelah: — → Minta pendapat Kabid PKPL",
        f"Formulir: — → {FORM_LABELS['order']}",
        "Langkah SOP: — → SOP.50 rev. 2 langkah 4",
        "Kode (untuk sistem): — → perintah_kasi",  # said to be the system's, beside its name
    ):  # fmt: skip
        assert expected in shown, expected
    words = re.sub(r"Kode \(untuk sistem\): \S+ → \S+", "", shown)
    assert CODES.search(words) is None, CODES.search(words)
