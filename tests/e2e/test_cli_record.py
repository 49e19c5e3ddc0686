"""``cpd-desktop record``: one activity for many people, run as a user runs it (the installed command)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(sys.executable).parent / "cpd-desktop"
pytestmark = pytest.mark.skipif(not APP.exists(), reason="cpd-desktop is not installed in this environment")


def run(*args: str | Path, data: Path) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "CPD_DESKTOP_DATA": str(data), "QT_QPA_PLATFORM": "offscreen"}
    environ.pop("CPD_DESKTOP_DB", None)
    return subprocess.run([str(APP), *map(str, args)], capture_output=True, text=True, env=environ, timeout=120)


@pytest.fixture
def school_file(tmp_path: Path) -> Path:
    from cpd_desktop.models import Priority
    from cpd_desktop.services.activities import add_activity
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.schools import create_school
    from cpd_desktop.services.staff import add_staff

    path = tmp_path / "school.sqlite"
    db = open_database(path, create=True)
    with db.session() as s:
        school = create_school(s, "Test Academy", departments=["Science", "English"])
        for forename, surname, code, dept, role, start, leaving in [
                ("Ada", "Okafor", "AOK", "Science", "Teacher of Physics", None, None),
                ("Łukasz", "Zając", "LZA", "Science", "Teacher of Chemistry", None, None),
                ("Hannah", "Doyle", "HDO", "Science", "Science Technician", None, None),
                ("Kwame", "Mensah", "KME", "Science", "Teacher of Physics", dt.date(2027, 4, 1), None),
                ("Gwen", "Price", "GPR", "English", "Teacher of English", None, None)]:
            person = add_staff(s, school, forename=forename, surname=surname, staff_code=code, department=dept,
                               role=role, start_date=start, leaving_date=leaving)
            if code == "LZA":
                add_activity(s, school, person, date=dt.date(2027, 1, 3), hours="6", title="Inset: assessment")
        s.add_all([Priority(school_id=school.id, academic_year=2026, name="Assessment for learning"),
                   Priority(school_id=school.id, academic_year=2025, name="Oracy")])
    db.dispose()
    return path


def activities(path: Path) -> list[tuple[str, str, str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT s.staff_code, a.date, a.title, a.hours, a.format FROM activity a "
                            "JOIN staff s ON s.id = a.staff_id ORDER BY s.staff_code, a.id").fetchall()


def test_a_department_with_skip_invalid_writes_the_others_and_says_who_was_left_out(school_file: Path,
                                                                                    tmp_path: Path) -> None:
    p = run("--db", school_file, "record", "--department", "science", "--date", "03/01/2027", "--hours", "6",
            "--title", "INSET: assessment", "--skip-invalid", data=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ("Added for 2 people; 2 left out: 1 not employed on 03/01/2027, 1 already had it.")
    assert "Kwame Mensah (KME): not employed on 03/01/2027 (starts on 01/04/2027)" in p.stderr
    assert "Łukasz Zając (LZA): already has 'Inset: assessment' on 03/01/2027" in p.stderr
    rows = activities(school_file)
    assert [r[0] for r in rows] == ["AOK", "HDO", "LZA"]  # Zając's own, not a second one
    assert rows[0] == ("AOK", "2027-01-03", "INSET: assessment", 6, "inset")


def test_anybody_invalid_writes_nothing_and_lists_each_with_the_reason(school_file: Path, tmp_path: Path) -> None:
    before = activities(school_file)
    p = run("--db", school_file, "record", "--staff", "AOK,nope,KME", "--date", "03/01/2027", "--hours", "2",
            "--title", "Twilight", data=tmp_path)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert "Cannot record for NOPE: no one at Test Academy has staff code NOPE" in lines
    assert "Cannot record for Kwame Mensah (KME): not employed on 03/01/2027 (starts on 01/04/2027)" in lines
    assert lines[-1].startswith("cpd-desktop: ") and "nothing was recorded" in lines[-1]
    assert p.stdout == ""
    assert activities(school_file) == before

    p = run("--db", school_file, "record", "--staff", "AOK,nope,KME", "--date", "03/01/2027", "--hours", "2",
            "--title", "Twilight", "--skip-invalid", data=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "Added for 1 person; 2 left out: 1 unknown staff code, 1 not employed on 03/01/2027."
    assert [r for r in activities(school_file) if r not in before] == [("AOK", "2027-01-03", "Twilight", 2, "inset")]


def test_all_teachers_and_a_format(school_file: Path, tmp_path: Path) -> None:
    p = run("--db", school_file, "record", "--all-teachers", "--date", "10/01/2027", "--hours", "1.5",
            "--title", "Online safety", "--format", "webinar", "--skip-invalid", data=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "Added for 3 people; 1 left out: not employed on 10/01/2027."
    new = [r for r in activities(school_file) if r[2] == "Online safety"]
    assert sorted(r[0] for r in new) == ["AOK", "GPR", "LZA"]  # not the technician
    assert {r[4] for r in new} == {"webinar"}


@pytest.mark.parametrize(("args", "says"), [
    (["--department", "Drama"], "no department called 'Drama'"),
    (["--all-teachers", "--date", "31/02/2027"], "Date"),
    (["--all-teachers", "--hours", "-1"], "Hours"),
    (["--all-teachers", "--format", "carrier pigeon"], "Format"),
])
def test_bad_input_is_one_clear_message_and_nothing_written(school_file: Path, tmp_path: Path,
                                                            args: list[str], says: str) -> None:
    base = {"--date": "03/01/2027", "--hours": "2", "--title": "Twilight"}
    for i in range(0, len(args) - 1):
        if args[i] in base:
            base[args[i]] = args[i + 1]
    words = [a for i, a in enumerate(args) if a not in base and (i == 0 or args[i - 1] not in base)]
    before = activities(school_file)
    p = run("--db", school_file, "record", *words, *[x for kv in base.items() for x in kv], data=tmp_path)
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("cpd-desktop: ") and says in lines[0], p.stderr
    assert activities(school_file) == before


def priorities(path: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT s.staff_code, p.name FROM activity a JOIN staff s ON s.id = a.staff_id "
                            "LEFT JOIN priority p ON p.id = a.priority_id WHERE a.title = 'INSET: feedback' "
                            "ORDER BY s.staff_code").fetchall()


def test_a_priority_named_in_any_case_is_served_by_every_record(school_file: Path, tmp_path: Path) -> None:
    p = run("--db", school_file, "record", "--staff", "AOK,GPR", "--date", "04/01/2027", "--hours", "6",
            "--title", "INSET: feedback", "--priority", "assessment FOR learning", data=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "Added for 2 people."
    assert priorities(school_file) == [("AOK", "Assessment for learning"), ("GPR", "Assessment for learning")]


@pytest.mark.parametrize(("priority", "says"), [
    ("Oracy", "'Oracy' is not one of Test Academy's priorities for 2026/27 (the year of 04/01/2027)"),
    ("Reading", "The 2026/27 priorities are: Assessment for learning."),
])
def test_a_priority_of_another_year_or_unknown_is_refused_and_nothing_written(school_file: Path, tmp_path: Path,
                                                                              priority: str, says: str) -> None:
    p = run("--db", school_file, "record", "--staff", "AOK", "--date", "04/01/2027", "--hours", "6",
            "--title", "INSET: feedback", "--priority", priority, data=tmp_path)
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    assert says in p.stderr and "Priority" in p.stderr, p.stderr
    assert priorities(school_file) == []


def test_usage_errors_exit_2(school_file: Path, tmp_path: Path) -> None:
    p = run("--db", school_file, "record", "--date", "03/01/2027", "--hours", "2", "--title", "x", data=tmp_path)
    assert p.returncode == 2 and "one of the arguments --staff --department --all-teachers is required" in p.stderr
    p = run("--db", school_file, "record", "--staff", "AOK", "--department", "Science", "--date", "03/01/2027",
            "--hours", "2", "--title", "x", data=tmp_path)
    assert p.returncode == 2 and "not allowed with" in p.stderr
