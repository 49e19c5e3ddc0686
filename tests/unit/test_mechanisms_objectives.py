"""The EEF mechanisms of a course or programme and the planner's warning for a programme that leaves a group
out; people's development objectives (one or two lines a year, serving a priority or none)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from cpd_desktop.errors import ValidationError
from cpd_desktop.models import School
from cpd_desktop.models.impact import ALL_MECHANISMS, MECHANISMS
from cpd_desktop.services import impact, mechanisms, objectives
from cpd_desktop.services.bookings import create_booking
from cpd_desktop.services.catalogue import add_course
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import AcademicYear

YEAR = AcademicYear(2025)


def test_the_checklist_has_the_eefs_fourteen_mechanisms_in_four_groups() -> None:
    assert len(MECHANISMS) == 14 and ALL_MECHANISMS == 2 ** 14 - 1
    assert [sum(1 for _k, _n, g in MECHANISMS if g == group) for group in mechanisms.MECHANISM_GROUPS] == [2, 3, 5, 4]
    bits = mechanisms.to_bits(["revisit", "goals", "rehearse"])
    assert mechanisms.keys_of(bits) == ["revisit", "goals", "rehearse"]
    assert mechanisms.missing_groups(bits) == ["embed"]
    assert mechanisms.missing_groups(ALL_MECHANISMS) == []
    with pytest.raises(ValidationError, match="not one of the EEF's mechanisms"):
        mechanisms.to_bits(["telepathy"])


def test_the_missing_groups_are_said_in_plain_words() -> None:
    assert mechanisms.missing_sentence(mechanisms.to_bits(["revisit", "goals", "rehearse"])) == (
        "This programme has nothing to embed practice: for example prompts and cues, action planning, "
        "self-monitoring or context-specific repetition. Effective professional development uses at least one "
        "mechanism from each of the EEF's four groups.")
    assert mechanisms.missing_sentence(mechanisms.to_bits(["goals", "rehearse"])).startswith(
        "This programme has nothing to build knowledge or to embed practice: for example manage cognitive load "
        "or revisit prior learning.")
    assert mechanisms.missing_sentence(0).startswith("This programme has no EEF mechanisms ticked yet")
    assert mechanisms.missing_sentence(ALL_MECHANISMS) is None
    assert mechanisms.groups_said(mechanisms.to_bits(["revisit", "goals", "rehearse"])) == \
        "3 of 4 (nothing to embed practice)"


def test_a_booking_in_a_programme_is_warned_of_the_groups_its_programme_and_courses_leave_out(
        session: Any, school: School) -> None:
    who = add_staff(session, school, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD", fte=1.0)
    course = add_course(session, school, title="Teaching electricity", hours=Decimal("6"), fee=Decimal("120"))
    pid = mechanisms.save_programme(session, school, None, name="Subject Knowledge for Physics Teaching",
                                    start_date=dt.date(2025, 10, 1), end_date=dt.date(2026, 3, 31),
                                    mechanisms=mechanisms.to_bits(["revisit", "goals", "rehearse"]))
    booking = create_booking(session, school, who, course=course, start_date=dt.date(2025, 12, 8),
                             end_date=dt.date(2025, 12, 8), intended_outcomes="Year 9 explain circuits with a model")
    assert mechanisms.booking_warning(session, school, booking.id) is None  # not in a programme
    booking.programme_id = pid
    session.flush()
    gap = mechanisms.booking_warning(session, school, booking.id)
    assert gap is not None and gap.missing == ["embed"]
    assert gap.sentence.startswith("This programme (“Subject Knowledge for Physics Teaching”) has nothing to embed "
                                   "practice")
    # The course booked in it plans action planning: the programme now has every group.
    mechanisms.set_course_mechanisms(session, school, course.id, mechanisms.to_bits(["action_planning"]))
    assert mechanisms.booking_warning(session, school, booking.id) is None
    assert mechanisms.programme_bits(session, school, pid) == mechanisms.to_bits(
        ["revisit", "goals", "rehearse", "action_planning"])
    with pytest.raises(ValidationError, match="not a set"):
        mechanisms.set_course_mechanisms(session, school, course.id, ALL_MECHANISMS + 1)


def test_a_programme_needs_a_unique_name_and_an_end_after_its_start(session: Any, school: School) -> None:
    mechanisms.save_programme(session, school, None, name="NPQ", start_date=None, end_date=None, mechanisms=0)
    with pytest.raises(ValidationError, match="already a programme called “NPQ”"):
        mechanisms.save_programme(session, school, None, name=" NPQ ", start_date=None, end_date=None, mechanisms=0)
    with pytest.raises(ValidationError, match="before the planned start") as refused:
        mechanisms.save_programme(session, school, None, name="Lesson study", start_date=dt.date(2026, 1, 5),
                                  end_date=dt.date(2025, 12, 1), mechanisms=0)
    assert refused.value.field == "Planned end"


def test_a_persons_objective_is_one_or_two_lines_a_year_and_may_serve_a_priority(
        session: Any, school: School) -> None:
    who = add_staff(session, school, forename="Nguyễn", surname="Thị Mai", staff_code="NTM", fte=1.0)
    practical = impact.priority_id(session, school, YEAR, "Practical skills at KS4")
    older = impact.priority_id(session, school, AcademicYear(2024), "Literacy")
    assert objectives.objective_of(session, school, who.id, YEAR) is None
    objectives.set_objective(session, school, who.id, YEAR, "  Model each required practical\n\n first.  ",
                             practical)
    found = objectives.objective_of(session, school, who.id, YEAR)
    assert found is not None and (found.text, found.priority_id) == ("Model each required practical\nfirst.",
                                                                     practical)
    assert objectives.objective_of(session, school, who.id, AcademicYear(2026)) is None  # one per year
    assert objectives.objectives_by_priority(session, school, YEAR) == {"Practical skills at KS4": 1}
    with pytest.raises(ValidationError, match="one or two lines \\(it has 3\\)"):
        objectives.set_objective(session, school, who.id, YEAR, "One\nTwo\nThree")
    with pytest.raises(ValidationError, match="300 characters"):
        objectives.set_objective(session, school, who.id, YEAR, "x" * 301)
    with pytest.raises(ValidationError, match="not one of 2025/26's"):
        objectives.set_objective(session, school, who.id, YEAR, "Literacy", older)
    assert objectives.priority_choices(session, school, YEAR) == [(practical, "Practical skills at KS4")]
    # Saved again: changed in place; emptied: removed.
    objectives.set_objective(session, school, who.id, YEAR, "Use the rope model in Year 9")
    found = objectives.objective_of(session, school, who.id, YEAR)
    assert found is not None and (found.text, found.priority_id) == ("Use the rope model in Year 9", None)
    assert objectives.set_objective(session, school, who.id, YEAR, "   ") is None
    assert objectives.objective_of(session, school, who.id, YEAR) is None


def test_a_programme_changed_by_somebody_else_since_it_was_opened_is_not_overwritten(
        session: Any, school: School) -> None:
    from cpd_desktop.errors import ConcurrentEditError

    pid = mechanisms.save_programme(session, school, None, name="NPQ", start_date=None, end_date=None, mechanisms=0)
    opened = mechanisms.programme_details(session, school, pid)
    assert opened is not None
    mechanisms.save_programme(session, school, pid, name="NPQ for Leading Teaching", start_date=None, end_date=None,
                              mechanisms=1, expected_version=opened.version)
    with pytest.raises(ConcurrentEditError, match="since you opened it"):
        mechanisms.save_programme(session, school, pid, name="NPQ", start_date=None, end_date=None, mechanisms=2,
                                  expected_version=opened.version)


def test_the_audit_trail_names_the_mechanisms_ticked_rather_than_their_stored_number() -> None:
    from cpd_desktop.services import audit

    assert audit.field_label("mechanisms") == "EEF mechanisms"
    assert audit.describe_changes("programme", "update", {"mechanisms": [0, mechanisms.to_bits(
        ["revisit", "prompts"])]}) == ["EEF mechanisms: none → Revisit prior learning, Prompts and cues"]
