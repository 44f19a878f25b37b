"""Backup and restore of the whole database, attachments included (they live in it).

- SQLite: the online backup API copies a consistent snapshot while the app keeps running;
  restore copies a backup file back over the live database the same way.
- PostgreSQL: `pg_dump --format=custom` of the application's schema; restore is
  `pg_restore --clean --if-exists` into it. Both come with the PostgreSQL client package.
  The files of export jobs are left out (kept a day, and as large as the register: a backup
  a night would hold each of them); after a restore their jobs say the file is gone.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import text

from models import db
from models.export_jobs import ExportPiece, files_lost


class BackupError(Exception):
    """The backup or restore could not be made; the message says why, in Indonesian."""


def _postgres_target() -> tuple[list[str], dict, str]:
    """The connection arguments for the PostgreSQL tools, their environment, and the schema."""
    url = db.engine.url
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432),
            "--username", url.username or "postgres", "--dbname", url.database]  # fmt: skip
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    schema = db.session.execute(text("SELECT current_schema()")).scalar_one()
    return args, env, schema


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"Program {command[0]} tidak ditemukan; pasang klien PostgreSQL "
                          "(paket postgresql-client).") from None  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"{command[0]} gagal: {done.stderr.strip()[:500]}")


def _private_file(path: Path) -> None:
    """Make `path` an empty file only its owner may read (0600), in a folder only its owner
    may enter (0700) when the backup makes it: a backup holds every identity, password hash
    and attachment."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)  # whatever the umask
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    path.chmod(0o600)


def private_folder(folder: Path) -> Path:
    """The backups' own folder, made or narrowed to its owner (0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def backup(path: Path) -> Path:
    """Write a consistent copy of the database to `path` (readable by its owner only: 0600)
    and return it."""
    path = Path(path)
    _private_file(path)
    if db.engine.dialect.name == "sqlite":
        raw = db.engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            try:
                raw.driver_connection.backup(target)
            finally:
                target.close()
        finally:
            raw.close()
        return path
    args, env, schema = _postgres_target()
    db.session.remove()
    _run(["pg_dump", "--format=custom", "--no-owner", f"--schema={schema}",
          f"--exclude-table-data={schema}.{ExportPiece.__tablename__}",
          f"--file={path}", *args], env)  # fmt: skip
    return path


def restore(path: Path) -> None:
    """Replace the database's content with the backup at `path`.

    :raise BackupError: the file is missing or not a backup of this kind of database.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Berkas cadangan {path} tidak ada.")
    if db.engine.dialect.name == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            source.close()
            raise BackupError(f"{path} bukan berkas cadangan SQLite.") from None
        db.session.remove()
        raw = db.engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            source.close()
            raw.close()
        db.engine.dispose()
        return
    args, env, schema = _postgres_target()
    db.session.remove()
    db.engine.dispose()  # no open transaction may hold a table the restore drops
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--schema={schema}",
          *args, str(path)], env)  # fmt: skip
    files_lost()
