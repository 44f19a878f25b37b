"""`flask sop export`: an SOP revision back to the seed format, and back again unchanged."""

import importlib.util
import runpy
import subprocess
import sys
from dataclasses import replace
from datetime import date
from fnmatch import fnmatch
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Sop, db
from models.sop import sop_as_dict
from seeds import loader
from seeds.export import HEADER_LISTS, seed_filename, seed_source
from seeds.loader import SOP_SEEDS, build_sop

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEEDS = {seed.header.code: seed for seed in SOP_SEEDS}
TRICKY = 'Kasi "menjawab"\nbaris dua — ✓'


def export(runner, *args) -> str:
    result = runner.invoke(args=["sop", "export", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def run_seed(source: str, path: Path):
    """Write `source` to `path`, run it as a module and return its `SOP`."""
    path.write_text(source, encoding="utf-8")
    return runpy.run_path(str(path))["SOP"]


def ruff_check(path: Path) -> None:
    """`ruff check` with the project's configuration; `path` lies outside seeds/, so even the
    seed files' E501 exemption does not apply."""
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", "--config", str(PROJECT_DIR / "pyproject.toml"),
         str(path)],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def full_dict(sop: Sop) -> dict:
    """sop_as_dict() and what it leaves out: the raw header text, titles, short names, order."""
    data = sop_as_dict(sop)
    data["procedure_title"] = sop.procedure_title
    data["note"] = sop.note
    data["raw"] = {field: getattr(sop, field) for field in HEADER_LISTS}
    data["short_names"] = [s.short_name for s in sop.steps]
    data["outcome_order"] = [
        [o.code for o in sorted(s.outcomes, key=lambda o: o.position)] for s in sop.steps
    ]
    return data


def revision(code: str, number: int) -> Sop:
    return db.session.scalar(select(Sop).where(Sop.code == code, Sop.revision == number))


def add_revision_2(**header) -> Sop:
    """SOP.48 revision 2, not effective until 2099, as the admin would leave it."""
    seed = SEEDS["SOP.48"]
    header = {"revision": 2, "effective_on": date(2099, 1, 2), **header}
    sop = build_sop(replace(seed, header=replace(seed.header, **header)))
    db.session.add(sop)
    db.session.commit()
    return sop


@pytest.mark.parametrize("code", ["SOP.48", "SOP.49", "SOP.50"])
def test_every_loaded_sop_round_trips_and_passes_ruff(app, runner, tmp_path, code):
    source = export(runner, code)
    path = tmp_path / "sop_export_check.py"
    seed = run_seed(source, path)
    with app.app_context():
        original = revision(code, 1)
        built = build_sop(seed)  # unsaved: sop_as_dict reads the relationships as appended
        assert sop_as_dict(built) == sop_as_dict(original)
        assert full_dict(built) == full_dict(original)
    # Revision 1 of each SOP came from a seed file: the export is that seed, value for value.
    assert seed == SEEDS[code]
    assert "COMMON" not in source and "\t" not in source
    ruff_check(path)


def test_quotes_newlines_unicode_and_long_words_round_trip(app, runner, tmp_path):
    with app.app_context():
        sop = revision("SOP.48", 1)
        sop.step(5).activity = TRICKY
        sop.step(4).activity = "Lihat https://contoh.go.id/" + "a" * 130 + " lalu jawab " * 12
        sop.step(3).short_name = "Disposisi \\ 'Kadis'"
        sop.step(3).outcomes[1].label = "Minta pendapat — “Kabid” ✓"
        sop.name = 'Nama \'petik\' "kutip" """tiga""" \\ garis\nbaris dua\tdan tab'
        sop.note = "catatan\r\nbaris\x0bdua\u2028akhir ünïcödé"
        sop.legal_basis = 'satu\n\nDasar "hukum" — ü\n'  # an empty line and a trailing newline
        sop.related = ""
        db.session.commit()
        expected = full_dict(sop)
    source = export(runner, "SOP.48")
    assert "— ✓" in source  # non-ASCII stays readable in the file
    path = tmp_path / "sop_48_rev1.py"
    seed = run_seed(source, path)
    assert seed.steps[4].activity == TRICKY
    assert seed.header.related == ()
    with app.app_context():
        assert full_dict(build_sop(seed)) == expected
    ruff_check(path)
    assert max(len(line) for line in source.splitlines()) <= 100


def test_default_is_the_newest_revision_even_before_it_is_effective(app, runner, tmp_path):
    with app.app_context():
        add_revision_2(note="Revisi 2: langkah 5 diperjelas.")
    newest = run_seed(export(runner, "SOP.48"), tmp_path / "newest.py")
    assert (newest.header.revision, newest.header.effective_on) == (2, date(2099, 1, 2))
    assert newest.header.note == "Revisi 2: langkah 5 diperjelas."
    first = run_seed(export(runner, "SOP.48", "--revision", "1"), tmp_path / "first.py")
    assert first == SEEDS["SOP.48"]


def test_unknown_revision_is_refused_in_indonesian(runner):
    result = runner.invoke(args=["sop", "export", "SOP.48", "--revision", "9"])
    assert result.exit_code != 0
    assert "SOP.48 tidak memiliki revisi 9. Revisi yang ada: 1." in result.output
    assert "HEADER" not in result.output


def test_unknown_code_is_refused_in_indonesian(runner):
    result = runner.invoke(args=["sop", "export", "SOP.99"])
    assert result.exit_code != 0
    assert "SOP dengan kode 'SOP.99' tidak ada. Kode yang ada: SOP.48, SOP.49, SOP.50." in (
        result.output
    )


def test_output_to_a_file_is_the_same_text(runner, tmp_path):
    path = tmp_path / "keluar.py"
    result = runner.invoke(args=["sop", "export", "SOP.50", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"SOP.50 rev. 1 diekspor ke {path}.\n"
    assert path.read_text(encoding="utf-8") == export(runner, "SOP.50")


def test_exported_revision_loads_through_load_sops(app, runner, tmp_path, monkeypatch):
    """Export revision 2 into a folder, drop it from the database, load it as a seed again."""
    with app.app_context():
        sop = add_revision_2()
        sop.step(5).activity = TRICKY
        db.session.commit()
        expected = full_dict(sop)
    result = runner.invoke(args=["sop", "export", "SOP.48", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "sop_48_rev2.py"
    assert result.output == f"SOP.48 rev. 2 diekspor ke {path}.\n"
    spec = importlib.util.spec_from_file_location("seeds.sop_48_rev2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with app.app_context():
        db.session.delete(revision("SOP.48", 2))
        db.session.commit()
        monkeypatch.setattr(loader, "SOP_SEEDS", (*loader.SOP_SEEDS, module.SOP))
        assert loader.load_sops() == ["SOP.48 rev. 2"]
        db.session.commit()
        db.session.expire_all()
        assert full_dict(revision("SOP.48", 2)) == expected
        assert loader.load_sops() == []


def test_a_draft_exports_with_a_warning_on_stderr(app, runner, tmp_path):
    with app.app_context():
        sop = add_revision_2()
        sop.draft = True
        db.session.commit()
    result = runner.invoke(args=["sop", "export", "SOP.48"])
    assert result.exit_code == 0, result.output
    assert "Peringatan: SOP.48 rev. 2 masih draf." in result.stderr
    assert run_seed(result.stdout, tmp_path / "draft.py").header.revision == 2


def test_default_file_name_is_a_seed_module_name():
    for code, number, name in [("SOP.48", 2, "sop_48_rev2.py"), ("sop 7-A", 1, "sop_7_a_rev1.py")]:
        sop = Sop(code=code, revision=number)
        assert seed_filename(sop) == name
        assert fnmatch(f"seeds/{name}", "seeds/sop_*.py") and name[:-3].isidentifier()


def test_seed_source_needs_no_database():
    sop = build_sop(SEEDS["SOP.50"])
    namespace: dict = {}
    exec(compile(seed_source(sop), "<export>", "exec"), namespace)
    assert namespace["SOP"] == SEEDS["SOP.50"]
