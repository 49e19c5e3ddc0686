"""The department CPD summary gives one set of figures wherever it is read: the Reports view's preview, the
PDF, the workbook (as a spreadsheet works it out) and the dashboard. A technician outside the CPD target is
listed with their hours but not counted in the headcount, the hours, the target or who has met it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cpd_desktop.exports import preview, run_export
from cpd_desktop.models import School
from cpd_desktop.services import activities
from cpd_desktop.services.dashboard import load_dashboard
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import AcademicYear
from cpd_desktop.storage.database import Database

from .test_budget_exports import recalculated
from .test_export_xlsx import evaluate, formulas

TODAY = dt.date(2026, 3, 20)
YEAR = AcademicYear(2025)


@pytest.fixture
def with_technician(db: Database, school: School) -> int:
    """Two teachers (one past their 35 hours) and a technician, target 0, with 4.5 hours of CPD."""
    with db.session() as s:
        school = s.get(School, school.id)
        assert school is not None
        kerr = add_staff(s, school, forename="Matthew", surname="Kerr", staff_code="MKE", department="Science")
        mai = add_staff(s, school, forename="Nguyễn Thị", surname="Mai", staff_code="NTM", department="Science",
                        fte="0.8")
        doyle = add_staff(s, school, forename="Hannah", surname="Doyle", staff_code="HDO", department="Science",
                          role="Science technician")
        assert not doyle.in_target and kerr.in_target
        activities.add_activity(s, school, kerr, date="14/10/2025", end_date="16/10/2025", hours="30",
                                title="Subject knowledge", format="residential", subject_specific=True)
        activities.add_activity(s, school, kerr, date="15/01/2026", hours="6", title="Practical work",
                                format="webinar", subject_specific=True)
        activities.add_activity(s, school, mai, date="20/11/2025", hours="8.5", title="Assessment", format="inset")
        activities.add_activity(s, school, doyle, date="21/11/2025", hours="4.5", title="Chemicals safety",
                                format="inset")
        return school.id


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_preview_pdf_workbook_and_dashboard_agree_and_the_technician_is_listed_not_counted(
        db: Database, with_technician: int, tmp_path: Path) -> None:
    # Kerr 36 of 35 (met), Mai 8.5 of 28; Doyle's 4.5 are hers but not the target's.
    info = preview(db, with_technician, "summary", year="2025/26", today=TODAY)
    assert info.figures[:4] == [("Staff in the target", "2"), ("Hours", "44.5"), ("Met their target", "1 of 2"),
                                ("Outside the target, not counted", "1")]

    pdf = run_export(db, with_technician, "summary", "pdf", tmp_path / "s.pdf", year="2025/26", today=TODAY)
    text = pdf_text(pdf)
    assert "2 staff in the school (1.80 full-time equivalent) recorded 44.5 hours" in text
    assert "1 of 2 met their own target" in text and "recorded 4.5 hours, not counted" in text
    assert "Staff in the target (FTE) 2 (1.80)" in text and "Staff meeting their target 1 of 2" in text
    # Every column of the Total row is the sum of the rows above it: hours = autumn + spring + summer.
    assert re.search(r"Total \(2 in the target\) 1\.80 44\.5 63 71% \d+% \d+% 38\.5 6 0 0 of 3", text), text
    # Doyle is listed apart, with no target (not 0%), and counts only in everyone's cost and evaluation.
    assert re.search(r"Outside the 35-hour target: listed, not counted in the totals .*"
                     r"Hannah Doyle Science 1\.00 4\.5 – – 0% 0% 4\.5 0 0 0 of 1", text), text
    assert "Everyone listed (3) 0 of 4" in text
    assert "Total 44.5 100%" in text  # the hours by format add up to the same hours

    book = run_export(db, with_technician, "summary", "xlsx", tmp_path / "s.xlsx", year="2025/26", today=TODAY)
    wb = load_workbook(book)
    f = formulas(wb["Summary"])
    assert evaluate(wb, wb["Summary"], f["Staff in the target"]) == 2
    assert evaluate(wb, wb["Summary"], f["Hours of CPD"]) == 44.5
    assert evaluate(wb, wb["Summary"], f["All formats"]) == 44.5
    assert evaluate(wb, wb["Summary"], f["In-school INSET"]) == 8.5  # Mai's, not Doyle's
    people = {r[1]: r for r in wb["By person"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in wb["By person"][1]]
    assert people["Hannah Doyle"][header.index("In the CPD target")] == "no"
    assert people["Hannah Doyle"][header.index("Hours")] == 4.5  # listed with her hours

    with db.session() as s:
        school = s.get(School, with_technician)
        assert school is not None
        school_id = school.id
    dashboard = load_dashboard(db, school_id, YEAR, None, TODAY)
    assert (dashboard.staff, float(dashboard.hours), dashboard.met_target) == (2, 44.5, 1)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_spreadsheet_works_the_workbook_out_to_the_pdfs_figures(db: Database, with_technician: int,
                                                                   tmp_path: Path) -> None:
    book = run_export(db, with_technician, "summary", "xlsx", tmp_path / "s.xlsx", year="2025/26", today=TODAY)
    values = {r[0]: r[1] for r in recalculated(book, tmp_path)["Summary"].iter_rows(values_only=True) if r[0]}
    assert values["Staff in the target"] == 2
    assert values["Full-time equivalent"] == pytest.approx(1.8)
    assert values["Hours of CPD"] == 44.5 and values["Pro-rata target (hours)"] == 63
    assert values["Staff meeting their own target"] == 1  # not Doyle: 4.5 >= 0 is not meeting a target
    assert values["Autumn"] + values["Spring"] + values["Summer"] == 44.5
    assert values["All formats"] == 44.5 and values["In-school INSET"] == 8.5
    assert values["Activities"] == 4  # evaluation and cost count everyone's, as the PDF's do


def body_of(page: Any, school: str) -> str:
    """A page's text without its running header and footer."""
    text = " ".join(page.extract_text().split())
    text = re.sub(r"Produced \d\d/\d\d/\d{4} by CPD Desktop|Page \d+ of \d+", "", text)
    return re.sub(rf"{school} CPD summary \S+: Whole school", "", text).strip()


HEADINGS = {"Key findings", "Headline figures", "Hours against target, by person", "By person", "Hours by format",
            "Cost of CPD", "Outside the 35-hour target: listed, not counted in the totals"}


@pytest.mark.parametrize("people", [1, 12, 24, 25, 31, 50])
def test_no_page_of_the_summary_holds_only_a_heading(db: Database, school: School, tmp_path: Path,
                                                     people: int) -> None:
    with db.session() as s:
        here = s.get(School, school.id)
        assert here is not None
        for n in range(people):
            person = add_staff(s, here, forename=f"Person{n}", surname="Example", staff_code=f"P{n:03}",
                               role="Technician" if n == 5 else None)
            activities.add_activity(s, here, person, date="14/10/2025", hours=str(1 + n % 7), title="Workshop")
    pdf = run_export(db, school.id, "summary", "pdf", tmp_path / "s.pdf", year="2025/26", today=TODAY)
    bodies = [body_of(page, "Test Academy") for page in PdfReader(pdf).pages]
    assert all(body and body not in HEADINGS for body in bodies), bodies
    assert sum(body.count("Hours against target, by person") for body in bodies) == 1
    assert all(f"Person{n} Example" in " ".join(bodies) for n in range(people))  # on a chart or in a table
