"""The budget's command-line contract, run as the business manager runs it: the installed ``cpd-desktop``."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .test_cli import APP, run, user_error

pytestmark = pytest.mark.skipif(not APP.exists(), reason="cpd-desktop is not installed in this environment")

BUDGET_KEYS = {"line", "budget_code", "budget", "committed", "spent", "bursary_expected", "bursary_received",
               "net_forecast", "remaining"}
TODAY = "15/01/2026"  # the demo is made on this day: its current financial year is 2025-26


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-budget-data")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, data: Path) -> Path:
    path = tmp_path_factory.mktemp("budget-demo") / "demo.sqlite"
    result = run("--db", path, "demo", "--today", TODAY, data=data)
    assert result.returncode == 0, result.stderr
    return path


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_report_budget_of_the_demo_has_two_years_a_line_nearly_spent_and_unallocated(demo: Path, data: Path) -> None:
    now = run("--db", demo, "report", "budget", "--today", TODAY, "--format", "json", data=data)
    assert now.returncode == 0, now.stderr
    rows = json.loads(now.stdout)
    assert rows and BUDGET_KEYS <= set(rows[0])
    assert {r["financial_year"] for r in rows} == {"2025-26"}
    by_line = {r["line"]: r for r in rows}
    assert by_line["Unallocated"]["budget_code"] is None and by_line["Unallocated"]["budget"] == 0
    physics = by_line["Physics CPD"]
    assert 0 < physics["remaining"] <= 0.1 * physics["budget"]  # close to overspent
    for r in rows:  # money as in the other reports: numbers with pence, and the sums hold
        assert money(r["net_forecast"]) == money(r["spent"]) + money(r["committed"]) - money(r["bursary_expected"])
        assert money(r["remaining"]) == money(r["budget"]) - money(r["net_forecast"])
    before = json.loads(run("--db", demo, "report", "budget", "--financial-year", "2024-25", "--format", "json",
                            data=data).stdout)
    assert {r["line"] for r in before} >= {"Biology CPD", "Chemistry CPD", "Physics CPD"}


def test_report_bookings_adds_up_to_the_budget_by_code_and_year(demo: Path, data: Path) -> None:
    bookings = json.loads(run("--db", demo, "report", "bookings", "--format", "json", data=data).stdout)
    assert all({"budget_code", "financial_year", "total_cost"} <= set(b) for b in bookings)
    budget = json.loads(run("--db", demo, "report", "budget", "--financial-year", "2025-26", "--format", "json",
                            data=data).stdout)
    for line in budget:
        mine = [b for b in bookings if b["financial_year"] == "2025-26" and b["budget_code"] == line["budget_code"]
                and b["status"] in ("approved", "booked")]
        assert sum((money(b["total_cost"]) for b in mine), Decimal("0.00")) == money(line["committed"]), line["line"]


def test_report_budget_as_csv_and_table(demo: Path, data: Path) -> None:
    out = run("--db", demo, "report", "budget", "--today", TODAY, "--format", "csv", data=data)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert BUDGET_KEYS <= set(rows[0]) and rows[-1]["line"] == "Unallocated"
    table = run("--db", demo, "report", "budget", "--today", TODAY, data=data)
    assert table.stdout.splitlines()[0] == "Ashcombe Park Academy: CPD budget 2025-26"


def test_report_budget_json_gives_each_lines_cost_heads_and_csv_keeps_one_column_a_figure(demo: Path,
                                                                                           data: Path) -> None:
    rows = json.loads(run("--db", demo, "report", "budget", "--today", TODAY, "--format", "json", data=data).stdout)
    science = next(r for r in rows if r["budget_code"] == "CPD-SCI")  # the demo's line split by head
    assert set(science["heads"]) == {"fee", "travel", "accommodation", "subsistence", "cover"}
    fee = science["heads"]["fee"]
    assert fee["amount"] is not None
    assert money(fee["remaining"]) == money(fee["amount"]) - money(fee["committed"]) - money(fee["spent"])
    assert science["heads"]["accommodation"]["amount"] is None
    for r in rows:  # the heads add up to the line's bookings (activities' own costs have no head)
        heads = sum((money(h["committed"]) for h in r["heads"].values()), Decimal("0.00"))
        assert heads == money(r["committed"]), r["line"]
    out = run("--db", demo, "report", "budget", "--today", TODAY, "--format", "csv", data=data)
    header = next(csv.reader(io.StringIO(out.stdout)))
    assert not any("heads" in h for h in header)


def test_import_budget_then_again_updates_by_year_and_code(tmp_path: Path, data: Path) -> None:
    db = tmp_path / "school.sqlite"
    assert run("--db", db, "init", "--school", "Budget High", data=data).returncode == 0
    file = tmp_path / "budget.csv"
    file.write_text("Financial Year,Budget Line,Budget Code,Department,Amount\n"
                    "2026-27,Whole-school CPD,CPD-WS,,5000\n", encoding="utf-8")
    dry = run("--db", db, "import", "budget", file, "--dry-run", data=data)
    assert dry.returncode == 0 and "Nothing was written" in dry.stdout
    assert run("--db", db, "import", "budget", file, data=data).returncode == 0
    file.write_text("Financial Year,Name,Budget Code,Amount\n2026-27,Whole-school CPD,CPD-WS,5500\n", encoding="utf-8")
    again = run("--db", db, "import", "budget", file, data=data)
    assert again.returncode == 0 and "1 updated" in again.stdout, again.stdout
    rows = json.loads(run("--db", db, "report", "budget", "--financial-year", "2026-27", "--format", "json",
                          data=data).stdout)
    assert [(r["line"], r["budget"], r["remaining"]) for r in rows] == [("Whole-school CPD", 5500.0, 5500.0)]


def test_a_bad_budget_file_names_row_and_column_and_a_bad_year_is_refused(tmp_path: Path, data: Path) -> None:
    db = tmp_path / "school.sqlite"
    assert run("--db", db, "init", "--school", "Budget High", data=data).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("Financial Year,Budget Line,Budget Code,Amount\n2026,Science,SCI,lots\n", encoding="utf-8")
    result = run("--db", db, "import", "budget", bad, data=data)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "row 2, Amount" in result.stderr
    message = user_error(run("--db", db, "report", "budget", "--financial-year", "2026-28", data=data))
    assert "2026-27" in message


def test_export_budget_writes_the_workbook_and_the_pdf(demo: Path, data: Path, tmp_path: Path) -> None:
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"budget.{fmt}"
        result = run("--db", demo, "export", "budget", "--financial-year", "2025-26", "--format", fmt,
                     "--output", out, data=data)
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 0
    wb = load_workbook(tmp_path / "budget.xlsx")
    assert wb.sheetnames == ["Budget", "Bookings"]
    refused = run("--db", demo, "export", "budget", "--year", "2025/26", "--financial-year", "2025-26",
                  "--format", "pdf", "--output", tmp_path / "x.pdf", data=data)
    assert refused.returncode == 2 and "not both" in refused.stderr and not (tmp_path / "x.pdf").exists()


def test_report_budget_as_a_table_ends_with_the_year_s_total(demo: Path, data: Path) -> None:
    """Read on screen or pasted into an email, the table adds its lines up (CSV and JSON stay one row a line)."""
    table = run("--db", demo, "report", "budget", "--today", TODAY, data=data)
    assert table.returncode == 0, table.stderr
    rows = json.loads(run("--db", demo, "report", "budget", "--today", TODAY, "--format", "json", data=data).stdout)
    last = table.stdout.strip().splitlines()[-1].split()
    assert last[0] == "Total"
    keys = ("budget", "committed", "spent", "bursary_expected", "bursary_received", "net_forecast", "remaining")
    assert [Decimal(x) for x in last[1:]] == [sum((money(r[k]) for r in rows), Decimal("0.00")) for k in keys]
    assert Decimal(last[-1]) == Decimal(last[1]) - Decimal(last[-2])  # remaining = budget − net forecast
    csv_rows = list(csv.DictReader(io.StringIO(run("--db", demo, "report", "budget", "--today", TODAY, "--format",
                                                   "csv", data=data).stdout)))
    assert len(csv_rows) == len(rows) and "Total" not in {r["line"] for r in csv_rows}
