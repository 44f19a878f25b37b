"""Print every document of an SOP.50 walk as the officials get it and render each page to PNG,
for comparing with the forms in DOCUMENTS.md (`docs/forms/`, kept in the repository).

    .venv/bin/python docs/render_forms.py [--out docs/forms] [--dpi 80]

A throwaway SQLite database with the SOPs and the demo accounts: one complaint walked through
the ten steps of SOP.50 with its coordination meeting moved once, one forwarded by the Kabid
(a Surat Pelimpahan signed a.n. the Kepala Dinas); then, through the Flask stack as the Kabid,
each step's document, the Buku Registrasi of the day, the case file and the month's
Rekapitulasi, each page a PNG named after its document. Prints the files written.
"""

import argparse
import io
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pypdfium2  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from bench.throwaway import throwaway_database  # noqa: E402
from models import OtherAgency, StepRecord, db  # noqa: E402
from models.closing import forward, move_meeting  # noqa: E402
from models.dates import today_wib  # noqa: E402
from models.documents import document_title  # noqa: E402
from seeds.loader import create_demo_accounts, init_data  # noqa: E402
from tests.workflow_helpers import SOP_50_WALK, act, register_complaint, user  # noqa: E402

PASSWORD = "Forms-2026"


def _walk() -> tuple[int, int]:
    """The walked complaint (its meeting moved once) and the forwarded one: their ids."""
    walked = register_complaint(subject="Izin usaha belum terbit",
                                description="Permohonan NIB saya sejak dua minggu belum ada "
                                            "kabar, mohon kejelasan prosesnya.")  # fmt: skip
    for who, _queue, outcome in SOP_50_WALK:
        if outcome == "berita_acara":  # the meeting moves before it is held
            move_meeting(walked.id, user("kasi"), {
                "day": (today_wib() + timedelta(days=2)).isoformat(), "start": "13:30",
                "place": "Aula Lt. 3", "reason": "bertepatan dengan rapat pimpinan"})  # fmt: skip
        act(db.session.get(type(walked), walked.id), who, outcome)
    forwarded = register_complaint(subject="KTP elektronik belum jadi")
    act(forwarded, "kadis", "arahan")
    agency = db.session.scalar(select(OtherAgency).where(OtherAgency.active.is_(True)))
    forward(
        forwarded.id,
        user("kabid"),
        agency.id,
        "Penerbitan KTP elektronik adalah kewenangan Dinas Kependudukan dan Pencatatan Sipil.",
    )
    return walked.id, forwarded.id


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "forms"))
    parser.add_argument("--dpi", type=int, default=80)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with throwaway_database() as config:
        app = create_app({"SECRET_KEY": "forms", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "WTF_CSRF_ENABLED": False, **config})  # fmt: skip
        with app.app_context():
            db.create_all()
            init_data()
            create_demo_accounts(PASSWORD)
            walked, forwarded = _walk()
            prints = [(f"{r.complaint_id}-{r.seq:02d}-{_slug(document_title(r))}",
                       f"/admin/pengaduan/dokumen/{r.id}?id={r.complaint_id}")
                      for r in db.session.scalars(select(StepRecord).where(
                          StepRecord.document.is_not(None)).order_by(
                          StepRecord.complaint_id, StepRecord.seq))]  # fmt: skip
        day = today_wib().isoformat()
        prints += [
            ("buku-registrasi", f"/admin/pengaduan/buku-registrasi/?first={day}&last={day}"),
            ("berkas-pengaduan", f"/admin/pengaduan/berkas/?id={walked}"),
            ("rekapitulasi", "/admin/rekap/pdf/"),
        ]
        client = app.test_client()
        client.post("/login", data={"username": "kabid", "password": PASSWORD})
        for name, url in prints:
            response = client.get(url)
            assert response.status_code == 200 and response.mimetype == "application/pdf", url
            pdf = pypdfium2.PdfDocument(io.BytesIO(response.data))
            for number, page in enumerate(pdf, 1):
                path = out / f"{name}-{number}.png"
                page.render(scale=args.dpi / 72).to_pil().save(path, optimize=True)
                print(path)
            pdf.close()


if __name__ == "__main__":
    main()
