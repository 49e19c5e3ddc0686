"""The core's side of the first-week polish: the same rules for the wizard, Settings and the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cpd_desktop.cli import main
from cpd_desktop.errors import ValidationError
from cpd_desktop.models import School, Staff
from cpd_desktop.services import schools
from cpd_desktop.services import validation as v
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.reports import hours_by_staff, summarise
from cpd_desktop.services.rules import pro_rata_target
from cpd_desktop.services.staff import add_staff, update_staff
from cpd_desktop.services.years import AcademicYear

YEAR = AcademicYear(2025)


@pytest.mark.parametrize("urn", ["12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_a_urn_has_six_digits(urn: str) -> None:
    with pytest.raises(ValidationError, match="6 digits"):
        v.parse_urn(urn)
    assert v.parse_urn(" 139876 ") == "139876" and v.parse_urn("") is None


def test_cli_init_refuses_a_five_digit_urn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "s.sqlite"), "init", "--school", "X School", "--urn", "12345"]) != 0
    assert "6 digits" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-35", "0", "250", "abc"])
def test_the_target_is_a_positive_number_of_hours_a_year(value: str, session: object, school: School) -> None:
    with pytest.raises(ValidationError) as info:
        schools.apply_settings(school, {"cpd_target_hours": value})
    assert "attended" not in str(info.value)
    if value != "abc":
        assert "The CPD target must be between 1 and 200 hours a year" in str(info.value)
    schools.apply_settings(school, {"cpd_target_hours": "37.5"})
    assert str(school.cpd_target_hours) == "37.50"


def test_term_dates_must_be_in_the_year_and_in_order() -> None:
    good = [("autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19)), ("spring", dt.date(2026, 1, 5),
            dt.date(2026, 4, 2)), ("summer", dt.date(2026, 4, 20), dt.date(2026, 7, 22))]
    schools.check_term_dates(YEAR, good)
    with pytest.raises(ValidationError, match="not in the academic year 2025/26"):
        schools.check_term_dates(YEAR, [("autumn", dt.date(2024, 9, 3), dt.date(2024, 12, 19)), *good[1:]])
    with pytest.raises(ValidationError, match="before the autumn term ends"):
        schools.check_term_dates(YEAR, [good[0], ("spring", dt.date(2025, 12, 1), dt.date(2026, 4, 2)), good[2]])


def test_overlapping_periods_are_refused_when_settings_save_them(session: object, school: School) -> None:
    periods = [(1, "P1", dt.time(8, 50), dt.time(9, 50)), (2, "P2", dt.time(9, 30), dt.time(10, 30))]
    with pytest.raises(ValidationError, match="overlaps period P1"):
        schools.save_periods(session, school, periods)  # type: ignore[arg-type]
    schools.save_periods(session, school, [periods[0], (2, "P2", dt.time(9, 50), dt.time(10, 50))])  # type: ignore[arg-type]


# -- 8. names sort as people read them ---------------------------------------------------------------------

NAMES = [("Siobhán", "Ó Dálaigh", "SOD"), ("Tom", "Wilkinson", "TWI"), ("Ada", "Okafor", "AOK"),
         ("Bea", "oakley", "BOA"), ("Łukasz", "Zając", "LZA"), ("Émile", "Zola", "EZO")]


def test_people_sort_with_accents_folded_in_reports_and_after_a_rename(session: Session, school: School) -> None:
    people = {code: add_staff(session, school, forename=f, surname=s, staff_code=code) for f, s, code in NAMES}
    year = AcademicYear(2025)
    assert [r.surname for r in hours_by_staff(session, school, year)] == [
        "Ó Dálaigh", "oakley", "Okafor", "Wilkinson", "Zając", "Zola"]  # word by word, as a register
    assert [p.surname for p in session.scalars(select(Staff).order_by(Staff.sort_name))][:2] == ["Ó Dálaigh", "oakley"]
    update_staff(session, people["TWI"], surname="Ó Briain")  # renamed: sorts by the new name at once
    assert [r.surname for r in hours_by_staff(session, school, year)][:3] == ["Ó Briain", "Ó Dálaigh", "oakley"]


def test_an_imported_list_sorts_as_people_read_it(session: Session, school: School, tmp_path: Path) -> None:
    from cpd_desktop.imports import run_import

    path = tmp_path / "staff.csv"
    path.write_text("Surname,Forename,Staff code\nWilkinson,Tom,TWI\nÓ Dálaigh,Siobhán,SOD\nOkafor,Ada,AOK\n",
                    encoding="utf-8")
    run_import(session, school, "staff", path)
    assert [r.surname for r in hours_by_staff(session, school, AcademicYear(2025))] == [
        "Ó Dálaigh", "Okafor", "Wilkinson"]
    path.write_text("Surname,Forename,Staff code\nAbbott,Tom,TWI\n", encoding="utf-8")
    run_import(session, school, "staff", path)  # a surname changed by a later import
    assert [r.surname for r in hours_by_staff(session, school, AcademicYear(2025))][0] == "Abbott"


def test_an_older_file_gets_sort_names_and_support_staff_outside_the_target(tmp_path: Path) -> None:
    import sqlite3

    from cpd_desktop.services.database import open_database
    from cpd_desktop.storage.migrate import upgrade

    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).close()
    db = open_database(path, migrate=False)
    upgrade(db, "0004_trust_integrity")
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO school (id, name, phase, state_funded, academic_year_start_month, "
                 "financial_year_start_month, cpd_target_hours, subject_specific_target, supply_day_rate, "
                 "mileage_rate, evaluation_due_days, leaver_retention_years, is_demo, version, updated_at, "
                 "updated_by) VALUES (1, 'Old School', 'secondary', 1, 9, 4, 35, 50, 291, 0.45, 42, 6, 0, 1, "
                 "'2025-01-01 00:00:00', '')")
    conn.executemany("INSERT INTO staff (school_id, forename, surname, staff_code, role, fte, anonymised, version, "
                     "updated_at, updated_by) VALUES (1, ?, ?, ?, ?, 1, 0, 1, '2025-01-01 00:00:00', '')",
                     [("Siobhán", "Ó Dálaigh", "SOD", "Teacher of Biology"), ("Ray", "Ito", "RIT", "Science technician")])
    conn.commit()
    conn.close()
    open_database(path).dispose()  # upgraded on open
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT staff_code, sort_name, in_target FROM staff ORDER BY sort_name").fetchall()
    conn.close()
    assert rows == [("RIT", "ito\x1fray", 0), ("SOD", "o dalaigh\x1fsiobhan", 1)]


# -- 9. support staff are outside the teachers' target ------------------------------------------------------

def test_support_staff_get_no_target_and_stay_out_of_the_teachers_figures(session: Session, school: School) -> None:
    teacher = add_staff(session, school, forename="Ann", surname="Lee", staff_code="ALE", role="Teacher of Physics",
                        fte="0.5")
    tech = add_staff(session, school, forename="Ray", surname="Ito", staff_code="RIT", role="Science technician")
    assert teacher.in_target and not tech.in_target
    for person in (teacher, tech):
        add_activity(session, school, person, title="Practical safety", date=dt.date(2025, 10, 1), hours="10")
    rows = {r.staff_code: r for r in hours_by_staff(session, school, AcademicYear(2025))}
    assert rows["ALE"].target_hours == Decimal("17.50") and rows["RIT"].target_hours == Decimal("0.00")
    assert rows["RIT"].hours == Decimal("10.00")  # their CPD is still theirs
    summary = summarise(list(rows.values()))
    assert (summary.staff, summary.fte, summary.hours, summary.target_hours) == (1, 0.5, Decimal("10.00"),
                                                                               Decimal("17.50"))
    update_staff(session, tech, in_target="yes")  # the school counts this technician after all
    rows = {r.staff_code: r for r in hours_by_staff(session, school, AcademicYear(2025))}
    assert rows["RIT"].target_hours == Decimal("35.00")
    assert pro_rata_target(Decimal("35"), 0.8, True) == Decimal("28.00")
    assert pro_rata_target(Decimal("35"), 0.8, False) == Decimal("0.00")


# -- 7. the audit trail reads as the rest of the app, in every output -------------------------------------

def test_describe_changes_uses_labels_empty_uk_dates_and_money() -> None:
    from cpd_desktop.services.audit import describe_changes

    lines = describe_changes("staff", "update", '{"surname": ["Smith", "Smyth"], "leaving_date": [null, '
                             '"2026-08-31"], "in_target": [true, false], "sort_name": ["smith", "smyth"]}')
    assert lines == ["Surname: Smith → Smyth", "Leaving date: (empty) → 31/08/2026",
                     "Counts in the teachers' CPD target: Yes → No"]
    assert describe_changes("booking", "update", {"status": ["booked", "attended"], "fee": ["0.00", "1100.00"]}) == [
        "Status: Booked → Attended", "Fee: £0.00 → £1,100.00"]
    assert describe_changes("bursary_claim", "create", {"expected": "660.00", "notes": None, "status": "draft"}) == [
        "Expected: £660.00", "Notes: (empty)", "Status: Draft"]


def test_audit_times_are_shown_on_the_local_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from cpd_desktop.services.audit import local_time

    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        assert local_time(dt.datetime(2026, 7, 1, 12, 5)) == dt.datetime(2026, 7, 1, 13, 5)  # BST
        assert local_time(dt.datetime(2026, 12, 1, 12, 5)) == dt.datetime(2026, 12, 1, 12, 5)  # GMT
    finally:
        monkeypatch.undo()
        time.tzset()


def _renamed(db_path: Path) -> None:
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.staff import get_staff

    db = open_database(db_path)
    with db.session() as s:
        here = s.scalar(select(School))
        add_staff(s, here, forename="Ann", surname="Smith", staff_code="ASM", role="Teacher of Chemistry")
    with db.session() as s:
        person = get_staff(s, s.scalar(select(School)), "ASM")
        update_staff(s, person, surname="Smyth", leaving_date="31/08/2026")
    db.dispose()


def test_cli_audit_report_describes_changes_as_the_window_does(db_path: Path, school: School,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    _renamed(db_path)
    capsys.readouterr()
    assert main(["--db", str(db_path), "report", "audit", "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "Surname: Smith → Smyth" in out and "Leaving date: (empty) → 31/08/2026" in out
    assert "leaving_date" not in out and "None" not in out and "sort_name" not in out


def test_staff_record_pdf_audit_trail_describes_changes(db_path: Path, school: School, tmp_path: Path) -> None:
    from pypdf import PdfReader

    _renamed(db_path)
    out = tmp_path / "record.pdf"
    assert main(["--db", str(db_path), "export", "staff-record", "--staff", "ASM", "--format", "pdf",
                 "--output", str(out)]) == 0
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages).split("Audit trail")[1]
    assert "Surname: Smith → Smyth" in text and "Leaving date: (empty) → 31/08/2026" in text
    assert "When Who What" in text and "(UTC)" not in text
    assert "leaving_date" not in text and "None" not in text


# -- 2. first steps -----------------------------------------------------------------------------------------

def test_first_steps_are_offered_until_the_records_show_them_done(session: Session, school: School) -> None:
    from cpd_desktop.services.bookings import create_booking
    from cpd_desktop.services.dashboard import first_steps

    assert [k for k, _t, _w in first_steps(session, school.id)] == ["staff", "timetable", "booking", "activity"]
    person = add_staff(session, school, forename="Ada", surname="Okafor", staff_code="AOK")
    create_booking(session, school, person, title="Practical physics", start_date=dt.date(2025, 12, 1), hours="6",
                   intended_outcomes="Pupils carry out the practical with less help")
    assert [k for k, _t, _w in first_steps(session, school.id)] == ["timetable", "activity"]
    add_activity(session, school, person, title="INSET", date=dt.date(2025, 9, 1), hours="5")
    assert [t for _k, t, _w in first_steps(session, school.id)] == ["Import the timetable"]


def test_linked_records_are_named_not_numbered(session: Session, school: School) -> None:
    from cpd_desktop.models import AuditEntry
    from cpd_desktop.services.audit import describe_changes, record_names
    from cpd_desktop.services.bookings import create_booking

    person = add_staff(session, school, forename="Ada", surname="Okafor", staff_code="AOK")
    booking = create_booking(session, school, person, title="Practical physics", start_date=dt.date(2025, 12, 1),
                             hours="6", intended_outcomes="Pupils carry out the practical with less help")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.table_name == "booking",
                                                    AuditEntry.record_id == booking.id))
    assert entry is not None
    lines = describe_changes(entry.table_name, entry.action, entry.changes, record_names(session))
    assert "Member of staff: Ada Okafor" in lines and "Start date: 01/12/2025" in lines
    assert not any("record #" in line or "None" in line for line in lines), lines
