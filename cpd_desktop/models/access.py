"""Which PostgreSQL login may see which school, for a trust's row-level security."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class SchoolAccess(Base):
    """A database role (a school's login on the trust server) allowed to read and write one school.

    Row-level security policies (migration 0002, PostgreSQL only) show a role only the rows of
    the schools listed here for it. The trust's own account owns the tables and sees everything.
    """

    __tablename__ = "school_access"

    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)
