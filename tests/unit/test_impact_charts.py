"""The Impact view's charts from the core: what each bar counts, what a screen reader is told, the records
behind a bar, and the same charts in the governors' PDF with the side-by-side words under each outcome chart."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from cpd_desktop.exports import run_export
from cpd_desktop.models import Activity, Programme, School
from cpd_desktop.services import impact, impact_charts
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
                     title="Forces and motion", format="face_to_face", programme_id=p.id, priority_id=pid,
                     confidence_before=2, evaluation_due=dt.date(2025, 11, 12))
        s.add_all([a, Activity(school_id=school.id, staff_id=ben.id, date=dt.date(2024, 10, 1), hours=Decimal("5"),
                               title="Old course", format="face_to_face")])
        s.flush()
        sync_stages(s, school, [a.id])
        impact.record_stage(s, school, a, "end", done_on=dt.date(2025, 10, 10), confidence=4)
        impact.record_stage(s, school, a, "pupils", done_on=dt.date(2026, 1, 5), confidence=3)
        impact.set_indicator(s, school, AcademicYear(2024), "GCSE science grade 4+", Decimal("64"), "%")
        return school.id


def test_each_chart_counts_what_its_bars_say_and_lists_the_records_behind_a_bar(db: Database,
                                                                                 evaluated: int) -> None:
    with db.session() as s:
        school = s.get(School, evaluated)
        assert school is not None
        charts = {c.key: c for c in impact_charts.impact_charts(s, school, YEAR, TODAY)}
        assert list(charts) == ["stages", "priority", "programme", "sustained", "retention", "indicator:0"]
        stages = charts["stages"]
        assert stages.categories == ("End", "In the classroom", "For pupils")
        assert stages.values == ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0))  # classroom overdue
        assert stages.description().startswith("Evaluation stages, 2025/26. End: Done 1; Overdue 0; Not due yet 0. "
                                               "In the classroom: Done 0; Overdue 1;")
        overdue = impact_charts.chart_records(s, school, YEAR, TODAY, stages, 1, 1)
        assert overdue.title == "In the classroom stage, overdue: 1"
        assert overdue.rows == [["Łukasz Zając", "Forces and motion", "01/10/2025", "12/11/2025", ""]]
        assert charts["priority"].values == ((2.0, 4.0, 3.0),)
        by_priority = impact_charts.chart_records(s, school, YEAR, TODAY, charts["priority"], 0, 0)
        assert by_priority.rows == [["Łukasz Zając", "Forces and motion", "01/10/2025", "2", "4", "3"]]
        assert charts["sustained"].categories == ("2024/25", "2025/26")
        assert charts["sustained"].values == ((0.0,), (100.0,))
        retention = charts["retention"]
        assert retention.side_by_side and retention.values[0] == (50.0,)  # 2024/25: one of two stayed
        assert retention.description().endswith("Shown side by side; this does not show that one caused the other.")
        left = impact_charts.chart_records(s, school, YEAR, TODAY, retention, 0, 0)
        assert ["Siobhán Ó Dálaigh", "Left", "31/08/2025", "5"] in left.rows
        indicator = charts["indicator:0"]
        assert (indicator.title, indicator.categories, indicator.values) == (
            "GCSE science grade 4+", ("2024/25",), ((64.0,),))
        assert indicator.side_by_side and indicator.notes == ("2024/25: 2.5 hours of CPD per teacher.",)
        beside = impact_charts.chart_records(s, school, YEAR, TODAY, indicator, 0, 0)
        assert beside.rows == [["GCSE science grade 4+", "", "64", "%"], ["CPD hours per teacher", "", "2.5",
                                                                          "hours"]]


def test_the_governors_pdf_draws_the_charts_with_the_side_by_side_words_under_each_outcome(
        db: Database, evaluated: int, tmp_path: Path) -> None:
    path = run_export(db, evaluated, "impact", "pdf", tmp_path / "impact.pdf", year="2025/26", today=TODAY)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for title in ("Evaluation stages, 2025/26", "Confidence by priority, 2025/26",
                  "Sustained share of CPD hours, by year", "Teachers still in post a year later (%)"):
        assert title in flat
    # retention, the indicator chart, and the two tables that put outcomes beside CPD
    assert flat.count("Shown side by side; this does not show that one caused the other.") == 4
