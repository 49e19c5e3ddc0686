"""The CPD budget: which line a booking is spent against, and each line's committed, spent, bursary and left."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cpd_desktop.errors import ValidationError
from cpd_desktop.imports import run_import, undo_import
from cpd_desktop.models import Activity, Booking, BudgetLine, BursaryClaim, BursaryScheme, School, Staff
from cpd_desktop.services import budget, reports
from cpd_desktop.services.schools import get_or_create_department
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import FinancialYear
from cpd_desktop.storage.database import Database

FY = FinancialYear(2026, 4)  # 2026-27


def _booking(s: Any, school: School, person: Staff, start: dt.date, status: str, fee: str, **extra: Any) -> Booking:
    extra.setdefault("intended_outcomes", "Year 10 plan and carry out the required practicals themselves")
    b = Booking(school_id=school.id, staff_id=person.id, title=f"Course {start:%d/%m} {status}", start_date=start,
                end_date=start, hours=Decimal("6"), status=status, fee=Decimal(fee), **extra)
    s.add(b)
    s.flush()
    return b


def _claim(s: Any, school: School, scheme: BursaryScheme, booking: Booking, status: str, expected: str,
           received: str | None = None) -> None:
    s.add(BursaryClaim(school_id=school.id, booking_id=booking.id, scheme_id=scheme.id, status=status,
                       expected=Decimal(expected), received=Decimal(received) if received else None))
    s.flush()


@pytest.fixture
def school_with_budget(db: Database, school: School) -> dict[str, Any]:
    with db.session() as s:
        school = s.get(School, school.id)
        physics = get_or_create_department(s, school, "Physics")
        ada = add_staff(s, school, forename="Łukasz", surname="Zając", staff_code="LZA", department="Physics")
        bea = add_staff(s, school, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD", department="Science")
        cal = add_staff(s, school, forename="Cal", surname="Nodept", staff_code="CNO")
        s.add_all([
            BudgetLine(school_id=school.id, financial_year=2026, name="Physics CPD", budget_code="PHY",
                       department_id=physics.id, amount=Decimal("2000.00")),
            BudgetLine(school_id=school.id, financial_year=2026, name="General CPD", budget_code="CPD-GEN",
                       amount=Decimal("1000.00")),
            BudgetLine(school_id=school.id, financial_year=2025, name="Physics CPD", budget_code="PHY",
                       department_id=physics.id, amount=Decimal("1500.00")),
        ])
        scheme = BursaryScheme(school_id=school.id, name="Residential bursary", rule="per_day", amount=Decimal("220"))
        s.add(scheme)
        s.flush()
        # Physics (through the department): committed 300 + 20 travel + one day's cover at £291 = £611.00.
        one = _booking(s, school, ada, dt.date(2026, 6, 10), "approved", "300", travel=Decimal("20"),
                       cover_days=1.0, cover_day_rate=Decimal("291.00"))
        # Physics: spent 100 + half a day's cover (£145.50) = £245.50.
        two = _booking(s, school, ada, dt.date(2026, 5, 5), "attended", "100", cover_days=0.5,
                       cover_day_rate=Decimal("291.00"))
        # General CPD, by the code it carries (written in another case, with spaces): committed £200.
        three = _booking(s, school, bea, dt.date(2026, 7, 1), "booked", "200", budget_code=" cpd-gen ")
        # Science has no line: Unallocated, committed £50.
        four = _booking(s, school, bea, dt.date(2026, 7, 1), "approved", "50")
        _booking(s, school, ada, dt.date(2026, 7, 2), "planned", "999")  # only planned: counts nowhere
        _booking(s, school, ada, dt.date(2026, 7, 3), "cancelled", "888")
        _booking(s, school, ada, dt.date(2026, 3, 31), "booked", "400")  # 2025-26
        _booking(s, school, ada, dt.date(2027, 4, 1), "approved", "700")  # 2027-28
        # Activities' own costs, through their person: Physics £60, no department £40; one with a booking: none.
        s.add_all([
            Activity(school_id=school.id, staff_id=ada.id, date=dt.date(2026, 9, 1), hours=Decimal("1"),
                     title="Reading", cost=Decimal("60")),
            Activity(school_id=school.id, staff_id=cal.id, date=dt.date(2026, 9, 1), hours=Decimal("1"),
                     title="Webinar", cost=Decimal("40")),
            Activity(school_id=school.id, staff_id=ada.id, date=dt.date(2026, 5, 5), hours=Decimal("6"),
                     title="From booking two", cost=Decimal("245.50"), booking_id=two.id),
        ])
        s.flush()
        _claim(s, school, scheme, one, "submitted", "300")
        _claim(s, school, scheme, two, "paid", "150", received="120")  # paid short: counts what came in
        _claim(s, school, scheme, three, "rejected", "200")  # brings nothing
        _claim(s, school, scheme, four, "draft", "25")
        return {"school_id": school.id, "one": one.id, "two": two.id, "three": three.id, "four": four.id}


def rows_by_line(db: Database, school_id: int, fy: FinancialYear = FY) -> dict[str, budget.BudgetRow]:
    with db.session() as s:
        return {r.line: r for r in budget.budget_rows(s, s.get(School, school_id), fy)}


def test_each_line_adds_up_committed_spent_bursary_and_what_is_left(db: Database, school_with_budget: dict) -> None:
    rows = rows_by_line(db, school_with_budget["school_id"])
    assert list(rows) == ["General CPD", "Physics CPD", "Unallocated"]
    phy = rows["Physics CPD"]
    assert (phy.budget, phy.committed, phy.spent) == (Decimal("2000.00"), Decimal("611.00"), Decimal("305.50"))
    assert (phy.bursary_expected, phy.bursary_received) == (Decimal("420.00"), Decimal("120.00"))
    assert phy.net_forecast == Decimal("496.50")  # 611 + 305.50 − 420
    assert phy.remaining == Decimal("1503.50")
    gen = rows["General CPD"]
    assert (gen.committed, gen.spent, gen.bursary_expected, gen.remaining) == (
        Decimal("200.00"), Decimal("0.00"), Decimal("0.00"), Decimal("800.00"))
    un = rows["Unallocated"]
    assert (un.budget, un.committed, un.spent, un.bursary_expected) == (
        Decimal("0.00"), Decimal("50.00"), Decimal("40.00"), Decimal("25.00"))
    assert un.remaining == Decimal("-65.00")


def test_a_booking_counts_in_the_financial_year_of_its_start(db: Database, school_with_budget: dict) -> None:
    before = rows_by_line(db, school_with_budget["school_id"], FinancialYear(2025, 4))
    assert before["Physics CPD"].committed == Decimal("400.00")  # booked 31/03/2026
    after = rows_by_line(db, school_with_budget["school_id"], FinancialYear(2027, 4))
    assert list(after) == ["Unallocated"] and after["Unallocated"].committed == Decimal("700.00")


def test_a_september_financial_year_moves_the_boundary(db: Database, school_with_budget: dict) -> None:
    with db.session() as s:
        school = s.get(School, school_with_budget["school_id"])
        school.financial_year_start_month = 9
        fy = budget.parse_financial_year("2025-26", 9)
        assert (fy.start, fy.end) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
        rows = {r.line: r for r in budget.budget_rows(s, school, fy)}
    # The 2026 lines are 2026-27's (September 2026 on): every 2025-26 booking from 01/09/2025 is unallocated.
    assert list(rows) == ["Physics CPD", "Unallocated"]
    assert rows["Physics CPD"].committed == Decimal("1011.00")  # £400 in March and £611 in June 2026


def test_the_figures_behind_a_line_list_its_bookings(db: Database, school_with_budget: dict) -> None:
    with db.session() as s:
        school = s.get(School, school_with_budget["school_id"])
        phy = s.scalar(select(BudgetLine.id).where(BudgetLine.budget_code == "PHY", BudgetLine.financial_year == 2026))
        committed = budget.items_behind(s, school, FY, phy, "committed")
        spent = budget.items_behind(s, school, FY, phy, "spent")
        unallocated = budget.items_behind(s, school, FY, None, "committed")
    assert [i.id for i in committed] == [school_with_budget["one"]]
    assert committed[0].total_cost == Decimal("611.00")
    assert sorted((i.kind, i.total_cost) for i in spent) == [("activity", Decimal("60.00")),
                                                             ("booking", Decimal("245.50"))]
    assert [i.id for i in unallocated] == [school_with_budget["four"]]


def test_report_bookings_says_each_bookings_year_code_and_total(db: Database, school_with_budget: dict) -> None:
    with db.session() as s:
        rows = {r["id"]: r for r in reports.bookings_report(s, s.get(School, school_with_budget["school_id"]))}
    assert rows[school_with_budget["one"]]["budget_code"] == "PHY"
    assert rows[school_with_budget["one"]]["financial_year"] == "2026-27"
    assert rows[school_with_budget["one"]]["total_cost"] == Decimal("611.00")
    assert rows[school_with_budget["three"]]["budget_code"] == "CPD-GEN"
    assert rows[school_with_budget["four"]]["budget_code"] is None
    assert {r["financial_year"] for r in rows.values()} == {"2025-26", "2026-27", "2027-28"}


def test_approving_a_booking_that_would_overspend_its_line_is_warned_in_plain_words(
        db: Database, school_with_budget: dict) -> None:
    with db.session() as s:
        school = s.get(School, school_with_budget["school_id"])
        ada = s.scalar(select(Staff).where(Staff.staff_code == "LZA"))
        small = _booking(s, school, ada, dt.date(2026, 10, 1), "planned", "1000")
        assert budget.overspend_warning(s, school, small) is None  # £1,503.50 left
        big = _booking(s, school, ada, dt.date(2026, 10, 2), "planned", "1600")
        warning = budget.overspend_warning(s, school, big)
    assert warning == ("This booking would overspend the Physics CPD budget (PHY) for 2026-27: £1,503.50 is left "
                       "and it costs £1,600.00, leaving −£96.50.")


@pytest.mark.parametrize("text", ["2026-28", "26-27", "twenty", "", "2026/2028"])
def test_a_financial_year_written_wrongly_is_refused_with_the_form_to_use(text: str) -> None:
    with pytest.raises(ValidationError, match="2026-27"):
        budget.parse_financial_year(text)


# -- import ----------------------------------------------------------------------------------------------------
def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_makes_lines_and_a_second_import_updates_them_by_year_and_code(db: Database, school: School,
                                                                            tmp_path: Path) -> None:
    first = write(tmp_path / "budget.csv", "Financial Year,Budget Line,Budget Code,Department,Amount\n"
                  "2026-27,Science CPD,SCI,science,\"£3,000.00\"\n2026-27,Whole school,WS,,1200\n"
                  "2025-26,Science CPD,SCI,Science,2500\n")
    with db.session() as s:
        result = run_import(s, s.get(School, school.id), "budget", first)
        assert (result.new, result.updated, result.errors) == (3, 0, [])
    again = write(tmp_path / "budget2.csv", "FY,Name,Budget Code,Amount\n2026-27,Science CPD,sci,3500\n"
                  "2027-28,Science CPD,SCI,100\n")
    with db.session() as s:
        result = run_import(s, s.get(School, school.id), "budget", again)
        assert (result.new, result.updated) == (1, 1)
        batch = result.batch_id
    with db.session() as s:
        lines = {(ln.financial_year, ln.budget_code): ln for ln in s.scalars(select(BudgetLine))}
        assert lines[(2026, "SCI")].amount == Decimal("3500.00")
        assert lines[(2026, "SCI")].department is None  # the second file has no Department column: it says none
        assert lines[(2025, "SCI")].department.name == "Science"
        assert len(lines) == 4
        undo_import(s, batch, s.get(School, school.id))
    with db.session() as s:
        amounts = {(ln.financial_year, ln.budget_code): ln.amount for ln in s.scalars(select(BudgetLine))}
    assert amounts == {(2026, "SCI"): Decimal("3000.00"), (2026, "WS"): Decimal("1200.00"),
                       (2025, "SCI"): Decimal("2500.00")}


def test_bad_budget_rows_are_each_named_by_row_and_column_and_nothing_is_written(db: Database, school: School,
                                                                                 tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "Financial Year,Budget Line,Budget Code,Department,Amount\n"
                "2026-28,Science,SCI,,100\n2026-27,Science,SCI,Drama,100\n2026-27,Science,SCI2,,-5\n"
                "2026-27,Dup,SCI3,,1\n2026-27,Dup,sci3,,2\n2026-27,,SCI4,,1\n")
    with db.session() as s:
        result = run_import(s, s.get(School, school.id), "budget", bad)
        messages = [str(e) for e in result.errors]
        assert s.scalar(select(BudgetLine.id)) is None
    assert any(m.startswith("row 2, Financial Year:") and "2026-27" in m for m in messages)
    assert any(m.startswith("row 3, Department: There is no department called Drama") for m in messages)
    assert any(m.startswith("row 4, Amount:") for m in messages)
    assert any(m.startswith("row 6, Budget Code:") and "row 5" in m for m in messages)
    assert any(m.startswith("row 7, Budget Line: is empty") for m in messages)


def test_a_dry_run_of_a_budget_import_writes_nothing(db: Database, school: School, tmp_path: Path) -> None:
    path = write(tmp_path / "b.csv", "Financial Year,Name,Budget Code,Amount\n2026-27,Science,SCI,100\n")
    with db.session() as s:
        result = run_import(s, s.get(School, school.id), "budget", path, dry_run=True)
        assert result.new == 1
    with db.session() as s:
        assert s.scalar(select(BudgetLine.id)) is None


def test_the_month_by_month_profile_puts_each_cost_in_its_month_and_adds_up_to_the_lines(
        db: Database, school_with_budget: dict) -> None:
    with db.session() as s:
        school = s.get(School, school_with_budget["school_id"])
        months = budget.monthly_profile(s, school, FY)
        rows = budget.budget_rows(s, school, FY)
    assert [m.label for m in months][:2] == ["Apr 2026", "May 2026"] and months[-1].label == "Mar 2027"
    by = {m.label: m for m in months}
    assert (by["May 2026"].spent, by["Jun 2026"].committed) == (Decimal("245.50"), Decimal("611.00"))
    assert by["Jul 2026"].committed == Decimal("250.00")  # £200 booked + £50 approved; planned and cancelled not
    assert by["Sep 2026"].spent == Decimal("100.00")  # activities' own costs
    assert sum((m.committed for m in months), Decimal("0")) == sum((r.committed for r in rows), Decimal("0"))
    assert sum((m.spent for m in months), Decimal("0")) == sum((r.spent for r in rows), Decimal("0"))


def test_a_claim_raised_with_no_budget_code_is_credited_to_the_line_its_booking_counts_on(
        db: Database, school_with_budget: dict) -> None:
    """A physics teacher's booking carries no code and counts on Physics CPD through the department: its claim
    says PHY, so the claims workbook's budget codes agree with the budget. A typed code still wins; a booking
    on no line gives a claim with none."""
    from cpd_desktop.services.bursaries import create_claim

    with db.session() as s:
        school = s.get(School, school_with_budget["school_id"])
        other = BursaryScheme(school_id=school.id, name="Ogden grant", rule="per_course", amount=Decimal("300"))
        s.add(other)
        s.flush()
        physics = create_claim(s, s.get(Booking, school_with_budget["one"]), other)
        unallocated = create_claim(s, s.get(Booking, school_with_budget["four"]), other)
        two = s.get(Booking, school_with_budget["two"])
        typed = create_claim(s, two, other, budget_code="CPD-GEN")
        assert (physics.budget_code, unallocated.budget_code, typed.budget_code) == ("PHY", None, "CPD-GEN")
