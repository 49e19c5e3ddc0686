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
from .runner import Case, Unavailable

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
    for name, make in factories:
        if only and not any(text.lower() in name.lower() for text in only):
            continue
        made = make()
        yield from made if isinstance(made, list) else [made]
