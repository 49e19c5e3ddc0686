"""Trust mode access: which PostgreSQL login may use which school (enforced by row-level security).

A school's login gets only the rights the app needs: ``integrity.apply_school_rights`` says which,
and what remains possible.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..errors import CpdError, ValidationError
from ..integrity import ROLE_RE, apply_school_rights, refresh_school_rights
from ..models import SchoolAccess
from .schools import choose_school

__all__ = ["ROLE_RE", "apply_school_rights", "grant_school", "refresh_school_rights"]


def grant_school(session: Session, role: str, school_name: str) -> str:
    """Let ``role`` read and write ``school_name`` only; returns the school's name."""
    if session.get_bind().dialect.name != "postgresql":
        raise CpdError("Access by school applies to a trust's PostgreSQL database; a school's own file has one user.")
    if not ROLE_RE.match(role):
        raise ValidationError("--role", f"'{role}' is not a PostgreSQL role name CPD Desktop accepts.",
                              hint="Use lower-case letters, digits and underscores, e.g. ashcombe_cpd.")
    exists = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        raise CpdError(f"There is no PostgreSQL role called {role}.",
                       hint=f"Create it first: CREATE ROLE {role} LOGIN PASSWORD '…';")
    school = choose_school(session, school_name)
    if session.scalar(select(SchoolAccess).where(SchoolAccess.role_name == role,
                                                 SchoolAccess.school_id == school.id)) is None:
        session.add(SchoolAccess(role_name=role, school_id=school.id))
    session.flush()
    apply_school_rights(session, role)
    return school.name
