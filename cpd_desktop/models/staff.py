"""Staff members of a school."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    event,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..sorting import fold_name
from .base import Base, Versioned

if TYPE_CHECKING:
    from .school import Department, School


SORT_NAME_MAX = 210


def sort_name(surname: str | None, forename: str | None) -> str:
    """The key every list and report sorts people by: surname then forename, as people read them.

    Stored with each person (``Staff.sort_name``) so that SQL sorts, on SQLite and PostgreSQL alike,
    put Ó Dálaigh beside Okafor rather than after Wilkinson. The separator sorts before any letter.
    """
    return f"{fold_name(surname or '')}\x1f{fold_name(forename or '')}"[:SORT_NAME_MAX]


# Roles outside the teachers' CPD target unless the school says otherwise (support staff have their own
# development, but the 35 hours a year is a teachers' goal).
_SUPPORT_ROLE = re.compile(
    r"technician|teaching assistant|\bta\b|\bhlta\b|learning support|cover supervisor|administrat|\badmin\b|"
    r"business manager|bursar|librarian|receptionist|exams? officer|site manager|caretaker|finance|clerk|"
    r"support staff|office manager|data manager|\bpa\b|personal assistant", re.IGNORECASE)


def in_target_by_role(role: str | None) -> bool:
    """Whether someone with ``role`` counts in the teachers' CPD target by default (support roles do not)."""
    return not (role and _SUPPORT_ROLE.search(role))


class Staff(Versioned, Base):
    __tablename__ = "staff"
    __table_args__ = (
        UniqueConstraint("school_id", "staff_code"),
        CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        CheckConstraint("ect_year IS NULL OR ect_year IN (1, 2)", name="ect_year"),
        CheckConstraint("leaving_date IS NULL OR start_date IS NULL OR leaving_date >= start_date",
                        name="leaving_after_start"),
        CheckConstraint("length(trim(forename)) > 0 AND length(trim(surname)) > 0", name="name_present"),
        CheckConstraint("length(trim(staff_code)) > 0", name="code_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    forename: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    staff_code: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(120))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"), index=True)
    fte: Mapped[float] = mapped_column(Numeric(4, 3, asdecimal=False), default=1.0)
    ect_year: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    leaving_date: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(String(4000))
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    # Counted in the teachers' CPD target (pro rata by FTE); support staff are not, by default.
    in_target: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # How the name sorts (see sort_name); kept up to date on every save of the name.
    sort_name: Mapped[str] = mapped_column(String(SORT_NAME_MAX), default="", server_default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    school: Mapped[School] = relationship(back_populates="staff")
    department: Mapped[Department | None] = relationship(back_populates="staff")

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"

    def __repr__(self) -> str:
        return f"Staff({self.staff_code!r}, {self.full_name!r})"


@event.listens_for(Staff, "before_insert")
@event.listens_for(Staff, "before_update")
def _keep_sort_name(_mapper: Any, _connection: Any, staff: Staff) -> None:
    staff.sort_name = sort_name(staff.surname, staff.forename)
