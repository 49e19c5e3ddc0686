"""One activity for many people, and the check for an activity already held (services.record)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cpd_desktop.errors import CpdError, NotFoundError
from cpd_desktop.models import Activity, AuditEntry, School, Staff
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.record import (
    choose_staff,
    find_duplicate,
    plan_record,
    record_for_many,
    similar_titles,
)
from cpd_desktop.services.staff import add_staff

DAY = dt.date(2027, 1, 3)


@pytest.fixture
def people(session, school: School) -> dict[str, Staff]:
    rows = [("Ada", "Okafor", "AOK", "Science", "Teacher of Physics", None, None),
            ("Łukasz", "Zając", "LZA", "Science", "Teacher of Chemistry", None, None),
            ("Siobhán", "Ó Dálaigh", "SOD", "Science", "Head of Biology", None, None),
            ("Hannah", "Doyle", "HDO", "Science", "Science Technician", None, None),
            ("Kwame", "Mensah", "KME", "Science", "Teacher of Physics", dt.date(2027, 4, 1), None),
            ("Sophie", "Clarke", "SCL", "Science", "Teacher of Science", None, dt.date(2026, 12, 31)),
            ("Gwen", "Price", "GPR", "English", "Teacher of English", None, None)]
    out = {}
    for forename, surname, code, dept, role, start, leaving in rows:
        out[code] = add_staff(session, school, forename=forename, surname=surname, staff_code=code,
                              department=dept, role=role, start_date=start, leaving_date=leaving)
    return out


def _count(session, school: School) -> int:
    return int(session.scalar(select(func.count()).select_from(Activity).where(Activity.school_id == school.id)))


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Practical physics", "practical PHYSICS", True),
    ("Practical physics", "Practical physics!", True),
    ("Résumé writing", "resume writing", True),
    ("INSET day", "INSET day: assessment for learning", True),  # one contains the other
    ("Practical physics", "Practical phisics", True),  # a typo
    ("Safeguarding update", "Practical physics", False),
    ("Art", "Particle physics", False),  # letters inside a word are not a contained title
    ("Waves and optics", "Twilight", False),
])
def test_similar_titles(a: str, b: str, same: bool) -> None:
    assert similar_titles(a, b) is same
    assert similar_titles(b, a) is same


def test_a_department_leaves_out_who_is_not_employed_on_the_day_with_the_reason(session, school, people) -> None:
    chosen, unknown = choose_staff(session, school, department="science")
    assert unknown == [] and {p.staff_code for p in chosen} == {"AOK", "LZA", "SOD", "HDO", "KME", "SCL"}
    plan = plan_record(session, school, chosen, date="03/01/2027", hours="6", title="INSET: assessment",
                       format="INSET", std_collaboration=True)
    assert sorted(c[1] for c in plan.chosen) == ["AOK", "HDO", "LZA", "SOD"]
    reasons = {x.code: x.reason for x in plan.left_out}
    assert reasons == {"KME": "not employed on 03/01/2027 (starts on 01/04/2027)",
                       "SCL": "not employed on 03/01/2027 (left on 31/12/2026)"}
    before = _count(session, school)
    result = record_for_many(session, school, plan)
    assert result.summary() == "Added for 4 people; 2 left out: not employed on 03/01/2027."
    written = session.scalars(select(Activity).where(Activity.id.in_(result.activity_ids))).all()
    assert _count(session, school) == before + 4
    assert {a.format for a in written} == {"inset"} and {a.hours for a in written} == {Decimal("6.00")}
    assert all(a.std_collaboration and not a.std_evidence for a in written)
    assert {a.date for a in written} == {DAY}
    # one audit entry per record written
    entries = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "activity",
                                                       AuditEntry.action == "create",
                                                       AuditEntry.record_id.in_(result.activity_ids))).all()
    assert sorted(e.record_id for e in entries) == sorted(result.activity_ids)


def test_all_teachers_means_those_in_the_target_not_support_staff(session, school, people) -> None:
    chosen, _ = choose_staff(session, school, all_teachers=True)
    codes = {p.staff_code for p in chosen}
    assert "HDO" not in codes and {"AOK", "GPR", "LZA"} <= codes


def test_unknown_codes_or_people_not_employed_refuse_everything_without_skip(session, school, people) -> None:
    chosen, unknown = choose_staff(session, school, codes=["aok", "NOPE", "KME"])
    assert unknown == ["NOPE"]
    plan = plan_record(session, school, chosen, unknown_codes=unknown, date=DAY, hours="2", title="Twilight")
    before = _count(session, school)
    with pytest.raises(CpdError) as err:
        record_for_many(session, school, plan, skip_invalid=False)
    assert "NOPE" in str(err.value) and "Kwame Mensah (KME)" in str(err.value) and "nothing was recorded" in str(err.value)
    assert _count(session, school) == before
    result = record_for_many(session, school, plan, skip_invalid=True)
    assert result.summary() == ("Added for 1 person; 2 left out: 1 unknown staff code, "
                                "1 not employed on 03/01/2027.")


def test_people_who_already_have_it_are_left_out_unless_asked(session, school, people) -> None:
    add_activity(session, school, people["AOK"], date=DAY, hours="6", title="Inset — Assessment!")
    add_activity(session, school, people["LZA"], date=DAY, hours="1", title="Safeguarding update")
    chosen, _ = choose_staff(session, school, codes=["AOK", "LZA"])
    plan = plan_record(session, school, chosen, date=DAY, hours="6", title="INSET: assessment")
    assert [c[1] for c in plan.chosen] == ["LZA"]
    assert [(x.code, x.reason) for x in plan.duplicates] == [("AOK", "already has 'Inset — Assessment!' on 03/01/2027")]
    assert record_for_many(session, school, plan).summary() == "Added for 1 person; 1 left out: already had it."
    again = plan_record(session, school, chosen, date=DAY, hours="6", title="INSET: assessment", include_duplicates=True)
    assert sorted(c[1] for c in again.chosen) == ["AOK", "LZA"]


def test_a_multi_day_activity_covering_the_day_is_a_duplicate(session, school, people) -> None:
    add_activity(session, school, people["AOK"], date=dt.date(2027, 1, 2), end_date=dt.date(2027, 1, 4),
                 hours="18", title="Practical physics residential")
    found = find_duplicate(session, school, people["AOK"].id, {"date": "03/01/2027", "title": "practical physics"})
    assert found is not None and found.question() == (
        "Ada Okafor already has 'Practical physics residential' on 02/01/2027. Add this one as well?")
    assert find_duplicate(session, school, people["AOK"].id, {"date": "05/01/2027", "title": "practical physics"}) is None
    assert find_duplicate(session, school, people["LZA"].id, {"date": "03/01/2027", "title": "practical physics"}) is None
    # values not yet valid: no question (the form's own checks say what is wrong)
    assert find_duplicate(session, school, people["AOK"].id, {"date": "32/01/2027", "title": "x"}) is None


def test_another_schools_people_and_activities_are_not_seen(session, school, people) -> None:
    from cpd_desktop.services.schools import create_school

    other = create_school(session, "Brackenfield School", departments=["Science"])
    stranger = add_staff(session, other, forename="Quentin", surname="Quarrington", staff_code="AOK2",
                         department="Science")
    add_activity(session, other, stranger, date=DAY, hours="6", title="INSET")
    chosen, unknown = choose_staff(session, school, codes=["AOK2"])
    assert chosen == [] and unknown == ["AOK2"]
    chosen, _ = choose_staff(session, school, department="Science")
    assert stranger not in chosen
    chosen, _ = choose_staff(session, school, staff_ids=[stranger.id, people["AOK"].id])
    assert chosen == [people["AOK"]]
    assert find_duplicate(session, school, stranger.id, {"date": DAY, "title": "INSET"}) is None


def test_an_unknown_department_names_those_there_are(session, school, people) -> None:
    with pytest.raises(NotFoundError, match="English, Science"):
        choose_staff(session, school, department="Drama")


def test_nobody_left_is_refused_and_writes_nothing(session, school, people) -> None:
    chosen, _ = choose_staff(session, school, codes=["KME"])
    plan = plan_record(session, school, chosen, date=DAY, hours="6", title="INSET")
    with pytest.raises(CpdError, match="Nobody is left"):
        record_for_many(session, school, plan, skip_invalid=True)


def test_bad_values_are_refused_before_anything_is_chosen(session, school, people) -> None:
    chosen, _ = choose_staff(session, school, department="Science")
    for values, field in (({"date": "31/02/2027", "hours": "6", "title": "x"}, "Date"),
                          ({"date": DAY, "hours": "0", "title": "x"}, "Hours"),
                          ({"date": DAY, "hours": "6", "title": "  "}, "Title")):
        with pytest.raises(CpdError, match=field):
            plan_record(session, school, chosen, **values)


def test_someone_deleted_between_the_plan_and_the_write_leaves_nothing_written(db, school) -> None:
    """All or nothing: the people before the missing one are not left with the activity."""
    with db.session() as s:
        school_ = s.get(School, school.id)
        for n, code in enumerate(("AAA", "BBB", "ZZZ")):
            add_staff(s, school_, forename=f"P{n}", surname=f"Person{n}", staff_code=code, department="Science")
    with db.session() as s:
        school_ = s.get(School, school.id)
        chosen, _ = choose_staff(s, school_, department="Science")
        plan = plan_record(s, school_, chosen, date=DAY, hours="6", title="INSET")
    with db.session() as s:  # somebody else removes the last person meanwhile
        s.delete(s.scalar(select(Staff).where(Staff.staff_code == "ZZZ")))
    with pytest.raises(NotFoundError, match="P2 Person2"), db.session() as s:
        record_for_many(s, s.get(School, school.id), plan)
    with db.session() as s:
        assert _count(s, s.get(School, school.id)) == 0
