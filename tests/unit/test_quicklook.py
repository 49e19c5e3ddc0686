"""The dashboard's first figures read at a start through the compiled-query cache with sqlite3 (``quicklook``)
are, key for key, what the usual path adds up through SQLAlchemy and the window keeps as its first look;
anything the cache cannot vouch for gives None, and the start takes the usual path."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cpd_desktop.quicklook import read_look
from cpd_desktop.services import workspace
from cpd_desktop.services.compiled import refresh_dashboard_cache
from cpd_desktop.services.dashboard import dashboard_face, load_dashboard
from cpd_desktop.services.dashboard_figures import CACHE_NAME, years_offered
from cpd_desktop.services.database import open_database
from cpd_desktop.services.schools import choose_school
from cpd_desktop.services.years import current_academic_year
from cpd_desktop.storage import fastread
from cpd_desktop.storage.damage import mark_damaged
from cpd_desktop.storage.locking import DatabaseInUseError, LockInfo, lock_path_for
from tests.ui.conftest import OTHER, TODAY, add_other_school
from tests.ui.conftest import demo_file as demo_file  # the demo school, built once a run

BUILT = TODAY  # the demo school's "today" when it was made
# Across the school's year: its first day, term time, the day it was made, the spring and summer terms, the
# year's last day, and the first day of the next year (other years offered, everything counted afresh).
DAYS = [dt.date(2025, 9, 1), dt.date(2025, 10, 14), BUILT, dt.date(2026, 1, 12), dt.date(2026, 3, 2),
        dt.date(2026, 5, 18), dt.date(2026, 8, 31), dt.date(2026, 9, 1)]


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "school.sqlite"
    shutil.copyfile(demo_file, path)
    assert refresh_dashboard_cache()  # as the window does once the database is open
    return path


def usual_look(path: Path, school_option: str | None, today: dt.date) -> dict[str, Any]:
    """What the usual path shows and keeps: the figures through SQLAlchemy (``load_dashboard``), the school
    and the choosers as the window's context reads them (``AppContext``, ``keep_first_look``)."""
    db = open_database(path)
    try:
        with db.session() as s:
            school = choose_school(s, school_option)
            school_id, name, is_demo = school.id, school.name, bool(school.is_demo)
            year, start_month = current_academic_year(school, today), school.academic_year_start_month
        face = dashboard_face(load_dashboard(db, school_id, year, None, today))
        years = years_offered(workspace.first_activity_date(db.engine, school_id), year, today, start_month)
        return {"school_id": school_id, "school_name": name, "is_demo": is_demo,
                "schools": [[i, n] for i, n in workspace.school_names(db.engine)],
                "years": [y.label for y in years], "departments": workspace.department_names(db.engine, school_id),
                "dashboard": face}
    finally:
        db.dispose()


def same_look(path: Path, school_option: str | None, today: dt.date) -> dict[str, Any]:
    usual = usual_look(path, school_option, today)
    quick = read_look(path, school_option, today)
    assert quick is not None
    assert list(quick) == list(usual)
    for key in usual:
        assert quick[key] == usual[key], key
    assert json.loads(json.dumps(quick)) == quick  # plain JSON data, as the first look keeps it
    return quick


def test_the_look_read_with_sqlite3_is_the_usual_paths_look_across_the_year(demo: Path) -> None:
    looks = [same_look(demo, None, day) for day in DAYS]
    faces = [look["dashboard"] for look in looks]
    # The figures move with the day: the comparison saw every part of the dashboard with something in it.
    assert any(face["upcoming"] for face in faces) and any(face["claims"] for face in faces)
    assert any(claim[2] for face in faces for claim in face["claims"])  # a claim past its deadline
    assert any(not claim[2] for face in faces for claim in face["claims"])  # and one due soon
    assert any(face["cards"]["overdue"][0] != "0" for face in faces)
    assert all(face["people"] for face in faces[:-1]) and faces[0]["marker"] is not None
    assert {face["year_label"] for face in faces} == {"2025/26", "2026/27"}
    assert looks[-1]["years"][0] == "2027/28" and looks[0]["years"][0] == "2026/27"
    assert looks[0]["is_demo"] is True and looks[0]["departments"] == ["Biology", "Chemistry", "Physics", "Science"]


def test_a_second_school_is_read_only_when_the_start_names_it(demo: Path) -> None:
    db = open_database(demo)
    with db.session() as s:
        add_other_school(s, BUILT)
    db.dispose()
    assert read_look(demo, None, BUILT) is None  # several schools: the person is asked which, as always
    assert read_look(demo, "Nowhere High", BUILT) is None  # the usual path says there is none such
    other = same_look(demo, OTHER, BUILT)
    assert other["school_name"] == OTHER and len(other["schools"]) == 2 and not other["is_demo"]
    assert "Quarrington" in json.dumps(other["dashboard"])
    assert same_look(demo, f"  {OTHER.upper()} ", BUILT)["school_id"] == other["school_id"]  # as --school compares
    demo_school = same_look(demo, "Ashcombe Park Academy", BUILT)
    assert "Quarrington" not in json.dumps(demo_school["dashboard"])  # no school sees the other's records


def test_a_new_school_is_offered_its_first_steps(db: Any, school: Any) -> None:
    db.dispose()
    assert refresh_dashboard_cache()
    look = same_look(Path(db.path), None, BUILT)
    assert [step[0] for step in look["dashboard"]["steps"]] == ["staff", "timetable", "booking", "activity"]
    assert look["dashboard"]["people"] == [] and look["years"] == ["2026/27", "2025/26"]


def test_the_look_is_read_without_the_database_layer(demo: Path) -> None:
    script = (
        "import sys, datetime as dt\n"
        "from cpd_desktop.quicklook import read_look\n"
        f"look = read_look({str(demo)!r}, None, dt.date({BUILT.year}, {BUILT.month}, {BUILT.day}))\n"
        "print(look['dashboard']['cards']['hours'][0])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'cpd_desktop.models', 'alembic',"
        " 'PySide6'))))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env={**os.environ})
    assert out.returncode == 0, out.stderr
    hours, loaded = out.stdout.splitlines()
    assert hours == usual_look(demo, None, BUILT)["dashboard"]["cards"]["hours"][0]
    assert loaded == "[]"


def test_no_cache_or_a_stale_one_takes_the_usual_path(demo: Path) -> None:
    cache = fastread.cache_file(CACHE_NAME)
    record = json.loads(cache.read_text(encoding="utf-8"))
    cache.write_text(json.dumps({**record, "fingerprint": "written by an earlier version"}), encoding="utf-8")
    assert read_look(demo, None, BUILT) is None
    cache.unlink()
    assert read_look(demo, None, BUILT) is None
    assert refresh_dashboard_cache() and read_look(demo, None, BUILT) is not None


def test_a_file_at_another_schema_revision_takes_the_usual_path(demo: Path) -> None:
    con = sqlite3.connect(demo)
    con.execute("UPDATE alembic_version SET version_num = '0012_older'")
    con.commit()
    con.close()
    assert read_look(demo, None, BUILT) is None  # the usual open migrates it, after a backup


def test_a_file_another_copy_has_open_takes_the_usual_path(demo: Path) -> None:
    # Another copy of the app on this computer, still running (this test's parent process stands in for it).
    holder = LockInfo(user="mrsbrown", host=socket.gethostname(), pid=os.getppid(),
                      since=dt.datetime(2025, 11, 20, 8, 5), token="theirs")
    lock_path_for(demo).write_text(holder.to_json(), encoding="utf-8")
    assert read_look(demo, None, BUILT) is None
    with pytest.raises(DatabaseInUseError):  # as the usual open finds it: it asks what to do
        open_database(demo, hold_lock=True)
    lock_path_for(demo).write_text("", encoding="utf-8")  # a lock being written: not read either
    assert read_look(demo, None, BUILT) is None
    lock_path_for(demo).unlink()
    assert read_look(demo, None, BUILT) is not None


def test_a_crashed_copys_lock_takes_the_usual_path(demo: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    holder = LockInfo(user="mrsbrown", host=socket.gethostname(), pid=int(gone.stdout),
                      since=dt.datetime(2025, 11, 20, 8, 5), token="crashed")
    lock_path_for(demo).write_text(holder.to_json(), encoding="utf-8")
    assert read_look(demo, None, BUILT) is None  # the usual open clears it and checks the file first


def test_a_file_noted_as_damaged_takes_the_usual_path(demo: Path) -> None:
    mark_damaged(demo, "quick_check: row 12 missing from index ix_activity_staff_date")
    assert read_look(demo, None, BUILT) is None


def test_a_server_or_a_url_takes_the_usual_path(demo: Path) -> None:
    assert read_look(f"sqlite:///{demo}", None, BUILT) is None
    assert read_look("postgresql+psycopg://cpd@trust-server/cpd", None, BUILT) is None


def test_any_sqlite_error_takes_the_usual_path(demo: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(demo)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("DROP TABLE cover_lesson")  # the upcoming list's query fails half-way through the look
    con.commit()
    con.close()
    assert read_look(demo, None, BUILT) is None
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database", encoding="utf-8")
    assert read_look(notes, None, BUILT) is None
    assert read_look(tmp_path / "missing.sqlite", None, BUILT) is None


def test_an_empty_database_takes_the_usual_path(db: Any) -> None:
    db.dispose()
    assert refresh_dashboard_cache()
    assert read_look(Path(db.path), None, BUILT) is None  # no school yet: the usual path explains
