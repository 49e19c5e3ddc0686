"""Staff: add, change and list the people whose CPD the school records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFoundError, ValidationError
from ..models import Activity, School, Staff
from ..models.staff import in_target_by_role
from . import validation as v
from .concurrency import check_version
from .schools import get_or_create_department

STAFF_FIELDS = ("forename", "surname", "staff_code", "email", "role", "department", "fte", "ect_year",
                "start_date", "leaving_date", "notes", "in_target")


def clean_staff_values(values: dict[str, Any]) -> dict[str, Any]:
    """Validate a staff member's fields (those present); returns typed values. Department stays a name."""
    out: dict[str, Any] = {}
    if "forename" in values:
        out["forename"] = v.required_text(values["forename"], "Forename", max_len=v.NAME_MAX)
    if "surname" in values:
        out["surname"] = v.required_text(values["surname"], "Surname", max_len=v.NAME_MAX)
    if "staff_code" in values:
        out["staff_code"] = v.parse_staff_code(values["staff_code"])
    if "email" in values:
        out["email"] = v.parse_email(values["email"])
    if "role" in values:
        out["role"] = v.clean_text(values["role"], "Role", max_len=120)
    if "department" in values:
        out["department"] = v.clean_text(values["department"], "Department", max_len=100)
    if "fte" in values:
        out["fte"] = v.parse_fte(values["fte"])
    if "ect_year" in values:
        out["ect_year"] = v.parse_ect_year(values["ect_year"])
    if "start_date" in values:
        out["start_date"] = v.parse_date(values["start_date"], "Start date", required=False)
    if "leaving_date" in values:
        out["leaving_date"] = v.parse_date(values["leaving_date"], "Leaving date", required=False)
    if "in_target" in values and values["in_target"] is not None:
        out["in_target"] = v.parse_bool(values["in_target"], "Counts in the teachers' CPD target")
    if "notes" in values:
        out["notes"] = v.clean_text(values["notes"], "Notes", max_len=v.NOTE_MAX, multiline=True)
    if out.get("start_date") and out.get("leaving_date"):
        v.check_date_order(out["start_date"], out["leaving_date"], field="Leaving date")
    return out


def _check_code_free(session: Session, school: School, code: str, exclude_id: int | None = None) -> None:
    stmt = select(Staff.id).where(Staff.school_id == school.id, func.upper(Staff.staff_code) == code.upper())
    if exclude_id is not None:
        stmt = stmt.where(Staff.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise ValidationError("Staff code", f"{code} is already used by another member of staff.",
                              hint="Give each person their own code.")


def add_staff(session: Session, school: School, **values: Any) -> Staff:
    for required in ("forename", "surname", "staff_code"):
        values.setdefault(required, None)
    clean = clean_staff_values(values)
    clean.setdefault("in_target", in_target_by_role(clean.get("role")))  # support staff are outside it
    _check_code_free(session, school, clean["staff_code"])
    dept = get_or_create_department(session, school, clean.pop("department", None))
    staff = Staff(school_id=school.id, department_id=dept.id if dept else None, **clean)
    session.add(staff)
    session.flush()
    return staff


def update_staff(session: Session, staff: Staff, *, expected_version: int | None = None, **values: Any) -> Staff:
    check_version(staff, expected_version)
    clean = clean_staff_values(values)
    if "staff_code" in clean:
        _check_code_free(session, staff.school, clean["staff_code"], exclude_id=staff.id)
    if "department" in clean:
        dept = get_or_create_department(session, staff.school, clean.pop("department"))
        staff.department_id = dept.id if dept else None
    start = clean.get("start_date", staff.start_date)
    leave = clean.get("leaving_date", staff.leaving_date)
    if start and leave:
        v.check_date_order(start, leave, field="Leaving date")
    for key, value in clean.items():
        setattr(staff, key, value)
    session.flush()
    return staff


def get_staff(session: Session, school: School, code: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.school_id == school.id,
                                               func.upper(Staff.staff_code) == code.strip().upper()))
    if staff is None:
        raise NotFoundError(f"No member of staff has the code {code}.", hint="Check the staff code.")
    return staff


def delete_staff(session: Session, staff: Staff, *, expected_version: int | None = None) -> None:
    """Delete a person with no CPD or bookings; with ``expected_version``, refused if somebody changed them since."""
    from ..models import Activity, Booking, Objective, TimetableLesson

    check_version(staff, expected_version, action="delete")
    used = session.scalar(select(func.count()).select_from(Activity).where(Activity.staff_id == staff.id)) or 0
    used += session.scalar(select(func.count()).select_from(Booking).where(Booking.staff_id == staff.id)) or 0
    if used:
        raise ValidationError("Staff", f"{staff.full_name} has {used} CPD records and bookings, so cannot be deleted.",
                              hint="Set a leaving date instead, or anonymise them when their records are due for review.")
    # Their timetable and objectives go as records the undo sees, not by the database's cascade, so an undo
    # brings the person back with them.
    for model in (TimetableLesson, Objective):
        for held in session.scalars(select(model).where(model.staff_id == staff.id)):
            session.delete(held)
    session.flush()
    session.delete(staff)
    session.flush()


def latest_npq(session: Session, staff_id: int) -> Activity | None:
    """The person's most recent National Professional Qualification activity (None: none recorded)."""
    return session.scalars(select(Activity).where(Activity.staff_id == staff_id, Activity.format == "npq")
                           .order_by(Activity.date.desc()).limit(1)).first()


def settled_staff(session: Session, school_id: int) -> list[Staff]:
    """The school's staff neither in their early career induction nor with a leaving date, by surname."""
    return list(session.scalars(select(Staff).where(Staff.school_id == school_id, Staff.ect_year.is_(None),
                                                    Staff.leaving_date.is_(None)).order_by(Staff.surname)))
