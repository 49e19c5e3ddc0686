"""Attack: a database file whose name holds URL characters (``%20``, ``?``, ``#``), spaces or accents.

Before the fix the engine's URL was made by string formatting, so ``Ashcombe%20CPD.sqlite`` opened
(created and migrated) ``Ashcombe CPD.sqlite`` and ``school?x.sqlite`` wrote to ``school``, while
``check`` and ``backup`` read the file that was named: new work was never backed up.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cpd_desktop.cli import main

NAMES = ["Ashcombe%20CPD.sqlite", "school?x.sqlite", "dept#2.sqlite", "St Mary's CPD.sqlite",
         "Zając Łukasz école.sqlite", "100%.sqlite", "a?mode=ro.sqlite"]


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", NAMES)
def test_the_named_file_is_the_one_created_written_checked_and_backed_up(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "school files"
    folder.mkdir()
    db = folder / name
    code, out, err = run(capsys, db, "init", "--school", "Ashcombe School")
    assert code == 0, err
    # Exactly the file the person named, and no other database beside it.
    made = sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))
    assert made == [name]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM school").fetchall() == [("Ashcombe School",)]
    staff = tmp_path / "staff.csv"
    staff.write_text("staff_code,forename,surname,email\nABC,Anna,Bell,abell@school.org\n", encoding="utf-8")
    code, out, err = run(capsys, db, "import", "staff", str(staff))
    assert code == 0, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT staff_code FROM staff").fetchall() == [("ABC",)]
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) == [name]
    code, out, err = run(capsys, db, "check")
    assert code == 0 and "Integrity: ok" in out, err
    assert str(db) in out
    code, out, err = run(capsys, db, "backup")
    assert code == 0, err
    assert "Ashcombe School: 1 staff" in out  # the backup holds what was just written
