"""Page load times of the browser tests: recorded, reported, never asserted (the benchmark of
`make bench-browser`). Each database's browser tests run in one process (see the scheduler
in conftest.py), which keeps its loads in that database's file; the run's summary reads
the files, so it also works when the tests ran in xdist workers."""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "browser"
DATABASES = ("sqlite", "postgresql")
LOADS: list[tuple[float, str, str]] = []  # (seconds, database, "username /path") of this process


def _file(db: str) -> Path:
    return ARTIFACTS / f"load-times-{db}.tsv"


def record(seconds: float, db: str, page: str) -> None:
    LOADS.append((seconds, db, page))


def save() -> None:
    """This process's loads so far, each database to its file."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for db in {db for _s, db, _p in LOADS}:
        rows = [f"{s:.4f}\t{page}" for s, d, page in LOADS if d == db]
        _file(db).write_text("\n".join(rows) + "\n")


def forget() -> None:
    """At the start of a run: the files hold this run's loads only."""
    for db in DATABASES:
        _file(db).unlink(missing_ok=True)


def _loads() -> list[tuple[float, str, str]]:
    loads = []
    for db in DATABASES:
        if _file(db).exists():
            for line in _file(db).read_text().splitlines():
                seconds, page = line.split("\t", 1)
                loads.append((float(seconds), db, page))
    return loads


def summary() -> str:
    """p50 / p95 / max per database, one line each; empty when no page was loaded."""
    loads, lines = _loads(), []
    for db in DATABASES:
        times = sorted((s, page) for s, d, page in loads if d == db)
        if not times:
            continue
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))][0]
        lines.append(
            f"{db:10} {len(times):4d} pages  p50 {times[len(times) // 2][0] * 1000:5.0f} ms"
            f"  p95 {p95 * 1000:5.0f} ms  max {times[-1][0] * 1000:5.0f} ms ({times[-1][1]})"
        )
    return "\n".join(lines)


def report() -> str:
    """The summary, also written with every load (slowest first) to artifacts/browser."""
    text = summary()
    if text:
        ranked = sorted(_loads(), reverse=True)
        lines = [f"{s * 1000:7.0f} ms  {db:10}  {page}" for s, db, page in ranked]
        (ARTIFACTS / "load-times.txt").write_text(text + "\n\n" + "\n".join(lines) + "\n")
    return text
