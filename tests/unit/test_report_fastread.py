"""``report hours`` read from the compiled-query cache with sqlite3 prints exactly what the SQLAlchemy path prints,
and anything the cache cannot vouch for (another fingerprint, a damaged cache file, another schema revision,
a PostgreSQL server) takes the usual path."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import shutil
import socket
import sqlite3
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpd_desktop.cli import main
from cpd_desktop.cli import reports as cli_reports
from cpd_desktop.cli.common import Context
from cpd_desktop.models import Activity, Staff, TermDates
from cpd_desktop.models.enums import FORMATS, STANDARD_PARTS
from cpd_desktop.services.compiled import refresh_hours_cache
from cpd_desktop.services.database import open_database
from cpd_desktop.services.hours_figures import CACHE_NAME, CACHED
from cpd_desktop.services.schools import create_school, get_or_create_department
from cpd_desktop.storage import fastread
from cpd_desktop.storage.schema import HEAD_REVISION

YEAR = "2025/26"
FORMAT = next(iter(FORMATS))
FORENAMES = ["Zoë", "Łukasz", "Siobhán", "Ade", "ade", "Jean-Luc", "Mary Ann", "Bob"]
SURNAMES = ["Ó Dálaigh", "Okafor", "okafor", "Ødegaard", "van der Berg", "Ng", "Émile", "Wilkinson"]


@dataclass
class Person:
    forename: str
    surname: str
    fte: float
    in_target: bool
    start: dt.date | None
    leaving: dt.date | None
    department: str | None


@dataclass
class Done:
    person: int
    date: dt.date
    hours: Decimal
    subject_specific: bool
    all_parts: bool


@st.composite
def people(draw: st.DrawFn) -> list[Person]:
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        start = draw(st.none() | st.dates(dt.date(2018, 9, 1), dt.date(2027, 1, 1)))
        leaving = draw(st.none() | st.dates(start or dt.date(2020, 1, 1), dt.date(2028, 8, 31)))
        out.append(Person(
            forename=draw(st.sampled_from(FORENAMES)), surname=draw(st.sampled_from(SURNAMES)),
            fte=draw(st.sampled_from([1.0, 0.8, 0.6, 0.5, 0.333, 0.125, 0.007])), in_target=draw(st.booleans()),
            start=start, leaving=leaving, department=draw(st.sampled_from([None, "Science", "Modern Languages"]))))
    return out


@st.composite
def school_data(draw: st.DrawFn) -> tuple[list[Person], list[Done], bool, Decimal]:
    staff = draw(people())
    done = draw(st.lists(st.builds(
        Done, person=st.integers(0, max(len(staff) - 1, 0)),
        # Either side of 2025/26 and on its term boundaries (31/12, Easter, the school's own dates).
        date=st.sampled_from([dt.date(2025, 8, 31), dt.date(2025, 9, 1), dt.date(2025, 12, 19),
                              dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 5),
                              dt.date(2026, 4, 5), dt.date(2026, 4, 6), dt.date(2026, 4, 12),
                              dt.date(2026, 8, 31), dt.date(2026, 9, 1)])
        | st.dates(dt.date(2025, 6, 1), dt.date(2026, 10, 31)),
        hours=st.decimals(Decimal("0.01"), Decimal("24"), places=2),
        subject_specific=st.booleans(), all_parts=st.booleans(),
    ), max_size=20)) if staff else []
    own_terms = draw(st.booleans())
    target = draw(st.sampled_from([Decimal("35.00"), Decimal("30.50"), Decimal("12.25")]))
    return staff, done, own_terms, target


def _make_file(template: Path, folder: Path, data: tuple[list[Person], list[Done], bool, Decimal]) -> Path:
    staff, done, own_terms, target = data
    path = folder / "school.sqlite"
    shutil.copyfile(template, path)
    db = open_database(path)
    try:
        with db.session() as s:
            school = create_school(s, "Ysgol Gymraeg Aberystwyth", urn="123456", postcode="sy23 3aa")
            school.cpd_target_hours = target
            rows = []
            for i, p in enumerate(staff):
                dept = get_or_create_department(s, school, p.department) if p.department else None
                rows.append(Staff(school_id=school.id, forename=p.forename, surname=p.surname, staff_code=f"S{i:02d}",
                                  fte=p.fte, in_target=p.in_target, start_date=p.start, leaving_date=p.leaving,
                                  department_id=dept.id if dept else None))
            s.add_all(rows)
            s.flush()
            s.add_all([Activity(school_id=school.id, staff_id=rows[d.person].id, date=d.date, hours=d.hours,
                                title="CPD", format=FORMAT, subject_specific=d.subject_specific,
                                **dict.fromkeys(STANDARD_PARTS, d.all_parts)) for d in done])
            if own_terms:
                s.add_all([TermDates(school_id=school.id, academic_year=2025, term=term, start_date=start,
                                     end_date=end)
                           for term, start, end in [("autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
                                                    ("spring", dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
                                                    ("summer", dt.date(2026, 4, 13), dt.date(2026, 7, 22))]])
    finally:
        db.dispose()
    return path


def _report(path: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--db", str(path), "report", "hours", "--year", YEAR, *extra])
    return code, out.getvalue()


@pytest.fixture
def from_cache(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each ``report hours``: whether it was read from the cache (True) or took the usual path (False)."""
    taken: list[bool] = []
    real = cli_reports._hours_from_cache

    def spy(args: argparse.Namespace, ctx: Context) -> bool:
        taken.append(real(args, ctx))
        return taken[-1]

    monkeypatch.setattr(cli_reports, "_hours_from_cache", spy)
    return taken


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fastread-template") / "template.sqlite"
    open_database(path, create=True).dispose()
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=school_data(), department=st.sampled_from([None, "Science", "science ", "Nowhere"]))
def test_the_cache_and_sqlalchemy_print_the_same_bytes(template: Path, from_cache: list[bool],
                                                      data: tuple[list[Person], list[Done], bool, Decimal],
                                                      department: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _make_file(template, Path(folder), data)
        extra = ("--department", department) if department is not None else ()
        for fmt in ("table", "csv", "json"):
            fastread.cache_file(CACHE_NAME).unlink(missing_ok=True)
            from_cache.clear()
            usual = _report(path, "--format", fmt, *extra)  # compiles the cache on its way
            cached = _report(path, "--format", fmt, *extra)
            assert from_cache == [False, True]
            assert cached == usual and usual[0] == 0


@pytest.fixture
def school_file(template: Path, tmp_path: Path) -> Path:
    staff = [Person("Zoë", "Ó Dálaigh", 0.8, True, None, None, "Science"),
             Person("Ade", "Okafor", 1.0, False, None, dt.date(2026, 1, 31), None)]
    done = [Done(0, dt.date(2025, 10, 1), Decimal("2.50"), True, True),
            Done(1, dt.date(2026, 5, 1), Decimal("1.25"), False, False)]
    return _make_file(template, tmp_path, (staff, done, True, Decimal("35.00")))


def test_a_stale_fingerprint_takes_the_usual_path_and_refreshes_the_cache(school_file: Path,
                                                                          from_cache: list[bool]) -> None:
    usual = _report(school_file, "--format", "csv")
    cache = fastread.cache_file(CACHE_NAME)
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["fingerprint"] = "0" * 64  # another version of the app, or its statements changed
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert _report(school_file, "--format", "csv") == usual
    assert json.loads(cache.read_text(encoding="utf-8"))["fingerprint"] == fastread.fingerprint()
    assert _report(school_file, "--format", "csv") == usual
    assert from_cache == [False, False, True]


@pytest.mark.parametrize("damage", [
    "", "{not json", "[]", '{"format": 1}',
    "unknown reader",  # a column read a way this version does not know
    "two statements",  # SQL that would run more than one statement
    "missing statement",
])
def test_a_damaged_cache_file_takes_the_usual_path(school_file: Path, from_cache: list[bool], damage: str) -> None:
    usual = _report(school_file, "--format", "json")
    cache = fastread.cache_file(CACHE_NAME)
    data = json.loads(cache.read_text(encoding="utf-8"))
    if damage == "unknown reader":
        data["statements"]["hours"]["columns"][0] = "pickle"
        text = json.dumps(data)
    elif damage == "two statements":
        data["statements"]["school"]["sql"] += "; DELETE FROM staff"
        text = json.dumps(data)
    elif damage == "missing statement":
        del data["statements"]["terms"]
        text = json.dumps(data)
    else:
        text = damage
    cache.write_text(text, encoding="utf-8")
    assert fastread.load(CACHE_NAME, set(CACHED)) is None
    assert _report(school_file, "--format", "json") == usual
    assert from_cache == [False, False]
    assert fastread.load(CACHE_NAME, set(CACHED)) is not None  # written afresh by the usual path


def _args(**given: str | None) -> argparse.Namespace:
    return argparse.Namespace(kind="hours", year=YEAR, department=None, format="csv", **given)


def test_a_file_at_another_schema_revision_is_not_read_from_the_cache(school_file: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert refresh_hours_cache()
    older = tmp_path / "older.sqlite"
    shutil.copyfile(school_file, older)
    with contextlib.closing(sqlite3.connect(older)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0009_scheme_validity'")
    assert HEAD_REVISION != "0009_scheme_validity"
    assert fastread.open_reader(str(older)) is None  # the usual open migrates it (or refuses a newer one)
    assert not cli_reports._hours_from_cache(_args(), Context(db_target=str(older), school_name=None))
    reader = fastread.open_reader(str(school_file))
    assert reader is not None
    reader.close()
    assert cli_reports._hours_from_cache(_args(), Context(db_target=str(school_file), school_name=None))
    assert capsys.readouterr().out.startswith("staff_code,name,department,fte,hours")


@pytest.mark.parametrize("target", ["postgresql+psycopg://cpd@127.0.0.1:1/trust", "sqlite:///school.sqlite"])
def test_a_url_takes_the_usual_path(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert refresh_hours_cache()
    assert fastread.open_reader(target) is None
    assert not cli_reports._hours_from_cache(_args(), Context(db_target=target, school_name=None))
    assert capsys.readouterr().out == ""


def test_a_chosen_school_is_read_from_the_cache_and_an_unknown_one_is_refused_as_before(
        school_file: Path, from_cache: list[bool], capsys: pytest.CaptureFixture[str]) -> None:
    usual = _report(school_file, "--format", "csv")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(school_file), "--school", " ysgol gymraeg ABERYSTWYTH ", "report", "hours",
                     "--year", YEAR, "--format", "csv"]) == 0
    assert out.getvalue() == usual[1]
    capsys.readouterr()
    assert main(["--db", str(school_file), "--school", "Ysgol Arall", "report", "hours", "--year", YEAR]) == 1
    out_text, err = capsys.readouterr()
    assert out_text == ""
    assert "There is no school called Ysgol Arall in this database (schools: Ysgol Gymraeg Aberystwyth)" in err
    assert from_cache == [False, True, False]


def test_a_crashed_copys_lock_takes_the_usual_path(school_file: Path, from_cache: list[bool]) -> None:
    usual = _report(school_file, "--format", "csv")
    # A lock left by a process that no longer runs: the usual open clears it after checking the file.
    from cpd_desktop.storage.locking import lock_path_for, read_lock

    lock_path_for(school_file).write_text(json.dumps({
        "user": "someone", "host": socket.gethostname(), "pid": 2 ** 22 + 12345,
        "since": "2026-01-05T09:00:00", "app": "cpd-desktop"}), encoding="utf-8")
    assert read_lock(school_file) is not None
    assert _report(school_file, "--format", "csv") == usual
    assert read_lock(school_file) is None  # cleared by the usual path
    assert _report(school_file, "--format", "csv") == usual
    assert from_cache == [False, False, True]
