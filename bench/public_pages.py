"""Benchmark the citizen's public pages: sending the complaint form, tracking by code.

    python bench/public_pages.py --count 20000
    python bench/public_pages.py --count 1000000 --database-url sqlite:////tmp/bench-public-1m.db
    python bench/public_pages.py --count 1000000 --database-url postgresql+psycopg://...
                                 --schema bench_public_1m  (PostgreSQL: keep the data)

The database — a throwaway SQLite file or PostgreSQL schema, or the given file or kept
schema, reused with the complaints it already has — is filled to `--count` complaints by
`seed-bulk`; each complaint without a tracking code is given one derived from its id
(`bench_code`), so that the benchmark knows the code of any complaint. Then, through the
Flask test client (routing, CSRF, templates, database), each request timed whole, after
warm-up requests that are not counted:

1. The form: GET /lapor/ (a new client, as a new citizen's browser), then POST /lapor/ with
   the CSRF token and `opened` read from that page (every 5th with a PNG attached); the
   receipt GET /lapor/terkirim/ it leads to.
2. Tracking: GET /lacak/?kode=… with the code of a random complaint in progress, of a random
   closed one, of a waiting submission sent in part 1, and with codes that find nothing
   (each of which counts a failed lookup: a rate_event written).

Every request comes from its own address (the throttles read a citizen's few events, not a
benchmark's hundreds), the throttles' limits raised so that none is held; no mail server.
Prints the timings and the statements that took longest; asserts nothing but the status of
each response. Target: p50 ≤ 50 ms for POST /lapor/ and GET /lacak/ at 1,000,000 complaints.
"""

import argparse
import cProfile
import hashlib
import io
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, func, select, update  # noqa: E402

from app import create_app  # noqa: E402
from bench.notifications import (  # noqa: E402
    Statements,
    percentile,
    prepare,
    print_slowest,
    revision,
)
from bench.throwaway import throwaway_database, vacuum  # noqa: E402
from models import Complaint, db  # noqa: E402
from models.tracking import ALPHABET, CODE_LENGTH, code_hash, format_code  # noqa: E402
from seeds.bulk import seed_bulk  # noqa: E402

WARMUP = 20  # requests of each kind run first and not counted: caches of SOPs, templates
BATCH = 10_000  # complaints given their code per executemany
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # as tests/test_public_form.py: passes the check
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
OPENED_RE = re.compile(r'name="opened" type="hidden" value="([^"]+)"')
JENIS_RE = re.compile(r'<option value="(\d+)">Pengaduan</option>')
CODE_RE = re.compile(r'id="kode-lacak">([A-Z0-9-]+)<')
TARGET_MS = 50


# -- the database -------------------------------------------------------------------------


def bench_code(complaint_id: int) -> str:
    """The tracking code the benchmark gives complaint `complaint_id`: 12 characters of the
    codes' alphabet from the SHA-256 of "bench-<id>"."""
    number = int.from_bytes(hashlib.sha256(f"bench-{complaint_id}".encode()).digest())
    chars = []
    for _ in range(CODE_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)


@contextmanager
def database(url: str | None, schema: str | None):
    """A throwaway SQLite file (removed after), or the given file or PostgreSQL schema
    (a throwaway one, or `schema`, kept and reused)."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/public.db"}
        return
    with throwaway_database(url, keep=schema) as config:
        yield config


def make_app(config: dict):
    """The app as a citizen meets it, CSRF checked; no mail server or gateway, no throttle
    that holds (each request comes from its own address anyway), no minimum time to fill
    the form."""
    return create_app({
        "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": "", "WHATSAPP_GATEWAY_URL": "", "SUBMIT_MIN_SECONDS": 0,
        "SUBMIT_PER_ADDRESS": 1_000_000, "SUBMIT_PER_CONTACT": 1_000_000,
        "TRACK_MAX_FAILURES": 1_000_000, **config,
    })  # fmt: skip


def fill(count: int) -> str:
    """Complaints up to `count` (seed-bulk), each with its bench code; what was done."""
    have = db.session.scalar(select(func.count(Complaint.id)))
    t0 = time.perf_counter()
    if have < count:
        seed_bulk(count - have, echo=lambda line: None)
    seeded = time.perf_counter() - t0
    table = Complaint.__table__
    t0 = time.perf_counter()
    missing = db.session.scalars(
        select(table.c.id).where(table.c.tracking_hash.is_(None)).order_by(table.c.id)
    ).all()
    statement = (update(table).where(table.c.id == bindparam("b_id"))
                 .values(tracking_hash=bindparam("b_hash")))  # fmt: skip
    for start in range(0, len(missing), BATCH):
        rows = [{"b_id": cid, "b_hash": code_hash(bench_code(cid))}
                for cid in missing[start : start + BATCH]]  # fmt: skip
        db.session.connection().execute(statement, rows)
        db.session.commit()
    hashed = time.perf_counter() - t0
    t0 = time.perf_counter()
    if have < count or missing:
        vacuum(db.engine, ("complaint", "step_record", "submission", "rate_event"))
    vacuumed = time.perf_counter() - t0
    done = [f"seed-bulk {count - have} in {seeded:.1f} s" if have < count
            else f"reused {have}",
            f"tracking codes given to {len(missing)} in {hashed:.1f} s"]  # fmt: skip
    if vacuumed > 0.5:
        done.append(f"VACUUM ANALYZE {vacuumed:.0f} s")
    return "; ".join(done)


def sample_ids(rnd: random.Random, status: str, wanted: int) -> list[int]:
    """`wanted` random ids of complaints of `status` whose code is their bench code."""
    table = Complaint.__table__
    top = db.session.scalar(select(func.max(table.c.id))) or 0
    found: list[int] = []
    for _ in range(50):
        guesses = sorted({rnd.randint(1, top) for _ in range(4 * wanted)})
        rows = db.session.execute(
            select(table.c.id, table.c.tracking_hash)
            .where(table.c.id.in_(guesses), table.c.status == status)
        ).all()  # fmt: skip
        found += [cid for cid, hashed in rows if hashed == code_hash(bench_code(cid))]
        if len(found) >= wanted:
            break
    db.session.rollback()
    rnd.shuffle(found)
    return found[:wanted]


# -- measuring ----------------------------------------------------------------------------


class Addresses:
    """A new client address for every request (this run's own block of 10.x.y.z)."""

    def __init__(self):
        self.next = random.randrange(1 << 23) << 1

    def __call__(self) -> dict:
        n, self.next = self.next, self.next + 1
        return {"REMOTE_ADDR": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}


class Operation:
    """The timings of one kind of request, with its statements counted."""

    def __init__(self, label: str):
        self.label, self.ms, self.sql, self.log = label, [], [], []


def timed(operation: Operation | None, statements: Statements, call, *args, **kwargs):
    """Run `call(*args, **kwargs)` (a request); keep its time and statements unless
    `operation` is None (warming up)."""
    before = statements.count
    with statements.recording() as log:
        t0 = time.perf_counter()
        response = call(*args, **kwargs)
        seconds = time.perf_counter() - t0
    if operation is not None:
        operation.ms.append(seconds * 1000)
        operation.sql.append(statements.count - before)
        operation.log += log
    return response


def expect(response, status: int, what: str):
    if response.status_code != status:
        raise AssertionError(f"{what}: {response.status_code}, expected {status}\n"
                             f"{response.get_data(as_text=True)[:1500]}")  # fmt: skip
    return response


def submissions(app, statements: Statements, requests: int, addresses: Addresses):
    """Part 1: (form page, POST, receipt operations; codes of the waiting submissions)."""
    form_page, post, receipt = (Operation("GET /lapor/ (form page)"),
                                Operation("POST /lapor/ (form sent)"),
                                Operation("GET /lapor/terkirim/ (receipt)"))  # fmt: skip
    codes, attached, base = [], 0, random.randrange(10**7)
    for i in range(WARMUP + requests):
        counted = i >= WARMUP
        client = app.test_client()  # a new citizen
        address = addresses()
        page = timed(form_page if counted else None, statements, client.get, "/lapor/",
                     environ_base=address)  # fmt: skip
        page = expect(page, 200, "GET /lapor/").get_data(as_text=True)
        data = {
            "csrf_token": CSRF_RE.search(page).group(1),
            "opened": OPENED_RE.search(page).group(1),
            "jenis_id": JENIS_RE.search(page).group(1),
            "subject": "Izin usaha belum terbit",
            "description": "Permohonan NIB saya sejak 3 minggu belum ada kabar.",
            "name": "Rina Wulandari",
            "email": f"warga{base + i}@example.com",
            "whatsapp": f"0812{(base + i) % 10**8:08d}",
            "address": "Jl. Majapahit 12, Mojokerto",
            "consent": "y",
            "website": "",
        }
        if i % 5 == 0:
            data["attachments"] = [(io.BytesIO(PNG), "foto.png")]
            attached += counted
        sent = timed(post if counted else None, statements, client.post, "/lapor/",
                     data=data, environ_base=address,
                     content_type="multipart/form-data")  # fmt: skip
        location = expect(sent, 302, "POST /lapor/").headers["Location"]
        shown = timed(receipt if counted else None, statements, client.get, location,
                      environ_base=address)  # fmt: skip
        shown = expect(shown, 200, "GET /lapor/terkirim/").get_data(as_text=True)
        code = CODE_RE.search(shown)
        codes.append(code.group(1))
    return [form_page, post, receipt], codes, attached


def tracking(app, statements: Statements, label: str, codes: list[str], status: int,
             addresses: Addresses) -> Operation:  # fmt: skip
    """Part 2: GET /lacak/?kode=… of each code (the first WARMUP not counted)."""
    operation = Operation(label)
    client = app.test_client()
    for i, code in enumerate(codes):
        response = timed(operation if i >= WARMUP else None, statements, client.get,
                         "/lacak/", query_string={"kode": code},
                         environ_base=addresses())  # fmt: skip
        expect(response, status, f"GET /lacak/?kode={code}")
    return operation


def profile(app, codes: dict[str, list[str]], requests: int) -> None:
    """cProfile of `requests` more of each tracking request and of the form sent."""
    addresses = Addresses()
    for label, sample in codes.items():
        profiler = cProfile.Profile()
        client = app.test_client()
        profiler.enable()
        for code in sample[:requests]:
            client.get("/lacak/", query_string={"kode": code}, environ_base=addresses())
        profiler.disable()
        print(f"\n  cProfile, {min(requests, len(sample))} × GET /lacak/ ({label}), "
              "top by cumulative time:")  # fmt: skip
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def print_table(operations: list[Operation], dialect: str, total: int) -> None:
    print(f"  {'operation':40} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
          f"{'SQL':>4} {'database':>10} {'complaints':>10}")  # fmt: skip
    for op in operations:
        print(f"  {op.label:40} {len(op.ms):4d} {percentile(op.ms, 0.5):7.1f} "
              f"{percentile(op.ms, 0.95):7.1f} {max(op.ms):7.1f} "
              f"{statistics.median(op.sql):4.0f} {dialect:>10} {total:10d}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests of each kind")
    parser.add_argument(
        "--database-url",
        help="default: a throwaway SQLite file; a file given "
        "(sqlite:////tmp/bench-public-1m.db) is reused by the next run",
    )
    parser.add_argument(
        "--schema",
        help="PostgreSQL: a schema kept after the run and reused "
        "by the next (seeded once; a million complaints take minutes)",
    )
    parser.add_argument("--profile", type=int, default=0,
                        help="also cProfile this many tracking requests of each kind")  # fmt: skip
    args = parser.parse_args()
    print(f"code: {revision()}\n")
    rnd = random.Random(11)
    addresses = Addresses()
    with database(args.database_url, args.schema) as config:
        app = make_app(config)
        with app.app_context():
            prepare()
            dialect = db.engine.dialect.name
            done = fill(args.count)
            total = db.session.scalar(select(func.count(Complaint.id)))
            wanted = WARMUP + args.requests
            in_progress = [format_code(bench_code(i)) for i in
                           sample_ids(rnd, "in_progress", wanted)]  # fmt: skip
            closed = [format_code(bench_code(i)) for i in sample_ids(rnd, "closed", wanted)]
            statements = Statements(db.engine)
        unknown = [format_code("".join(rnd.choice(ALPHABET) for _ in range(CODE_LENGTH)))
                   for _ in range(wanted)]  # fmt: skip
        print(f"Public pages ({dialect}, {total} complaints: {done})")
        # The requests run outside any app context, each in its own as in a server: a
        # session of their own, removed after each.
        load, t0 = os.getloadavg()[0], time.perf_counter()
        operations, waiting, attached = submissions(app, statements, args.requests, addresses)
        operations += [
            tracking(app, statements, "GET /lacak/ complaint in progress", in_progress, 200,
                     addresses),
            tracking(app, statements, "GET /lacak/ complaint closed", closed, 200, addresses),
            tracking(app, statements, "GET /lacak/ waiting submission", waiting, 200,
                     addresses),
            tracking(app, statements, "GET /lacak/ unknown code (404)", unknown, 404,
                     addresses),
        ]  # fmt: skip
        elapsed = time.perf_counter() - t0
        print(f"  {args.requests} timed requests of each kind after {WARMUP} warm-up, "
              f"{elapsed:.0f} s in all; {attached} of the {args.requests} forms with a PNG "
              f"attached; every request from its own address; load average (1 min) {load:.1f} "
              f"before, {os.getloadavg()[0]:.1f} after on {os.cpu_count()} cores\n")  # fmt: skip
        print_table(operations, dialect, total)
        for op in operations:
            if op.label.startswith(("POST /lapor/", "GET /lacak/")):
                verdict = "met" if percentile(op.ms, 0.5) <= TARGET_MS else "MISSED"
                print(f"  target p50 ≤ {TARGET_MS} ms, {op.label}: {verdict}")
        print("\n  Where the time goes: time in cursor.execute (fetching rows and COMMIT not "
              "included), the statements that took longest in all")  # fmt: skip
        for op in operations:
            seconds = sum(entry[0] for entry in op.log) * 1000 / len(op.ms)
            print(f"  {op.label}: {seconds:.1f} ms of {statistics.mean(op.ms):.1f} ms "
                  "(mean) in cursor.execute")  # fmt: skip
            print_slowest(op.log, top=3)
        if args.profile:
            profile(app, {"in progress": in_progress, "closed": closed, "unknown": unknown},
                    args.profile)  # fmt: skip
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
