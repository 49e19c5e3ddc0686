"""``cpd-desktop import``: what it prints, its exit codes, and that a bad file writes nothing."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cpd_desktop.cli import main
from cpd_desktop.models import Activity, ImportBatch, Staff
from cpd_desktop.services.database import open_database

STAFF = ("Surname,Forename,Staff Code,Email,Department,Role,FTE,Start Date\n"
         "Ap Rhys,Bronwen,BAR,bar@example.org,Physics,Teacher of Physics,0.8,01/09/2021\n"
         "Wójcik,Zbigniew,ZWO,zwo@example.org,Chemistry,Head of Chemistry,1,01/09/2019\n")


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "school.sqlite"
    assert main(["--db", str(path), "init", "--school", "Test Academy"]) == 0
    return path


def counts(path: Path) -> tuple[int, int, int]:
    db = open_database(path)
    try:
        with db.session() as s:
            return tuple(s.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
                         for m in (Staff, Activity, ImportBatch))
    finally:
        db.dispose()


def test_import_prints_counts_encoding_and_separator(dbfile: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_bytes(codecs.BOM_UTF8 + STAFF.replace(",", ";").encode("utf-8"))
    assert main(["--db", str(dbfile), "import", "staff", str(staff), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "UTF-8 with BOM, semicolon-separated" in out
    assert "Dry run: importing would make 2 new, 0 updated" in out and "Nothing was written" in out
    assert counts(dbfile) == (0, 0, 0)
    assert main(["--db", str(dbfile), "import", "staff", str(staff)]) == 0
    out = capsys.readouterr().out
    assert "Imported: 2 new, 0 updated, 0 unchanged." in out
    assert "cpd-desktop import undo 1" in out
    assert main(["--db", str(dbfile), "import", "staff", str(staff)]) == 0
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert counts(dbfile)[0] == 2


def test_bad_file_exits_1_lists_every_bad_row_and_writes_nothing(dbfile: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF, encoding="utf-8")
    assert main(["--db", str(dbfile), "import", "staff", str(staff)]) == 0
    capsys.readouterr()
    before = counts(dbfile)
    bad = tmp_path / "bad.csv"
    bad.write_text("Staff Code,Date,Title,Hours\n"
                   "BAR,14/10/2025,Negative,-1\n"
                   "BAR,14/10/2025,Fine,1\n"
                   "ZWO,31/02/2021,Impossible date,1\n"
                   "NOB,14/10/2025,Nobody,1\n", encoding="utf-8")
    assert main(["--db", str(dbfile), "import", "activities", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "row 2, Hours: -1 is not more than 0" in err
    assert "row 4, Date: 31/02/2021 is not a real date" in err
    assert "row 5, Staff Code: NOB is not the code of anyone on the staff list" in err
    assert "row 3" not in err
    assert "3 bad rows" in err and "nothing was imported" in err and "Traceback" not in err
    assert counts(dbfile) == before
    assert main(["--db", str(dbfile), "import", "activities", str(bad), "--skip-invalid"]) == 0
    assert "1 new, 0 updated, 0 unchanged, 3 bad rows skipped" in capsys.readouterr().out
    assert counts(dbfile)[1] == 1


def test_sheet_option_history_and_undo(dbfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["This workbook holds the staff list on the next sheet."])
    ws = book.create_sheet("Staff")
    ws.append(["Surname", "Forename", "Staff Code", "Start Date"])
    ws.append(["Ó Dálaigh", "Chloë", "COD", dt.datetime(2021, 9, 1)])
    path = tmp_path / "staff.xlsx"
    book.save(path)
    assert main(["--db", str(dbfile), "import", "staff", str(path)]) == 1
    assert "no column for" in capsys.readouterr().err
    before = dt.date.today()  # the import is dated by the clock: either side of midnight will do
    assert main(["--db", str(dbfile), "import", "staff", str(path), "--sheet", "Staff"]) == 0
    after = dt.date.today()
    assert "Excel workbook, sheet Staff, header on row 1" in capsys.readouterr().out
    assert main(["--db", str(dbfile), "import", "history"]) == 0
    out = capsys.readouterr().out
    assert "staff.xlsx" in out and any(f"{day:%d/%m/%Y}" in out for day in (before, after))
    assert main(["--db", str(dbfile), "import", "undo", "1"]) == 0
    assert "1 removed" in capsys.readouterr().out
    assert counts(dbfile)[0] == 0
    assert main(["--db", str(dbfile), "import", "undo", "1"]) == 1
    assert "already been undone" in capsys.readouterr().err


def test_usage_errors_exit_2(dbfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(dbfile), "import", "staff"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(dbfile), "import", "pupils", "x.csv"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(dbfile), "import", "undo", "last"])
    assert exc.value.code == 2


def test_missing_file_is_a_user_error(dbfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(dbfile), "import", "staff", str(tmp_path / "nowhere.csv")]) == 1
    err = capsys.readouterr().err
    assert "There is no file at" in err and "Traceback" not in err
