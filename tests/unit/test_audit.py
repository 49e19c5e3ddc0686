"""Every change to the school's record is written down: who, when, what, and the old and new values."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cpd_desktop.errors import ValidationError
from cpd_desktop.models import AuditEntry, School, Staff
from cpd_desktop.services.audit import entries
from cpd_desktop.services.bookings import create_booking, transition_booking, update_booking
from cpd_desktop.services.staff import add_staff, delete_staff, update_staff
from cpd_desktop.storage.database import Database


def _trail(session: Session, table: str, record_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.table_name == table,
                                                         AuditEntry.record_id == record_id)
                                .order_by(AuditEntry.id)))


@pytest.fixture
def teacher(session: Session, school: School) -> Staff:
    session.info["user"] = "hma"
    return add_staff(session, school, forename="Rebecca", surname="Thornton", staff_code="RTH", fte="1",
                     department="Science", start_date="01/09/2012")


def test_adding_a_person_is_written_down_with_their_values(session: Session, school: School,
                                                           teacher: Staff) -> None:
    [entry] = _trail(session, "staff", teacher.id)
    assert (entry.action, entry.user, entry.school_id) == ("create", "hma", school.id)
    assert entry.summary == "Added Staff RTH"
    values = json.loads(entry.changes or "{}")
    assert values["surname"] == "Thornton" and values["start_date"] == "2012-09-01" and values["fte"] == 1.0
    assert entry.at <= dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_a_change_records_the_old_and_new_value(session: Session, school: School, teacher: Staff) -> None:
    update_staff(session, teacher, fte="0.8", role="Teacher of Science")
    entry = _trail(session, "staff", teacher.id)[-1]
    assert entry.action == "update" and entry.user == "hma"
    assert json.loads(entry.changes or "{}") == {"fte": [1.0, 0.8], "role": [None, "Teacher of Science"]}
    assert entry.summary == "Changed Staff RTH: Role, FTE"  # the fields by the labels the app shows
    assert teacher.updated_by == "hma"


def test_money_and_status_changes_are_written_as_people_read_them(session: Session, school: School,
                                                                 teacher: Staff) -> None:
    booking = create_booking(session, school, teacher, title="ASE Annual Conference", start_date="05/01/2026",
                             hours="12", intended_outcomes="Pupils carry out the practical with less help")
    update_booking(session, booking, fee="£320.00")
    transition_booking(session, booking, "approved", on=dt.date(2025, 12, 1))
    changes = [json.loads(e.changes or "{}") for e in _trail(session, "booking", booking.id)[1:]]
    assert changes[0] == {"fee": ["0.00", "320.00"]}
    assert changes[1]["status"] == ["planned", "approved"]
    assert changes[1]["status_changed_on"][1] == "2025-12-01"


def test_saving_without_a_change_writes_nothing(session: Session, school: School, teacher: Staff) -> None:
    update_staff(session, teacher, surname="Thornton", fte="100%")
    assert [e.action for e in _trail(session, "staff", teacher.id)] == ["create"]


def test_deleting_is_written_down_with_what_was_deleted(session: Session, school: School) -> None:
    temp = add_staff(session, school, forename="Temp", surname="Supply", staff_code="TMP")
    delete_staff(session, temp)
    create, delete = _trail(session, "staff", temp.id)
    assert (create.action, delete.action) == ("create", "delete")
    assert json.loads(delete.changes or "{}")["staff_code"] == "TMP"


def test_a_refused_change_leaves_no_trace(db: Database, school: School) -> None:
    with pytest.raises(ValidationError), db.session() as s:
        s.add(school)
        add_staff(s, school, forename="Ann", surname="Lee", staff_code="ALE")
        add_staff(s, school, forename="Ann", surname="Lee", staff_code="ALE")  # refused: the code is taken
    with db.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.table_name == "staff")).all() == []


def test_the_trail_of_a_school_reads_newest_first(db: Database, school: School) -> None:
    with db.session() as s:
        s.add(school)
        person = add_staff(s, school, forename="Ann", surname="Lee", staff_code="ALE")
    with db.session() as s:
        update_staff(s, s.get(Staff, person.id), fte="0.5")  # type: ignore[arg-type]
    with db.session() as s:
        trail = entries(s, school.id)
        assert [e.action for e in trail[:2]] == ["update", "create"]
        assert trail[0].table_name == "staff" and trail[-1].table_name == "school"
        assert entries(s, school.id, limit=1) == trail[:1]


def test_records_without_a_name_are_named_as_a_person_would(session: Session, school: School,
                                                            teacher: Staff) -> None:
    """The trail says which evaluation stage, claim and objective was changed (the activity and whose it is,
    the course, the objective's words), never "evaluation_stage #851"; its lines name the activity and the
    stage in words too."""
    from cpd_desktop.services import bursaries, impact
    from cpd_desktop.services.activities import add_activity
    from cpd_desktop.services.audit import TABLE_LABELS, entry_changes
    from cpd_desktop.services.objectives import set_objective
    from cpd_desktop.services.years import AcademicYear

    activity = add_activity(session, school, teacher, date="01/10/2025", hours="6", title="Practical physics")
    impact.record_stage(session, school, activity, "end", done_on=dt.date(2025, 10, 10), learnt="Fewer repeats")
    booking = create_booking(session, school, teacher, title="ASE Annual Conference", start_date="05/01/2026",
                             hours="12", intended_outcomes="Pupils carry out the practical with less help")
    scheme = bursaries.add_scheme(session, school, name="Conference fund", funder="ASE", rule="per_course",
                                  amount="100.00", min_days=0, claim_deadline_days=30)
    bursaries.create_claim(session, booking, scheme)
    set_objective(session, school, teacher.id, AcademicYear(2025), "Plan required practicals with the technicians")
    summaries = [e.summary for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "Added Evaluation stage End of “Practical physics” (Rebecca Thornton)" in summaries
    assert "Changed Evaluation stage End of “Practical physics” (Rebecca Thornton): Date done, What was learnt" \
        in summaries
    assert "Added Bursary claim for “ASE Annual Conference” (Rebecca Thornton)" in summaries
    assert ("Added Development objective of Rebecca Thornton: “Plan required practicals with the technicians”"
            in summaries)
    assert not [s for s in summaries if "#" in s or "_" in s]
    assert TABLE_LABELS["evaluation_stage"] == "Evaluation stage"
    added = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "evaluation_stage",
                                                     AuditEntry.action == "create")).first()
    assert added is not None
    lines = entry_changes(session, added.id)
    assert "CPD activity: Practical physics (Rebecca Thornton)" in lines and "Stage: End" in lines
