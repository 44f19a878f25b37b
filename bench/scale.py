"""Benchmark the lists at scale: each role's queue and all-complaints pages (first, deep and
true last page), the complaint page, searches, the CSV export as a job written by a worker
process (against a raw dump of the same columns; its peak RSS), and the year's recap.

    python bench/scale.py --count 100000 [--database-url postgresql+psycopg://...]
                          [--schema bench_1m]   (PostgreSQL: keep the data for the next run)
    python bench/scale.py --count 1000000 --database-url sqlite:////tmp/bench-1m.db   (reused)

Builds a throwaway database (a SQLite file, or a PostgreSQL schema it drops at the end) —
or reuses the given SQLite file or kept schema, adding only the complaints it lacks — fills
it with `seed-bulk`, then times requests through the real Flask stack. Prints a table with
the peak RSS of the process so far on each line. Nothing is asserted about speed, but every
scenario is checked to have returned what it claims: a list page exactly the rows the same
order and scope read straight from the database give (so a search finds rows, the last page
ends with the last complaint), the complaint page its whole history. A wrong answer stops
the run with a message and exit code 1.
"""

import argparse
import math
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from markupsafe import escape  # noqa: E402
from sqlalchemy import and_, event, func, literal, not_, select, text  # noqa: E402

from admin_views.complaint_lists import ComplaintList  # noqa: E402
from app import create_app  # noqa: E402
from bench.export import export_job, raw_dump  # noqa: E402
from bench.throwaway import PASSWORD, fill, throwaway_database  # noqa: E402
from models import Complaint, StepRecord, User, db  # noqa: E402
from models.actors import co_acting_roles, queue_clause  # noqa: E402
from models.dates import to_wib  # noqa: E402
from models.identity import visible_complaints  # noqa: E402
from models.recap import build_recap, parse_period  # noqa: E402
from models.types import utcnow  # noqa: E402

PAGE_SIZE = ComplaintList.page_size  # rows on a list page (admin_views/base.py)
# The lists' order (models/search.py, "Queue order"): open steps by due moment, none last.
LIST_ORDER = (Complaint.due_at.is_(None), Complaint.due_at, Complaint.id)
# Each official's queue: (username, role, URL of the queue).
QUEUES = (("fo", "fo", "/admin/antrian/fo/"), ("kadis", "kadis", "/admin/antrian/kadis/"),
          ("kabid", "kabid", "/admin/antrian/kabid/"), ("kasi", "kasi", "/admin/antrian/kasi/"),
          ("teknis1", "tim_teknis", "/admin/antrian/tim-teknis/"))  # fmt: skip
# Who has Semua pengaduan (ComplaintList.roles): the FO and the Kepala Dinas see every row;
# the Kabid, the Kasi and the admin all but the confidential ones off their path.
REGISTER_READERS = ("fo", "kadis", "kabid", "kasi", "admin")
REGISTER = "/admin/pengaduan/"


class Wrong(Exception):
    """A scenario returned something else than it claims to measure."""


class Statements:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args):
        self.count += 1


def peak_rss_mb() -> float:
    """The peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(app, count: int) -> float:
    """The database filled up to `count` complaints (bench/throwaway.fill); its seconds."""
    return fill(app, count)


def full_history_complaint(count: int) -> tuple[int, str, list[str]]:
    """A complaint near the middle of the register that is not confidential, with the longest
    history there: its id, registration number and its history's outcome labels, in order."""
    start = max(1, count // 2)
    longest = (select(StepRecord.complaint_id).join(Complaint)
               .where(StepRecord.complaint_id.between(start, start + 2000),
                      not_(Complaint.is_confidential))
               .group_by(StepRecord.complaint_id)
               .order_by(func.count().desc(), StepRecord.complaint_id).limit(1))  # fmt: skip
    cid = db.session.scalar(longest)
    if cid is None:
        raise Wrong(f"no complaint with a history among ids {start}..{start + 2000}")
    labels = list(db.session.scalars(select(StepRecord.outcome_label)
                                      .where(StepRecord.complaint_id == cid)
                                      .order_by(StepRecord.seq)))  # fmt: skip
    return cid, db.session.get(Complaint, cid).reg_number, labels


def listed_ids(body: bytes, base: str) -> list[int]:
    """The complaints a list page shows, in order: each row links to its complaint's page."""
    found = re.findall(rb'href="' + re.escape(base.encode()) + rb"details/\?id=(\d+)", body)
    return list(dict.fromkeys(int(i) for i in found))


def _ids(where, page: int = 0) -> list[int]:
    query = select(Complaint.id).order_by(*LIST_ORDER).offset(page * PAGE_SIZE).limit(PAGE_SIZE)
    return list(db.session.scalars(query if where is None else query.where(where)))


def _count(where) -> int:
    query = select(func.count(Complaint.id))
    return db.session.scalar(query if where is None else query.where(where))


def expect_rows(base: str, expected: list[int], what: str):
    """A check that a list page shows exactly `expected` (ids, in order)."""

    def check(body: bytes) -> str | None:
        got = listed_ids(body, base)
        if got == expected:
            return None
        return (f"{what}: expected {len(expected)} rows (first {expected[:3]}, last "
                f"{expected[-1:]}), the page shows {len(got)} "
                f"(first {got[:3]}, last {got[-1:]})")  # fmt: skip

    return check


def expect_complaint(reg_number: str, labels: list[str]):
    """A check that the complaint page shows the complaint and its whole history."""
    marker = b'class="table table-sm table-striped mb-0 timeline"'

    def check(body: bytes) -> str | None:
        if reg_number.encode() not in body:
            return f"the complaint page does not show {reg_number}"
        table = body.partition(marker)[2].partition(b"</table>")[0]
        rows = table.count(b"<tr>") - 1  # the header's row
        if rows != len(labels):
            return f"{reg_number}: history of {len(labels)} steps expected, {rows} rows shown"
        for label in labels:
            if str(escape(label)).encode() not in table:
                return f"{reg_number}: the history does not show {label!r}"
        return None

    return check


def _word_starts(*words):
    """Every one of `words` starts a word of the subject or the description (as search finds
    them, read here with LIKE over the rows)."""
    spaced = literal(" ") + func.lower(Complaint.subject + " " + Complaint.description)
    return and_(*(spaced.like(f"% {w.lower()}%") for w in words))


def _named(name: str):
    """The complainant's shown name holds `name` (anonymous and confidential ones are hidden)."""
    return and_(not_(Complaint.is_anonymous), not_(Complaint.is_confidential),
                func.lower(Complaint.complainant_name).like(f"%{name.lower()}%"))  # fmt: skip


def scenarios(count: int) -> list[tuple[str, list[tuple[str, str, object]]]]:
    """(username, [(label, url, check)]) in the order they run, with what each page must show
    read straight from the database (in an app context)."""
    users = {u.username: u for u in db.session.scalars(select(User))}
    co_acting = co_acting_roles()
    plan = []
    for username, role, url in QUEUES:
        where = queue_clause(role, users[username], role in co_acting)
        size = _count(where)
        pages = max(1, math.ceil(size / PAGE_SIZE))
        rows = [(f"queue {role}, page 1/{pages} ({size} waiting)", url,
                 expect_rows(url, _ids(where), f"{role}'s queue, first page"))]  # fmt: skip
        if username == "kadis" and pages > 1:
            last = pages - 1
            rows.append((f"queue {role}, last page {pages}/{pages}", f"{url}?page={last}",
                         expect_rows(url, _ids(where, last),
                                     f"{role}'s queue, last page")))  # fmt: skip
        plan.append((username, rows))
    for username in REGISTER_READERS:
        where = visible_complaints(users[username])
        size = _count(where)
        pages = max(1, math.ceil(size / PAGE_SIZE))
        last, deep = pages - 1, min(2000, pages // 2)
        expected_last = _ids(where, last)
        if len(expected_last) != size - last * PAGE_SIZE:
            raise Wrong(f"{username}: {size} complaints, yet {len(expected_last)} on the last page")
        rows = [(f"all complaints, page 1/{pages} ({username})", REGISTER,
                 expect_rows(REGISTER, _ids(where), f"{username}, all complaints, first page")),
                (f"all complaints, page {deep + 1}/{pages} ({username})",
                 f"{REGISTER}?page={deep}",
                 expect_rows(REGISTER, _ids(where, deep), f"{username}, all complaints, "
                             f"page {deep + 1}")),
                (f"all complaints, last page {pages}/{pages} ({username})",
                 f"{REGISTER}?page={last}",
                 expect_rows(REGISTER, expected_last, f"{username}, all complaints, last page "
                             f"(ending with complaint {expected_last[-1:]})"))]  # fmt: skip
        plan.append((username, rows))
    cid, reg_number, labels = full_history_complaint(count)
    page = expect_complaint(reg_number, labels)
    for username in ("fo", "kadis"):
        plan.append((username, [(f"complaint page, {len(labels)} steps ({username})",
                                 f"{REGISTER}details/?id={cid}", page)]))  # fmt: skip
    sample_id = count // 2
    sample = db.session.get(Complaint, sample_id).reg_number
    newest = Complaint.id.desc()
    searches = []
    for label, term, where, finds in (
        ("search by registration number", sample, Complaint.id == sample_id, True),
        ("free-text search, a name (Aminah)", "Aminah", _named("Aminah"), True),
        ("free-text search, a word (pesangon)", "pesangon", _word_starts("pesangon"), True),
        ("free-text search, two words (izin antre)", "izin antre",
         _word_starts("izin", "antre"), True),
        ("free-text search, two words (upah pabrik)", "upah pabrik",
         _word_starts("upah", "pabrik"), True),
        ("free-text search that finds nothing", "kebakaran hutan",
         _word_starts("kebakaran", "hutan"), False),
    ):  # fmt: skip
        expected = list(db.session.scalars(select(Complaint.id).where(where).order_by(newest)
                                           .limit(PAGE_SIZE)))  # fmt: skip
        if finds and not expected:
            raise Wrong(f"{label}: no complaint of the seeded data holds {term!r}; pick a word "
                        "seeds/demo_complaints.py TOPICS or NAMES use")  # fmt: skip
        if not finds and expected:
            raise Wrong(f"{label}: {term!r} occurs in the seeded data ({len(expected)}+ rows)")
        what = f"{label}: {len(expected)} rows" if finds else f"{label}: no row"
        searches.append((f"{label} [{len(expected)} rows]", f"{REGISTER}?search={quote_plus(term)}",
                         expect_rows(REGISTER, expected, what)))  # fmt: skip
    plan.append(("fo", searches))
    return plan


def _timed(client, url, check, statements, repeat):
    def get() -> bytes:
        response = client.get(url)
        body = response.get_data()
        response.close()
        if response.status_code != 200:
            raise Wrong(f"{url}: status {response.status_code}: {body[:300]!r}")
        if (problem := check(body)) is not None:
            raise Wrong(f"{url}: {problem}")
        return body

    get()  # warm up (caches of filter choices fill once per process), and check it
    times, counts = [], []
    for _ in range(repeat):
        statements.count = 0
        t0 = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        response.close()
        times.append(time.perf_counter() - t0)
        counts.append(statements.count)
        if response.status_code != 200:
            raise Wrong(f"{url}: status {response.status_code}: {body[:300]!r}")
    if (problem := check(body)) is not None:  # the last answer too
        raise Wrong(f"{url}: {problem}")
    return statistics.median(times) * 1000, max(counts)


def login(client, username: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    if response.status_code != 302:
        raise Wrong(f"login as {username}: status {response.status_code}")


def run(app, config: dict, args) -> None:
    fill = prepare(app, args.count)
    with app.app_context():
        dialect = db.engine.dialect.name
        statements = Statements(db.engine)
        total = db.session.execute(text("SELECT count(*) FROM complaint")).scalar()
        plan = scenarios(args.count)
        db.session.remove()
    print(f"{dialect}, {total} complaints (seed-bulk {fill:.0f} s), {PAGE_SIZE} rows a page; "
          f"peak RSS after seeding {peak_rss_mb():.0f} MB")  # fmt: skip
    print(f"{'measure':56} {'p50 ms':>9} {'SQL':>5} {'RSS MB':>7}")
    client = app.test_client()
    for username, rows in plan:
        login(client, username)
        for label, url, check in rows:
            p50, sql = _timed(client, url, check, statements, args.repeat)
            print(f"{label:56} {p50:9.1f} {sql:5d} {peak_rss_mb():7.0f}", flush=True)
    login(client, "fo")
    # The whole register's CSV, as a job the worker writes (as any list past
    # EXPORT_STREAM_MAX_ROWS is), its file downloaded and its rows counted.
    app.config["EXPORT_STREAM_MAX_ROWS"] = 0
    job = export_job(app, config, client, "/admin/pengaduan/ekspor/csv/")
    if job.rows != total:
        raise Wrong(f"CSV export: {job.rows} rows in the file for {total} complaints")
    raw = raw_dump(app)  # the same columns as the export's (bench/export.py)
    print(f"{'CSV export: the request that queues the job':56} {job.request_ms:9.1f}       "
          f"{peak_rss_mb():7.0f}")  # fmt: skip
    print(f"{'CSV export: the job (worker process)':56} {job.job_s * 1000:9.0f}       "
          f"{job.worker_rss_mb:7.0f} {job.size / 1e6:.0f} MB file, job/raw "
          f"{job.job_s / raw:.2f}×")  # fmt: skip
    print(f"{'raw dump of the same columns to a file':56} {raw * 1000:9.0f}       "
          f"{peak_rss_mb():7.0f}")  # fmt: skip
    with app.app_context():
        year = str(to_wib(utcnow()).year)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            build_recap(parse_period("tahun", year))
            times.append(time.perf_counter() - t0)
        print(f"{'year recap':56} {statistics.median(times) * 1000:9.0f}       "
              f"{peak_rss_mb():7.0f}")  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB (ru_maxrss)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--schema",
        help="PostgreSQL: a schema kept after the run and reused "
        "by the next (seeded once; a million complaints take minutes)",
    )
    args = parser.parse_args()
    with throwaway_database(args.database_url, keep=args.schema) as config:
        app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **config})  # fmt: skip
        try:
            run(app, config, args)
        except Wrong as exc:
            print(f"WRONG: {exc}", file=sys.stderr)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()  # so that the throwaway schema can be dropped
            sys.exit(1)


if __name__ == "__main__":
    main()
