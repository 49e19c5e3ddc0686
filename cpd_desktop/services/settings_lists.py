"""The school's own lists in Settings: renaming and deleting departments, providers, bursary schemes
and a year's term dates.

Each delete takes the ``expected_version`` the person saw: if somebody else changed the record
since, it is refused (``ConcurrentEditError``) rather than deleting what they never saw.

A name stays unique within the school (whatever its capitals). Nothing in use is deleted: a
department with staff, a provider named on CPD, bookings or courses, a scheme with claims or
courses is refused with a message saying what uses it and what to do instead, because deleting it
would quietly blank those records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import CpdError, ValidationError
from ..models import (
    Activity,
    Booking,
    BursaryClaim,
    BursaryScheme,
    Course,
    Department,
    Provider,
    Staff,
    TermDates,
)
from . import validation as v
from .bursaries import clean_scheme_values
from .concurrency import check_version


def _count(session: Session, stmt: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def rename_department(session: Session, department: Department, name: Any, *,
                      expected_version: int | None = None) -> Department:
    check_version(department, expected_version)
    clean = v.required_text(name, "Department", max_len=100)
    taken = session.scalar(select(Department.id).where(Department.school_id == department.school_id,
                                                       func.lower(Department.name) == clean.lower(),
                                                       Department.id != department.id))
    if taken is not None:
        raise ValidationError("Department", f"There is already a department called {clean}.",
                              hint="Choose another name; to merge two departments, move their staff across.")
    department.name = clean
    session.flush()
    return department


def delete_department(session: Session, department: Department, *, expected_version: int | None = None) -> None:
    check_version(department, expected_version, action="delete")
    staff = _count(session, select(Staff.id).where(Staff.department_id == department.id))
    if staff:
        raise CpdError(f"The {department.name} department has {_plural(staff, 'member', 'members')} of staff, "
                       "so it was not deleted.",
                       hint="Move them to another department first (Staff → Edit…), then delete it.")
    session.delete(department)
    session.flush()


def rename_provider(session: Session, provider: Provider, name: Any, *,
                    expected_version: int | None = None) -> Provider:
    check_version(provider, expected_version)
    clean = v.required_text(name, "Provider", max_len=200)
    taken = session.scalar(select(Provider.id).where(Provider.school_id == provider.school_id,
                                                     func.lower(Provider.name) == clean.lower(),
                                                     Provider.id != provider.id))
    if taken is not None:
        raise ValidationError("Provider", f"There is already a provider called {clean}.",
                              hint="Choose another name.")
    provider.name = clean
    session.flush()
    return provider


def provider_uses(session: Session, provider: Provider) -> dict[str, int]:
    return {
        "activities": _count(session, select(Activity.id).where(Activity.provider_id == provider.id)),
        "bookings": _count(session, select(Booking.id).where(Booking.provider_id == provider.id)),
        "courses": _count(session, select(Course.id).where(Course.provider_id == provider.id)),
    }


def delete_provider(session: Session, provider: Provider, *, expected_version: int | None = None) -> None:
    check_version(provider, expected_version, action="delete")
    uses = {k: n for k, n in provider_uses(session, provider).items() if n}
    if uses:
        what = ", ".join(_plural(n, k[:-1] if k != "activities" else "activity", k) for k, n in uses.items())
        raise CpdError(f"{provider.name} is named on {what}, so it was not deleted.",
                       hint="Rename it instead, or change those records to another provider first.")
    session.delete(provider)
    session.flush()


def update_scheme(session: Session, scheme: BursaryScheme, *, expected_version: int | None = None,
                  **values: Any) -> BursaryScheme:
    """Change a scheme's rules. Claims already raised keep the amount they expected."""
    check_version(scheme, expected_version)
    clean = clean_scheme_values(values)
    if "name" in clean:
        taken = session.scalar(select(BursaryScheme.id).where(
            BursaryScheme.school_id == scheme.school_id, func.lower(BursaryScheme.name) == clean["name"].lower(),
            BursaryScheme.id != scheme.id))
        if taken is not None:
            raise ValidationError("Name", f"A scheme called {clean['name']} already exists.")
    for key, value in clean.items():
        setattr(scheme, key, value)
    session.flush()
    return scheme


def delete_scheme(session: Session, scheme: BursaryScheme, *, expected_version: int | None = None) -> None:
    check_version(scheme, expected_version, action="delete")
    claims = _count(session, select(BursaryClaim.id).where(BursaryClaim.scheme_id == scheme.id))
    courses = _count(session, select(Course.id).where(Course.bursary_scheme_id == scheme.id))
    if claims or courses:
        what = " and ".join(x for x in (_plural(claims, "claim", "claims") if claims else "",
                                        _plural(courses, "course", "courses") if courses else "") if x)
        raise CpdError(f"{scheme.name} has {what} under it, so it was not deleted.",
                       hint="Untick “Open” to stop new claims instead (Edit…); its claims keep their history.")
    session.delete(scheme)
    session.flush()


def delete_term_dates(session: Session, school_id: int, academic_year: int, *,
                      expected_versions: dict[str, int] | None = None) -> int:
    """Forget a year's own term dates (the usual dates apply again); returns how many terms went.

    ``expected_versions`` (``schools.term_date_versions`` when they were shown) refuses, forgetting
    nothing, if anybody else changed, set or forgot that year's dates since."""
    from .schools import check_term_versions

    rows = list(session.scalars(select(TermDates).where(TermDates.school_id == school_id,
                                                        TermDates.academic_year == academic_year)))
    check_term_versions(session, school_id, academic_year, rows, expected_versions)
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
