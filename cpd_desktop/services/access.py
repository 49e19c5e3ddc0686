"""Trust mode access: which PostgreSQL login may use which school (enforced by row-level security)."""

from __future__ import annotations

import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..errors import CpdError, ValidationError
from ..models import SchoolAccess
from .schools import choose_school

ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


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
    # The role name was checked against ROLE_RE above, so it is safe to place in the statements.
    session.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
    session.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'))
    session.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    session.execute(text(f'REVOKE INSERT, UPDATE, DELETE ON school_access, alembic_version FROM "{role}"'))
    session.flush()
    return school.name
