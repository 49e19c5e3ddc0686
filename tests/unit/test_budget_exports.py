"""The CPD budget workbook and PDF, read back as finance and the committee would."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cpd_desktop.exports import run_export
from cpd_desktop.models import School
from cpd_desktop.services import budget
from cpd_desktop.services.formatting import format_money
from cpd_desktop.storage.database import Database

from .test_budget import FY, school_with_budget  # noqa: F401 -- the fixture

TODAY = dt.date(2026, 11, 20)


def service_rows(db: Database, school_id: int) -> dict[str, budget.BudgetRow]:
    with db.session() as s:
        return {r.budget_code or budget.UNALLOCATED: r for r in budget.budget_rows(s, s.get(School, school_id), FY)}


def recalculated(path: Path, tmp_path: Path) -> Any:
    """The workbook as LibreOffice computes it: converted to .xlsx again, with the values it worked out."""
    out = tmp_path / "lo-out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    return load_workbook(out / path.name, data_only=True)


def budget_table(ws: Any) -> dict[str, dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Budget line")
    heads = rows[header]
    out = {}
    for r in rows[header + 1:]:
        if not r or r[0] is None:
            break
        out[r[1] or "Total"] = dict(zip(heads, r, strict=False))
    return out


def test_the_budget_sheet_is_formulas_over_the_bookings_table_and_prints_on_a4(
        db: Database, school_with_budget: dict, tmp_path: Path) -> None:  # noqa: F811
    path = run_export(db, school_with_budget["school_id"], "budget", "xlsx", tmp_path / "budget.xlsx",
                      financial_year="2026-27", today=TODAY)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Budget", "Bookings"]
    assert "Bookings" in wb["Bookings"].tables
    sheet = budget_table(wb["Budget"])
    assert set(sheet) == {"CPD-GEN", "PHY", "Unallocated", "Total"}
    assert sheet["PHY"]["Committed"].startswith("=SUMIFS('Bookings'!$Q:$Q,'Bookings'!$I:$I,$B")
    assert '"Committed"' in sheet["PHY"]["Committed"] and '"Spent"' in sheet["PHY"]["Spent"]
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert wb["Budget"].sheet_properties.pageSetUpPr.fitToPage and wb["Budget"].page_setup.fitToWidth == 1
    # The Bookings' nineteen columns print in bands, each with the booking's ref, staff code and name.
    assert not wb["Bookings"].sheet_properties.pageSetUpPr.fitToPage and wb["Bookings"].col_breaks.brk
    assert wb["Bookings"].print_title_cols == "$A:$C"
    assert wb["Bookings"].print_title_rows == "$1:$1"
    assert wb["Budget"].print_title_rows == "$4:$4"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_recalculates_the_budget_to_the_reports_figures_and_counts_rows_finance_adds(
        db: Database, school_with_budget: dict, tmp_path: Path) -> None:  # noqa: F811
    path = run_export(db, school_with_budget["school_id"], "budget", "xlsx", tmp_path / "budget.xlsx",
                      financial_year="2026-27", today=TODAY)
    rows = service_rows(db, school_with_budget["school_id"])
    sheet = budget_table(recalculated(path, tmp_path)["Budget"])
    for code, row in rows.items():
        got = sheet[code]
        assert [Decimal(str(got[k])).quantize(Decimal("0.01")) for k in (
            "Budget", "Committed", "Spent", "Bursary expected", "Bursary received", "Net forecast", "Remaining")] == [
            row.budget, row.committed, row.spent, row.bursary_expected, row.bursary_received, row.net_forecast,
            row.remaining], code
    assert Decimal(str(sheet["Total"]["Remaining"])).quantize(Decimal("0.01")) == sum(
        (r.remaining for r in rows.values()), Decimal("0.00"))
    # the share of the whole budget used, on the total row as on the PDF's
    whole = sum((r.budget for r in rows.values()), Decimal("0.00"))
    used = sum((r.net_forecast for r in rows.values()), Decimal("0.00")) / whole
    assert sheet["Total"]["Used"] is not None and abs(Decimal(str(sheet["Total"]["Used"])) - used) < Decimal("0.0001")

    # Finance adds an invoice for the Physics line below the table: the line and the total count it.
    wb = load_workbook(path)
    ws = wb["Bookings"]
    ws.append(["B999", "LZA", "Łukasz Zając", "Physics", "Supply invoice", dt.date(2026, 6, 11), "Booked",
               "Committed", "PHY", "Physics CPD", 0, 0, 0, 0, 0, 0, 250, 0, 0])
    edited = tmp_path / "edited" / "budget.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    after = budget_table(recalculated(edited, tmp_path)["Budget"])
    assert Decimal(str(after["PHY"]["Committed"])) == rows["PHY"].committed + 250
    assert Decimal(str(after["PHY"]["Remaining"])).quantize(Decimal("0.01")) == rows["PHY"].remaining - 250
    assert Decimal(str(after["Total"]["Committed"])).quantize(Decimal("0.01")) == sum(
        (r.committed for r in rows.values()), Decimal("0.00")) + 250


def test_the_pdf_has_an_overview_then_one_page_per_line_with_names_as_written(
        db: Database, school_with_budget: dict, tmp_path: Path) -> None:  # noqa: F811
    path = run_export(db, school_with_budget["school_id"], "budget", "pdf", tmp_path / "budget.pdf",
                      financial_year="2026-27", today=TODAY)
    pages = [p.extract_text() for p in PdfReader(path).pages]
    assert len(pages) == 4  # the overview, General CPD, Physics CPD, Unallocated
    assert "CPD budget 2026-27" in pages[0] and "£1,503.50" in pages[0]  # Physics remaining
    assert pages[2].startswith("Ashcombe") is False and "Physics CPD (PHY)" in pages[2]
    assert "Łukasz Zając" in pages[2] and "£611.00" in pages[2]
    assert "Unallocated" in pages[3] and "Siobhán Ó Dálaigh" in pages[3]


def test_a_budget_export_for_an_academic_year_covers_the_financial_year_it_starts_in(
        db: Database, school_with_budget: dict, tmp_path: Path) -> None:  # noqa: F811
    from cpd_desktop.exports import ExportOptionError, preview

    path = run_export(db, school_with_budget["school_id"], "budget", "pdf", tmp_path / "b.pdf", year="2026/27",
                      today=TODAY)
    assert "CPD budget 2026-27" in PdfReader(path).pages[0].extract_text()
    shown = preview(db, school_with_budget["school_id"], "budget", year="2026/27", today=TODAY)
    # £3,000.00 budget less a £761.50 net forecast (Unallocated's money in both, as on the export's Total row)
    assert shown.title == "CPD budget 2026-27" and ("Remaining", "£2,238.50") in shown.figures
    with pytest.raises(ExportOptionError, match="not by month"):
        run_export(db, school_with_budget["school_id"], "budget", "xlsx", tmp_path / "m.xlsx", month="12/2026")
    assert not (tmp_path / "m.xlsx").exists()


def test_the_reports_preview_adds_up_as_the_export_s_total_row(db: Database, school_with_budget: dict) -> None:  # noqa: F811
    """Budget − net forecast = remaining, with the money no line holds ("Unallocated") on both sides: the preview
    had left it out of the remaining only, so the three figures did not add up."""
    from cpd_desktop.exports import preview

    rows = service_rows(db, school_with_budget["school_id"])
    assert rows["Unallocated"].net_forecast != 0  # the case that went wrong
    shown = dict(preview(db, school_with_budget["school_id"], "budget", financial_year="2026-27",
                         today=TODAY).figures)
    total = budget.budget_total(list(rows.values()))
    assert shown["Budget"] == format_money(total.budget)
    assert shown["Net forecast"] == format_money(total.net_forecast)
    assert shown["Remaining"] == format_money(total.remaining) == format_money(total.budget - total.net_forecast)
