"""The benchmark cases: what the app does, and the floor it is measured against.

Each ``*_cases(ctx)`` function returns ``Case`` objects ready to run, or ``Unavailable`` with the
reason when the code it measures is not in this build. A case's floor is the raw library doing the
same work (sqlite3, csv, openpyxl, reportlab, a bare PySide6 window), and where both sides produce
figures the case checks that they agree, so that a fast wrong answer cannot pass.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cpd_desktop.db import Database, open_database
from cpd_desktop.models import School
from cpd_desktop.services import reports, years

from .generate import Generated
from .runner import Case, Sample, Unavailable
from .ui_probe import SEARCH_WORDS

Item = Case | Unavailable


@dataclass(frozen=True)
class Sizes:
    import_rows: int
    workbook_rows: int
    cover_pages: int
    log_rows: int


SIZES = {
    "tiny": Sizes(import_rows=1_000, workbook_rows=1_000, cover_pages=6, log_rows=300),
    "school": Sizes(import_rows=100_000, workbook_rows=100_000, cover_pages=200, log_rows=10_000),
}


@dataclass
class Context:
    sizes: Sizes
    work: Path  # a scratch folder for files the cases write
    school: Generated  # the school-scale database (100k activities)
    trust: Generated | None = None  # the trust-scale database (1M activities), in a full run
    demo: Path | None = None  # the app's demo school
    runs: int | None = None  # overrides every case's number of runs (the smoke test uses 1)
    opened: list[Database] = field(default_factory=list)
    connections: list[sqlite3.Connection] = field(default_factory=list)

    def open(self, path: Path) -> Database:
        db = open_database(path, readonly=True)
        self.opened.append(db)
        return db

    def raw(self, path: Path) -> sqlite3.Connection:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.connections.append(con)
        return con

    def close(self) -> None:
        for db in self.opened:
            db.dispose()
        for con in self.connections:
            con.close()
        self.opened.clear()
        self.connections.clear()


def runs(ctx: Context, default: int) -> int:
    return ctx.runs if ctx.runs is not None else default


# ---- hours per staff per year and term --------------------------------------------------------

HOURS_SQL = """
SELECT s.id, s.staff_code, s.forename, s.surname, d.name, s.fte, s.ect_year,
       a.hours, a.subject, a.all_parts, a.n, a.evaluated, a.t1, a.t2, a.t3
FROM staff s
LEFT JOIN (
    SELECT staff_id,
           sum(hours) AS hours,
           sum(CASE WHEN subject_specific THEN hours ELSE 0 END) AS subject,
           sum(CASE WHEN std_pupil_outcomes AND std_evidence AND std_collaboration AND std_sustained
                         AND std_prioritised THEN hours ELSE 0 END) AS all_parts,
           count(*) AS n, count(evaluated_on) AS evaluated,
           sum(CASE WHEN date BETWEEN :t1s AND :t1e THEN hours ELSE 0 END) AS t1,
           sum(CASE WHEN date BETWEEN :t2s AND :t2e THEN hours ELSE 0 END) AS t2,
           sum(CASE WHEN date BETWEEN :t3s AND :t3e THEN hours ELSE 0 END) AS t3
    FROM activity WHERE school_id = :school AND date BETWEEN :start AND :end
    GROUP BY staff_id
) a ON a.staff_id = s.id
LEFT JOIN department d ON d.id = s.department_id
WHERE s.school_id = :school
  AND (a.staff_id IS NOT NULL OR ((s.start_date IS NULL OR s.start_date <= :end)
                                  AND (s.leaving_date IS NULL OR s.leaving_date >= :start)))
ORDER BY s.surname, s.forename
"""

TERMS_SQL = "SELECT term, start_date, end_date FROM term_dates WHERE school_id = ? AND academic_year = ?"


def _raw_terms(con: sqlite3.Connection, school_id: int, year: years.AcademicYear) -> list[years.Term]:
    chosen = {t.name: t for t in years.default_terms(year)}
    for term, start, end in con.execute(TERMS_SQL, (school_id, year.start_year)):
        chosen[term] = years.Term(term, dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    return years.term_buckets([chosen[name] for name in years.TERM_ORDER], year)


def _year_span(con: sqlite3.Connection) -> list[years.AcademicYear]:
    first, last = con.execute("SELECT min(date), max(date) FROM activity").fetchone()
    start = years.academic_year_of(dt.date.fromisoformat(first))
    end = years.academic_year_of(dt.date.fromisoformat(last))
    return [years.AcademicYear(y) for y in range(start.start_year, end.start_year + 1)]


def hours_case(ctx: Context, gen: Generated, label: str) -> Case:
    db = ctx.open(gen.path)
    con = ctx.raw(gen.path)
    span = _year_span(con)
    with db.session() as s:
        schools = list(s.scalars(select(School).order_by(School.id)))
    school_ids = [school.id for school in schools]

    def ours() -> dict[tuple[int, int, int], tuple[Any, ...]]:
        out = {}
        with db.session() as s:
            for school in schools:
                for year in span:
                    for r in reports.hours_by_staff(s, school, year):
                        out[(school.id, year.start_year, r.staff_id)] = (
                            r.hours, r.subject_specific_hours, r.all_parts_hours, r.activities, r.evaluated,
                            *r.by_term.values())
        return out

    def floor() -> dict[tuple[int, int, int], tuple[Any, ...]]:
        out = {}
        for sid in school_ids:
            for year in span:
                t = _raw_terms(con, sid, year)
                params = {"school": sid, "start": year.start.isoformat(), "end": year.end.isoformat(),
                          "t1s": t[0].start.isoformat(), "t1e": t[0].end.isoformat(),
                          "t2s": t[1].start.isoformat(), "t2e": t[1].end.isoformat(),
                          "t3s": t[2].start.isoformat(), "t3e": t[2].end.isoformat()}
                for row in con.execute(HOURS_SQL, params):
                    out[(sid, year.start_year, row[0])] = tuple(v or 0 for v in row[7:])
        return out

    def check(mine: dict[Any, tuple[Any, ...]], raw: dict[Any, tuple[Any, ...]]) -> None:
        assert mine.keys() == raw.keys(), "ours and the floor list different people"
        for key, figures in mine.items():
            expected = raw[key]
            assert all(abs(Decimal(str(a)) - Decimal(str(b))) < Decimal("0.01") for a, b in
                       zip(figures, expected, strict=True)), f"figures differ for {key}: {figures} vs {expected}"

    n = gen.counts.get("activity", 0)
    return Case(
        name=f"hours per staff per year and term, {label}", ours=ours, floor=floor, target_ratio=1.5,
        runs=runs(ctx, 5), check=check,
        note=f"{len(schools)} school(s) × {len(span)} years, {n:,} activities: `reports.hours_by_staff` for "
             "every school and year vs the same GROUP BY (with the staff and department join) in raw sqlite3; "
             "both give the same figures.")


# ---- one person's year ------------------------------------------------------------------------

PERSON_SQL = """
SELECT s.staff_code, s.forename, s.surname, s.fte, count(a.id), sum(a.hours),
       sum(CASE WHEN a.subject_specific THEN a.hours ELSE 0 END),
       sum(CASE WHEN a.date BETWEEN ? AND ? THEN a.hours ELSE 0 END),
       sum(CASE WHEN a.date BETWEEN ? AND ? THEN a.hours ELSE 0 END),
       sum(CASE WHEN a.date BETWEEN ? AND ? THEN a.hours ELSE 0 END)
FROM staff s LEFT JOIN activity a ON a.staff_id = s.id AND a.date BETWEEN ? AND ?
WHERE s.id = ?
GROUP BY s.id
"""
PERSON_CALLS = 50  # calls per timed run: one call is well under a millisecond


def person_case(ctx: Context) -> Case:
    gen = ctx.school
    db = ctx.open(gen.path)
    con = ctx.raw(gen.path)
    year = _year_span(con)[-1]
    staff_id = con.execute("SELECT id FROM staff WHERE leaving_date IS NULL ORDER BY id LIMIT 1 OFFSET ?",
                           (max(0, gen.counts.get("staff", 1) // 2 - 1),)).fetchone()[0]
    with db.session() as s:
        school = s.scalars(select(School).order_by(School.id)).first()
    assert school is not None
    school_id = school.id

    def ours() -> tuple[Any, ...]:
        for _ in range(PERSON_CALLS):
            with db.session() as s:
                (row,) = reports.hours_by_staff(s, school, year, staff_id=staff_id)
        return (row.activities, row.hours, row.subject_specific_hours, *row.by_term.values())

    def floor() -> tuple[Any, ...]:
        for _ in range(PERSON_CALLS):
            terms = _raw_terms(con, school_id, year)
            params = (*[d.isoformat() for t in terms for d in (t.start, t.end)], year.start.isoformat(),
                      year.end.isoformat(), staff_id)
            row = con.execute(PERSON_SQL, params).fetchone()
        return tuple(v or 0 for v in row[4:])

    def check(mine: tuple[Any, ...], raw: tuple[Any, ...]) -> None:
        assert all(abs(Decimal(str(a)) - Decimal(str(b))) < Decimal("0.01") for a, b in zip(mine, raw, strict=True)), \
            f"one person's year differs: {mine} vs {raw}"

    return Case(
        name="one person's year", ours=_per_call(ours), floor=_per_call(floor), target_ratio=10.0, runs=runs(ctx, 5),
        check=check,
        note=f"{year.label} of one teacher among {gen.counts.get('activity', 0):,} activities: "
             "`reports.hours_by_staff(staff_id=…)` in its own session (one user action) vs the same two raw "
             "sqlite3 queries (the school's term dates, then one indexed GROUP BY); time per call, {PERSON_CALLS} calls a run.")


def _per_call(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Marks a side whose single run makes PERSON_CALLS calls: the runner divides its time."""
    fn.calls = PERSON_CALLS  # type: ignore[attr-defined]
    return fn


def copy_file(src: Path, dst: Path) -> Path:
    dst.unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


# ---- the desktop window ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
PROBE_TIMEOUT = 600


def ui_missing() -> str | None:
    """Why the window cannot be measured in this build, or None when it can."""
    import importlib.util

    # Found without importing them: the bench's own process stays free of Qt.
    for module in ("cpd_desktop.ui.app", "cpd_desktop.ui.main_window"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not in this build yet"
    spec = importlib.util.find_spec("cpd_desktop.ui.main_window")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    if origin is None or "database_opened" not in origin.read_text(encoding="utf-8"):
        return "MainWindow has no database_opened signal to tell when the database is open"
    return None


def run_probe(*args: str) -> tuple[float, dict[str, Any]]:
    """Run ``bench.ui_probe`` in a fresh process: the seconds from launch to its report, and the report."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    import threading
    import time

    with tempfile.TemporaryDirectory(prefix="cpd-bench-ui-") as data, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CPD_DESKTOP_DATA": data,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        env.pop("CPD_DESKTOP_DB", None)
        report: dict[str, Any] | None = None
        seconds = 0.0
        start = time.perf_counter()
        with subprocess.Popen([sys.executable, "-m", "bench.ui_probe", *args], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8") as proc:
            watchdog = threading.Timer(PROBE_TIMEOUT, proc.kill)
            watchdog.start()
            try:
                assert proc.stdout is not None
                for line in proc.stdout:
                    if line.startswith("BENCH "):
                        seconds = time.perf_counter() - start
                        report = json.loads(line[6:])
                        break
                proc.wait()
            finally:
                watchdog.cancel()
        if report is None or "error" in report:
            err.seek(0)
            tail = err.read()[-2000:]
            why = report["error"] if report else f"it exited with code {proc.returncode}"
            raise RuntimeError(f"ui_probe {' '.join(args)}: {why}\n{tail}")
        return seconds, report


def startup_case(ctx: Context, label: str, db: Path, school: str | None) -> Case:
    args = ["app", str(db)] + (["--school", school] if school else [])

    def ours() -> Sample:
        seconds, report = run_probe(*args)
        return Sample([seconds], report.get("peak_mb"))

    def floor() -> Sample:
        seconds, report = run_probe("bare")
        return Sample([seconds], report.get("peak_mb"))

    return Case(
        name=f"start-up to usable window, {label}", ours=ours, floor=floor, target_ratio=1.5,
        runs=runs(ctx, 5), warmup=ctx.runs is None,
        note="From launching a fresh `python` process to the main window shown with the database open, no "
             "background job running and the event loop idle (`bench/ui_probe.py`), vs the same for a bare "
             "PySide6 window with an empty table; offscreen platform; peak MB is the process's peak RSS.")


def memory_case(ctx: Context, label: str, db: Path, school: str | None) -> Case:
    args = ["app", str(db)] + (["--school", school] if school else [])

    def ours() -> Sample:
        return Sample([], run_probe(*args)[1].get("peak_mb"))

    def floor() -> Sample:
        return Sample([], run_probe("bare")[1].get("peak_mb"))

    return Case(
        name=f"memory with the {label} open", ours=ours, floor=floor, target_mb=150.0, runs=runs(ctx, 2),
        warmup=False, memory_only=True,
        note="Peak RSS of the app's process once usable on this database (as in the start-up case) vs the bare "
             "window's; the ratio column is ours / bare.")


def table_cases(ctx: Context) -> list[Item]:
    db = ctx.school.path
    probe: dict[str, Any] = {}

    def measured() -> dict[str, Any]:
        if not probe:
            probe.update(run_probe("table", str(db))[1])
        return probe

    def search() -> Sample:
        data = measured()
        return Sample(data["search"], data.get("peak_mb"), data["floor_search"])

    def sort() -> Sample:
        data = measured()
        return Sample(data["sort"], data.get("peak_mb"), data["floor_sort"])

    rows = f"{ctx.school.counts.get('activity', 0) // 1000}k rows"
    words = ", ".join(f"'{w}'" for w in SEARCH_WORDS)
    return [
        Case(name=f"search-box refresh over {rows}", ours=search, floor=None, target_seconds=0.1, runs=1,
             warmup=False, judge_slowest=True,
             note=f"The CPD log's search (the app's PagedQueryModel, year filter lifted so it covers every "
                  f"activity of the school): each keystroke of {words} typed one letter at a time, then cleared, "
                  "timed from the search box's signal to the table redrawn; the floor filters a Python list of the "
                  "same rows (folded text kept in memory). The target applies to the slowest keystroke."),
        Case(name=f"column sort over {rows}", ours=sort, floor=None, target_seconds=0.2, runs=1, warmup=False,
             judge_slowest=True,
             note="A click on the CPD log's header (date, staff, title, hours, provider; ascending and descending), "
                  "timed to the table redrawn, vs `sorted()` of a Python list of the same rows. The target applies "
                  "to the slowest column."),
    ]


# ---- the list -------------------------------------------------------------------------------

def all_cases(ctx: Context, *, full: bool, only: list[str]) -> Iterator[Item]:
    """Every case in the order of the table, made just before it runs (``only`` filters by name)."""
    big = "1M activities" if ctx.trust is not None and ctx.trust.scale == "trust" else "trust (tiny)"
    school_label = f"{ctx.school.counts.get('activity', 0) // 1000}k activities"
    factories: list[tuple[str, Callable[[], Item | list[Item]]]] = [
        (f"hours per staff per year and term, {school_label}", lambda: hours_case(ctx, ctx.school, school_label)),
    ]
    if full and ctx.trust is not None:
        factories.append((f"hours per staff per year and term, {big}", lambda: hours_case(ctx, ctx.trust, big)))
    factories += [
        ("one person's year", lambda: person_case(ctx)),
    ]
    from .generate import SCHOOL_NAMES

    why_not = ui_missing()
    demo_label = "demo database" if ctx.demo != ctx.school.path else f"{school_label} database"
    big_db = ctx.trust if full and ctx.trust is not None else ctx.school
    big_label = f"{big} database" if big_db is ctx.trust else f"{school_label} database"
    big_school = SCHOOL_NAMES[0] if big_db.counts.get("school", 1) > 1 else None
    ui_items: list[tuple[str, Callable[[], Item | list[Item]]]] = [
        (f"start-up to usable window, {demo_label}",
         lambda: startup_case(ctx, demo_label, ctx.demo or ctx.school.path, None)),
        (f"start-up to usable window, {big_label}", lambda: startup_case(ctx, big_label, big_db.path, big_school)),
        (f"search-box refresh over {school_label.replace('activities', 'rows')}", lambda: table_cases(ctx)),
        (f"memory with the {big_label} open", lambda: memory_case(ctx, big_label, big_db.path, big_school)),
    ]
    for name, make in ui_items:
        if why_not is not None:
            targets = {"start-up": "≤ 1.5×", "search-box": "≤ 100 ms", "memory": "≤ 150 MB"}
            target = next(v for k, v in targets.items() if name.startswith(k))
            factories.append((name, lambda n=name, tg=target: Unavailable(n, why_not, tg)))
            if name.startswith("search-box"):
                sort_name = name.replace("search-box refresh", "column sort")
                factories.append((sort_name, lambda n=sort_name: Unavailable(n, why_not, "≤ 200 ms")))
        else:
            factories.append((name, make))
    for name, make in factories:
        if only and not any(text.lower() in name.lower() for text in only):
            continue
        made = make()
        yield from made if isinstance(made, list) else [made]
