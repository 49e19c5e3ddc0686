"""The command line's contract, run as a user runs it: the installed ``cpd-desktop`` in a subprocess.

One demo database serves the whole module; independent commands run side by side to keep it quick.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cpd_desktop.services.years import AcademicYear, academic_year_of

APP = Path(sys.executable).parent / "cpd-desktop"
pytestmark = pytest.mark.skipif(not APP.exists(), reason="cpd-desktop is not installed in this environment")

KEYS = {
    "staff": {"staff_code", "forename", "surname", "email", "department", "role", "fte", "ect_year", "start_date",
              "leaving_date"},
    "hours": {"staff_code", "name", "fte", "hours", "subject_specific_hours", "target_hours", "by_term"},
    "bookings": {"id", "staff_code", "title", "provider", "start_date", "end_date", "status", "cover_required",
                 "days"},
    "claims": {"id", "booking_id", "staff_code", "scheme", "status", "expected", "claimed", "received"},
}


def run(*args: str | Path, data: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "CPD_DESKTOP_DATA": str(data), "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    if not env or "CPD_DESKTOP_DB" not in env:
        environ.pop("CPD_DESKTOP_DB", None)
    return subprocess.run([str(APP), *map(str, args)], capture_output=True, text=True, env=environ, timeout=120)


def user_error(result: subprocess.CompletedProcess[str]) -> str:
    """A user error: exit 1, one clear message on stderr, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert "something went wrong" not in result.stderr  # that is how a bug is reported
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("cpd-desktop: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-data")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, data: Path) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    # 04/12/2026: the day seed 7 made a school with no cancelled booking, before the demo kept its promises.
    result = run("--db", path, "demo", "--seed", "7", "--today", "04/12/2026", data=data)
    assert result.returncode == 0, result.stderr
    assert "Ashcombe Park Academy" in result.stdout and "25 staff" in result.stdout
    return path


@pytest.fixture(scope="module")
def reports(demo: Path, data: Path) -> dict[tuple[str, str, str], subprocess.CompletedProcess[str]]:
    """The reports the tests below read, for the last full year or the default one, run side by side."""
    jobs = [("staff", "json", ""), ("hours", "json", "2024/25"), ("hours", "json", ""), ("bookings", "json", ""),
            ("claims", "json", ""), ("staff", "csv", ""), ("hours", "csv", "2024/25"), ("bookings", "csv", ""),
            ("claims", "csv", ""), ("hours", "table", "2024/25"), ("hours", "table", "")]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = pool.map(lambda job: run("--db", demo, "report", job[0], "--format", job[1],
                                           *(["--year", job[2]] if job[2] else []), data=data), jobs)
        return dict(zip(jobs, results, strict=True))


def _json(reports: dict, kind: str, year: str | None = None) -> list[dict]:
    year = ("2024/25" if kind == "hours" else "") if year is None else year
    result = reports[(kind, "json", year)]
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


# ---- init ----

def test_init_makes_the_file_and_adds_the_school(tmp_path: Path, data: Path) -> None:
    path = tmp_path / "school.sqlite"
    result = run("--db", path, "init", "--school", "Ashcombe Park Academy", "--urn", "139876", data=data)
    assert result.returncode == 0, result.stderr
    assert "Ashcombe Park Academy" in result.stdout and path.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("select name, urn, cpd_target_hours, supply_day_rate from school").fetchall() == [
            ("Ashcombe Park Academy", "139876", 35, 291)]
    again = run("--db", path, "init", "--school", "ashcombe park academy", data=data)
    assert "already in this database" in user_error(again)
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from school").fetchone() == (1,)


def test_a_bad_urn_is_a_user_error(tmp_path: Path, data: Path) -> None:
    result = run("--db", tmp_path / "school.sqlite", "init", "--school", "X School", "--urn", "abc", data=data)
    assert "URN" in user_error(result)


def test_the_database_can_come_from_the_environment(tmp_path: Path, data: Path) -> None:
    path = tmp_path / "env.sqlite"
    result = run("init", "--school", "Env School", data=data, env={"CPD_DESKTOP_DB": str(path)})
    assert result.returncode == 0, result.stderr
    assert path.exists()


def test_with_two_schools_the_school_must_be_named(tmp_path: Path, data: Path) -> None:
    path = tmp_path / "trust.sqlite"
    for name in ("North Academy", "South Academy"):
        assert run("--db", path, "init", "--school", name, data=data).returncode == 0
    assert "--school" in user_error(run("--db", path, "report", "staff", data=data))
    assert run("--db", path, "--school", "South Academy", "report", "staff", data=data).returncode == 0
    assert "North Academy" in user_error(run("--db", path, "--school", "West", "report", "staff", data=data))


# ---- demo ----

def test_demo_is_made_as_on_the_day_given(demo: Path) -> None:
    with sqlite3.connect(demo) as conn:
        newest = conn.execute("select max(date) from activity").fetchone()[0]
        coming = conn.execute("select min(start_date) from booking where status = 'booked'").fetchone()[0]
    assert newest <= "2026-12-04" < coming


def test_a_demo_day_that_is_not_a_date_is_a_user_error(tmp_path: Path, data: Path) -> None:
    for bad, said in (("31/02/2026", "not a real date"), ("next Tuesday", "not a date")):
        path = tmp_path / "demo.sqlite"
        message = user_error(run("--db", path, "demo", "--today", bad, data=data))
        assert "--today" in message and said in message
        assert not path.exists()  # nothing half-made is left behind


def test_demo_goes_only_into_an_empty_database(demo: Path, data: Path) -> None:
    before = demo.read_bytes()
    assert "already holds a school" in user_error(run("--db", demo, "demo", data=data))
    assert demo.read_bytes() == before


# ---- reports ----

@pytest.mark.parametrize("kind", list(KEYS))
def test_every_report_as_json_has_the_public_keys(reports: dict, kind: str) -> None:
    rows = _json(reports, kind)
    assert rows, kind
    assert all(KEYS[kind] <= set(row) for row in rows)


def test_staff_json(reports: dict) -> None:
    rows = _json(reports, "staff", "")
    assert len(rows) == 25
    lza = next(r for r in rows if r["staff_code"] == "LZA")
    assert (lza["forename"], lza["surname"], lza["department"]) == ("Łukasz", "Zając", "Physics")
    assert float(lza["fte"]) == 1.0 and dt.date.fromisoformat(lza["start_date"])  # dates ISO
    assert {r["ect_year"] for r in rows} == {None, 1, 2}


def test_hours_json_has_a_row_for_everyone_employed_that_year(reports: dict) -> None:
    year = AcademicYear(2024)
    staff = _json(reports, "staff", "")
    employed = {r["staff_code"] for r in staff
                if (r["start_date"] is None or dt.date.fromisoformat(r["start_date"]) <= year.end)
                and (r["leaving_date"] is None or dt.date.fromisoformat(r["leaving_date"]) >= year.start)}
    rows = _json(reports, "hours")
    assert {r["staff_code"] for r in rows} == employed
    # Support staff (the technician) are outside the teachers' target; teachers' targets are pro rata.
    support = {r["staff_code"] for r in staff if "Technician" in (r["role"] or "")}
    assert support and all(float(r["target_hours"]) == 0 for r in rows if r["staff_code"] in support)
    for r in (r for r in rows if r["staff_code"] not in support):
        by_term = {k: float(v) for k, v in r["by_term"].items()}
        assert set(by_term) == {"autumn", "spring", "summer"}
        assert sum(by_term.values()) == pytest.approx(float(r["hours"]))
        assert 0 <= float(r["subject_specific_hours"]) <= float(r["hours"])
        assert float(r["target_hours"]) == pytest.approx(35 * float(r["fte"]), abs=0.01)


def test_hours_default_to_the_current_academic_year(reports: dict) -> None:
    table = reports[("hours", "table", "")]
    assert table.returncode == 0, table.stderr
    assert academic_year_of(dt.date.today()).label in table.stdout.splitlines()[0]
    assert {r["staff_code"] for r in _json(reports, "hours", "")} >= {"LZA", "HMA"}


def test_hours_table_reads_well(reports: dict) -> None:
    result = reports[("hours", "table", "2024/25")]
    lines = result.stdout.splitlines()
    assert lines[0] == "Ashcombe Park Academy: CPD hours 2024/25 (target 35.00 h pro rata by FTE)"
    assert lines[1].split()[:2] == ["code", "name"] and set(lines[2]) <= {"-", " "}
    assert any(line.startswith("LZA") and "Łukasz Zając" in line for line in lines)
    assert len(lines) == 3 + len(_json(reports, "hours"))


def test_csv_is_the_same_rows_as_json(reports: dict) -> None:
    for kind in KEYS:
        result = reports[(kind, "csv", "2024/25" if kind == "hours" else "")]
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [r["staff_code"] for r in rows] == [r["staff_code"] for r in _json(reports, kind)], kind
    hours = list(csv.DictReader(io.StringIO(reports[("hours", "csv", "2024/25")].stdout)))
    assert {"autumn", "spring", "summer"} <= set(hours[0])


def test_bookings_and_claims_json(reports: dict) -> None:
    bookings = _json(reports, "bookings", "")
    assert {"attended", "cancelled"} <= {b["status"] for b in bookings}
    for b in bookings:
        assert dt.date.fromisoformat(b["end_date"]) >= dt.date.fromisoformat(b["start_date"])
        assert isinstance(b["cover_required"], bool) and b["days"] >= 1
    claims = _json(reports, "claims", "")
    assert {c["status"] for c in claims} == {"draft", "submitted", "approved", "paid", "rejected", "withdrawn"}
    ids = {b["id"] for b in bookings}
    assert all(c["booking_id"] in ids and float(c["expected"]) >= 0 for c in claims)
    assert all(c["received"] is not None for c in claims if c["status"] == "paid")


def test_a_year_that_is_not_one_is_a_user_error(demo: Path, data: Path) -> None:
    assert "--year" in user_error(run("--db", demo, "report", "hours", "--year", "2025/27", data=data))


# ---- check ----

def test_check_passes_a_sound_file(demo: Path, data: Path) -> None:
    result = run("--db", demo, "check", data=data)
    assert result.returncode == 0, result.stderr
    assert "Schema version" in result.stdout and "current" in result.stdout


def test_check_fails_a_file_with_broken_links(demo: Path, tmp_path: Path, data: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    shutil.copy(demo, broken)
    with sqlite3.connect(broken) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE activity SET staff_id = 99999 WHERE id = (SELECT min(id) FROM activity)")
    result = run("--db", broken, "check", data=data)
    assert "not sound" in user_error(result)
    assert "Problem:" in result.stdout and "activity" in result.stdout


def test_check_fails_a_damaged_file(demo: Path, tmp_path: Path, data: Path) -> None:
    damaged = tmp_path / "damaged.sqlite"
    content = bytearray(demo.read_bytes())
    page = 4096
    content[page * 3: page * 12] = b"\xde\xad\xbe\xef" * (page * 9 // 4)  # the header stays; pages inside go
    damaged.write_bytes(bytes(content))
    assert "damaged" in user_error(run("--db", damaged, "check", data=data))


# ---- files that are not there, and usage ----

def test_a_missing_folder_or_file_is_a_user_error(tmp_path: Path, data: Path) -> None:
    assert "does not exist" in user_error(run("--db", tmp_path / "nowhere" / "x.sqlite", "report", "staff",
                                              data=data))
    missing = tmp_path / "missing.sqlite"
    assert "no CPD database" in user_error(run("--db", missing, "report", "hours", data=data))
    assert not missing.exists()


USAGE_ERRORS = [["no-such-command"], ["report"], ["report", "teachers"], ["report", "hours", "--format", "xml"],
                ["init"], ["demo", "--seed", "abc"], ["check", "--frobnicate"]]


def test_usage_errors_exit_2(tmp_path: Path, data: Path) -> None:
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda args: run("--db", tmp_path / "x.sqlite", *args, data=data), USAGE_ERRORS))
    for args, result in zip(USAGE_ERRORS, results, strict=True):
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "usage:" in result.stderr and "Traceback" not in result.stderr, args
    assert not (tmp_path / "x.sqlite").exists()


def test_python_m_is_the_same_command(tmp_path: Path, data: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "cpd_desktop", "--db", str(tmp_path / "x.sqlite"), "init",
                             "--school", "Module School"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "CPD_DESKTOP_DATA": str(data)})
    assert result.returncode == 0, result.stderr
    assert "Module School" in result.stdout
