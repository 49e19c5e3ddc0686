"""Budget lines by hand: add, change and delete a line of a financial year's CPD budget (the Budget view's
Add line…, Edit line… and Delete line), with the same rules as the import of lines and the database.

The rules, written once here for the dialog, the service and (through ``clean_line_values``) anyone else:

* the financial year is one the database holds (1900-01 to 2998-99);
* the budget code is required, at most 40 characters, and no other line of the school's year has it, whatever its
  capitals (bookings are matched to lines by code without regard to capitals, so ``cpd-phy`` and ``CPD-PHY``
  in one year would split a line's money);
* the name is required, at most 200 characters;
* the allocation is pounds and pence, £0.00 or more; each cost head's amount is optional, £0.00 or more;
* the department is optional and must be one of the line's school.

Nothing points at a budget line by a foreign key: bookings, costed activities and bursary claims count against
a line through its code or its department (``services.budget``). Deleting a line therefore deletes none of
them; they count against their department's line, or as "Unallocated", from then on. ``line_holds`` says what
that is before the person confirms, and the undo puts the line back as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Booking, BudgetLine, BursaryClaim, Department, School
from ..models.budget import COST_HEADS
from . import validation as v
from .budget import HEAD_LABELS, ZERO, budget_items, fy_text, parse_financial_year
from .concurrency import check_version
from .formatting import format_money, plural
from .years import FinancialYear

CODE_MAX = 40  # budget_line.budget_code
NAME_MAX = 200  # budget_line.name
HEAD_FIELDS = tuple(f"{head}_amount" for head in COST_HEADS)
# What the person reads beside each field, and the field a refusal names (the dialog puts it beside that field).
FIELD_NAMES = {"financial_year": "Financial year", "budget_code": "Budget code", "name": "Name",
               "department": "Department", "amount": "Allocation",
               **{f"{head}_amount": f"{HEAD_LABELS[head]} amount" for head in COST_HEADS}}


def clean_line_values(values: dict[str, Any], start_month: int = 4) -> dict[str, Any]:
    """Validate the fields of a line that are present; returns typed values (``financial_year`` as the year it
    starts in, the department still as given: a name, an id, or None)."""
    out: dict[str, Any] = {}
    if "financial_year" in values:
        year = values["financial_year"]
        if isinstance(year, FinancialYear):
            year = year.start_year
        if isinstance(year, int) and not isinstance(year, bool):
            if not 1900 <= year <= 2998:
                raise ValidationError(FIELD_NAMES["financial_year"], f"{year} is not a financial year this "
                                      "budget can hold.", hint="Write it as 2026-27.")
            out["financial_year"] = year
        else:
            out["financial_year"] = parse_financial_year(year, start_month,
                                                         field=FIELD_NAMES["financial_year"]).start_year
    if "budget_code" in values:
        field = FIELD_NAMES["budget_code"]
        code = v.clean_text(values["budget_code"], field, max_len=CODE_MAX)
        if code is None:
            raise ValidationError(field, "is required.",
                                  hint="Enter the code your finance system uses for the line, e.g. CPD-SCI.")
        out["budget_code"] = code
    if "name" in values:
        name = v.clean_text(values["name"], FIELD_NAMES["name"], max_len=NAME_MAX)
        if name is None:
            raise ValidationError(FIELD_NAMES["name"], "is required.",
                                  hint="Enter what the line is for, e.g. Science CPD.")
        out["name"] = name
    if "amount" in values:
        field = FIELD_NAMES["amount"]
        raw = values["amount"]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise ValidationError(field, "is required.",
                                  hint="Enter the line's budget in pounds, e.g. 3000 or £3,000.00 (0 for none yet).")
        out["amount"] = v.parse_money(raw, field)
    for key in HEAD_FIELDS:
        if key in values:
            out[key] = v.parse_money(values[key], FIELD_NAMES[key], required=False)
    if "department" in values:
        department = values["department"]
        if isinstance(department, str):
            department = v.clean_text(department, FIELD_NAMES["department"], max_len=100)
        out["department"] = department or None
    return out


def _department_id(session: Session, school_id: int, department: Any) -> int | None:
    """The id of the school's department given by id or name (None: no department); refused if it is not one
    of the school's."""
    if department is None:
        return None
    stmt = select(Department.id).where(Department.school_id == school_id)
    if isinstance(department, int) and not isinstance(department, bool):
        found = session.scalar(stmt.where(Department.id == department))
    else:
        found = session.scalar(stmt.where(func.lower(Department.name) == str(department).strip().lower()))
    if found is None:
        raise ValidationError(FIELD_NAMES["department"], f"{department} is not one of this school's departments.",
                              hint="Choose one from the list (departments are added in Settings), or choose "
                                   "No department.")
    return int(found)


def _check_code_free(session: Session, school_id: int, year: int, code: str, start_month: int,
                     exclude_id: int | None = None) -> None:
    stmt = select(BudgetLine.name, BudgetLine.budget_code).where(
        BudgetLine.school_id == school_id, BudgetLine.financial_year == year,
        func.lower(BudgetLine.budget_code) == code.lower())
    if exclude_id is not None:
        stmt = stmt.where(BudgetLine.id != exclude_id)
    taken = session.execute(stmt).first()
    if taken is not None:
        raise ValidationError(FIELD_NAMES["budget_code"],
                              f"{fy_text(FinancialYear(year, start_month))} already has a line with the code "
                              f"{taken.budget_code} ({taken.name}).",
                              hint="Give each line of a year its own code, or edit that line instead.")


def add_line(session: Session, school: School, **values: Any) -> BudgetLine:
    """A new line of one of the school's financial years."""
    for key in ("financial_year", "budget_code", "name", "amount"):
        values.setdefault(key, None)
    clean = clean_line_values(values, school.financial_year_start_month)
    department_id = _department_id(session, school.id, clean.pop("department", None))
    _check_code_free(session, school.id, clean["financial_year"], clean["budget_code"],
                     school.financial_year_start_month)
    line = BudgetLine(school_id=school.id, department_id=department_id, **clean)
    session.add(line)
    session.flush()
    return line


def update_line(session: Session, line: BudgetLine, *, expected_version: int | None = None,
                **values: Any) -> BudgetLine:
    """Change a line's fields given; refused if somebody else saved it since ``expected_version``."""
    check_version(line, expected_version)
    school = session.get(School, line.school_id)
    assert school is not None  # a line belongs to a school (NOT NULL, ON DELETE CASCADE)
    clean = clean_line_values(values, school.financial_year_start_month)
    if "department" in clean:
        line.department_id = _department_id(session, line.school_id, clean.pop("department"))
    year = clean.get("financial_year", line.financial_year)
    code = clean.get("budget_code", line.budget_code)
    _check_code_free(session, line.school_id, year, code, school.financial_year_start_month, exclude_id=line.id)
    for key, value in clean.items():
        setattr(line, key, value)
    session.flush()
    return line


def delete_line(session: Session, line: BudgetLine, *, expected_version: int | None = None) -> None:
    """Delete a line; refused if somebody else changed it since ``expected_version``. The bookings, activities
    and claims that counted against it are kept (see ``line_holds``)."""
    check_version(line, expected_version, action="delete")
    session.delete(line)
    session.flush()


# -- what a line holds --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineHolds:
    """What counts against a line now: what a person is told before deleting it."""

    name: str
    budget_code: str
    year: str  # '2026-27'
    version: int
    bookings: int
    activities: int
    claims: int  # bursary claims credited to its code
    money: Decimal  # the cost of its bookings and activities, committed and spent
    bursary_expected: Decimal

    @property
    def empty(self) -> bool:
        return not (self.bookings or self.activities or self.claims)

    def what_happens(self) -> str:
        """What deleting the line does, in a person's words."""
        if self.empty:
            return f"Nothing counts against it in {self.year} yet. You can undo this (Ctrl+Z)."
        held = [plural(n, one, many) for n, one, many in ((self.bookings, "booking", "bookings"),
                                                          (self.activities, "activity", "activities")) if n]
        parts = []
        if held:
            parts.append(f"{' and '.join(held)} costing {format_money(self.money)} "
                         f"({format_money(self.bursary_expected)} bursary expected) "
                         f"{'counts' if self.bookings + self.activities == 1 else 'count'} against it")
        if self.claims:
            parts.append(f"{plural(self.claims, 'bursary claim is', 'bursary claims are')} credited to its code "
                         f"{self.budget_code}")
        said = "; ".join(parts)
        return (f"{said[:1].upper()}{said[1:]}. Deleting the line deletes none of them: they will count against "
                f"their department's line, or as Unallocated, until a line with the code {self.budget_code} is "
                f"added to {self.year} again. You can undo this (Ctrl+Z).")


def line_holds(session: Session, line: BudgetLine) -> LineHolds:
    """What counts against ``line`` in its year (the rule of ``services.budget``) and the claims of that year's
    bookings credited to its code."""
    school = session.get(School, line.school_id)
    assert school is not None
    fy = FinancialYear(line.financial_year, school.financial_year_start_month)
    items = [i for i in budget_items(session, school, fy) if i.line_id == line.id]
    claims = session.scalar(select(func.count()).select_from(BursaryClaim)
                            .join(Booking, Booking.id == BursaryClaim.booking_id)
                            .where(BursaryClaim.school_id == line.school_id,
                                   Booking.start_date.between(fy.start, fy.end),
                                   func.lower(func.trim(BursaryClaim.budget_code)) == line.budget_code.lower())) or 0
    return LineHolds(line.name, line.budget_code, fy_text(fy), line.version,
                     sum(1 for i in items if i.kind == "booking"), sum(1 for i in items if i.kind == "activity"),
                     int(claims), sum((i.total_cost for i in items), ZERO),
                     sum((i.bursary_expected for i in items), ZERO))


def what_a_change_moves(session: Session, line: BudgetLine, values: dict[str, Any]) -> str | None:
    """What changing a line's code (or moving it to another year) takes off it, in a person's words: the bookings
    of its year that carry its code and the bursary claims credited to it no longer find it by that code. None
    when the change moves nothing (or keeps the code and year)."""
    school = session.get(School, line.school_id)
    assert school is not None
    clean = clean_line_values({k: values[k] for k in ("budget_code", "financial_year") if k in values},
                              school.financial_year_start_month)
    code, year = clean.get("budget_code", line.budget_code), clean.get("financial_year", line.financial_year)
    if code.lower() == line.budget_code.lower() and year == line.financial_year:
        return None
    fy = FinancialYear(line.financial_year, school.financial_year_start_month)
    carries = func.lower(func.trim(Booking.budget_code)) == line.budget_code.lower()
    in_year = (Booking.school_id == line.school_id) & Booking.start_date.between(fy.start, fy.end)
    bookings = session.scalar(select(func.count()).select_from(Booking)
                              .where(in_year, carries, Booking.status != "cancelled")) or 0
    claims = session.scalar(select(func.count()).select_from(BursaryClaim)
                            .join(Booking, Booking.id == BursaryClaim.booking_id)
                            .where(in_year, func.lower(func.trim(BursaryClaim.budget_code)) == line.budget_code.lower()))
    if not bookings and not claims:
        return None
    held = " and ".join(p for p in (plural(bookings, "booking") if bookings else "",
                                    plural(claims or 0, "bursary claim") if claims else "") if p)
    change = (f"With the code changed to {code}" if year == line.financial_year
              else f"With the line moved to {fy_text(FinancialYear(year, school.financial_year_start_month))}")
    return (f"{held} of {fy_text(fy)} {'carries' if bookings + (claims or 0) == 1 else 'carry'} the code "
            f"{line.budget_code}. {change}, they no longer count against {line.name} by that code, but against "
            "their department's line or as Unallocated, until they are given a line's code again.")


def line_form(line: BudgetLine) -> dict[str, Any]:
    """A line's values as its form shows them (money as plain pounds and pence, blank for no head amount)."""
    return {"financial_year": line.financial_year, "budget_code": line.budget_code, "name": line.name,
            "department": line.department.name if line.department is not None else "",
            "amount": f"{line.amount:.2f}",
            **{key: "" if getattr(line, key) is None else f"{getattr(line, key):.2f}" for key in HEAD_FIELDS}}
