"""Attack: delete any record that other records hang on, then press Ctrl+Z. The database's own
``ON DELETE CASCADE`` and ``SET NULL`` used to act unseen by the undo, so an undo brought the record back
alone: an activity without its evaluation stages, a person without their timetable, an objective no longer
linked to the CPD that served it, a programme its courses had let go of. For every kind of record that
others point at, on the demo school: the undo puts the whole database back as it was (bookkeeping columns
and the audit trail aside), and the redo takes it all away again."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from cpd_desktop.errors import CpdError
from cpd_desktop.models import (
    Activity,
    Base,
    Booking,
    BursaryScheme,
    Course,
    CoverLesson,
    Objective,
    School,
    Staff,
    TimetableLesson,
)
from cpd_desktop.models.audit import AuditEntry, ImportBatch
from cpd_desktop.services import unit
from cpd_desktop.services.database import open_database
from cpd_desktop.services.demo import build_demo
from cpd_desktop.services.recorder import SKIP, column_values, dependants
from cpd_desktop.storage.database import Database

TODAY = dt.date(2025, 11, 20)
LEFT_ALONE = {School, AuditEntry, ImportBatch}  # a school goes whole (delete_school); the trail is append-only
KINDS = sorted((m.class_ for m in Base.registry.mappers
                if m.class_ not in LEFT_ALONE and dependants(m.class_)), key=lambda c: c.__name__)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cascade") / "demo.sqlite"
    db = open_database(path, create=True)
    try:
        with db.session() as s:
            build_demo(s, today=TODAY)
    finally:
        db.dispose()
    return path


@pytest.fixture
def db(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    database = open_database(path)
    try:
        yield database
    finally:
        database.dispose()


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit trail, without the bookkeeping columns."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.session() as s:
        for table in Base.metadata.sorted_tables:
            if table.name == AuditEntry.__tablename__:
                continue
            columns = [c for c in table.columns if c.name not in SKIP]
            rows = s.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def records_with_dependants(db: Database, model: type[Base]) -> list[int]:
    """The ids of ``model`` records that other records hang on, those with the most first."""
    counted: list[tuple[int, int]] = []
    with db.session() as s:
        for ident in s.scalars(select(model.id)).all():  # type: ignore[attr-defined]
            count = sum(s.scalar(select(func.count()).select_from(cls).where(getattr(cls, attr) == ident)) or 0
                        for cls, attr, _how in dependants(model))
            if count:
                counted.append((-count, ident))
    return [ident for _count, ident in sorted(counted)]


def link_an_objective(db: Database) -> None:
    """The demo's objectives serve no CPD yet: let one person's latest activity and booking serve theirs."""
    with db.session() as s:
        objective = s.scalars(select(Objective).order_by(Objective.id)).first()
        assert objective is not None, "the demo has personal objectives"
        for model in (Activity, Booking):
            record = s.scalars(select(model).where(model.staff_id == objective.staff_id)
                               .order_by(model.id.desc())).first()
            if record is not None:
                record.objective_id = objective.id


def a_copy_holding_only_what_cascades(db: Database, model: type[Base]) -> None:
    """The demo's schemes and people with dependants are all held by a claim, CPD or a booking, which the
    database keeps them for: add one whose dependants all cascade (a scheme a course names; a person with
    a timetable lesson and a development objective), copied from the first of its kind."""
    with db.session() as s:
        first = s.scalars(select(model).order_by(model.id)).first()  # type: ignore[attr-defined]
        values = {k: v for k, v in column_values(first).items() if k != "id"}
        if model is BursaryScheme:
            values["name"] = "Copied scheme"
        else:
            values.update(staff_code="COPY", email="copy@school.example", forename="Copy", surname="Person")
        copy = model(**values)
        s.add(copy)
        s.flush()
        if model is BursaryScheme:
            course = s.scalars(select(Course).order_by(Course.id)).first()
            assert course is not None
            course.bursary_scheme_id = copy.id  # type: ignore[attr-defined]
        else:
            covered = select(CoverLesson.timetable_lesson_id).where(CoverLesson.timetable_lesson_id.is_not(None))
            lesson = s.scalars(select(TimetableLesson).where(TimetableLesson.staff_id == first.id,  # type: ignore[attr-defined]
                                                             TimetableLesson.id.not_in(covered))).first()
            objective = s.scalars(select(Objective).order_by(Objective.id)).first()
            assert lesson is not None and objective is not None
            lesson.staff_id = objective.staff_id = copy.id  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", KINDS, ids=lambda m: m.__name__)
def test_undo_of_a_delete_puts_back_everything_it_took_or_unlinked(db: Database, model: type[Base]) -> None:
    if model is Objective:
        link_an_objective(db)
    if model in (BursaryScheme, Staff):
        a_copy_holding_only_what_cascades(db, model)
    before = snapshot(db)
    done = None
    for ident in records_with_dependants(db, model):
        def delete(s: Any, ident: int = ident) -> None:
            s.delete(s.get(model, ident))
            s.flush()

        try:
            done = unit.do(db, delete)
        except CpdError:  # something the database keeps it for (a claim on a booking…): not deleted at all
            assert snapshot(db) == before
            continue
        break
    assert done is not None, f"no {model.__name__} that others hang on could be deleted"
    after = snapshot(db)
    assert after != before
    with db.session() as s:  # the database agrees: nothing it would have cascaded is left pointing at nothing
        assert s.execute(text("PRAGMA foreign_key_check")).all() == []
    unit.undo(db, done.changes)
    assert snapshot(db) == before
    unit.redo(db, done.changes)
    assert snapshot(db) == after
