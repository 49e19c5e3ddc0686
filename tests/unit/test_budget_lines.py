"""Budget lines added, changed and deleted by hand (the Budget view's Add line…, Edit line… and Delete line):
each refusal names its field and says what to do, a colleague's save in between is never overwritten, an undo
puts the line back, and deleting a line keeps every booking, activity and claim that counted against it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from cpd_desktop.errors import ConcurrentEditError, CpdError, ValidationError
from cpd_desktop.models import (
    AuditEntry,
    Booking,
    BudgetLine,
    BursaryClaim,
    BursaryScheme,
    Department,
    School,
)
from cpd_desktop.services import unit
from cpd_desktop.services.budget import budget_rows, department_line_ids, monthly_profile
from cpd_desktop.services.budget_lines import (
    add_line,
    delete_line,
    line_holds,
    update_line,
    what_a_change_moves,
)
from cpd_desktop.services.changes import Changes
from cpd_desktop.services.schools import create_school, get_or_create_department
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import FinancialYear
from cpd_desktop.storage.database import Database

FY = FinancialYear(2026, 4)


def _school(s: Any, school: School) -> School:
    found = s.get(School, school.id)
    assert found is not None
    return found


def _add(db: Database, school: School, **values: Any) -> int:
    values = {"financial_year": "2026-27", "budget_code": "CPD-SCI", "name": "Science CPD", "amount": "£3,000.00",
              **values}
    with db.session() as s:
        return add_line(s, _school(s, school), **values).id


def _refusal(db: Database, school: School, **values: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught, db.session() as s:
        add_line(s, _school(s, school), **{"financial_year": "2026-27", "budget_code": "CPD-X", "name": "X",
                                           "amount": "100", **values})
    return caught.value


def test_a_line_is_added_with_its_department_allocation_and_head_amounts(db: Database, school: School) -> None:
    ident = _add(db, school, department="science", fee_amount="1,200", cover_amount="800.50", travel_amount="")
    with db.session() as s:
        line = s.get(BudgetLine, ident)
        assert line is not None
        assert (line.financial_year, line.budget_code, line.name, line.amount) == (2026, "CPD-SCI", "Science CPD",
                                                                                   Decimal("3000.00"))
        assert line.department is not None and line.department.name == "Science"  # as the school spells it
        assert (line.fee_amount, line.cover_amount, line.travel_amount) == (Decimal("1200.00"), Decimal("800.50"),
                                                                            None)
        row = next(r for r in budget_rows(s, _school(s, school), FY) if r.line_id == ident)
        assert row.budget == Decimal("3000.00") and row.department == "Science"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "budget_line")).one()
        assert (entry.action, entry.summary) == ("create", "Added Budget line Science CPD")


@pytest.mark.parametrize(("values", "field", "says"), [
    ({"budget_code": "  "}, "Budget code", "is required"),
    ({"budget_code": "C" * 41}, "Budget code", "at most 40"),
    ({"name": ""}, "Name", "is required"),
    ({"amount": ""}, "Allocation", "is required"),
    ({"amount": "-5"}, "Allocation", "negative"),
    ({"amount": "12.345"}, "Allocation", "more than 2 decimal places"),
    ({"amount": "100000000"}, "Allocation", "too large"),
    ({"fee_amount": "-0.01"}, "Fee amount", "negative"),
    ({"cover_amount": "ten"}, "Supply cover amount", "not a number"),
    ({"financial_year": "2026-28"}, "Financial year", "not a financial year"),
    ({"department": "Geography"}, "Department", "not one of this school's departments"),
])
def test_a_bad_value_is_refused_naming_its_field_and_what_to_do(db: Database, school: School,
                                                               values: dict[str, Any], field: str, says: str) -> None:
    refused = _refusal(db, school, **values)
    assert refused.field == field
    assert says in refused.message
    assert refused.hint  # what to do
    with db.session() as s:
        assert s.scalar(select(BudgetLine.id)) is None  # nothing half-saved


def test_a_code_is_unique_in_its_school_and_year_whatever_its_capitals(db: Database, school: School) -> None:
    _add(db, school)
    refused = _refusal(db, school, budget_code="cpd-sci")
    assert refused.field == "Budget code"
    assert refused.message == "2026-27 already has a line with the code CPD-SCI (Science CPD)."
    _add(db, school, financial_year="2025-26")  # the same code in another year is another line
    with db.session() as s:
        other = create_school(s, "Brackenfield School", urn="140001", departments=["Science"])
        add_line(s, other, financial_year="2026-27", budget_code="CPD-SCI", name="Their science", amount="10")
    with db.session() as s:
        # and another school's line of the same code is theirs alone
        assert len(s.scalars(select(BudgetLine).where(BudgetLine.budget_code == "CPD-SCI")).all()) == 3


def test_another_school_s_department_is_refused(db: Database, school: School) -> None:
    with db.session() as s:
        other = create_school(s, "Brackenfield School", urn="140001", departments=["Geography"])
        theirs = s.scalar(select(Department.id).where(Department.school_id == other.id))
    refused = _refusal(db, school, department=theirs)
    assert refused.field == "Department" and "not one of this school's departments" in refused.message


def test_the_service_refuses_what_the_database_would_and_the_database_still_holds_the_rules(
        db: Database, school: School) -> None:
    """The service and the database agree: what one refuses the other refuses too."""
    ident = _add(db, school)
    with pytest.raises(ValidationError), db.session() as s:
        update_line(s, s.get(BudgetLine, ident), amount="-1")
    with pytest.raises(CpdError, match="ck_budget_line_amount_not_negative"), db.session() as s:  # around it
        line = s.get(BudgetLine, ident)
        line.amount = Decimal("-1")
        s.flush()
    with pytest.raises(CpdError), db.session() as s:
        s.add(BudgetLine(school_id=school.id, financial_year=2026, name="Copy", budget_code="CPD-SCI",
                         amount=Decimal("1")))
        s.flush()


def test_an_edit_changes_the_line_and_can_move_it_to_another_year(db: Database, school: School) -> None:
    ident = _add(db, school)
    _add(db, school, budget_code="CPD-MAT", name="Maths CPD")
    with db.session() as s:
        line = s.get(BudgetLine, ident)
        version = line.version
        update_line(s, line, expected_version=version, amount="3500", name="Science and technicians",
                    department="", fee_amount="500")
    with db.session() as s:
        line = s.get(BudgetLine, ident)
        assert (line.amount, line.name, line.department_id, line.fee_amount) == (
            Decimal("3500.00"), "Science and technicians", None, Decimal("500.00"))
        assert line.version == version + 1
    with pytest.raises(ValidationError, match="already has a line with the code CPD-MAT"), db.session() as s:
        update_line(s, s.get(BudgetLine, ident), budget_code="CPD-MAT")
    with db.session() as s:
        update_line(s, s.get(BudgetLine, ident), financial_year=FinancialYear(2027, 4))
        assert s.get(BudgetLine, ident).financial_year == 2027


def test_a_colleague_s_save_in_between_is_kept_and_mine_is_refused(db: Database, school: School) -> None:
    ident = _add(db, school)
    with db.session() as s:
        seen = s.get(BudgetLine, ident).version  # I open the line
    with db.session() as s:
        s.info["user"] = "Bursar"
        update_line(s, s.get(BudgetLine, ident), expected_version=seen, amount="4000")  # my colleague saves first
    with pytest.raises(ConcurrentEditError) as caught, db.session() as s:
        update_line(s, s.get(BudgetLine, ident), expected_version=seen, amount="2500")
    assert "changed by Bursar" in caught.value.message and "your change was not saved" in caught.value.message
    with pytest.raises(ConcurrentEditError, match="so it was not deleted"), db.session() as s:
        delete_line(s, s.get(BudgetLine, ident), expected_version=seen)
    with db.session() as s:
        assert s.get(BudgetLine, ident).amount == Decimal("4000.00")  # theirs, nothing lost


def test_add_change_and_delete_are_undone_through_the_recorder(db: Database, school: School) -> None:
    def add(s: Any) -> int:
        return add_line(s, _school(s, school), financial_year="2026-27", budget_code="CPD-SCI", name="Science CPD",
                        amount="3000", fee_amount="1000").id

    added = unit.do(db, add)
    assert added.notice == Changes.of("budget_line", "audit_entry")  # the Budget view reloads
    ident = added.result
    changed = unit.do(db, lambda s: update_line(s, s.get(BudgetLine, ident), amount="3600", fee_amount=""))
    unit.undo(db, changed.changes)
    with db.session() as s:
        line = s.get(BudgetLine, ident)
        assert (line.amount, line.fee_amount) == (Decimal("3000.00"), Decimal("1000.00"))
    deleted = unit.do(db, lambda s: delete_line(s, s.get(BudgetLine, ident)))
    with db.session() as s:
        assert s.get(BudgetLine, ident) is None
    unit.undo(db, deleted.changes)
    with db.session() as s:
        line = s.get(BudgetLine, ident)  # back, with the same id and every amount
        assert (line.budget_code, line.name, line.amount, line.fee_amount) == ("CPD-SCI", "Science CPD",
                                                                               Decimal("3000.00"), Decimal("1000.00"))
    unit.undo(db, added.changes)
    with db.session() as s:
        assert s.get(BudgetLine, ident) is None


def test_deleting_a_line_says_what_it_holds_and_keeps_every_money_record(db: Database, school: School) -> None:
    with db.session() as s:
        here = _school(s, school)
        physics = get_or_create_department(s, here, "Physics")
        person = add_staff(s, here, forename="Łukasz", surname="Zając", staff_code="LZA", department="Physics")
        line = add_line(s, here, financial_year="2026-27", budget_code="CPD-PHY", name="Physics CPD",
                        amount="2000", department=physics.id)
        booking = Booking(school_id=here.id, staff_id=person.id, title="IOP conference", start_date=dt.date(2026, 6, 10),
                          end_date=dt.date(2026, 6, 10), hours=Decimal("6"), status="booked", fee=Decimal("300"),
                          intended_outcomes="Better KS4 electricity practicals")
        scheme = BursaryScheme(school_id=here.id, name="Physics bursary", rule="per_day", amount=Decimal("150"))
        s.add_all([booking, scheme])
        s.flush()
        s.add(BursaryClaim(school_id=here.id, booking_id=booking.id, scheme_id=scheme.id, status="draft",
                           expected=Decimal("150"), budget_code="CPD-PHY"))
        s.flush()
        ident, booking_id = line.id, booking.id
    with db.session() as s:
        holds = line_holds(s, s.get(BudgetLine, ident))
    assert (holds.bookings, holds.activities, holds.claims, holds.money) == (1, 0, 1, Decimal("300.00"))
    assert holds.what_happens() == (
        "1 booking costing £300.00 (£150.00 bursary expected) counts against it; 1 bursary claim is credited to its "
        "code CPD-PHY. Deleting the line deletes none of them: they will count against their department's line, "
        "or as Unallocated, until a line with the code CPD-PHY is added to 2026-27 again. You can undo this (Ctrl+Z).")
    with db.session() as s:
        delete_line(s, s.get(BudgetLine, ident), expected_version=holds.version)
    with db.session() as s:
        assert s.get(Booking, booking_id) is not None
        assert s.scalar(select(BursaryClaim.budget_code)) == "CPD-PHY"
        rows = budget_rows(s, _school(s, school), FY)
        assert [(r.line, r.committed) for r in rows] == [("Unallocated", Decimal("300.00"))]


def test_an_empty_line_says_so(db: Database, school: School) -> None:
    ident = _add(db, school)
    with db.session() as s:
        assert line_holds(s, s.get(BudgetLine, ident)).what_happens() == (
            "Nothing counts against it in 2026-27 yet. You can undo this (Ctrl+Z).")


def test_a_department_s_lines_are_those_naming_it_or_carrying_its_code_and_its_months_are_theirs(
        db: Database, school: School) -> None:
    """What the Budget view shows with a department chosen: the lines of the year the rule gives that department's
    staff, and the months of only the money counted against them."""
    with db.session() as s:
        here = _school(s, school)
        physics = get_or_create_department(s, here, "Physics")
        physics.budget_code = "PHY-26"
        person = add_staff(s, here, forename="Łukasz", surname="Zając", staff_code="LZA", department="Physics")
        named = add_line(s, here, financial_year="2026-27", budget_code="CPD-PHY", name="Physics CPD",
                         amount="2000", department="Physics").id
        coded = add_line(s, here, financial_year="2026-27", budget_code="phy-26", name="Physics kit", amount="10").id
        general = add_line(s, here, financial_year="2026-27", budget_code="CPD-GEN", name="General", amount="10").id
        add_line(s, here, financial_year="2025-26", budget_code="CPD-PHY", name="Last year's", amount="10",
                 department="Physics")
        for code, day, fee in (("CPD-GEN", dt.date(2026, 5, 5), "100"), (None, dt.date(2026, 6, 9), "250")):
            s.add(Booking(school_id=here.id, staff_id=person.id, title=f"Course {fee}", start_date=day, end_date=day,
                          hours=Decimal("6"), status="booked", fee=Decimal(fee), budget_code=code,
                          intended_outcomes="Better KS4 electricity practicals"))
        s.flush()
        assert department_line_ids(s, here, FY, "physics") == {named, coded}
        assert department_line_ids(s, here, FY, "Science") == set()
        months = {m.month.month: m.committed for m in monthly_profile(s, here, FY, lines={named, coded})}
        assert (months[5], months[6]) == (Decimal("0.00"), Decimal("250.00"))  # May's booking is General's
        everything = {m.month.month: m.committed for m in monthly_profile(s, here, FY)}
        assert (everything[5], everything[6]) == (Decimal("100.00"), Decimal("250.00"))
        assert general not in department_line_ids(s, here, FY, "Physics")


def test_a_new_code_says_which_bookings_it_takes_off_the_line(db: Database, school: School) -> None:
    """Bookings find a line by the code they carry: a new code (or another year) for the line takes them off it,
    and the person is told before saving; a change of capitals or of the name alone moves nothing."""
    with db.session() as s:
        here = _school(s, school)
        person = add_staff(s, here, forename="Nguyễn", surname="Thị Mai", staff_code="NTM", department="Science")
        line = add_line(s, here, financial_year="2026-27", budget_code="CPD-SCI", name="Science CPD", amount="900")
        for day, status in ((dt.date(2026, 5, 5), "booked"), (dt.date(2026, 6, 5), "cancelled"),
                            (dt.date(2025, 6, 5), "booked")):  # a cancelled one and one of last year: not moved
            s.add(Booking(school_id=here.id, staff_id=person.id, title=f"Course {day}", start_date=day, end_date=day,
                          hours=Decimal("6"), status=status, fee=Decimal("100"), budget_code=" cpd-sci",
                          intended_outcomes="Better KS4 electricity practicals"))
        s.flush()
        assert what_a_change_moves(s, line, {"budget_code": "CPD-SCIENCE"}) == (
            "1 booking of 2026-27 carries the code CPD-SCI. With the code changed to CPD-SCIENCE, they no longer "
            "count against Science CPD by that code, but against their department's line or as Unallocated, until "
            "they are given a line's code again.")
        assert "With the line moved to 2027-28" in (what_a_change_moves(s, line, {"financial_year": "2027-28"}) or "")
        assert what_a_change_moves(s, line, {"budget_code": "cpd-sci", "name": "Science"}) is None
        empty = add_line(s, here, financial_year="2026-27", budget_code="CPD-MAT", name="Maths", amount="1")
        assert what_a_change_moves(s, empty, {"budget_code": "CPD-MATHS"}) is None
