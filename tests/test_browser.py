"""Officials in a real browser: Debian's Chromium, driven by Playwright, against the app served
by gunicorn on 127.0.0.1 with the demo data loaded as `make run` loads it (`init-db`,
`seed-demo`), on SQLite and on PostgreSQL.

They log in and work by clicking and typing. Every test fails on a browser console error
(a Content-Security-Policy violation is one), on a request to another host, and on a
pathological page (over ten seconds: a hang, not a slow machine). Speed is measured, not
asserted: every page's load time goes to artifacts/browser/load-times.txt with p50/p95/max,
also printed at the end of the run (`make bench-browser`). Under artifacts/browser/ each
official's last page is saved as a screenshot (where a failed test stopped), and with
BROWSER_SCREENSHOTS=1 (as `make bench-browser` sets it) every page on the way.
"""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from models.dates import format_date_long
from tests import load_times
from tests.load_times import ARTIFACTS
from tests.served import PROJECT, gunicorn
from tests.workflow_helpers import SOP_50_WALK

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "pengaduan2026"
SECRET = "browser-test-secret"  # the site's SECRET_KEY (a test forges an idle session with it)
EXPORT_AT_ONCE = 40  # the site's EXPORT_STREAM_MAX_ROWS: the other tests export fewer rows
SAVE = "button[type=submit]:not([formaction])"  # a step form's own button (not Simpan draf)
SLOWEST = 10.0  # seconds: only a hung page fails; speed is reported, not asserted
EVERY_PAGE_SHOT = os.environ.get("BROWSER_SCREENSHOTS") == "1"  # a third of the tests' time
WIB = timezone(timedelta(hours=7))
PHONE = {"width": 390, "height": 844}
# The clicks the ten steps of SOP.50 took before issue 19 (test_the_ten_steps_of_sop_50_in_clicks
# run on commit 58acf0b): the office's way around may only get shorter.
BEFORE = 46


# --- the server and the browser -------------------------------------------------------------


def _database_url(kind, tmp, pg_database) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'browser.db'}"
    if pg_database is None:
        pytest.skip("PostgreSQL run skipped: TEST_DATABASE_URL is not set")
    schema = f"browser_{uuid.uuid4().hex[:10]}"
    engine = create_engine(pg_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return pg_database + "?options=" + urllib.parse.quote(f"-csearch_path={schema}")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory, pg_database):
    """The app as `make run` serves it, with gunicorn instead of the development server."""
    tmp = tmp_path_factory.mktemp(f"site-{request.param}")
    env = {**os.environ, "DATABASE_URL": _database_url(request.param, tmp, pg_database),
           "SECRET_KEY": SECRET, "PENGADUAN_ENV": "test",
           "SUBMIT_MIN_SECONDS": "0",  # a script types faster than the bot check waits
           "EXPORT_STREAM_MAX_ROWS": str(EXPORT_AT_ONCE)}  # fmt: skip
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["init-db"], ["seed-demo", "--password", PASSWORD]):
        subprocess.run(flask + command, cwd=PROJECT, env=env, check=True, capture_output=True)
    with gunicorn(env, tmp / "gunicorn.log", workers=2, threads=8) as base:
        _warm_up(base)
        yield {"base": base, "db": request.param, "env": env}


def _warm_up(base: str):
    """A server that has been running a while: each worker has read its templates once (the
    first page a fresh worker renders costs a few hundred milliseconds more)."""
    import http.cookiejar

    for username in ("fo", "kadis", "kabid", "kasi", "teknis1", "admin") * 2:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = opener.open(base + "/login", timeout=30).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": token}).encode()  # fmt: skip
        opener.open(base + "/login", body, timeout=30).read()
        for path in ("/admin/pengaduan/", "/admin/sop/"):
            try:
                opener.open(base + path, timeout=30).read()
            except urllib.error.HTTPError:  # the Tim Teknis may not open the register
                pass


@pytest.fixture(scope="module")
def chromium():
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: `make install` installs it"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


class Official:
    """One official at one browser: a page, what went wrong on it, how long each page took."""

    def __init__(self, browser, site, username, viewport=None):
        self.base, self.db, self.username = site["base"], site["db"], username
        self.shots = ARTIFACTS / self.db  # the test's own folder, set by `officials`
        self.context = browser.new_context(
            viewport=viewport or {"width": 1366, "height": 900}, locale="id-ID",
            timezone_id="Asia/Jakarta", accept_downloads=True)  # fmt: skip
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems: list[str] = []
        self.signed_in = False
        self.clicks = 0  # what an official's hand does: links, buttons, choices, boxes
        host = urllib.parse.urlsplit(self.base).netloc
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text} ({self.page.url})"))  # fmt: skip
        self.page.on("pageerror", lambda e: self.problems.append(f"script: {e} ({self.page.url})"))
        self.context.on("request", lambda r: r.url.startswith("http") and urllib.parse.urlsplit(
            r.url).netloc != host and self.problems.append(f"another host: {r.url}"))  # fmt: skip

    # Every navigation goes through `_arrived`: timed, checked (and a screenshot, if asked).
    def _arrived(self, name: str):
        self.page.wait_for_load_state("load")
        seconds = self.page.evaluate(
            "() => { const e = performance.getEntriesByType('navigation')[0];"
            " return (e.loadEventEnd || e.domContentLoadedEventEnd) / 1000; }")  # fmt: skip
        path = urllib.parse.urlsplit(self.page.url).path
        load_times.record(seconds, self.db, f"{self.username} {path}")
        if seconds > SLOWEST:
            self.problems.append(f"slow: {path} took {seconds:.2f} s")
        if EVERY_PAGE_SHOT:
            self.screenshot(name)

    def screenshot(self, name: str):
        self.shots.mkdir(parents=True, exist_ok=True)
        count = len(list(self.shots.iterdir()))
        # JPEG: a whole page in a fifth of a PNG's time, still legible.
        self.page.screenshot(path=self.shots / f"{count:02d}-{self.username}-{name}.jpg",
                             full_page=True, type="jpeg", quality=70)  # fmt: skip

    def open(self, path: str, name: str):
        self.page.goto(self.base + path)
        self._arrived(name)

    def click(self, locator, name: str):
        self.clicks += 1
        with self.page.expect_navigation():
            locator.click()
        self._arrived(name)

    def tap(self, locator):
        """A click that opens no page (a choice, a box to tick), counted like the others."""
        self.clicks += 1
        locator.click()

    def login(self):
        if self.signed_in:
            return self
        self.open("/login", "masuk")
        self.page.get_by_label("Nama pengguna").fill(self.username)
        self.page.get_by_label("Kata sandi").fill(PASSWORD)
        self.click(self.page.get_by_role("button", name="Masuk"), "beranda")
        assert "/admin/" in self.page.url, self.page.content()[:500]
        self.signed_in = True
        return self

    def menu(self, href: str, name: str):
        """Click the menu item leading to `href` (opening the phone menu first if folded)."""
        toggler = self.page.locator("button.navbar-toggler")
        if toggler.is_visible():
            toggler.click()
        self.click(self.page.locator(f"#admin-navbar-collapse a[href^='{href}']").first, name)

    def flash(self) -> str:
        return " ".join(self.page.locator(".alert").all_inner_texts())

    def logout(self):
        self.click(self.page.get_by_role("button", name="Keluar"), "keluar")
        self.signed_in = False

    def close(self):
        self.context.close()


class Desks:
    """Each official's own browser on one site, kept from test to test as an official's is
    from task to task: logged in, its cache warm."""

    def __init__(self, browser, site):
        self.browser, self.site = browser, site
        self.opened: dict[tuple, Official] = {}

    def __call__(self, username: str, viewport: dict | None) -> Official:
        key = (username, tuple(sorted((viewport or {}).items())))
        if key not in self.opened:
            self.opened[key] = Official(self.browser, self.site, username, viewport)
        return self.opened[key]

    def close(self):
        for official in self.opened.values():
            official.close()


@pytest.fixture(scope="module")
def desks(chromium, site):
    desks = Desks(chromium, site)
    yield desks
    desks.close()


@pytest.fixture
def officials(desks, site, request):
    """The officials a test calls on, each at their own browser and logged in (again, after
    a logout: the browser keeps its cache, as an official's does); at the end, nothing may
    have gone wrong in any of them during the test."""
    shots = ARTIFACTS / site["db"] / request.node.originalname
    shutil.rmtree(shots, ignore_errors=True)
    used: dict[int, Official] = {}

    def open_as(username, viewport=None) -> Official:
        official = desks(username, viewport)
        if id(official) not in used:
            used[id(official)] = official
            official.shots, official.problems = shots, []
        return official.login()

    yield open_as
    problems = [f"{o.username}: {p}" for o in used.values() for p in o.problems]
    for official in used.values():
        official.screenshot("terakhir")
    load_times.save()
    assert problems == []


# --- what officials do ------------------------------------------------------------------------


def _today() -> str:
    return datetime.now(WIB).date().isoformat()


# What an official types into each kind of step form (the fields not shown keep their
# defaults, as an official would leave them).
TYPING = {
    "arahan": {"instruction": "Segera tindak lanjuti dan jawab pengadu.", "marks": 1},
    "perintah_kasi": {"instruction": "Jawab pengadu sesuai arahan Kepala Dinas."},
    "rakor": {"day": _today, "start": "09:00", "place": "Ruang Rapat Lt. 2",
              "agenda": "Pembahasan pengaduan izin usaha", "invitees": 2},
    "berita_acara": {"attendees": 2, "discussion": "Verifikasi tertunda karena data KBLI.",
                     "considerations": "Pemohon perlu memperbaiki KBLI.",
                     "conclusion": "Jawab pengadu dengan langkah perbaikan."},
    "resume_ba": {"matter": "NIB belum terbit", "facts": "Berkas lengkap sejak dua minggu.",
                  "analysis": "Terhambat verifikasi KBLI.", "conclusion": "Perlu perbaikan KBLI.",
                  "recommendation": "Perintahkan Kasi menjawab pengadu."},
    "dipelajari": {"note": "Setuju dengan resume."},
    "perintah_kabid": {"instruction": "Tindak lanjuti hasil rakor.", "marks": 1},
    "perintah_jawab": {"instruction": "Buat jawaban tertulis kepada pengadu."},
    "jawaban_tertulis": {"subject": "Jawaban atas pengaduan izin usaha",
                         "body": "Dengan hormat, KBLI Saudara perlu diperbaiki melalui OSS."},
    "jawab": {"subject": "Jawaban atas pertanyaan jam layanan",
              "body": "Dengan hormat, loket buka pukul 08.00 sampai 15.00 WIB."},
    "terkirim": {"sent_on": _today, "note": "Dibalas melalui pesan langsung akun resmi."},
}  # fmt: skip


def _act(official: Official, queue: str, subject: str, outcome: str):
    """From the official's queue: find the complaint, open it, fill the step form, save."""
    official.menu(f"/admin/antrian/{queue}/", "antrian")
    _find(official, subject)
    _fill_and_save(official, outcome)


def _step_form(official: Official, outcome: str):
    """The form of `outcome` on the complaint's page, chosen first when another one shows."""
    form = official.page.locator(f"form:has(input[name='outcome'][value='{outcome}'])")
    if form.is_hidden():
        official.tap(official.page.locator(f"#pilih-hasil a[data-outcome='{outcome}']"))
        assert form.is_visible()
    assert official.page.locator("form[data-outcome]:visible").count() == 1  # that one only
    return form


def _fill(official: Official, outcome: str):
    form = _step_form(official, outcome)
    for name, value in TYPING[outcome].items():
        if isinstance(value, int):  # tick that many of the offered checkboxes
            for box in form.locator(f"input[name='{name}']").all()[:value]:
                if not box.is_checked():  # (ticked already by the form: no click)
                    official.clicks += 1
                    box.check()
            continue
        field = form.locator(f"[name='{name}']")
        field.fill(value() if callable(value) else value)
    return form


def _fill_and_save(official: Official, outcome: str):
    form = _fill(official, outcome)
    official.click(form.locator(SAVE), f"simpan-{outcome}")
    assert "Tersimpan" in official.flash(), (outcome, official.flash())


def _register(official: Official, channel: str, subject: str, platform: str | None = None):
    page = official.page
    official.menu("/admin/antrian/fo/", "antrian")
    official.click(page.get_by_role("link", name="Registrasi pengaduan"), "registrasi")
    page.get_by_label("Kanal").select_option(label=channel)
    if platform:
        page.get_by_label("Platform media sosial").select_option(label=platform)
    page.get_by_label("Jenis").select_option(label="Pengaduan")
    page.get_by_label("Nama pengadu").fill("Dewi Lestari")
    page.get_by_label("Kontak (telepon/email/akun)").fill("@dewi.lestari")
    page.get_by_label("Pokok pengaduan").fill(subject)
    page.locator("#description").fill("Sudah dua minggu permohonan belum ada kabar.")
    official.click(page.get_by_role("button", name="Registrasi dan teruskan ke Kepala Dinas"),
                   "terdaftar")  # fmt: skip
    assert "PGD" in official.flash(), official.flash()
    return re.search(r"\d{4}/PGD/[\w/.-]+", official.flash()).group(0)


SOP_48 = [("kadis", "kadis", "arahan"), ("kabid", "kabid", "perintah_kasi"),
          ("kasi", "kasi", "jawab"), ("fo", "fo", "terkirim")]  # fmt: skip


def _walk(officials, subject, steps):
    """Each official in their own browser, as at their own desk, staying logged in."""
    for username, queue, outcome in steps:
        _act(officials(username), queue, subject, outcome)


def _find(official: Official, subject: str, words: str | None = None):
    """In the list on screen: search for the complaint (by `words` of its subject), open it."""
    official.page.get_by_placeholder("Cari no. registrasi").fill(words or subject)
    official.click(official.page.get_by_role("button", name="Cari"), "cari")
    row = official.page.locator("table.model-list tbody tr", has_text=subject[:40])  # (cut)
    official.click(row.get_by_title("Buka pengaduan"), "pengaduan")


def _status_on_page(officials, subject) -> tuple["Official", str]:
    kadis = officials("kadis")
    kadis.menu("/admin/pengaduan/", "semua")
    _find(kadis, subject)
    return kadis, kadis.page.locator("body").inner_text()


def test_a_social_media_complaint_goes_through_all_ten_steps_to_selesai(officials):
    subject = f"Izin usaha belum terbit {uuid.uuid4().hex[:6]}"
    fo = officials("fo")
    number = _register(fo, "Media sosial", subject, platform="Instagram")
    fo.logout()
    _walk(officials, subject, SOP_50_WALK)
    kadis, text = _status_on_page(officials, subject)
    assert number in text and "Selesai pada" in text and "SOP.50" in text


def _on_its_form(official: Official, number: str, outcome: str) -> bool:
    """Whether the official's page already shows the complaint with the outcome's form (the
    last action landed there)."""
    page = official.page
    return bool(page.locator("h1", has_text=number).count() and page.locator(
        f"form:has(input[name='outcome'][value='{outcome}'])").count())  # fmt: skip


def _open_from_home(official: Official, number: str, queue: str, subject: str):
    """An official turning to a new task starts from their home page (opening the app, not
    counted): the complaint's own link there when it has one, else the queue, searched."""
    official.open("/admin/", "beranda")
    link = official.page.locator("a", has_text=number)
    if link.count():
        official.click(link.first, "pengaduan")
        return
    official.menu(f"/admin/antrian/{queue}/", "antrian")
    _find(official, subject)


def test_the_ten_steps_of_sop_50_in_clicks(officials):
    """Every click the ten steps of SOP.50 take, each official at their desk: the complaint
    is opened from their home page unless the last action landed on it, the outcome chosen
    when another's form shows, the boxes ticked, the form saved (typing not counted). The
    count is written to artifacts/clicks-<db>.txt. Measured by this same walk on the commit
    before issue 19 (58acf0b): BEFORE clicks."""
    subject = f"Izin reklame belum terbit {uuid.uuid4().hex[:6]}"
    number = _register(officials("fo"), "Media sosial", subject, platform="Instagram")
    desks = {username: officials(username) for username, _queue, _outcome in SOP_50_WALK}
    start = {username: official.clicks for username, official in desks.items()}
    steps = []
    for username, queue, outcome in SOP_50_WALK:
        official = desks[username]
        before = official.clicks
        if not _on_its_form(official, number, outcome):
            _open_from_home(official, number, queue, subject)
        _fill_and_save(official, outcome)
        steps.append(f"{username} {outcome}: {official.clicks - before}")
    total = sum(official.clicks - start[username] for username, official in desks.items())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"clicks-{desks['fo'].db}.txt").write_text(
        "\n".join([*steps, f"total: {total}"]) + "\n")  # fmt: skip
    assert total < BEFORE, steps


def test_a_curhat_ning_ita_complaint_is_answered_directly(officials):
    subject = f"Jam layanan loket {uuid.uuid4().hex[:6]}"
    fo = officials("fo")
    _register(fo, "Curhat Ning Ita", subject)
    _walk(officials, subject, SOP_48)
    kadis, text = _status_on_page(officials, subject)
    assert "Selesai pada" in text and "SOP.48" in text


def _add_filter(official: Official, name: str, operation: str | None, value: str | None):
    """Flask-Admin's filter bar, as a person uses it: Saring → name → operation → value."""
    page = official.page
    page.get_by_role("link", name="Tambah Saringan").click()
    page.locator("a.filter", has_text=name).first.click()
    row = page.locator("#filter_form table.filters tr").last

    def choose(box, label):  # a Select2 box: open it, click the choice
        box.locator(".select2-choice").click()
        page.locator(".select2-drop-active .select2-result-label", has_text=label).click()

    if operation:
        choose(row.locator(".select2-container.filter-op"), operation)
    if row.locator(".select2-container.filter-val").count():
        choose(row.locator(".select2-container.filter-val"), value)
    else:
        row.locator("input.filter-val").fill(value)
    official.click(page.get_by_role("button", name="Terapkan"), "saringan")


def test_the_kadis_filters_the_dispositions_still_pending(officials):
    kadis = officials("kadis")
    kadis.menu("/admin/pengaduan/", "semua")
    everything = _row_count(kadis)
    _add_filter(kadis, "Menunggu", None, "Kepala Dinas")
    rows = kadis.page.locator("table.model-list tbody tr").all_inner_texts()
    assert 0 < len(rows) < everything
    kadis.menu("/admin/antrian/kadis/", "antrian")
    assert _row_count(kadis) == len(rows)  # the filter and the queue agree
    badge = kadis.page.locator(".queue-count").first.inner_text()
    assert int(badge) == len(rows)  # the menu's badge too
    # Overdue rows stand out as a whole, not only by their badge.
    tints = kadis.page.evaluate("""() => [...document.querySelectorAll('table.model-list tbody tr')]
        .map(tr => [tr.querySelector('.col-deadline').innerText.trim(),
                    getComputedStyle(tr.querySelector('.col-subject')).backgroundColor])""")
    late = {tint for status, tint in tints if status == "Terlambat"}
    other = {tint for status, tint in tints if status != "Terlambat"}
    assert late == {"rgb(253, 236, 234)"} and other and not late & other


def _row_count(official: Official) -> int:
    text = official.page.locator(".nav-tabs .nav-link.active").first.inner_text()
    return int(re.search(r"\((\d[\d.]*)\)", text).group(1).replace(".", ""))


def test_an_operator_exports_a_filtered_list_to_csv(officials):
    fo = officials("fo")
    fo.menu("/admin/pengaduan/", "semua")
    _add_filter(fo, "Kanal", None, "Media sosial")
    shown = _row_count(fo)
    fo.page.get_by_role("link", name="Ekspor").click()
    with fo.page.expect_download() as download:  # the one Excel reads in Indonesian settings
        fo.page.get_by_role(
            "link", name="CSV untuk Excel, pemisah titik koma (sesuai saringan)"
        ).click()
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) - 1 == shown > 0
    channel = rows[0].index("Kanal")
    assert {r[channel] for r in rows[1:]} == {"Media sosial"}
    assert download.value.suggested_filename.endswith(".csv")


def _document(official: Official, title: str) -> str:
    """Click a document on the complaint page; return the text of the PDF it opens."""
    page = official.page
    link = page.locator("a[href*='/dokumen/']", has_text=title).first
    with official.context.expect_event("response", lambda r: "/dokumen/" in r.url) as response:
        link.click()
    assert response.value.status == 200
    assert response.value.headers["content-type"] == "application/pdf"
    pdf = official.context.request.get(response.value.url)  # the same session's cookies
    for tab in official.context.pages[1:]:
        tab.close()
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)


def test_printing_the_lembar_disposisi_and_the_surat_dinas(officials):
    subject = f"Retribusi parkir pasar {uuid.uuid4().hex[:6]}"
    fo = officials("fo")
    _register(fo, "Curhat Ning Ita", subject)
    _walk(officials, subject, SOP_48[:3])
    kasi = officials("kasi")
    kasi.menu("/admin/pengaduan/", "semua")
    _find(kasi, subject)
    sheet = " ".join(_document(kasi, "Lembar Disposisi").split())
    assert "LEMBAR DISPOSISI" in sheet.upper() and subject in sheet
    assert "Segera tindak lanjuti dan jawab pengadu." in sheet
    letter = " ".join(_document(kasi, "Surat Dinas").split())
    assert "Hal : Jawaban atas pertanyaan jam layanan" in letter
    assert "Yth. Sdr. Dewi Lestari" in letter and "loket buka pukul 08.00" in letter
    assert "KEPALA DINAS PENANAMAN MODAL" in letter


# --- every page an official can reach -------------------------------------------------------

# Flask-Admin's and WTForms' own English, as it would show if a translation were missing.
ENGLISH = re.compile(
    r"\b(List|Create|Edit|Delete|Save|Cancel|Search|Add Filter|Apply|Reset Filters|Filters?"
    r"|With selected|Export|Are you sure|Previous|Next|Details|Home|Actions|equals|not equal"
    r"|contains|greater than|smaller than|empty|in list|not in list|between|Select all"
    r"|Toggle navigation|This field is required|Not a valid|Invalid|Record|Submit|Close"
    r"|Log ?out|Sign in|Page|of|per page|No items|results?|Back)\b"
)
SKIP_LINKS = re.compile(r"/(csv|xlsx|ekspor|dokumen|lampiran|berkas|pdf)\b|/logout|\.pdf$")


def _visible_text(official: Official) -> str:
    """What a reader sees and hears: text, placeholders, titles and labels."""
    return official.page.evaluate(
        """() => [document.body.innerText,
             ...[...document.querySelectorAll('[placeholder],[title],[aria-label],[value]')]
               .filter(e => e.type !== 'hidden' && !['checkbox', 'radio'].includes(e.type))
               .map(e => [e.placeholder, e.title, e.getAttribute('aria-label'),
                          e.tagName === 'BUTTON' || e.type === 'submit' ? e.value : '']
               .join(' '))].join('\\n')""")  # fmt: skip


@pytest.mark.parametrize("username", ["fo", "kadis", "kabid", "kasi", "teknis1", "admin"])
def test_every_page_an_official_reaches_is_indonesian_and_fast(officials, username):
    official = officials(username)
    base = official.base
    todo, seen, english = [base + "/admin/"], set(), {}
    while todo:
        url = todo.pop(0)
        path = urllib.parse.urlsplit(url).path
        if path in seen or SKIP_LINKS.search(url) or not url.startswith(base):
            continue
        seen.add(path)
        official.open(url[len(base) :], path.strip("/").replace("/", "-") or "root")
        found = set(ENGLISH.findall(_visible_text(official)))
        if found:
            english[path] = sorted(found)
        for href in official.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if href.startswith(base) and urllib.parse.urlsplit(href).path not in seen:
                todo.append(href)
    assert len(seen) >= 5
    assert english == {}


def test_the_citizen_follows_the_complaint_by_its_code_from_a_phone(officials, chromium, site):
    subject = f"Loket tutup lebih awal {uuid.uuid4().hex[:6]}"
    fo = officials("fo")
    number = _register(fo, "Curhat Ning Ita", subject)
    code = fo.page.locator("#kode-lacak-teks").inner_text()  # the receipt, shown once
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    _walk(officials, subject, SOP_48)
    citizen = Official(chromium, site, "warga", PHONE)  # nobody logged in
    citizen.shots = ARTIFACTS / site["db"] / "citizen"
    try:
        citizen.open("/lacak/", "lacak")
        citizen.page.get_by_label("Kode lacak").fill(code.lower())
        citizen.click(citizen.page.get_by_role("button", name="Lacak"), "hasil")
        text = citizen.page.locator("main").inner_text()
        assert number in text and "Selesai" in text and subject in text
        assert _fits(citizen) == 0
        href = citizen.page.get_by_role("link", name="Baca surat jawaban (PDF)").get_attribute(
            "href")  # fmt: skip
        letter = citizen.context.request.get(citizen.base + href)
        assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
        words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.body())).pages)
        assert "loket buka pukul 08.00" in words
        assert citizen.problems == []
    finally:
        citizen.close()


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_a_citizen_submits_from_a_phone_follows_it_to_the_letter_and_rates_it(
    officials, chromium, site
):
    subject = f"NIB belum terbit {uuid.uuid4().hex[:6]}"
    citizen = Official(chromium, site, "warga", PHONE)  # nobody logged in
    citizen.shots = ARTIFACTS / site["db"] / "citizen-form"
    try:
        page = citizen.page
        citizen.open("/lapor/", "lapor")
        assert _fits(citizen) == 0
        page.get_by_label("Jenis").select_option(label="Pengaduan")
        page.get_by_label("Pokok pengaduan").fill(subject)
        page.get_by_label("Uraian").fill("Permohonan NIB saya sejak tiga minggu belum terbit.")
        page.get_by_label("Nama").fill("Rina Wulandari")
        page.get_by_label("Email").fill("rina@example.com")
        page.locator("#attachments").set_input_files(
            files=[{"name": "bukti.png", "mimeType": "image/png", "buffer": PNG}])  # fmt: skip
        page.locator("#consent").check()
        citizen.click(page.get_by_role("button", name="Kirim pengaduan"), "terkirim")
        code = page.locator("#kode-lacak").inner_text()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert page.locator(".qr svg").count() == 1 and _fits(citizen) == 0

        fo = officials("fo")
        fo.menu("/admin/formulir-daring/", "daring")
        fo.click(fo.page.get_by_role("link", name=subject), "daring-lihat")
        assert "bukti.png" in fo.page.locator("body").inner_text()
        fo.click(fo.page.get_by_role("link", name="Registrasi sebagai pengaduan"), "daring-reg")
        fo.click(fo.page.get_by_role("button", name="Registrasi dan teruskan ke Kepala Dinas"),
                 "terdaftar")  # fmt: skip
        number = re.search(r"\d{4}/PGD/[\w/.-]+", fo.flash()).group(0)

        citizen.open(f"/lacak/?kode={code}", "lacak-1")
        text = page.locator("main").inner_text()
        assert number in text and "Diregistrasi" in text
        _walk(officials, subject, SOP_50_WALK)
        citizen.open(f"/lacak/?kode={code}", "lacak-2")
        done = page.locator(".timeline li.done .timeline-label").all_inner_texts()
        assert done == ["Diterima", "Diregistrasi", "Ditindaklanjuti", "Dijawab", "Selesai"]
        href = page.get_by_role("link", name="Baca surat jawaban (PDF)").get_attribute("href")
        letter = citizen.context.request.get(citizen.base + href)
        assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
        page.locator("input[name=u9][value='4']").check()
        page.get_by_label("Saran atau komentar (tidak wajib)").fill("Terima kasih, jelas.")
        citizen.click(page.get_by_role("button", name="Kirim penilaian"), "nilai")
        assert "penilaian Anda tersimpan" in page.locator("main").inner_text()
        assert _fits(citizen) == 0 and citizen.problems == []
    finally:
        citizen.close()
    kadis, text = _status_on_page(officials, subject)
    assert "Sangat baik" in text and "Terima kasih, jelas." in text


def test_lapor_reports_are_imported_registered_answered_and_one_is_forwarded(officials):
    """The issue's story as a new user would walk it: import the sample LAPOR! export, see
    the reports wait in the front office's list, register one with the duplicate warning,
    take it to the answer and copy its follow-up; forward another complaint to the agency it
    belongs to and print the Surat Pelimpahan."""
    tag = uuid.uuid4().hex[:6]
    fo = officials("fo")
    desk = _register(fo, "Datang ke kantor", f"Katering: NIB belum terbit setelah dua minggu {tag}")
    page = fo.page
    fo.menu("/admin/formulir-daring/", "daring")
    fo.click(page.get_by_role("link", name="Impor laporan SP4N-LAPOR!"), "impor")
    page.locator("input[type=file][name=upload]").set_input_files(
        str(PROJECT / "seeds" / "samples" / "contoh-ekspor-lapor.csv"))  # fmt: skip
    fo.click(page.get_by_role("button", name="Impor", exact=True), "impor-hasil")
    assert "LPR-7D3K2Q" in page.locator("#hasil-impor").inner_text()
    fo.menu("/admin/formulir-daring/", "daring")
    fo.click(page.get_by_role("link", name="NIB belum terbit setelah dua minggu", exact=True),
             "daring-lapor")  # fmt: skip
    assert desk in page.locator("#mungkin-sama").inner_text()  # a warning, never a block
    fo.click(page.get_by_role("link", name="Registrasi sebagai pengaduan"), "daring-reg")
    fo.click(page.get_by_role("button", name="Registrasi dan teruskan ke Kepala Dinas"),
             "lapor-terdaftar")  # fmt: skip
    saved = " ".join(page.locator(".alert-success").all_inner_texts())  # not the warning's
    number = re.search(r"\d{4}/PGD/[\w/.-]+", saved).group(0)
    assert number != desk
    _walk(officials, number, SOP_50_WALK)
    fo.menu("/admin/pengaduan/", "semua")
    _find(fo, number)
    followup = page.locator("#tindak-lanjut").input_value()
    assert "LPR-7D3K2Q" in followup and TYPING["jawaban_tertulis"]["body"] in followup
    fo.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Salin").click()
    page.get_by_role("button", name="Tersalin").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == followup

    subject = f"KTP elektronik belum jadi {tag}"
    _register(fo, "Datang ke kantor", subject)
    kadis = officials("kadis")
    kadis.menu("/admin/antrian/kadis/", "antrian")
    _find(kadis, subject)
    card = kadis.page.locator("#di-luar-sop")
    card.get_by_text("Limpahkan ke instansi lain").click()
    card.get_by_label("Instansi tujuan").select_option(
        label="Dinas Kependudukan dan Pencatatan Sipil Kota Mojokerto")  # fmt: skip
    card.get_by_label("Alasan").last.fill("Penerbitan KTP-el adalah kewenangan Dukcapil.")
    kadis.click(card.get_by_role("button", name="Limpahkan"), "dilimpahkan")
    assert "Surat Pelimpahan nomor" in kadis.flash(), kadis.flash()
    assert "Dilimpahkan kepada" in kadis.page.locator("#dilimpahkan").inner_text()
    letter = " ".join(_document(kadis, "Surat Pelimpahan").split())
    assert "Pelimpahan pengaduan masyarakat" in letter and subject in letter
    assert "kewenangan Dukcapil" in letter and "Dinas Kependudukan" in letter


def _bell(official: Official) -> int:
    """The unread count on the navbar's bell (0 when it shows none)."""
    count = official.page.locator("#bell .bell-count")
    return int(count.inner_text()) if count.count() else 0


def test_the_kabids_bell_rings_when_the_kadis_disposes(officials):
    subject = f"Antrean OSS lambat {uuid.uuid4().hex[:6]}"
    _register(officials("fo"), "Media sosial", subject, platform="Facebook")
    kabid = officials("kabid")
    kabid.open("/admin/", "beranda")
    before = _bell(kabid)
    _act(officials("kadis"), "kadis", subject, "arahan")
    kabid.open("/admin/", "beranda")
    assert _bell(kabid) == before + 1
    kabid.click(kabid.page.locator("#bell"), "notifikasi")
    news = kabid.page.locator(".notification-unread", has_text=subject)
    assert "Tugas baru" in news.inner_text()
    kabid.click(news.get_by_role("link", name="Buka pengaduan"), "pengaduan")
    assert "/admin/antrian/kabid/details/" in kabid.page.url
    assert subject in kabid.page.locator("body").inner_text()
    assert _bell(kabid) == before


# --- typed work is never lost -----------------------------------------------------------------


def _go_idle(official: Official, minutes: int = 31):
    """The official's session as if untouched for `minutes`: its signed cookie rewritten with
    the site's secret (the server ends it on the next request, as after a long lunch)."""
    from flask import Flask

    signer = Flask("idle")
    signer.secret_key = SECRET
    serializer = signer.session_interface.get_signing_serializer(signer)
    cookie = next(c for c in official.context.cookies() if c["name"] == "session")
    data = serializer.loads(cookie["value"])
    data["seen"] -= minutes * 60
    official.context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def test_a_letter_typed_before_the_session_ended_is_saved_after_logging_in(officials):
    """The Kasi starts the answer from a template (filled for the complaint), completes it,
    stays idle past the timeout and clicks Simpan: the login page says the text is kept;
    after logging in she is back on the complaint with the letter as she typed it, and saving
    it works."""
    subject = f"Jam layanan MPP {uuid.uuid4().hex[:6]}"
    number = _register(officials("fo"), "Curhat Ning Ita", subject)
    _walk(officials, subject, SOP_48[:2])
    kasi = officials("kasi")
    kasi.menu("/admin/antrian/kasi/", "antrian")
    _find(kasi, subject)
    form = _step_form(kasi, "jawab")
    kasi.clicks += 1
    form.locator("select[data-answer-template]").select_option(index=1)
    body = form.locator("[name='body']")
    assert subject in body.input_value() and "{" not in body.input_value()
    assert number in form.locator("[name='subject']").input_value()
    body.press("Control+End")
    body.type(" Loket MPP buka pukul 08.00 sampai 15.00 WIB.")
    letter = body.input_value()
    key = f":{form.get_attribute('data-draft')}"  # draft:<official>:aksi:<complaint>:jawab
    kept = f"() => Object.keys(localStorage).filter(k => k.endsWith('{key}')).length"
    assert kasi.page.evaluate(kept) == 1
    _go_idle(kasi)
    kasi.click(form.locator(SAVE), "sesi-berakhir")
    assert "/login" in kasi.page.url and "tidak hilang" in kasi.flash(), kasi.flash()
    kasi.page.get_by_label("Nama pengguna").fill("kasi")
    kasi.page.get_by_label("Kata sandi").fill(PASSWORD)
    kasi.click(kasi.page.get_by_role("button", name="Masuk"), "kembali")
    form = _step_form(kasi, "jawab")
    assert form.locator(".draft-restored").is_visible()
    assert form.locator("[name='body']").input_value() == letter
    kasi.click(form.locator(SAVE), "simpan-jawab")
    assert "Tersimpan" in kasi.flash(), kasi.flash()
    assert kasi.page.evaluate(kept) == 0  # saved: the browser forgets the draft


# --- a phone in the hand ----------------------------------------------------------------------


def _fits(official: Official) -> int:
    """How many pixels the page is wider than the screen (0: it fits)."""
    return official.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_the_kadis_disposes_from_a_phone(officials):
    # A pasted link of 300 characters: no page may grow wider than the phone for it.
    words = f"Sampah di depan MPP {uuid.uuid4().hex[:6]}"
    subject = f"{words} https://mojokertokota.go.id/" + "x" * (300 - len(words) - 29)
    fo = officials("fo")
    _register(fo, "Datang ke kantor", subject)
    kadis = officials("kadis", viewport=PHONE)
    assert _fits(kadis) == 0, "home page"
    kadis.menu("/admin/antrian/kadis/", "antrian")
    assert _fits(kadis) == 0, "queue"
    for cell in ("col-reg_number", "col-subject", "col-stage", "col-deadline"):  # a card each
        box = kadis.page.locator(f"table.model-list tbody tr td.{cell}").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], cell
    _find(kadis, subject, words)
    assert _fits(kadis) == 0, "complaint page"
    tops = [
        kadis.page.locator(where).first.bounding_box()["y"]
        for where in ("#ringkasan", "#pilih-hasil", "form[data-outcome]:visible", "table.timeline")
    ]
    assert tops == sorted(tops), tops  # the summary, the choice, the form, the history
    form = kadis.page.locator("form:has(input[name='outcome'][value='arahan'])")
    box = form.locator(SAVE).bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    form.locator("input[name='marks']").first.check()
    form.locator("[name='instruction']").fill("Segera tindak lanjuti.")
    kadis.click(form.locator(SAVE), "simpan")
    assert "Tersimpan" in kadis.flash()
    assert _fits(kadis) == 0, "queue after saving"


# --- the admin revises an SOP -----------------------------------------------------------------


def test_the_admin_changes_a_time_standard_of_sop_50_from_next_monday(officials):
    admin = officials("admin")
    admin.menu("/admin/sop/", "sop")
    row = admin.page.locator("table.model-list tbody tr", has_text="SOP.50").first
    admin.click(row.get_by_title("Lihat SOP"), "sop-50")
    admin.click(admin.page.get_by_role("button", name=re.compile("Buat revisi baru")), "draf")
    assert "Draf" in admin.flash()
    admin.click(admin.page.get_by_title("Ubah langkah 3"), "langkah-3")
    admin.page.get_by_label("Waktu", exact=True).fill("90")
    admin.click(admin.page.get_by_role("button", name="Simpan"), "langkah-3-tersimpan")
    assert "Langkah 3 tersimpan" in admin.flash()
    admin.click(admin.page.get_by_role("link", name="Ubah kepala SOP"), "kepala")
    today = datetime.now(WIB).date()
    monday = today + timedelta(days=7 - today.weekday())
    admin.page.get_by_label("Tgl Efektif").fill(monday.isoformat())
    admin.click(admin.page.get_by_role("button", name="Simpan"), "kepala-tersimpan")
    admin.click(admin.page.get_by_role("link", name=re.compile("Terbitkan revisi")),
                "konfirmasi")  # fmt: skip
    asked = admin.page.locator("body").inner_text()  # what changes, before it does
    assert "60 menit" in asked and "90 menit" in asked, asked
    admin.click(admin.page.get_by_role("button", name="Terbitkan", exact=True), "terbit")
    text = admin.page.locator("body").inner_text()
    assert "diterbitkan" in admin.flash() and "Langkah 3, Waktu: 60 menit → 90 menit" in text
    assert f"mulai {format_date_long(monday)}" in admin.flash()
    assert "tetap mengikuti revisi lamanya" in admin.flash()


# --- a long list exported as a job --------------------------------------------------------------


def test_a_long_export_shows_its_progress_rings_the_bell_and_downloads_whole(officials, site):
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "seed-bulk", str(EXPORT_AT_ONCE + 10)], cwd=PROJECT,
                   env=site["env"], check=True, capture_output=True)  # fmt: skip
    kadis = officials("kadis")
    kadis.menu("/admin/pengaduan/", "semua")
    shown = _row_count(kadis)
    assert shown > EXPORT_AT_ONCE
    before = _bell(kadis)
    kadis.page.get_by_role("link", name="Ekspor").click()
    kadis.click(kadis.page.get_by_role("link", name="CSV, pemisah koma (sesuai saringan)"),
                "ekspor-antre")  # fmt: skip
    assert re.search(r"/admin/ekspor/\d+/$", kadis.page.url)
    assert "dibuat di latar belakang" in kadis.flash()
    assert kadis.page.locator("#ekspor-status").inner_text() == "Menunggu giliran"
    assert kadis.page.locator("#ekspor-unduh").is_hidden()
    # The worker's round: the page follows it without a reload.
    subprocess.run([*flask, "worker", "--once"], cwd=PROJECT, env=site["env"], check=True,
                   capture_output=True)  # fmt: skip
    kadis.page.locator("#ekspor-unduh").wait_for(state="visible")
    assert kadis.page.locator("#ekspor-status").inner_text() == "Siap diunduh"
    assert kadis.page.locator("#ekspor-bar").inner_text() == "100%"
    assert f"{shown} dari {shown} baris" in kadis.page.locator("#ekspor-baris").inner_text()
    assert kadis.page.locator("#ekspor-batal").is_hidden()
    with kadis.page.expect_download() as download:
        kadis.page.locator("#ekspor-unduh").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert len(rows) - 1 == shown and download.value.suggested_filename.endswith(".csv")
    kadis.open("/admin/", "beranda")
    assert _bell(kadis) > before  # (the worker's sweep may have told of other things too)
    kadis.click(kadis.page.locator("#bell"), "notifikasi")
    news = kadis.page.locator(".notification-unread", has_text="Ekspor siap diunduh")
    kadis.click(news.get_by_role("link", name="Buka ekspor"), "ekspor-saya")
    assert "Siap diunduh" in kadis.page.locator("#ekspor-saya").inner_text()
