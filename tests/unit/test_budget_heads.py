"""A budget line's amounts per cost head (committed and spent per head against each), and the true cost of staff
time (INSET and internal CPD in days of a teacher's time: off until the school sets a day's cost, never cash)."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from cpd_desktop.errors import CpdError, ValidationError
from cpd_desktop.exports import run_export
from cpd_desktop.imports import run_import
from cpd_desktop.models import Activity, BudgetLine, School, Staff
from cpd_desktop.services import budget
from cpd_desktop.services.schools import update_school_settings
from cpd_desktop.storage.database import Database

from .test_budget import FY, rows_by_line, school_with_budget  # noqa: F401 -- the fixture

TODAY = dt.date(2026, 11, 20)


def _set_heads(db: Database, code: str, **amounts: str) -> None:
    with db.session() as s:
        line = s.scalar(select(BudgetLine).where(BudgetLine.financial_year == 2026, BudgetLine.budget_code == code))
        assert line is not None
        for head, amount in amounts.items():
            setattr(line, f"{head}_amount", Decimal(amount))


def test_each_head_of_a_line_shows_committed_and_spent_against_its_amount(
        db: Database, school_with_budget: dict) -> None:  # noqa: F811
    _set_heads(db, "PHY", fee="350", cover="300")
    phy = rows_by_line(db, school_with_budget["school_id"])["Physics CPD"]
    fee, travel, cover = phy.heads["fee"], phy.heads["travel"], phy.heads["cover"]
    # fee: booking one (approved) £300 committed; booking two (attended) £100 spent
    assert (fee.amount, fee.committed, fee.spent, fee.remaining) == (
        Decimal("350.00"), Decimal("300.00"), Decimal("100.00"), Decimal("-50.00"))
    # cover: one day at £291 committed, half a day (£145.50) spent
    assert (cover.amount, cover.committed, cover.spent, cover.remaining) == (
        Decimal("300.00"), Decimal("291.00"), Decimal("145.50"), Decimal("-136.50"))
    assert (travel.amount, travel.committed, travel.remaining) == (None, Decimal("20.00"), None)
    # shown: the heads with an amount, and those with money on them; accommodation has neither
    assert [h.head for h in phy.shown_heads()] == ["fee", "travel", "cover"]
    # the heads add up to the line's booking money (the £60 activity's own cost has no head)
    assert sum((h.used for h in phy.heads.values()), Decimal("0")) == phy.committed + phy.spent - Decimal("60.00")


def test_a_line_that_sets_no_head_amounts_shows_no_heads(db: Database, school_with_budget: dict) -> None:  # noqa: F811
    rows = rows_by_line(db, school_with_budget["school_id"])
    assert rows["General CPD"].shown_heads() == [] and not rows["Physics CPD"].sets_heads


def test_the_report_gives_each_lines_heads_in_json(db: Database, school_with_budget: dict) -> None:  # noqa: F811
    _set_heads(db, "CPD-GEN", fee="150")
    with db.session() as s:
        rows = budget.budget_report(s, s.get(School, school_with_budget["school_id"]), FY, heads=True)
        plain = budget.budget_report(s, s.get(School, school_with_budget["school_id"]), FY)
    gen = next(r for r in rows if r["budget_code"] == "CPD-GEN")
    assert gen["heads"]["fee"] == {"amount": Decimal("150.00"), "committed": Decimal("200.00"),
                                   "spent": Decimal("0.00"), "remaining": Decimal("-50.00")}
    assert gen["heads"]["travel"]["amount"] is None
    assert all("heads" not in r for r in plain)  # the table and CSV keep to the line's totals


def test_the_database_refuses_a_negative_head_amount(db: Database, school_with_budget: dict) -> None:  # noqa: F811
    with pytest.raises(CpdError, match="ck_budget_line_fee_amount"):
        _set_heads(db, "PHY", fee="-1")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_reads_optional_head_columns_and_leaves_heads_of_a_file_without_them(
        db: Database, school: School, tmp_path: Path) -> None:
    first = write(tmp_path / "b.csv", "Financial Year,Budget Line,Budget Code,Department,Amount,Fee Amount,"
                  "Supply Cover,Travel\n2026-27,Science CPD,SCI,,3000,1800,\"£900.00\",\n")
    with db.session() as s:
        result = run_import(s, s.get(School, school.id), "budget", first)
        assert (result.new, result.errors) == (1, [])
    with db.session() as s:
        line = s.scalar(select(BudgetLine))
        assert line is not None
        assert (line.fee_amount, line.cover_amount, line.travel_amount) == (
            Decimal("1800.00"), Decimal("900.00"), None)
    # the contract's five columns alone: the amount changes, the heads stay as they were
    again = write(tmp_path / "b2.csv", "Financial Year,Budget Line,Budget Code,Department,Amount\n"
                  "2026-27,Science CPD,SCI,,3500\n")
    with db.session() as s:
        result = run_import(s, s.get(School, school.id), "budget", again)
        assert (result.new, result.updated, result.errors) == (0, 1, [])
    with db.session() as s:
        line = s.scalar(select(BudgetLine))
        assert line is not None
        assert (line.amount, line.fee_amount, line.cover_amount) == (
            Decimal("3500.00"), Decimal("1800.00"), Decimal("900.00"))
    bad = write(tmp_path / "bad.csv", "Financial Year,Budget Line,Budget Code,Amount,Fee Amount\n"
                "2026-27,Science CPD,SCI,3500,-20\n")
    with db.session() as s:
        result = run_import(s, s.get(School, school.id), "budget", bad)
        assert [str(e) for e in result.errors][0].startswith("row 2, Fee Amount:")


# ---- staff time ----

def _activities(db: Database, school_id: int) -> None:
    with db.session() as s:
        person = s.scalar(select(Staff).where(Staff.school_id == school_id))
        assert person is not None
        day = dt.date(2026, 9, 1)
        s.add_all([
            Activity(school_id=school_id, staff_id=person.id, date=day, hours=Decimal("6.5"), title="INSET day",
                     format="inset"),
            Activity(school_id=school_id, staff_id=person.id, date=day, hours=Decimal("3.25"),
                     title="Coaching", format="coaching", cost=Decimal("0")),
            # not counted: a course with a cost of its own, an online course, a day in another financial year
            Activity(school_id=school_id, staff_id=person.id, date=day, hours=Decimal("6"), title="Paid INSET",
                     format="inset", cost=Decimal("90")),
            Activity(school_id=school_id, staff_id=person.id, date=day, hours=Decimal("2"), title="Webinar",
                     format="webinar"),
            Activity(school_id=school_id, staff_id=person.id, date=dt.date(2027, 4, 1), hours=Decimal("6.5"),
                     title="INSET next year", format="inset"),
        ])


def test_staff_time_is_off_until_the_school_sets_a_days_cost(db: Database, school_with_budget: dict) -> None:  # noqa: F811
    school_id = school_with_budget["school_id"]
    _activities(db, school_id)
    cash = rows_by_line(db, school_id)
    with db.session() as s:
        assert budget.staff_time(s, s.get(School, school_id), FY) is None
        update_school_settings(s, s.get(School, school_id), {"staff_day_cost": "£266.00"})
    with db.session() as s:
        cost = budget.staff_time(s, s.get(School, school_id), FY)
    assert cost is not None
    assert (cost.hours, cost.activities, cost.days, cost.cost) == (
        Decimal("9.75"), 2, Decimal("1.5"), Decimal("399.00"))  # 9.75 h = 1.5 days of 6.5 h, × £266
    text = cost.sentence(FY)
    assert text.startswith("Staff time, not cash: INSET and internal CPD in 2026-27 took 9.75 hours")
    assert "£399.00 of teachers' time" in text and "not spent from the budget" in text
    assert {k: (r.spent, r.remaining) for k, r in rows_by_line(db, school_id).items()} == {
        k: (r.spent, r.remaining) for k, r in cash.items()}  # never added to the cash
    with db.session() as s:
        update_school_settings(s, s.get(School, school_id), {"staff_day_cost": ""})
        assert budget.staff_time(s, s.get(School, school_id), FY) is None


def test_a_days_cost_that_is_not_money_is_refused(db: Database, school: School) -> None:
    with db.session() as s, pytest.raises(ValidationError, match="Daily cost of a teacher's time"):
        update_school_settings(s, s.get(School, school.id), {"staff_day_cost": "lots"})


# ---- the exports ----

def _head_table(ws: Any) -> dict[tuple[str, str], dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Budget line" and r[2] == "Cost head")
    heads = rows[header]
    out = {}
    for r in rows[header + 1:]:
        if not r or r[0] is None:
            break
        out[(r[1], r[2])] = dict(zip(heads, r, strict=False))
    return out


def _with_heads_and_staff_time(db: Database, school_id: int) -> None:
    _set_heads(db, "PHY", fee="350", cover="300")
    _activities(db, school_id)
    with db.session() as s:
        update_school_settings(s, s.get(School, school_id), {"staff_day_cost": "266"})


def test_the_workbook_shows_heads_as_formulas_and_staff_time_as_not_cash(
        db: Database, school_with_budget: dict, tmp_path: Path) -> None:  # noqa: F811
    school_id = school_with_budget["school_id"]
    _with_heads_and_staff_time(db, school_id)
    path = run_export(db, school_id, "budget", "xlsx", tmp_path / "budget.xlsx", financial_year="2026-27",
                      today=TODAY)
    wb = load_workbook(path)
    heads = _head_table(wb["Budget"])
    assert set(heads) == {("PHY", "Fee"), ("PHY", "Travel"), ("PHY", "Supply cover")}
    fee = heads[("PHY", "Fee")]
    assert fee["Amount"] == 350 and fee["Committed"].startswith("=SUMIFS('Bookings'!$K:$K,'Bookings'!$I:$I,$B")
    assert heads[("PHY", "Travel")]["Amount"] == "(none set)" and heads[("PHY", "Travel")]["Remaining"] is None
    texts = [str(c) for r in wb["Budget"].iter_rows(values_only=True) for c in r if c is not None]
    assert "Staff time (not cash)" in texts
    assert any(t.startswith("Staff time, not cash: INSET and internal CPD in 2026-27 took 9.75 hours") for t in texts)
    # the lines' table is as it was: staff time is not in the cash
    from .test_budget_exports import budget_table

    assert set(budget_table(wb["Budget"])) == {"CPD-GEN", "PHY", "Unallocated", "Total"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_recalculates_each_head_to_the_services_figures(
        db: Database, school_with_budget: dict, tmp_path: Path) -> None:  # noqa: F811
    from .test_budget_exports import recalculated

    school_id = school_with_budget["school_id"]
    _with_heads_and_staff_time(db, school_id)
    path = run_export(db, school_id, "budget", "xlsx", tmp_path / "budget.xlsx", financial_year="2026-27",
                      today=TODAY)
    phy = rows_by_line(db, school_id)["Physics CPD"]
    heads = _head_table(recalculated(path, tmp_path)["Budget"])
    for head in phy.shown_heads():
        got = heads[("PHY", head.label)]
        assert [Decimal(str(got[k])).quantize(Decimal("0.01")) for k in ("Committed", "Spent")] == [
            head.committed, head.spent], head.head
        if head.remaining is not None:
            assert Decimal(str(got["Remaining"])).quantize(Decimal("0.01")) == head.remaining


def test_the_pdf_shows_a_lines_heads_and_the_staff_time(db: Database, school_with_budget: dict,  # noqa: F811
                                                        tmp_path: Path) -> None:
    school_id = school_with_budget["school_id"]
    _with_heads_and_staff_time(db, school_id)
    path = run_export(db, school_id, "budget", "pdf", tmp_path / "budget.pdf", financial_year="2026-27",
                      today=TODAY)
    pages = [p.extract_text() for p in PdfReader(path).pages]
    assert len(pages) == 4
    overview = " ".join(pages[0].split())
    assert "Staff time, not cash: INSET and internal CPD in 2026-27 took 9.75 hours" in overview
    assert "£399.00 of teachers' time" in overview
    physics = pages[2]
    assert "Physics CPD (PHY)" in physics and "Cost head" in physics and "Supply cover" in physics
    assert "−£136.50" in physics or "-£136.50" in physics  # cover: £300 set, £436.50 committed and spent
    assert "Cost head" not in pages[1]  # General CPD sets no head amounts
