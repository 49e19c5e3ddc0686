"""The trust comparison export: one row per school, each school's own people, nothing mixed up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from cpd_desktop.exports import ExportOptionError, check_options, preview, run_export
from cpd_desktop.exports.trust import trust_data
from cpd_desktop.services import activities
from cpd_desktop.services import staff as staff_service
from cpd_desktop.services.reports import hours_by_staff
from cpd_desktop.services.schools import create_school, list_schools
from cpd_desktop.services.trust import school_row, trust_rows
from cpd_desktop.services.years import AcademicYear
from cpd_desktop.storage.database import Database

DAY = dt.date(2025, 10, 14)


@pytest.fixture
def two_schools(db: Database) -> Database:
    with db.session() as s:
        north = create_school(s, "Northfield Academy")
        south = create_school(s, "Southmead School")
        a = staff_service.add_staff(s, north, forename="Łukasz", surname="Zając", staff_code="LZA", fte=1)
        b = staff_service.add_staff(s, north, forename="Bronwen", surname="ap Rhys", staff_code="BAR", fte=0.5)
        c = staff_service.add_staff(s, south, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD", fte=1)
        activities.add_activity(s, north, a, date=DAY, hours=6, title="Waves", subject_specific=True)
        activities.add_activity(s, north, b, date=DAY, hours=3, title="Safeguarding", subject_specific=False)
        activities.add_activity(s, south, c, date=DAY, hours=10, title="=HYPERLINK(\"x\")", subject_specific=True)
    return db


def test_the_workbook_has_a_row_per_school_and_each_schools_own_sheet(two_schools: Database, tmp_path: Path) -> None:
    out = run_export(two_schools, None, "trust", "xlsx", tmp_path / "trust.xlsx", year="2025/26")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Trust", "Northfield Academy", "Southmead School"]
    ws = wb["Trust"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, max_row=3, values_only=True)}
    assert rows["Northfield Academy"]["Hours"] == 9 and rows["Northfield Academy"]["FTE"] == 1.5
    assert rows["Northfield Academy"]["Hours per FTE"] == 6
    assert rows["Southmead School"]["Hours"] == 10
    totals = next(r for r in ws.iter_rows(values_only=True) if r[0] == "All schools")
    assert totals[header.index("Hours")] == "=SUM(E2:E3)"
    assert totals[header.index("Hours per FTE")] == "=IF(D5=0,0,E5/D5)"
    north = [r[0] for r in wb["Northfield Academy"].iter_rows(min_row=2, values_only=True)]
    south = [r[0] for r in wb["Southmead School"].iter_rows(min_row=2, values_only=True)]
    assert sorted(north) == ["BAR", "LZA"] and south == ["SOD"]
    formulas = [c.value for sheet in wb for row in sheet.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    assert all(f.startswith(("=SUM(", "=IF(")) for f in formulas)  # only ours: no user text became a formula


def test_the_pdf_compares_the_schools_and_keeps_their_people_apart(two_schools: Database, tmp_path: Path) -> None:
    out = run_export(two_schools, None, "trust", "pdf", tmp_path / "trust.pdf", year="2025/26")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Trust CPD comparison 2025/26" in text and "Page 1 of" in text
    assert "Łukasz Zając" in text and "Siobhán Ó Dálaigh" in text
    north, south = text.rindex("Northfield Academy"), text.rindex("Southmead School")  # the sections' headings
    assert "Zając" in text[north:south] and "Ó Dálaigh" not in text[north:south]
    assert "Zając" not in text[south:]


def test_preview_counts_schools_and_the_export_needs_no_school(two_schools: Database) -> None:
    info = preview(two_schools, None, "trust", year="2025/26")
    assert ("Schools", "2") in info.figures and ("Hours", "19") in info.figures
    assert check_options("trust", "pdf").needs == "trust"
    with pytest.raises(ExportOptionError):
        check_options("trust", "csv")
    assert Decimal("19") == sum(Decimal(v) for k, v in info.figures if k == "Hours")


def test_the_trust_figures_are_each_schools_own_hours_read_once(two_schools: Database) -> None:
    year = AcademicYear(2025)
    with two_schools.session() as s:
        schools = list_schools(s)
        one_by_one = [school_row(s, school, year) for school in schools]  # each school's hours read by itself
        assert trust_rows(s, year) == one_by_one
        data = trust_data(s, year, DAY)
        assert data.schools == one_by_one
        assert data.people == {school.name: hours_by_staff(s, school, year) for school in schools}
        assert [r.hours for r in one_by_one] == [Decimal("9.00"), Decimal("10.00")]


def test_the_all_schools_row_gives_the_shares_and_met_of_the_totals_and_a_technician_no_percentage(
        two_schools: Database, tmp_path: Path) -> None:
    with two_schools.session() as s:
        north = next(school for school in list_schools(s) if school.name == "Northfield Academy")
        tech = staff_service.add_staff(s, north, forename="Hannah", surname="Doyle", staff_code="HDO",
                                       role="Science technician")
        activities.add_activity(s, north, tech, date=DAY, hours=4, title="Chemicals safety", subject_specific=True)
        create_school(s, "Westgate School")  # no staff yet: nobody to have met a target
    out = run_export(two_schools, None, "trust", "pdf", tmp_path / "trust.pdf", year="2025/26")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    # 6 + 3 + 10 = 19 hours of the three teachers (Doyle's 4 are hers, not the target's), 16 subject-specific.
    assert "All schools 3 2.50 19 7.6 84% 0% 0 of 3" in text
    assert "Northfield Academy 2 1.50 9 6.0 67% 0% 0 of 2" in text
    assert "Westgate School 0 0.00 0 – – – –" in text  # no FTE, no hours, no target: nothing to share
    assert "HDO Hannah Doyle 1.00 4 – – 4 1" in text  # listed with her hours, no target and no 0%
    assert "1 person outside the target (technicians and other support staff) is listed" in text
    info = preview(two_schools, None, "trust", year="2025/26")
    assert ("Staff in the target", "3") in info.figures and ("Met their target", "0 of 3") in info.figures
    assert ("Hours", "19") in info.figures
