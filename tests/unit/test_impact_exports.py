"""The governors' impact report: what the PDF says, and the workbook as LibreOffice recalculates it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cpd_desktop.exports import run_export
from cpd_desktop.models import Activity, Programme, School
from cpd_desktop.services import impact
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.stages import sync_stages
from cpd_desktop.services.years import AcademicYear
from cpd_desktop.storage.database import Database

TODAY = dt.date(2026, 1, 15)
YEAR = AcademicYear(2025)


@pytest.fixture
def evaluated(db: Database, school: School) -> int:
    with db.session() as s:
        s.add(school)
        amy = add_staff(s, school, forename="Łukasz", surname="Zając", staff_code="LZA", fte=1.0,
                        start_date=dt.date(2020, 9, 1))
        ben = add_staff(s, school, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD", fte=1.0,
                        start_date=dt.date(2019, 9, 1), leaving_date=dt.date(2025, 8, 31))
        p = Programme(school_id=school.id, name="Subject Knowledge for Physics Teaching",
                      start_date=dt.date(2025, 10, 1), end_date=dt.date(2026, 3, 1))
        s.add(p)
        s.flush()
        pid = impact.priority_id(s, school, YEAR, "Practical skills at KS4")
        a = Activity(school_id=school.id, staff_id=amy.id, date=dt.date(2025, 10, 1), hours=Decimal("6"),
                     title="Forces & motion <b>", format="face_to_face", programme_id=p.id, priority_id=pid,
                     confidence_before=2, evaluation_due=dt.date(2025, 11, 12))
        s.add_all([a, Activity(school_id=school.id, staff_id=ben.id, date=dt.date(2024, 10, 1), hours=Decimal("5"),
                               title="Old course", format="face_to_face")])
        s.flush()
        sync_stages(s, school, [a.id])  # its stages, as saving it in the app makes them
        impact.record_stage(s, school, a, "end", done_on=dt.date(2025, 10, 10), confidence=4)
        impact.record_stage(s, school, a, "pupils", done_on=dt.date(2026, 1, 5), confidence=3)
        impact.set_indicator(s, school, AcademicYear(2024), "GCSE science grade 4+", Decimal("64"), "%")
        return school.id


def test_the_pdf_gives_findings_and_says_the_figures_are_side_by_side(db: Database, evaluated: int,
                                                                      tmp_path: Path) -> None:
    path = run_export(db, evaluated, "impact", "pdf", tmp_path / "impact.pdf", year="2025/26", today=TODAY)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert "Confidence rose from 2.0 to 4.0 on average and stood at 3.0 a term later" in flat
    assert "1 of 1 person with evaluation stages due" not in flat  # classroom stage (12/11/2025) is overdue
    assert "1 evaluation stage is overdue." in flat
    assert "100% of the year's 6 hours of CPD were sustained" in flat
    assert "Of the 2 teachers in post on 01/09/2024, 1 were still in post a year later (50%)." in flat
    assert "Shown side by side; this does not show that one caused the other." in flat
    assert "Łukasz Zając" in flat and "Subject Knowledge for Physics Teaching" in flat


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_recalculates_the_workbook_to_the_reports_figures(db: Database, evaluated: int,
                                                                      tmp_path: Path) -> None:
    path = run_export(db, evaluated, "impact", "xlsx", tmp_path / "impact.xlsx", year="2025/26", today=TODAY)
    assert load_workbook(path).sheetnames == ["Summary", "People", "Retention", "Priorities", "Programmes",
                                              "Indicators"]
    out = tmp_path / "lo-out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    wb = load_workbook(out / path.name, data_only=True)
    summary: dict[str, Any] = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Hours of CPD"] == 6 and summary["Sustained share"] == 1
    assert (summary["Evaluation stages due"], summary["Evaluation stages done"],
            summary["Evaluation stages overdue"]) == (3, 2, 1)
    assert summary["People with stages due who completed every one"] == 0
    retention = {r[0]: r for r in wb["Retention"].iter_rows(min_row=2, values_only=True)}
    assert retention["2024/25"][4] == 0.5 and retention["2025/26"][4] == "not yet known"


def test_the_pdf_shows_hours_as_the_window_does_to_the_quarter_hour(db: Database, school: School,
                                                                     tmp_path: Path) -> None:
    """1.25 and 0.75 hours read 1.25 and 0.75 (format_hours), not 1.2 and 0.8, on every line that gives
    hours: the person's hours and sustained hours, the priority's and the programme's hours."""
    from cpd_desktop.services.formatting import format_hours

    with db.session() as s:
        s.add(school)
        amy = add_staff(s, school, forename="Łukasz", surname="Zając", staff_code="LZA", fte=1.0,
                        start_date=dt.date(2020, 9, 1))
        ben = add_staff(s, school, forename="Nguyễn Thị", surname="Mai", staff_code="NTM", fte=1.0,
                        start_date=dt.date(2020, 9, 1))
        sustained = Programme(school_id=school.id, name="Lesson study cycle", start_date=dt.date(2025, 10, 1),
                              end_date=dt.date(2026, 3, 1))
        s.add(sustained)
        s.flush()
        for who, hours, priority in ((amy, "1.25", "Reading across the curriculum"), (ben, "0.75", "Oracy")):
            s.add(Activity(school_id=school.id, staff_id=who.id, date=dt.date(2025, 10, 1), hours=Decimal(hours),
                           title="Lesson study", format="face_to_face", programme_id=sustained.id,
                           priority_id=impact.priority_id(s, school, YEAR, priority)))
        school_id = school.id
    path = run_export(db, school_id, "impact", "pdf", tmp_path / "impact.pdf", year="2025/26", today=TODAY)
    lines = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.splitlines()

    def figures(name: str) -> list[str]:
        """The words after ``name`` on the table line that starts with it (a chart's labels are indented)."""
        line = next(ln for ln in lines if ln.startswith(name))
        return line[len(name):].split()

    assert format_hours(Decimal("1.25")) == "1.25" and format_hours(Decimal("0.75")) == "0.75"
    assert figures("Łukasz Zając")[:2] == ["1.25", "1.25"]  # hours, sustained hours
    assert figures("Nguyễn Thị Mai")[:2] == ["0.75", "0.75"]
    assert figures("Reading across the curriculum")[2] == "1.25"  # activities, people, hours
    assert figures("Oracy")[2] == "0.75"
    assert figures("Lesson study cycle")[:3] == ["yes", "2", "2"]  # sustained, people, hours: 1.25 + 0.75
