"""Attack: one byte flipped in an index page. ``quick_check`` (run on every open) passes, but the index
has lost an entry; before the fix, writes went on (more rows went missing from the index) and every
backup failed its check. Now the damage, once found by ``check`` or by a backup, stops every write
with a plain message until ``check --repair`` has rebuilt the indexes (after keeping a copy)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cpd_desktop.cli import main
from cpd_desktop.storage import backups


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def staff_csv(folder: Path, first: int, count: int) -> Path:
    path = folder / f"staff-{first}.csv"
    lines = ["staff_code,forename,surname,email"]
    lines += [f"S{n:03d},Anna{n},Bell{n},abell{n}@school.org" for n in range(first, first + count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def flip_a_byte_in_an_index(path: Path, index: str = "ix_audit_entry_table_record") -> None:
    """Flip the last byte of the first entry of an index's root page (the row id the entry points at)."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        page = bytearray(fh.read(page_size))
        assert page[0] == 0x0A  # a leaf page of an index
        cell = int.from_bytes(page[8:10], "big")
        page[cell + page[cell]] ^= 0x01
        fh.seek((root - 1) * page_size)
        fh.write(page)


def integrity(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        found = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    conn.close()
    return found


def quick(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        found = [r[0] for r in conn.execute("PRAGMA quick_check")]
    conn.close()
    return found


@pytest.fixture
def damaged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "school.sqlite"
    assert run(capsys, path, "init", "--school", "Ashcombe Park Academy")[0] == 0
    assert run(capsys, path, "import", "staff", str(staff_csv(tmp_path, 1, 20)))[0] == 0
    flip_a_byte_in_an_index(path)
    assert quick(path) == ["ok"] and integrity(path) != ["ok"]  # the attack: invisible to the open's check
    return path


def test_once_check_finds_damage_writes_are_refused_until_repaired(damaged: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, damaged, "check")
    assert code == 1 and "damaged" in err and "refused until it is repaired" in err and "check --repair" in err
    found = integrity(damaged)
    code, out, err = run(capsys, damaged, "import", "staff", str(staff_csv(tmp_path, 100, 30)))
    assert code == 1 and "Traceback" not in err
    assert "found damaged by a check" in err and "nothing was saved" in err and "check --repair" in err
    assert integrity(damaged) == found  # the damage did not grow
    with sqlite3.connect(damaged) as conn:
        assert conn.execute("SELECT count(*) FROM staff").fetchone()[0] == 20
    conn.close()

    code, out, err = run(capsys, damaged, "check", "--repair")
    assert code == 0, err
    assert "Repaired" in out and "Integrity: ok" in out
    assert integrity(damaged) == ["ok"]
    kept = [b for b in backups.list_backups(damaged) if b.reason == "before-repair"]
    assert len(kept) == 1 and integrity(kept[0].path) == found  # the file as it was found is kept
    code, out, err = run(capsys, damaged, "import", "staff", str(staff_csv(tmp_path, 100, 30)))
    assert code == 0, err
    assert run(capsys, damaged, "backup")[0] == 0
    assert integrity(damaged) == ["ok"]
    with sqlite3.connect(damaged) as conn:  # the audit trail says when it was repaired, and where the copy is
        summaries = [r[0] for r in conn.execute("SELECT summary FROM audit_entry WHERE action = 'repair'")]
    conn.close()
    assert len(summaries) == 1 and kept[0].path.name in summaries[0]
    code, out, err = run(capsys, damaged, "report", "audit", "--format", "csv")  # the school's own report lists it
    assert code == 0, err
    assert "Repaired" in out and kept[0].path.name in out


def test_a_backup_that_finds_the_damage_stops_writes_too(damaged: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, damaged, "backup")
    assert code == 1 and "damaged" in err and "repaired" in err
    code, out, err = run(capsys, damaged, "import", "staff", str(staff_csv(tmp_path, 100, 30)))
    assert code == 1 and "found damaged" in err


def test_a_sound_file_checks_ok_and_repair_has_nothing_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "school.sqlite"
    assert run(capsys, path, "init", "--school", "Ashcombe Park Academy")[0] == 0
    code, out, err = run(capsys, path, "check", "--repair")
    assert code == 0 and "Nothing to repair" in out and "Integrity: ok" in out
    assert not [b for b in backups.list_backups(path) if b.reason == "before-repair"]
