"""Importing the staff list from an MIS export: SIMS-style Windows-1252, Arbor-style UTF-8-BOM semicolons."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cpd_desktop.errors import CpdError
from cpd_desktop.imports import run_import
from cpd_desktop.models import AuditEntry, Department, ImportBatch, School, Staff
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage.database import Database

SIMS = ("Legal Surname,Preferred Forename,Staff Code,Work Email,Department,Post,Contract FTE,Employment Start,"
        "Induction\r\n"
        "Ó Dálaigh,Chloë,COD,chloe.odalaigh@school.org.uk,Science,Teacher of Chemistry,0.8,01/09/2021,\r\n"
        "ap Rhys,Bronwen,BAR,b.aprhys@school.org.uk,Science,Teacher of Physics,100%,1/9/19,No\r\n"
        "Wójcik,Zbigniew,ZWO,z.wojcik@school.org.uk,Science,Head of Biology,1,2018-09-01,\r\n"
        "Zając,Łukasz,LZA,l.zajac@school.org.uk,Maths,ECT,1,01/09/2025,Y1\r\n")
ARBOR = ("Surname;First Name;Initials;Email Address;Faculty;Job Title;Full-time Equivalent;Date of Arrival;ECT\n"
         "Ó Dálaigh;Chloë;COD;chloe.odalaigh@school.org.uk;Science;Teacher of Chemistry;0.6;01/09/2021;\n"
         "Nguyễn;Thị Mai;NTM;mai.nguyen@school.org.uk;Science;Teacher of Science;1;01/09/2024;2\n")


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def sims_file(tmp_path: Path) -> Path:
    # SIMS on a UK Windows PC: Windows-1252. Ł and ą are not in Windows-1252, so that file cannot hold
    # Łukasz Zając; the SIMS fixture keeps to the names it can hold.
    text = SIMS.replace("Zając,Łukasz", "Zajac,Lukasz")
    path = tmp_path / "sims_staff.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def arbor_file(tmp_path: Path) -> Path:
    path = tmp_path / "arbor_staff.csv"
    path.write_bytes(codecs.BOM_UTF8 + ARBOR.encode("utf-8"))
    return path


def test_sims_windows_1252_export_imports_cleanly(session: Session, school: School, tmp_path: Path) -> None:
    result = run_import(session, school, "staff", sims_file(tmp_path))
    assert result.errors == []
    assert (result.new, result.updated) == (4, 0)
    assert result.encoding == "Windows-1252" and result.delimiter == ","
    chloe = session.scalar(select(Staff).where(Staff.staff_code == "COD"))
    assert chloe is not None
    assert (chloe.forename, chloe.surname) == ("Chloë", "Ó Dálaigh")
    assert chloe.fte == pytest.approx(0.8)
    assert chloe.start_date == dt.date(2021, 9, 1)
    assert chloe.role == "Teacher of Chemistry" and chloe.department is not None
    assert chloe.department.name == "Science"
    assert chloe.import_batch_id == result.batch_id
    bronwen = session.scalar(select(Staff).where(Staff.staff_code == "BAR"))
    assert bronwen is not None and bronwen.start_date == dt.date(2019, 9, 1) and bronwen.fte == 1.0
    lukasz = session.scalar(select(Staff).where(Staff.staff_code == "LZA"))
    assert lukasz is not None and lukasz.ect_year == 1
    # The school already had a Science department: it is reused, not duplicated.
    assert count(session, Department) == 2


def test_arbor_utf8_bom_semicolon_export_imports_cleanly(session: Session, school: School, tmp_path: Path) -> None:
    result = run_import(session, school, "staff", arbor_file(tmp_path))
    assert result.errors == []
    assert result.encoding == "UTF-8 with BOM" and result.delimiter == ";"
    assert result.new == 2
    mai = session.scalar(select(Staff).where(Staff.staff_code == "NTM"))
    assert mai is not None and (mai.forename, mai.surname, mai.ect_year) == ("Thị Mai", "Nguyễn", 2)
    assert mai.email == "mai.nguyen@school.org.uk"


def test_second_import_updates_and_never_duplicates(session: Session, school: School, tmp_path: Path) -> None:
    run_import(session, school, "staff", sims_file(tmp_path))
    again = run_import(session, school, "staff", sims_file(tmp_path))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)
    arbor = run_import(session, school, "staff", arbor_file(tmp_path))
    assert (arbor.new, arbor.updated) == (1, 1)
    assert count(session, Staff) == 5
    chloe = session.scalar(select(Staff).where(Staff.staff_code == "COD"))
    assert chloe is not None and chloe.fte == pytest.approx(0.6) and chloe.version == 2
    batch = session.get(ImportBatch, arbor.batch_id)
    assert batch is not None and batch.created_count == 1 and batch.updated_count == 1
    assert '"fte": 0.8' in (batch.previous_values or "")
    change = session.scalar(select(AuditEntry).where(AuditEntry.batch_id == arbor.batch_id,
                                                     AuditEntry.action == "update"))
    assert change is not None and change.record_id == chloe.id and "fte" in (change.changes or "")


def test_staff_matched_by_email_when_the_code_changed(session: Session, school: School, tmp_path: Path) -> None:
    existing = add_staff(session, school, forename="Chloë", surname="Ó Dálaigh", staff_code="CO",
                         email="chloe.odalaigh@school.org.uk")
    path = tmp_path / "s.csv"
    path.write_text("Surname,Forename,Staff Code,Email\nÓ Dálaigh,Chloë,COD,Chloe.ODalaigh@school.org.uk\n",
                    encoding="utf-8")
    result = run_import(session, school, "staff", path)
    assert (result.new, result.updated) == (0, 1)
    session.refresh(existing)
    assert existing.staff_code == "COD"


def test_blank_cells_leave_what_is_recorded(session: Session, school: School, tmp_path: Path) -> None:
    add_staff(session, school, forename="Bronwen", surname="ap Rhys", staff_code="BAR", role="Teacher of Physics",
              fte=0.6)
    path = tmp_path / "s.csv"
    path.write_text("Surname,Forename,Staff Code,Role,FTE\nap Rhys,Bronwen,BAR,,\n", encoding="utf-8")
    result = run_import(session, school, "staff", path)
    assert result.unchanged == 1
    bronwen = session.scalar(select(Staff).where(Staff.staff_code == "BAR"))
    assert bronwen is not None and bronwen.role == "Teacher of Physics" and bronwen.fte == pytest.approx(0.6)


BAD_ROWS = [
    ("Ó Dálaigh,Chloë,COD,01/09/2021,0.8", None),
    ("Smith,Anna,ASM,31/02/2021,1", "row 3, Start Date: 31/02/2021 is not a real date"),
    ("Jones,Tom,TJO,01/09/2020,1.2", "row 4, FTE: 1.2 is more than 1"),
    ("Brown,,TBR,01/09/2020,1", "row 5, Forename: is empty"),
    ("Green,Sam,COD,01/09/2020,1", "row 6, Staff Code: Staff code COD is also on row 2"),
    ("Black,Jo,J BL,01/09/2020,1", "row 7, Staff Code: 'J BL' contains a space"),
    ("White,Al\x07ex,AWH,01/09/2020,1", "row 8, Forename: contains a control character"),
    ("Grey,Kim,KGR,14/13/2020,1", "row 9, Start Date: 14/13/2020 is not a real date"),
    ("Long," + "x" * 101 + ",LON,01/09/2020,1", "row 10, Forename: is 101 characters long; at most 100"),
    ("Blue,Pat,PBL,01/09/2020,0,8", None),  # a sixth cell: the comma-decimal FTE spills over, FTE reads 0
]


def test_every_bad_row_is_reported_and_nothing_written(session: Session, school: School, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    lines = ["Surname,Forename,Staff Code,Start Date,FTE"] + [row for row, _ in BAD_ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_import(session, school, "staff", path)
    messages = [str(e) for e in result.errors]
    for _row, expected in BAD_ROWS:
        if expected:
            assert any(m.startswith(expected) for m in messages), (expected, messages)
    assert any(m.startswith("row 11, FTE: 0 is not between 0 and 1") for m in messages)
    assert not result.written and result.batch_id is None
    assert count(session, Staff) == 0 and count(session, ImportBatch) == 0


def test_skip_invalid_imports_only_the_good_rows(session: Session, school: School, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Surname,Forename,Staff Code,Start Date\nOkafor,Ada,AOK,01/09/2020\n"
                    "Smith,Anna,ASM,31/02/2021\n", encoding="utf-8")
    result = run_import(session, school, "staff", path, skip_invalid=True)
    assert (result.new, result.skipped) == (1, 1)
    assert [str(e)[:6] for e in result.errors] == ["row 3,"]
    assert session.scalars(select(Staff.staff_code)).all() == ["AOK"]


def test_dry_run_counts_but_writes_nothing(session: Session, school: School, tmp_path: Path) -> None:
    result = run_import(session, school, "staff", sims_file(tmp_path), dry_run=True)
    assert result.new == 4 and not result.written
    assert count(session, Staff) == 0 and count(session, ImportBatch) == 0
    assert count(session, Department) == 1


def test_a_file_without_a_required_column_is_refused(session: Session, school: School, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("Surname,Forename,Email\nOkafor,Ada,a@b.org\n", encoding="utf-8")
    with pytest.raises(CpdError, match="no column for Staff code"):
        run_import(session, school, "staff", path)


def test_a_chosen_mapping_overrides_the_guess(session: Session, school: School, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("Surname,Forename,Payroll No,Code\nOkafor,Ada,AOK,999\n", encoding="utf-8")
    result = run_import(session, school, "staff", path, mapping={"staff_code": "Payroll No"})
    assert result.columns["staff_code"] == "Payroll No"
    assert session.scalars(select(Staff.staff_code)).all() == ["AOK"]
    with pytest.raises(CpdError, match="no column called 'Payroll'"):
        run_import(session, school, "staff", path, mapping={"staff_code": "Payroll"})


def test_import_commits_as_one_transaction(db: Database, school: School, tmp_path: Path) -> None:
    with db.session() as s:
        run_import(s, s.merge(school), "staff", sims_file(tmp_path))
    with db.session() as s:
        assert count(s, Staff) == 4
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "import"))
        assert entry is not None and "sims_staff.csv" in entry.summary and "4 new" in entry.summary
