"""Benchmark: render a Lembar Disposisi and a Buku Registrasi of 1,000 rows to PDF.

    python bench/documents.py [--rows 1000] [--repeat 20]

Works in a throwaway SQLite database; prints median timings; asserts nothing.
"""

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from models import Channel, Complaint, Jenis, StepRecord, User, db  # noqa: E402
from models.dates import WIB  # noqa: E402
from models.documents import record_document, register_book  # noqa: E402
from models.pdf import render_pdf, render_register  # noqa: E402
from models.workflow import advance, register  # noqa: E402
from seeds.loader import create_demo_accounts, init_data  # noqa: E402


def _timed(fn, repeat):
    timings = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - t0)
    return statistics.median(timings) * 1000, min(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    database = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SQLALCHEMY_DATABASE_URI": database})  # fmt: skip
    with app.app_context(), app.test_request_context():
        db.create_all()
        init_data()
        create_demo_accounts("bench-2026")
        users = {u.username: u for u in db.session.scalars(select(User))}
        channel = db.session.scalar(select(Channel).where(Channel.code == "kantor"))
        jenis = db.session.scalar(select(Jenis))
        first = date(2026, 1, 5)
        from datetime import datetime

        for i in range(args.rows):
            day = first + timedelta(days=i % 300)
            register(users["fo"], {
                "channel_id": str(channel.id), "platform_id": "0", "jenis_id": str(jenis.id),
                "received_at": f"{day.isoformat()}T09:00", "complainant_name": f"Warga {i}",
                "complainant_contact": "0812-0000-0000", "subject": f"Pengaduan nomor {i}",
                "description": "Uraian pengaduan untuk uji kecepatan.",
            }, now=datetime(day.year, day.month, day.day, 9, 20, tzinfo=WIB))  # fmt: skip
        c = db.session.scalar(select(Complaint).order_by(Complaint.id))
        disposition_form = {"sifat": "Segera", "marks": ["ditindaklanjuti"],
                            "to_user": str(users["kabid"].id),
                            "instruction": "Segera tindak lanjuti."}  # fmt: skip
        advance(c.id, users["kadis"], "arahan", disposition_form,
                now=c.received_at + timedelta(hours=1))  # fmt: skip
        record = db.session.scalar(select(StepRecord).where(
            StepRecord.complaint_id == c.id, StepRecord.document == "lembar_disposisi",
        ))  # fmt: skip
        count = db.session.scalar(select(db.func.count(Complaint.id)))
        # Time as a request would run: a fresh session, not the one that made 1,000 rows.
        complaint_id, record_id = c.id, record.id
        db.session.remove()
        gc.collect()
        c = db.session.get(Complaint, complaint_id)
        record = db.session.get(StepRecord, record_id)

        def disposition():
            template, context = record_document(c, record)
            return render_pdf(template, **context)

        def book():
            return render_register(register_book(date(2026, 1, 1), date(2026, 12, 31)))

        disposition()  # warm up fonts
        med, best = _timed(disposition, args.repeat)
        print(f"Lembar Disposisi: median {med:.0f} ms, best {best:.0f} ms ({args.repeat} runs)")
        med, best = _timed(book, 3)
        print(f"Buku Registrasi, {count} rows: median {med:.0f} ms, best {best:.0f} ms (3 runs)")


if __name__ == "__main__":
    main()
