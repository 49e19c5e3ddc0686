"""Undo and redo in the core: a unit of work is recorded, undone and redone without Qt, and says which
kinds of records it changed; an undo over somebody else's later change is refused, not forced."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from cpd_desktop.errors import ConcurrentEditError
from cpd_desktop.models import AuditEntry, Staff
from cpd_desktop.models.base import Base
from cpd_desktop.services import staff as staff_service
from cpd_desktop.services import unit
from cpd_desktop.services.changes import KINDS, Changes


def _count(db: Any, model: type) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_kinds_of_records_are_the_database_tables() -> None:
    assert set(Base.metadata.tables) == KINDS


def test_a_unit_of_work_is_recorded_undone_and_redone(db: Any, school: Any) -> None:
    done = unit.do(db, lambda s: staff_service.add_staff(
        s, s.get(type(school), school.id), forename="Łukasz", surname="Zając", staff_code="LZA").id)
    assert isinstance(done.result, int)
    assert done.notice == Changes.of("staff", "audit_entry")
    assert [c.before for c in done.changes.created] == [None]

    assert unit.undo(db, done.changes) == done.notice
    with db.session() as s:
        assert s.get(Staff, done.result) is None
    assert unit.redo(db, done.changes) == done.notice
    with db.session() as s:
        person = s.get(Staff, done.result)  # back with the same id, so later changes still find it
        assert person is not None and person.full_name == "Łukasz Zając"


def test_an_edit_undone_puts_the_values_back_and_a_no_change_records_nothing(db: Any, school: Any) -> None:
    with db.session() as s:
        ident = staff_service.add_staff(s, s.get(type(school), school.id), forename="Nguyễn", surname="Thị Mai",
                                        staff_code="NTM", role="Teacher").id
    done = unit.do(db, lambda s: staff_service.update_staff(s, s.get(Staff, ident), role="Head of Maths"))
    assert done.notice.kinds == {"staff", "audit_entry"}
    unit.undo(db, done.changes)
    with db.session() as s:
        assert s.get(Staff, ident).role == "Teacher"

    nothing = unit.do(db, lambda s: s.get(Staff, ident).id)
    assert nothing.changes.is_empty() and not nothing.notice


def test_an_undo_over_somebody_elses_later_change_is_refused(db: Any, school: Any) -> None:
    done = unit.do(db, lambda s: staff_service.add_staff(
        s, s.get(type(school), school.id), forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD").id)
    with db.session() as s:  # somebody else edits the record afterwards
        staff_service.update_staff(s, s.get(Staff, done.result), role="Head of Biology")
    entries = _count(db, AuditEntry)
    with pytest.raises(ConcurrentEditError, match="changed since, so the change was not undone"):
        unit.undo(db, done.changes)
    with db.session() as s:
        assert s.get(Staff, done.result).role == "Head of Biology"  # their change stands
    assert _count(db, AuditEntry) == entries  # nothing at all was written

    with db.session() as s:  # deleted by somebody else: nothing to undo
        s.delete(s.get(Staff, done.result))
    with pytest.raises(ConcurrentEditError, match="has since been deleted"):
        unit.undo(db, done.changes)


def test_a_refused_action_leaves_nothing_and_raises_its_own_error(db: Any, school: Any) -> None:
    def action(s: Any) -> None:
        staff_service.add_staff(s, s.get(type(school), school.id), forename="A", surname="B", staff_code="ABB")
        raise ConcurrentEditError("Somebody else saved first.")

    with pytest.raises(ConcurrentEditError, match="Somebody else saved first"):
        unit.do(db, action)
    assert _count(db, Staff) == 0


def test_work_runs_in_a_thread_of_its_own_with_a_session_of_its_own(db: Any, school: Any) -> None:
    """As the window runs it: off its thread. The session is made, used and closed there."""
    out: list[unit.Done] = []
    worker = threading.Thread(target=lambda: out.append(unit.do(db, lambda s: staff_service.add_staff(
        s, s.get(type(school), school.id), forename="Tomasz", surname="Wiśniewski", staff_code="TWI").id)))
    worker.start()
    worker.join(30)
    assert out and _count(db, Staff) == 1
    undo = threading.Thread(target=lambda: unit.undo(db, out[0].changes))
    undo.start()
    undo.join(30)
    assert _count(db, Staff) == 0
