"""A passing quick_check is reused only while the file is unchanged in every way (``storage.verdict``), and
every attack on that promise finds the file checked again: a save, damage written with the file's times
put back, another file copied over it with its times kept, a journal left behind, a verdict a day old."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from cpd_desktop.cli import main
from cpd_desktop.storage import fastread, verdict

YEAR = "2025/26"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def school(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "school.sqlite"
    assert run(capsys, path, "init", "--school", "Ashcombe Park Academy")[0] == 0
    staff = tmp_path / "staff.csv"
    staff.write_text("staff_code,forename,surname,email\n"
                     + "".join(f"S{n:03d},Anna{n},Bell{n},abell{n}@school.org\n" for n in range(40)), encoding="utf-8")
    assert run(capsys, path, "import", "staff", str(staff))[0] == 0
    return path


@pytest.fixture
def fast_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files ``report hours``'s fast path ran a quick_check of (it runs the real check)."""
    done: list[Path] = []
    real = fastread.Reader._quick_check

    def spy(reader: fastread.Reader) -> None:
        done.append(reader.path)
        real(reader)

    monkeypatch.setattr(fastread.Reader, "_quick_check", spy)
    return done


def report(capsys: pytest.CaptureFixture[str], db: Path) -> tuple[int, str, str]:
    return run(capsys, db, "report", "hours", "--year", YEAR, "--format", "csv")


def break_a_page(path: Path, table: str = "audit_entry") -> None:
    """Write nonsense over the root page of a table ``report hours`` never reads, then put the file's
    access and modification times back as they were: an attacker hiding a change."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    st = os.stat(path)
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x07" * 64)  # not a b-tree page type
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns


def test_an_unchanged_file_is_checked_once_and_its_verdict_reused(school: Path, fast_checks: list[Path],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    first = report(capsys, school)  # the usual path: checks the file, compiles the cache
    assert first[0] == 0 and verdict.still_good(school)
    again = report(capsys, school)  # from the cache: the file passed its check and has not changed
    assert again == first and fast_checks == []
    os.utime(school)  # its times moved, as a save moves them
    assert not verdict.still_good(school)
    assert report(capsys, school) == first and fast_checks == [school]  # checked again, and kept again
    assert verdict.still_good(school)


def test_damage_hidden_behind_the_old_times_is_still_found(school: Path, fast_checks: list[Path],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert report(capsys, school)[0] == 0 and report(capsys, school)[0] == 0
    assert verdict.still_good(school) and fast_checks == []
    break_a_page(school)
    code, out, err = report(capsys, school)
    assert code == 1 and out == "" and "damaged" in err and "Traceback" not in err
    assert fast_checks == [school]
    assert not verdict.verdict_file(school).exists()  # a failed check is never kept
    code, out, err = report(capsys, school)  # and the next report checks, and refuses, again
    assert code == 1 and out == "" and "damaged" in err and fast_checks == [school, school]


def test_another_file_copied_over_it_with_its_times_kept_is_checked(school: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.sqlite"
    shutil.copy2(school, other)
    assert report(capsys, school)[0] == 0 and verdict.still_good(school)
    shutil.copy2(other, school)  # the same bytes, size and modification time: only the change time tells
    assert not verdict.still_good(school)


@pytest.mark.parametrize("change", ["save", "journal", "wal", "a day later", "during the check"])
def test_each_change_makes_the_verdict_go(school: Path, change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = verdict.identity(school)
    assert before is not None
    if change == "during the check":
        with sqlite3.connect(school) as conn:
            conn.execute("UPDATE staff SET forename = 'Ann' WHERE staff_code = 'S001'")
        conn.close()
        verdict.forget(school)
        verdict.passed(school, before)  # the file the check began on is not the file now
        assert not verdict.verdict_file(school).exists() and not verdict.still_good(school)
        return
    verdict.passed(school, before)
    assert verdict.still_good(school)
    if change == "save":
        with sqlite3.connect(school) as conn:
            conn.execute("UPDATE staff SET forename = 'Ann' WHERE staff_code = 'S001'")
        conn.close()
    elif change == "journal":
        school.with_name(school.name + "-journal").write_bytes(b"\0" * 512)  # a save that did not finish
    elif change == "wal":
        with sqlite3.connect(school) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.close()
    else:
        now = verdict.time.time()
        monkeypatch.setattr(verdict.time, "time", lambda: now + verdict.MAX_AGE_S + 1)
    assert not verdict.still_good(school)


@pytest.mark.parametrize("text", ["", "{", "[]", '{"version": 1, "checked_at": "yesterday", "file": {}}'])
def test_a_verdict_that_does_not_read_right_is_not_trusted(school: Path, text: str) -> None:
    verdict.passed(school, verdict.identity(school))
    record = verdict.verdict_file(school)
    assert verdict.still_good(school)
    record.write_text(text, encoding="utf-8")
    assert not verdict.still_good(school)
