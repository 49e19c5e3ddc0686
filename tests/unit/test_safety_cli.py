"""The command line's safety commands: backup, backups, restore, unlock, leavers, anonymise, report audit."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from cpd_desktop.cli import main
from cpd_desktop.services.database import open_database
from cpd_desktop.storage.locking import lock_path_for


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def school_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "school.sqlite"
    assert run(capsys, path, "init", "--school", "Test Academy")[0] == 0
    return path


def add_leaver(path: Path, code: str = "JSM") -> None:
    from sqlalchemy import select

    from cpd_desktop.models import School
    from cpd_desktop.services.activities import add_activity
    from cpd_desktop.services.staff import add_staff

    db = open_database(path)
    with db.session() as s:
        school = s.scalars(select(School)).one()
        person = add_staff(s, school, forename="Jane", surname="Smith", staff_code=code, email="jsmith@school.org",
                           start_date="01/09/2015", leaving_date="31/08/2018")
        add_activity(s, school, person, date="01/10/2017", hours="6", title="Practical physics")
    db.dispose()


def test_backup_then_restore_round_trip(school_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usb = tmp_path / "usb.sqlite"
    code, out, _ = run(capsys, school_file, "backup", "--output", str(usb))
    assert code == 0 and "integrity ok" in out and "Test Academy: 0 staff" in out and usb.exists()
    add_leaver(school_file)
    code, out, _ = run(capsys, school_file, "restore", str(usb))
    assert code == 0 and "Restored" in out and "before-restore" in out
    conn = sqlite3.connect(school_file)
    assert conn.execute("SELECT count(*) FROM staff").fetchone()[0] == 0
    conn.close()
    code, out, _ = run(capsys, school_file, "report", "audit", "--format", "json")
    rows = json.loads(out)
    assert {"when", "action", "table", "record", "summary"} <= set(rows[0])
    assert rows[0]["action"] == "restore" and rows[0]["when"].endswith("Z")


def test_backups_are_listed(school_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, school_file, "backup")
    code, out, _ = run(capsys, school_file, "backups")
    assert code == 0 and "made by hand" in out and "Test Academy: 0 staff" in out
    code, out, _ = run(capsys, school_file, "backups", "--format", "json")
    listed = json.loads(out)
    assert len(listed) == 1 and len(listed[0]["sha256"]) == 64


def test_restoring_a_missing_or_foreign_file_is_a_clear_error(school_file: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, school_file, "restore", str(tmp_path / "nope.sqlite"))
    assert code == 1 and "no backup file" in err and "Traceback" not in err
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    code, _, err = run(capsys, school_file, "restore", str(junk))
    assert code == 1 and "damaged" in err


def test_anonymise_a_leaver_keeps_their_hours(school_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_leaver(school_file)
    code, out, _ = run(capsys, school_file, "leavers", "--due")
    assert code == 0 and "JSM" in out and "due for review" in out
    code, before, _ = run(capsys, school_file, "report", "hours", "--year", "2017/18", "--format", "json")
    from cpd_desktop import firstlook

    firstlook.save(school_file, {"names": ["Jane Smith"]}, marker=0, day="2026-11-22", school=None)
    code, out, err = run(capsys, school_file, "anonymise", "--staff", "jsm")
    assert code == 0, err
    assert not firstlook.look_file(school_file).exists()  # the window's first look named her
    assert "Former staff member" in out and "6 hours" in out
    _, after, _ = run(capsys, school_file, "report", "hours", "--year", "2017/18", "--format", "json")
    assert [r["hours"] for r in json.loads(before)] == [r["hours"] for r in json.loads(after)]
    assert "Jane" not in after and "Jane" not in run(capsys, school_file, "report", "audit", "--format", "json")[1]
    code, out, _ = run(capsys, school_file, "leavers", "--due")
    assert "JSM" not in out and "(nothing to show)" in out
    code, _, err = run(capsys, school_file, "anonymise", "--staff", "JSM")
    assert code == 1 and "No member of staff has the code JSM" in err


def test_unlock_clears_a_stale_lock_and_protects_a_live_one(school_file: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    app = open_database(school_file, hold_lock=True)
    code, _, err = run(capsys, school_file, "unlock")
    assert code == 1 and "open in CPD Desktop by" in err and "--force" in err
    assert lock_path_for(school_file).exists()
    code, out, _ = run(capsys, school_file, "report", "staff")  # reading works while the app has it open
    assert code == 0
    code, _, err = run(capsys, school_file, "init", "--school", "Second School")
    assert code == 1 and "open for changes" in err and "break the lock" in err
    code, out, _ = run(capsys, school_file, "unlock", "--force")
    assert code == 0 and "Cleared the lock" in out and not lock_path_for(school_file).exists()
    app.dispose()
    code, out, _ = run(capsys, school_file, "unlock")
    assert code == 0 and "is not locked" in out


def test_report_audit_table_shows_local_time_and_old_to_new(school_file: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import select

    from cpd_desktop.models import School

    db = open_database(school_file)
    with db.session() as s:
        s.scalars(select(School)).one().cpd_target_hours = Decimal("30.00")
    db.dispose()
    code, out, _ = run(capsys, school_file, "report", "audit", "--since", "01/01/2020")
    assert code == 0
    first = out.splitlines()[2]
    assert "Changed" in first and "CPD target: 35.00 → 30.00" in first  # as the window words it
    assert first[2] == "/" and first[5] == "/"
