"""The impact command-line contract, run as a head of science runs it: the installed ``cpd-desktop``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .test_cli import APP, run, user_error

pytestmark = pytest.mark.skipif(not APP.exists(), reason="cpd-desktop is not installed in this environment")

TODAY = "15/01/2026"
IMPACT_KEYS = {"staff_code", "name", "hours", "sustained_hours", "stages_due", "stages_done", "stages_overdue",
               "confidence_before", "confidence_after", "confidence_later"}
RETENTION_KEYS = {"year", "teachers_at_start", "stayed", "left", "retention_rate", "mean_hours_stayed",
                  "mean_hours_left"}
SIDE_BY_SIDE = "shown side by side; this does not show that one caused the other"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-impact-data")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, data: Path) -> Path:
    path = tmp_path_factory.mktemp("impact-demo") / "demo.sqlite"
    result = run("--db", path, "demo", "--today", TODAY, data=data)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def school(tmp_path: Path, data: Path) -> Path:
    path = tmp_path / "school.sqlite"
    assert run("--db", path, "init", "--school", "Impact High", data=data).returncode == 0
    staff = tmp_path / "staff.csv"
    staff.write_text("Surname,Forename,Staff Code,Start Date\nAp Rhys,Bronwen,BAR,01/09/2021\n"
                     "Wójcik,Zbigniew,ZWO,01/09/2019\n", encoding="utf-8")
    assert run("--db", path, "import", "staff", staff, data=data).returncode == 0
    return path


def json_rows(path: Path, data: Path, *args: str) -> list[dict]:
    result = run("--db", path, "report", *args, "--format", "json", "--today", TODAY, data=data)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def test_report_impact_of_the_demo_counts_stages_and_confidence(demo: Path, data: Path) -> None:
    rows = json_rows(demo, data, "impact", "--year", "2025/26")
    assert rows and all(IMPACT_KEYS <= set(r) for r in rows)
    assert sum(r["stages_overdue"] for r in rows) > 0  # some stages are overdue on 15/01/2026
    assert all(r["stages_overdue"] <= r["stages_due"] for r in rows)
    assert any(r["sustained_hours"] > 0 for r in rows)  # the two-term physics programme
    befores = [r["confidence_before"] for r in rows if r["confidence_before"] is not None]
    assert befores and all(1 <= c <= 5 for c in befores)
    hours = {r["staff_code"]: r["hours"] for r in json_rows(demo, data, "hours", "--year", "2025/26")}
    assert {r["staff_code"]: r["hours"] for r in rows} == hours  # hours as in report hours


def test_report_retention_of_the_demo_leaves_the_unfinished_year_open(demo: Path, data: Path) -> None:
    rows = json_rows(demo, data, "retention")
    assert rows and all(RETENTION_KEYS <= set(r) for r in rows)
    years = [r["year"] for r in rows]
    assert years[-1] == "2025/26" and rows[-1]["retention_rate"] is None  # 2026/27 has not started
    done = [r for r in rows if r["retention_rate"] is not None]
    assert done and all(r["stayed"] + r["left"] == r["teachers_at_start"] for r in done)
    table = run("--db", demo, "report", "retention", "--today", TODAY, data=data)
    assert table.returncode == 0 and SIDE_BY_SIDE in table.stdout.lower()
    assert SIDE_BY_SIDE not in json.dumps(rows).lower()  # JSON stays a plain list


def test_report_priorities_and_csv(demo: Path, data: Path) -> None:
    rows = json_rows(demo, data, "priorities", "--year", "2025/26")
    assert {r["priority"] for r in rows} >= {"Practical skills at KS4"}
    assert all({"priority", "activities", "people", "hours", "evaluated_share"} <= set(r) for r in rows)
    result = run("--db", demo, "report", "priorities", "--year", "2025/26", "--format", "csv", data=data)
    assert result.returncode == 0
    assert next(csv.reader(io.StringIO(result.stdout)))[:5] == ["priority", "activities", "people", "hours",
                                                                "evaluated_share"]


def test_import_indicators_then_report_them(school: Path, data: Path, tmp_path: Path) -> None:
    good = tmp_path / "indicators.csv"
    good.write_text("Year,Indicator,Value,Unit\n2024/25,GCSE science grade 4+,64,%\n"
                    "2023/24,GCSE science grade 4+,61.5,%\n", encoding="utf-8")
    assert run("--db", school, "import", "indicators", good, data=data).returncode == 0
    rows = json_rows(school, data, "indicators")
    assert [(r["year"], r["indicator"], r["value"], r["unit"]) for r in rows] == [
        ("2023/24", "GCSE science grade 4+", 61.5, "%"), ("2024/25", "GCSE science grade 4+", 64.0, "%")]
    bad = tmp_path / "bad.csv"
    bad.write_text("Year,Indicator,Value,Unit\n2024/25,Gap,lots,pts\n24-25,Gap,3,pts\n", encoding="utf-8")
    result = run("--db", school, "import", "indicators", bad, data=data)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "row 2, Value" in result.stderr and "row 3, Year" in result.stderr
    assert len(json_rows(school, data, "indicators")) == 2  # nothing written


def test_import_activities_and_bookings_read_the_impact_columns(school: Path, data: Path, tmp_path: Path) -> None:
    acts = tmp_path / "activities.csv"
    acts.write_text("Staff Code,Date,Title,Hours,Confidence before,Confidence after,Confidence later,Priority,"
                    "Programme\nBAR,14/10/2025,Waves and optics,6,2,4,5,Practical skills at KS4,SKPT\n"
                    "ZWO,15/10/2025,Titrations,3,3,,,Practical skills at KS4,\n", encoding="utf-8")
    result = run("--db", school, "import", "activities", acts, data=data)
    assert result.returncode == 0, result.stderr
    rows = {r["staff_code"]: r for r in json_rows(school, data, "impact", "--year", "2025/26")}
    assert (rows["BAR"]["confidence_before"], rows["BAR"]["confidence_after"],
            rows["BAR"]["confidence_later"]) == (2.0, 4.0, 5.0)
    assert rows["ZWO"]["confidence_before"] == 3.0 and rows["ZWO"]["confidence_after"] is None
    prio = json_rows(school, data, "priorities", "--year", "2025/26")
    assert [(p["priority"], p["activities"], p["people"]) for p in prio] == [("Practical skills at KS4", 2, 2)]
    bookings = tmp_path / "bookings.csv"
    bookings.write_text("Staff Code,Course Title,Start Date,Intended outcome,Priority,Confidence before\n"
                        "BAR,Forces,20/11/2025,Better practical write-ups in Year 10,Close the gap,9\n",
                        encoding="utf-8")
    result = run("--db", school, "import", "bookings", bookings, data=data)
    assert result.returncode == 1 and "row 2, Confidence before" in result.stderr


def test_an_unknown_year_is_a_user_error(demo: Path, data: Path) -> None:
    message = user_error(run("--db", demo, "report", "impact", "--year", "next year", data=data))
    assert "academic year" in message
