"""The core's lists (``services.lists``) and named rules (``services.rules``) on a real SQLite file:
each filter narrows to the right rows, search and sort happen in SQL, pages never overlap, counts agree,
and the dashboard, exports and lists count "evaluation overdue" the same way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from cpd_desktop.models import Activity, School, Staff
from cpd_desktop.services.activities import add_activity, overdue_evaluations, record_evaluation
from cpd_desktop.services.bookings import create_booking
from cpd_desktop.services.impact import impact_report
from cpd_desktop.services.lists.activities import ActivityList, overdue_in
from cpd_desktop.services.lists.audit import AuditList
from cpd_desktop.services.lists.base import Sort
from cpd_desktop.services.lists.bookings import BookingList, calendar_bookings
from cpd_desktop.services.lists.choices import people, staff_choices
from cpd_desktop.services.lists.staff import StaffList
from cpd_desktop.services.rules import like_pattern, pro_rata_target, pro_rata_target_sql
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import AcademicYear

TODAY = dt.date(2025, 11, 20)
YEAR = AcademicYear(2025)


@pytest.fixture
def filled(db: Any, school: School) -> dict[str, Any]:
    """Three people in two departments; activities this year and last, some evaluated, some overdue."""
    with db.session() as s:
        s.add(school)
        ada = add_staff(s, school, forename="Ada", surname="Zając", staff_code="AZ", department="Science",
                        fte="1", role="Teacher")
        ben = add_staff(s, school, forename="Ben", surname="Okafor", staff_code="BO", department="English",
                        fte="0.5", role="Teacher")
        tech = add_staff(s, school, forename="Cal", surname="Ó Dálaigh", staff_code="CD", department="Science",
                         fte="1", role="Science technician", in_target=False)
        gone = add_staff(s, school, forename="Dee", surname="Left", staff_code="DL", department="English",
                         fte="1", role="Teacher", leaving_date="31/07/2025")
        acts = {
            "overdue": add_activity(s, school, ada, date="01/09/2025", hours="6", title="Phonics 100% course",
                                    evaluation_due="01/10/2025"),
            "due_later": add_activity(s, school, ada, date="15/11/2025", hours="3", title="Reading group",
                                      evaluation_due="15/12/2025", subject_specific=True),
            "done": add_activity(s, school, ben, date="02/10/2025", hours="2", title="Poetry twilight",
                                 evaluation_due="01/11/2025"),
            "last_year": add_activity(s, school, ben, date="02/03/2025", hours="5", title="Old INSET",
                                      evaluation_due="01/04/2025"),
            "tech": add_activity(s, school, tech, date="03/10/2025", hours="4", title="Lab safety",
                                 evaluation_due="01/10/2025"),
        }
        s.flush()
        record_evaluation(s, acts["done"], impact="Used it in Year 9", evaluated_on="20/10/2025")
        booking = create_booking(s, school, ada, title="Genetics day", start_date="14/01/2026", hours="6",
                                 intended_outcomes="Pupils carry out the practical with less help")
        s.commit()
        return {"school_id": school.id, "ids": {k: a.id for k, a in acts.items()},
                "staff": {"ada": ada.id, "ben": ben.id, "tech": tech.id, "gone": gone.id}, "booking": booking.id}


def _ids(rows: list[Any]) -> set[int]:
    return {r.id for r in rows}


def test_activity_filters_each_narrow_to_their_rows(db: Any, filled: dict[str, Any]) -> None:
    ids = filled["ids"]
    log = ActivityList(filled["school_id"], TODAY)

    def page(**filters: Any) -> set[int]:
        return _ids(log.fetch_page(db, filters))

    this_year = {ids["overdue"], ids["due_later"], ids["done"], ids["tech"]}
    assert page(year=YEAR) == this_year
    assert page() == this_year | {ids["last_year"]}
    assert page(year=YEAR, department="science") == {ids["overdue"], ids["due_later"], ids["tech"]}
    assert page(year=YEAR, staff_id=filled["staff"]["ben"]) == {ids["done"]}
    assert page(year=YEAR, evaluation="overdue") == {ids["overdue"], ids["tech"]}
    assert page(year=YEAR, evaluation="due") == this_year - {ids["done"]}
    assert page(year=YEAR, evaluation="done") == {ids["done"]}
    assert page(year=YEAR, subject=True) == {ids["due_later"]}
    assert page(year=YEAR, subject=False) == this_year - {ids["due_later"]}
    assert page(dates=(dt.date(2025, 10, 1), dt.date(2025, 10, 31))) == {ids["done"], ids["tech"]}
    assert page(year=YEAR, department=None, staff_id=None) == this_year  # None: not filtered
    assert log.count(db, {"year": YEAR, "evaluation": "overdue"}) == 2
    with pytest.raises(KeyError, match="no filter 'colour'"):
        log.fetch_page(db, {"colour": "red"})


def test_overdue_rows_are_red_and_the_rule_is_the_same_everywhere(db: Any, filled: dict[str, Any]) -> None:
    from cpd_desktop.exports.rows import summary_data
    from cpd_desktop.services.dashboard import load_dashboard

    ids = filled["ids"]
    log = ActivityList(filled["school_id"], TODAY)
    styles = {r.id: r.style for r in log.fetch_page(db, {})}
    assert styles[ids["overdue"]] == "bad" and styles[ids["tech"]] == "bad" and styles[ids["last_year"]] == "bad"
    assert styles[ids["done"]] is None and styles[ids["due_later"]] is None
    listed = log.count(db, {"year": YEAR, "evaluation": "overdue"})
    with db.session() as s:
        school = s.get(School, filled["school_id"])
        assert {a.id for a in overdue_evaluations(s, school, TODAY)} == {ids["overdue"], ids["tech"],
                                                                        ids["last_year"]}
        exported = summary_data(s, school, YEAR, today=TODAY).overdue
    dashboard = load_dashboard(db, filled["school_id"], YEAR, None, TODAY).overdue
    assert listed == exported == 2  # activities with a stage overdue
    # The dashboard counts stages: the 6-hour course is late with its End and In the classroom stages.
    rows = log.fetch_page(db, {"year": YEAR, "evaluation": "overdue"})
    column = log.column_index("evaluation")
    assert dashboard == sum(overdue_in(r.values[column]) for r in rows) == 3
    texts = {r.id: log.columns[column].format(r.values[column]) for r in rows}
    assert texts[ids["overdue"]] == "End, due 15/09/2025; In the classroom, due 13/10/2025"
    with db.session() as s:
        school = s.get(School, filled["school_id"])
        assert sum(p["stages_overdue"] for p in impact_report(s, school, YEAR, TODAY)) == dashboard


def test_search_matches_every_word_in_any_column_and_takes_wildcards_literally(db: Any,
                                                                            filled: dict[str, Any]) -> None:
    ids = filled["ids"]
    log = ActivityList(filled["school_id"], TODAY)
    assert _ids(log.fetch_page(db, {"search": "zając"})) == {ids["overdue"], ids["due_later"]}
    assert _ids(log.fetch_page(db, {"search": "zając READING"})) == {ids["due_later"]}  # every word
    assert _ids(log.fetch_page(db, {"search": "AZ"})) == {ids["overdue"], ids["due_later"]}  # the staff code
    assert _ids(log.fetch_page(db, {"search": "english"})) == {ids["done"], ids["last_year"]}  # the department
    assert _ids(log.fetch_page(db, {"search": "100%"})) == {ids["overdue"]}
    assert _ids(log.fetch_page(db, {"search": "1_0"})) == set()  # "_" is not a wildcard
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_sort_and_pages_come_from_sql_without_overlap(db: Any, filled: dict[str, Any]) -> None:
    log = ActivityList(filled["school_id"], TODAY)
    newest_first = log.fetch_page(db, {})
    dates = [r.values[log.column_index("date")] for r in newest_first]
    assert dates == sorted(dates, reverse=True)
    by_hours = log.fetch_page(db, {}, Sort("hours"))
    hours = [r.values[log.column_index("hours")] for r in by_hours]
    assert hours == sorted(hours)
    paged = [row for offset in range(0, 5, 2) for row in log.fetch_page(db, {}, Sort("title"), offset, 2)]
    assert [r.id for r in paged] == [r.id for r in log.fetch_page(db, {}, Sort("title"))]
    titles = [r.values[log.column_index("title")] for r in paged]
    assert titles == sorted(titles, key=str.lower)
    assert log.fetch_page(db, {}, Sort("title"), 4, 2) and not log.fetch_page(db, {}, Sort("title"), 6, 2)


def test_a_row_carries_its_id_version_and_values(db: Any, filled: dict[str, Any]) -> None:
    log = ActivityList(filled["school_id"], TODAY)
    row = log.fetch_row(db, filled["ids"]["done"])
    assert row is not None
    values = log.values(row)
    assert values["staff"] == "Okafor, Ben" and values["title"] == "Poetry twilight"
    assert values["hours"] == Decimal("2.00")
    evaluation = log.columns[log.column_index("evaluation")]  # no stage waits: when its End stage was done
    assert evaluation.cell(values["evaluation"]) == evaluation.format(values["evaluation"]) == "Evaluated 20/10/2025"
    assert row.version == 2  # added, then evaluated
    assert log.columns[log.column_index("date")].format(values["date"]) == "02/10/2025"
    assert log.fetch_row(db, 999_999) is None


def test_staff_list_hours_pro_rata_target_and_progress(db: Any, filled: dict[str, Any]) -> None:
    staff = StaffList(filled["school_id"])
    rows = {r.id: staff.values(r) | {"style": r.style} for r in staff.fetch_page(db, {"year": YEAR})}
    people_ids = filled["staff"]
    assert set(rows) == {people_ids["ada"], people_ids["ben"], people_ids["tech"]}  # Dee left before the year
    ada, ben, tech = rows[people_ids["ada"]], rows[people_ids["ben"]], rows[people_ids["tech"]]
    assert ada["hours"] == Decimal("9.00") and ada["subject"] == Decimal("3.00")
    assert ada["target"] == 35.0 and round(ada["progress"]) == round(9 * 100 / 35)
    assert ben["hours"] == Decimal("2.00") and ben["target"] == 17.5  # last year's 5 hours do not count
    assert tech["target"] == 0.0 and tech["progress"] is None  # outside the teachers' target
    assert {r["style"] for r in rows.values()} == {None}
    assert _ids(staff.fetch_page(db, {"year": YEAR, "department": "English"})) == {people_ids["ben"]}
    assert _ids(staff.fetch_page(db, {"year": AcademicYear(2024)})) == set(people_ids.values())
    names = [staff.values(r)["name"] for r in staff.fetch_page(db, {"year": YEAR})]
    assert names == ["Ó Dálaigh, Cal", "Okafor, Ben", "Zając, Ada"]  # accents ignored in the order


def test_the_pro_rata_target_is_the_same_in_python_and_sql(db: Any, filled: dict[str, Any]) -> None:
    with db.session() as s:
        for person in s.scalars(select(Staff)):
            in_sql = s.scalar(select(pro_rata_target_sql(Decimal("35"))).where(Staff.id == person.id))
            assert Decimal(str(in_sql)).quantize(Decimal("0.01")) == pro_rata_target(Decimal("35"), person.fte,
                                                                                      person.in_target)


def test_bookings_by_status_person_and_month(db: Any, filled: dict[str, Any]) -> None:
    bookings = BookingList(filled["school_id"])
    assert _ids(bookings.fetch_page(db, {"year": YEAR, "status": "open"})) == {filled["booking"]}
    assert _ids(bookings.fetch_page(db, {"year": YEAR, "status": "attended"})) == set()
    assert _ids(bookings.fetch_page(db, {"staff_id": filled["staff"]["ben"]})) == set()
    assert _ids(bookings.fetch_page(db, {"staff_id": filled["staff"]["ada"], "from_or_open": YEAR.start})) \
        == {filled["booking"]}
    assert _ids(bookings.fetch_page(db, {"year": YEAR, "department": "English"})) == set()
    month = calendar_bookings(db, filled["school_id"], dt.date(2026, 1, 1), dt.date(2026, 1, 31), status="open")
    assert [(b[0], b[3]) for b in month] == [(filled["booking"], "AZ: Genetics day")]
    assert calendar_bookings(db, filled["school_id"], dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == []


def test_lists_read_from_a_session_too_and_see_its_unsaved_rows(db: Any, filled: dict[str, Any]) -> None:
    log = ActivityList(filled["school_id"], TODAY)
    with db.session() as s:
        school = s.get(School, filled["school_id"])
        ada = s.get(Staff, filled["staff"]["ada"])
        new = add_activity(s, school, ada, date="16/11/2025", hours="1", title="Unsaved yet")
        s.flush()
        assert new.id in _ids(log.fetch_page(s, {"year": YEAR}))
        s.rollback()
    assert log.count(db, {"year": YEAR}) == 4


def test_audit_list_by_action(db: Any, filled: dict[str, Any]) -> None:
    audit = AuditList(filled["school_id"])
    everything = audit.count(db, {})
    added = audit.count(db, {"action": "create"})
    assert 0 < added < everything
    times = [r.values[0] for r in audit.fetch_page(db, {})]
    assert times == sorted(times, reverse=True)


def test_choices_for_the_forms(db: Any, filled: dict[str, Any]) -> None:
    school_id = filled["school_id"]
    assert [text for _i, text in staff_choices(db, school_id)] == [
        "Left, Dee (DL)", "Ó Dálaigh, Cal (CD)", "Okafor, Ben (BO)", "Zając, Ada (AZ)"]
    assert "Left, Dee (DL)" not in [t for _i, t in staff_choices(db, school_id, leavers_before=TODAY)]
    found = {p.staff_code: p for p in people(db, school_id)}
    assert found["CD"].department == "Science" and not found["CD"].in_target and found["AZ"].in_target
    with db.session() as s:
        assert s.scalar(select(Activity.id).where(Activity.title == "Lab safety")) == filled["ids"]["tech"]


def test_rows_are_coloured_by_the_figures_they_show(db: Any, filled: dict[str, Any]) -> None:
    from cpd_desktop.models import Booking, CoverLesson
    from cpd_desktop.services.lists.cover import CoverBookingList, CoverLessonList

    staff = StaffList(filled["school_id"])
    cover = CoverBookingList(filled["school_id"])
    lessons = CoverLessonList(filled["school_id"])
    with db.session() as s:
        school = s.get(School, filled["school_id"])
        ben = s.get(Staff, filled["staff"]["ben"])
        add_activity(s, school, ben, date="10/11/2025", hours="15.5", title="Subject knowledge course")
        booking = s.get(Booking, filled["booking"])
        booking.cover_required = True
        s.commit()
    styles = {r.id: r.style for r in staff.fetch_page(db, {"year": YEAR})}
    assert styles[filled["staff"]["ben"]] == "good"  # 17.5 of 17.5 hours: half-time, target met
    assert styles[filled["staff"]["ada"]] is None
    assert [(r.id, r.style) for r in cover.fetch_page(db, {"year": YEAR})] == [(filled["booking"], "warn")]
    with db.session() as s:
        for period, work in ((1, "Worksheet 3"), (2, None)):
            s.add(CoverLesson(school_id=filled["school_id"], booking_id=filled["booking"], date=dt.date(2026, 1, 14),
                              period=period, class_group="9X", work_set=work))
        s.commit()
    row = cover.fetch_page(db, {"year": YEAR})[0]
    # one lesson still without work: amber, as that lesson is on the sheet (it was left uncoloured, while an
    # absence long over with no lessons recorded stayed amber)
    assert cover.values(row)["lessons"] == 2 and cover.values(row)["ready"] == 1 and row.style == "warn"
    ends = cover.values(row)["end_date"]
    before = CoverBookingList(filled["school_id"], today=ends)  # the last day away: still to do
    after = CoverBookingList(filled["school_id"], today=ends + dt.timedelta(days=1))  # over: not chased
    assert before.fetch_page(db, {"year": YEAR})[0].style == "warn"
    assert after.fetch_page(db, {"year": YEAR})[0].style is None
    sheet = lessons.fetch_page(db, {"booking_id": filled["booking"]})
    assert [(lessons.values(r)["period"], r.style) for r in sheet] == [("P1", None), ("P2", "warn")]
    assert lessons.fetch_page(db, {"booking_id": -1}) == []


def test_claims_by_status_and_deadline_and_red_when_a_draft_is_late(db: Any, filled: dict[str, Any]) -> None:
    from cpd_desktop.models import Booking
    from cpd_desktop.services.bursaries import add_scheme, create_claim
    from cpd_desktop.services.lists.bursaries import ClaimList, SchemeList, bookings_to_claim

    with db.session() as s:
        school = s.get(School, filled["school_id"])
        scheme = add_scheme(s, school, name="Science bursary", funder="STEM Learning", rule="per_course",
                            amount="150.00", claim_deadline_days=30)
        claim = create_claim(s, s.get(Booking, filled["booking"]), scheme)
        s.commit()
        claim_id, deadline = claim.id, claim.deadline
    assert deadline == dt.date(2026, 2, 13)
    claims = ClaimList(filled["school_id"], TODAY)
    assert _ids(claims.fetch_page(db, {"year": YEAR, "status": "open"})) == {claim_id}
    assert _ids(claims.fetch_page(db, {"year": YEAR, "status": "paid"})) == set()
    assert _ids(claims.fetch_page(db, {"year": AcademicYear(2024)})) == set()
    assert _ids(claims.fetch_page(db, {"status": "deadline"})) == set()  # 13/02 is more than three weeks away
    assert _ids(ClaimList(filled["school_id"], dt.date(2026, 1, 30)).fetch_page(db, {"status": "deadline"})) \
        == {claim_id}
    assert claims.fetch_page(db, {})[0].style is None
    assert ClaimList(filled["school_id"], dt.date(2026, 2, 14)).fetch_page(db, {})[0].style == "bad"
    assert [SchemeList(filled["school_id"]).values(r)["name"] for r in SchemeList(filled["school_id"]).fetch_page(
        db, {})] == ["Science bursary"]
    assert bookings_to_claim(db, filled["school_id"]) == [(filled["booking"], "14/01/2026 Ada Zając: Genetics day")]


def test_settled_staff_leave_out_leavers_and_early_career_teachers(db: Any, filled: dict[str, Any]) -> None:
    from cpd_desktop.services.staff import settled_staff

    with db.session() as s:
        ben = s.get(Staff, filled["staff"]["ben"])
        ben.ect_year = 1
        s.flush()
        assert {p.id for p in settled_staff(s, filled["school_id"])} == {filled["staff"]["ada"],
                                                                         filled["staff"]["tech"]}


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_log_shows_and_sorts_its_evaluation_column_alike_on_either_database(
        engine: str, request: pytest.FixtureRequest, tmp_path: Any) -> None:
    from cpd_desktop.services import impact
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.schools import create_school

    target = request.getfixturevalue("pg_url") if engine == "postgresql" else tmp_path / "school.sqlite"
    db = open_database(target, create=True)
    try:
        with db.session() as s:
            school = create_school(s, "Ysgol Gymraeg")
            amy = add_staff(s, school, forename="Amy", surname="Teacher", staff_code="AMY", fte="1")
            long = add_activity(s, school, amy, date="01/10/2025", hours="6", title="Practical physics")
            add_activity(s, school, amy, date="03/11/2025", hours="2", title="Webinar", format="webinar")
            short = add_activity(s, school, amy, date="06/10/2025", hours="2", title="Twilight")
            impact.record_stage(s, school, long, "end", done_on=dt.date(2025, 10, 10), confidence=4)
            impact.record_stage(s, school, short, "end", done_on=dt.date(2025, 10, 13), confidence=3)
            s.commit()
            school_id = school.id
        log = ActivityList(school_id, TODAY)
        column = log.columns[log.column_index("evaluation")]
        shown = {}
        for descending in (False, True):
            rows = log.fetch_page(db, {}, Sort("evaluation", descending))
            shown[descending] = [(column.cell(r.values[log.column_index("evaluation")]),
                                  column.format(r.values[log.column_index("evaluation")])) for r in rows]
        # by the stage due first, nothing waiting ("") before any date, as before the column was shortened
        assert shown[False] == [
            ("Evaluated 13/10/2025", "Evaluated 13/10/2025"),
            ("Classroom 12/11/2025", "In the classroom, due 12/11/2025; End done 10/10/2025"),
            ("End 17/11/2025", "End, due 17/11/2025")]
        assert shown[True] == shown[False][::-1]
    finally:
        db.dispose()
