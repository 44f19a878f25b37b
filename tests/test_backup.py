"""Backup and restore: a round trip loses nothing, attachments and history included."""

import hashlib

from sqlalchemy import func, select

from models import Attachment, Complaint, DayTally, StepRecord, StepTally, db
from models.workflow import register
from tests.workflow_helpers import act, registration, user

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def _state():
    """What must survive: complaints, history, attachments byte for byte, the tallies."""

    def rows(statement):
        return db.session.execute(statement).all()

    return {
        "complaints": rows(select(Complaint.reg_number, Complaint.status, Complaint.subject,
                                  Complaint.complainant_name).order_by(Complaint.id)),
        "history": rows(select(StepRecord.complaint_id, StepRecord.seq, StepRecord.outcome,
                               StepRecord.finished_at).order_by(StepRecord.id)),
        "attachments": [(a.filename, hashlib.sha256(a.content).hexdigest())
                        for a in db.session.scalars(select(Attachment).order_by(Attachment.id))],
        "steps counted": rows(select(func.sum(StepTally.finished))),
        "days counted": rows(select(func.sum(DayTally.received))),
    }  # fmt: skip


def test_a_backup_restores_exactly_what_was_saved(app, tmp_path):
    runner = app.test_cli_runner()
    with app.app_context():
        first = register(user("fo"), registration("kantor", subject="Pokok yang dicadangkan"),
                         [{"filename": "tangkapan-layar.png", "mime_type": "image/png",
                           "size": len(PNG), "sha256": hashlib.sha256(PNG).hexdigest(),
                           "content": PNG}])  # fmt: skip
        act(first, "kadis", "arahan")
        register(user("fo"), registration("curhat_ning_ita", complainant_name="Dewi Lestari"))
        saved = _state()
        assert saved["attachments"] and len(saved["history"]) == 5
    target = tmp_path / "cadangan" / "pengaduan.bak"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Cadangan tersimpan" in result.output and target.stat().st_size > 0
    with app.app_context():  # work goes on after the backup
        later = register(user("fo"), registration("kantor", subject="Sesudah pencadangan"))
        act(later, "kadis", "arahan")
        assert _state() != saved
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _state() == saved
        # the restored database keeps working: search, numbering, the append-only history
        hits = db.session.scalars(select(Complaint.reg_number).where(
            Complaint.subject.like("%dicadangkan%"))).all()  # fmt: skip
        assert hits == [saved["complaints"][0][0]]
        again = register(user("fo"), registration("kantor"))
        assert again.reg_number not in {row[0] for row in saved["complaints"]}


def test_restore_refuses_a_missing_or_foreign_file(app, tmp_path):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["restore", str(tmp_path / "tidak-ada.db"), "--yes"])
    assert missing.exit_code != 0 and "tidak ada" in missing.output
    foreign = tmp_path / "bukan-cadangan.db"
    foreign.write_text("ini bukan cadangan")
    result = runner.invoke(args=["restore", str(foreign), "--yes"])
    assert result.exit_code != 0
    assert "bukan berkas cadangan" in result.output or "gagal" in result.output
    with app.app_context():  # nothing was lost by the refused attempts
        assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_a_backup_is_readable_by_its_owner_only(app, tmp_path, monkeypatch):
    """A backup holds every identity, password hash and attachment: 0600, in a 0700 folder,
    whatever the umask (the default folder and one the backup makes alike)."""
    import os
    import stat

    runner = app.test_cli_runner()
    old_umask = os.umask(0o022)  # the usual: files world-readable
    try:
        target = tmp_path / "baru" / "pengaduan.bak"
        assert runner.invoke(args=["backup", str(target)]).exit_code == 0
        monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
        (tmp_path / "instance" / "backups").mkdir(parents=True, mode=0o755)
        result = runner.invoke(args=["backup"])
        assert result.exit_code == 0, result.output
    finally:
        os.umask(old_umask)
    (default,) = (tmp_path / "instance" / "backups").iterdir()
    for written in (target, default):
        assert stat.S_IMODE(written.stat().st_mode) == 0o600, written
        assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700, written.parent
        assert written.stat().st_size > 0


def test_a_backup_on_postgresql_leaves_the_export_files_out(app, tmp_path, db_kind):
    """Export files are kept a day and can be as large as the register: PostgreSQL's backup
    leaves them out, and after a restore their jobs say the file is gone (SQLite's copy of
    the whole file keeps them, still downloadable)."""
    from models import ExportJob, ExportPiece, export_jobs

    runner = app.test_cli_runner()
    with app.app_context():
        register(user("fo"), registration("kantor"))
        job = export_jobs.request_export(user("kadis"), view="complaints",
                                         list_path="/admin/pengaduan/", title="Semua pengaduan",
                                         args=[], fmt="csv", file_name="pengaduan.csv",
                                         total_rows=1)  # fmt: skip
        ended = export_jobs.run_job(
            export_jobs.claim("test"), app.extensions["export_job_producer"]
        )
        assert ended == "done"
        job_id = job.id
    target = tmp_path / "pengaduan.bak"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    assert runner.invoke(args=["restore", str(target), "--yes"]).exit_code == 0
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        pieces = db.session.scalar(select(func.count()).select_from(ExportPiece))
        if db_kind == "postgresql":
            assert (job.status, pieces) == ("expired", 0)
        else:
            assert job.status == "done" and export_jobs.downloadable(job) and pieces == 1
