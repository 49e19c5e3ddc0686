"""Attack: anonymise a leaver, then search the whole file for them. Before the fix their name stayed in
colleagues' activity titles and notes, booking notes, a cover lesson's cover teacher and work set, and
the import history's previous values; and nothing said which backups still held them."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from cpd_desktop.cli import main
from cpd_desktop.models import School, Staff
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.bookings import add_cover_lesson, create_booking
from cpd_desktop.services.database import open_database
from cpd_desktop.storage import backups


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def every_text(path: Path) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text value in the file."""
    found = []
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info('{table}')")]
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                found += [(table, c, v) for c, v in zip(columns, row, strict=True) if isinstance(v, str)]
    conn.close()
    return found


def naming_her(path: Path) -> list[tuple[str, str, str]]:
    pattern = re.compile(r"smith|jsmith@school\.org|\bJSM\b|zając", re.IGNORECASE)
    return [t for t in every_text(path) if pattern.search(t[2])]


@pytest.fixture
def school_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "school.sqlite"
    assert run(capsys, path, "init", "--school", "Ashcombe Park Academy")[0] == 0
    first = tmp_path / "staff.csv"
    first.write_text("staff_code,forename,surname,email,leaving_date\n"
                     "JSM,Jane,Smith,jane.smith@old-school.org,31/08/2018\n"
                     "ABE,Anna,Bell,abell@school.org,\n", encoding="utf-8")
    assert run(capsys, path, "import", "staff", str(first))[0] == 0
    second = tmp_path / "staff-update.csv"  # the import history keeps her previous email and name
    second.write_text("staff_code,forename,surname,email,leaving_date\n"
                      "JSM,Jane,Smith,jsmith@school.org,31/08/2018\n", encoding="utf-8")
    assert run(capsys, path, "import", "staff", str(second))[0] == 0
    db = open_database(path)
    with db.session() as s:
        school = s.scalars(select(School)).one()
        jane = s.scalars(select(Staff).where(Staff.staff_code == "JSM")).one()
        anna = s.scalars(select(Staff).where(Staff.staff_code == "ABE")).one()
        add_activity(s, school, jane, date="01/10/2017", hours="6", title="Practical physics")
        add_activity(s, school, anna, date="15/10/2025", hours="2", title="Shadowed Jane Smith on required practicals",
                     impact="MS SMITH's questioning routine now used in Y9; ask jsmith@school.org for slides")
        booking = create_booking(s, school, anna, title="Physics subject knowledge", start_date="15/10/2025",
                                 end_date="15/10/2025", hours="6", notes="Jane Smith (JSM) recommended it",
                                 intended_outcomes="Pupils carry out the practical with less help")
        add_cover_lesson(s, booking, date="15/10/2025", period=2, class_group="9X1", cover_teacher="Ms Smith",
                         work_set="Worksheets in Smith, Jane's folder (ask Mrs. Smith)")
    db.dispose()
    assert {t for t, _c, _v in naming_her(path)} >= {"activity", "booking", "cover_lesson", "import_batch"}
    return path


def test_after_anonymising_nothing_in_the_file_names_her(school_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, school_file, "anonymise", "--staff", "JSM")
    assert code == 0, err
    assert naming_her(school_file) == []
    # Colleagues' records keep their sense, with the neutral label in her place.
    texts = {(t, c): v for t, c, v in every_text(school_file)}
    assert any("Shadowed Former staff member" in v for (t, _c), v in texts.items() if t == "activity")
    assert any(v.startswith("Former staff member") for (t, c), v in texts.items()
               if (t, c) == ("cover_lesson", "cover_teacher"))
    with sqlite3.connect(school_file) as conn:  # her hours stay in the totals
        assert conn.execute("SELECT sum(hours) FROM activity").fetchone()[0] == 8
    conn.close()


def test_a_colleague_who_shares_a_first_name_keeps_it(school_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, school_file, "anonymise", "--staff", "JSM")[0] == 0
    with sqlite3.connect(school_file) as conn:
        assert conn.execute("SELECT forename, surname FROM staff WHERE staff_code = 'ABE'").fetchone() == ("Anna", "Bell")
    conn.close()


def test_the_backups_that_still_hold_her_are_listed_and_can_be_deleted(
        school_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, school_file, "backup")[0] == 0  # made by hand: never thinned
    held = backups.list_backups(school_file)[0]
    assert naming_her(held.path)
    code, out, err = run(capsys, school_file, "anonymise", "--staff", "JSM")
    assert code == 0, err
    assert held.path.name in out and "still holds their details" in out and "never thinned" in out
    new_code = re.search(r"--staff (ANON\d+) --delete-backups", out)
    assert new_code is not None
    assert held.path.exists()
    code, out, err = run(capsys, school_file, "anonymise", "--staff", new_code.group(1), "--delete-backups")
    assert code == 0, err
    assert f"Deleted {held.path.name}" in out
    assert not held.path.exists() and not backups.manifest_path(held.path).exists()
    left = backups.list_backups(school_file)
    assert left and all(not naming_her(b.path) for b in left)  # the school still has a backup, without her
    code, out, err = run(capsys, school_file, "anonymise", "--staff", new_code.group(1), "--delete-backups")
    assert code == 0 and "No backup" in out


def test_anonymise_is_all_or_nothing(school_file: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.services import privacy

    def fail(*_args: object) -> int:
        raise sqlite3.OperationalError("disk I/O error")  # the disk goes away half-way

    monkeypatch.setattr(privacy, "_redact_audit", fail)
    before = naming_her(school_file)
    code, _out, err = run(capsys, school_file, "anonymise", "--staff", "JSM")
    assert code == 1
    assert naming_her(school_file) == before
