"""Hours against target: the SQL aggregation agrees with a plain count, for every person in the year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from cpd_desktop.models import Activity, School, Staff, TermDates
from cpd_desktop.models.enums import FORMATS, STANDARD_PARTS
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.database import open_database
from cpd_desktop.services.reports import (
    HoursRow,
    hours_by_format,
    hours_by_school,
    hours_by_staff,
    hours_report,
    name_key,
    summarise,
)
from cpd_desktop.services.schools import create_school, get_or_create_department
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import AcademicYear, easter_sunday
from cpd_desktop.storage.database import Database

YEAR = AcademicYear(2025)
ZERO = Decimal("0.00")
PARTS = list(STANDARD_PARTS)


@dataclass
class Person:
    fte: float
    start: dt.date | None
    leaving: dt.date | None
    department: str


@dataclass
class Done:
    person: int
    date: dt.date
    hours: Decimal
    subject_specific: bool
    parts: tuple[bool, ...]
    format: str


@st.composite
def people(draw: st.DrawFn) -> list[Person]:
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=7))):
        start = draw(st.none() | st.dates(dt.date(2018, 9, 1), dt.date(2027, 1, 1)))
        leaving = draw(st.none() | st.dates(start or dt.date(2020, 1, 1), dt.date(2028, 8, 31)))
        out.append(Person(fte=draw(st.sampled_from([1.0, 1.0, 0.8, 0.6, 0.5, 0.333, 0.125, 0.007])),
                          start=start, leaving=leaving, department=draw(st.sampled_from(["Biology", "Physics"]))))
    return out


@st.composite
def cpd(draw: st.DrawFn, n_people: int) -> list[Done]:
    return draw(st.lists(st.builds(
        Done,
        person=st.integers(0, n_people - 1),
        date=st.dates(dt.date(2025, 6, 1), dt.date(2026, 10, 31)),  # either side of 2025/26 too
        hours=st.decimals(Decimal("0.01"), Decimal("24"), places=2),
        subject_specific=st.booleans(),
        parts=st.one_of(st.just((True,) * 5), st.tuples(*[st.booleans()] * 5)),
        format=st.sampled_from(list(FORMATS)),
    ), max_size=25))


@st.composite
def schools_data(draw: st.DrawFn) -> tuple[list[Person], list[Done]]:
    staff = draw(people())
    return staff, draw(cpd(len(staff)))


def _store(session: Session, school: School, staff: list[Person], done: list[Done]) -> list[Staff]:
    rows = []
    for i, p in enumerate(staff):
        dept = get_or_create_department(session, school, p.department)
        assert dept is not None
        rows.append(Staff(school_id=school.id, forename=f"Person{i}", surname=f"Surname{i:02d}",
                          staff_code=f"S{i:02d}", fte=p.fte, start_date=p.start, leaving_date=p.leaving,
                          department_id=dept.id))
    session.add_all(rows)
    session.flush()
    session.add_all([Activity(school_id=school.id, staff_id=rows[d.person].id, date=d.date, hours=d.hours,
                              title="CPD", format=d.format, subject_specific=d.subject_specific,
                              **dict(zip(PARTS, d.parts, strict=True))) for d in done])
    session.flush()
    return rows


def _default_term(day: dt.date) -> str:
    if day.month >= 9:
        return "autumn"
    return "spring" if day <= easter_sunday(day.year) else "summer"


def _naive(school: School, staff: list[Person], done: list[Done], year: AcademicYear,
           term_of: object = _default_term) -> dict[str, dict[str, object]]:
    """The figures counted by hand, one person at a time, as a CPD lead would."""
    in_year = [d for d in done if year.start <= d.date <= year.end]
    out = {}
    for i, p in enumerate(staff):
        mine = [d for d in in_year if d.person == i]
        employed = ((p.start is None or p.start <= year.end) and (p.leaving is None or p.leaving >= year.start))
        if not employed and not mine:
            continue
        by_term = {"autumn": ZERO, "spring": ZERO, "summer": ZERO}
        for d in mine:
            by_term[term_of(d.date)] += d.hours  # type: ignore[operator]
        out[f"S{i:02d}"] = {
            "hours": sum((d.hours for d in mine), ZERO),
            "subject": sum((d.hours for d in mine if d.subject_specific), ZERO),
            "all_parts": sum((d.hours for d in mine if all(d.parts)), ZERO),
            "target": (school.cpd_target_hours * Decimal(str(p.fte))).quantize(Decimal("0.01"), ROUND_HALF_UP),
            "by_term": by_term,
            "activities": len(mine),
        }
    return out


def _computed(session: Session, school: School, year: AcademicYear) -> dict[str, dict[str, object]]:
    return {r.staff_code: {"hours": r.hours, "subject": r.subject_specific_hours, "all_parts": r.all_parts_hours,
                           "target": r.target_hours, "by_term": r.by_term, "activities": r.activities}
            for r in hours_by_staff(session, school, year)}


HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(schools_data())
def test_hours_per_person_and_term_match_a_count_by_hand(session: Session, school: School,
                                                         data: tuple[list[Person], list[Done]]) -> None:
    staff, done = data
    savepoint = session.begin_nested()
    try:
        _store(session, school, staff, done)
        assert _computed(session, school, YEAR) == _naive(school, staff, done, YEAR)
        by_format: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for d in done:
            if YEAR.contains(d.date):
                by_format[d.format] += d.hours
        assert hours_by_format(session, school, YEAR) == dict(by_format)
    finally:
        savepoint.rollback()


SCHOOL_TERMS = {"autumn": (dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
                "spring": (dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
                "summer": (dt.date(2026, 4, 13), dt.date(2026, 7, 22))}


def _school_term(day: dt.date) -> str:
    if day < SCHOOL_TERMS["spring"][0]:
        return "autumn"
    return "spring" if day < SCHOOL_TERMS["summer"][0] else "summer"


@HYPOTHESIS
@given(schools_data())
def test_hours_by_term_follow_the_schools_own_term_dates(session: Session, school: School,
                                                         data: tuple[list[Person], list[Done]]) -> None:
    staff, done = data
    savepoint = session.begin_nested()
    try:
        for term, (start, end) in SCHOOL_TERMS.items():
            session.add(TermDates(school_id=school.id, academic_year=2025, term=term, start_date=start, end_date=end))
        _store(session, school, staff, done)
        assert _computed(session, school, YEAR) == _naive(school, staff, done, YEAR, _school_term)
    finally:
        savepoint.rollback()


# ---- the figures a CPD lead reads ----

@pytest.fixture
def department(session: Session, school: School) -> dict[str, Staff]:
    people = {
        "full": add_staff(session, school, forename="Aisha", surname="Begum", staff_code="ABE", department="Biology",
                          start_date="01/09/2018"),
        "part": add_staff(session, school, forename="Chloë", surname="Ashworth", staff_code="CAS",
                          department="Biology", fte="0.6", start_date="01/09/2011"),
        "none": add_staff(session, school, forename="Fiona", surname="MacLeod", staff_code="FML",
                          department="Biology", start_date="01/09/2015"),
        "physics": add_staff(session, school, forename="Daniel", surname="Okafor", staff_code="DOK",
                             department="Physics", start_date="01/09/2015"),
        "leaver": add_staff(session, school, forename="Sophie", surname="Clarke", staff_code="SCL",
                            department="Science", fte="0.5", start_date="01/09/2021", leaving_date="31/07/2025"),
        "joiner": add_staff(session, school, forename="Priya", surname="Raman", staff_code="PRA",
                            department="Science", ect_year="1", start_date="01/09/2026"),
    }
    add = add_activity
    add(session, school, people["full"], date="14/10/2025", hours="6", title="RSB: cell biology practicals",
        format="Face-to-face", subject_specific=True, **{p: True for p in PARTS})
    add(session, school, people["full"], date="05/01/2026", hours="3", title="INSET: whole-school training day",
        format="inset", subject_specific=False)
    add(session, school, people["full"], date="20/05/2026", hours="30", end_date="22/05/2026",
        title="Leading outstanding biology practicals", format="residential", subject_specific=True,
        **{p: True for p in PARTS})
    add(session, school, people["part"], date="10/11/2025", hours="1.5", title="Teaching genetics and evolution",
        format="webinar", subject_specific=True)
    add(session, school, people["physics"], date="02/02/2026", hours="5", title="Teaching forces and motion",
        format="face_to_face", subject_specific=True)
    add(session, school, people["leaver"], date="12/03/2025", hours="2", title="Safeguarding update",
        format="inset", subject_specific=False)
    return people


def test_one_row_for_everyone_employed_with_0_for_no_cpd(session: Session, school: School,
                                                        department: dict[str, Staff]) -> None:
    rows = {r.staff_code: r for r in hours_by_staff(session, school, YEAR)}
    assert set(rows) == {"ABE", "CAS", "FML", "DOK"}  # the leaver left in July 2025; the joiner starts in 2026
    nobody = rows["FML"]
    assert (nobody.hours, nobody.subject_specific_hours, nobody.activities) == (ZERO, ZERO, 0)
    assert nobody.by_term == {"autumn": ZERO, "spring": ZERO, "summer": ZERO}
    assert nobody.target_hours == Decimal("35.00") and nobody.progress == 0.0


def test_leavers_and_joiners_appear_in_the_years_they_worked(session: Session, school: School,
                                                            department: dict[str, Staff]) -> None:
    last_year = {r.staff_code: r for r in hours_by_staff(session, school, AcademicYear(2024))}
    assert "SCL" in last_year and last_year["SCL"].hours == Decimal("2.00")
    assert "PRA" not in last_year
    next_year = {r.staff_code for r in hours_by_staff(session, school, AcademicYear(2026))}
    assert "PRA" in next_year and "SCL" not in next_year


def test_a_leaver_with_cpd_after_leaving_still_shows_it(session: Session, school: School,
                                                       department: dict[str, Staff]) -> None:
    add_activity(session, school, department["leaver"], date="01/10/2025", hours="1", title="Exit course")
    rows = {r.staff_code: r for r in hours_by_staff(session, school, YEAR)}
    assert rows["SCL"].hours == Decimal("1.00")


def test_total_subject_specific_terms_and_the_standard(session: Session, school: School,
                                                      department: dict[str, Staff]) -> None:
    aisha = next(r for r in hours_by_staff(session, school, YEAR) if r.staff_code == "ABE")
    assert aisha.hours == Decimal("39.00")
    assert aisha.subject_specific_hours == Decimal("36.00")
    assert aisha.all_parts_hours == Decimal("36.00")
    assert aisha.by_term == {"autumn": Decimal("6.00"), "spring": Decimal("3.00"), "summer": Decimal("30.00")}
    assert aisha.progress == pytest.approx(39 / 35 * 100)
    assert aisha.subject_share == pytest.approx(36 / 39 * 100)


def test_a_part_timers_target_is_pro_rata(session: Session, school: School, department: dict[str, Staff]) -> None:
    chloe = next(r for r in hours_by_staff(session, school, YEAR) if r.staff_code == "CAS")
    assert chloe.target_hours == Decimal("21.00")  # 35 h × 0.6
    assert chloe.progress == pytest.approx(1.5 / 21 * 100)
    school.cpd_target_hours = Decimal("40")
    chloe = next(r for r in hours_by_staff(session, school, YEAR) if r.staff_code == "CAS")
    assert chloe.target_hours == Decimal("24.00")


def test_the_department_summary(session: Session, school: School, department: dict[str, Staff]) -> None:
    rows = hours_by_staff(session, school, YEAR, department="biology")
    assert [r.staff_code for r in rows] == ["CAS", "ABE", "FML"]  # by surname: Ashworth, Begum, MacLeod
    summary = summarise(rows)
    assert summary.staff == 3 and summary.fte == pytest.approx(2.6)
    assert summary.hours == Decimal("40.50") and summary.target_hours == Decimal("91.00")
    assert summary.met_target == 1
    assert summary.subject_share == pytest.approx(37.5 / 40.5 * 100)
    assert summary.all_parts_share == pytest.approx(36 / 40.5 * 100)


def test_hours_per_format(session: Session, school: School, department: dict[str, Staff]) -> None:
    assert hours_by_format(session, school, YEAR) == {
        "face_to_face": Decimal("11.00"), "inset": Decimal("3.00"), "residential": Decimal("30.00"),
        "webinar": Decimal("1.50")}
    assert hours_by_format(session, school, YEAR, department="Physics") == {"face_to_face": Decimal("5.00")}


def test_another_schools_cpd_is_not_counted(session: Session, school: School, department: dict[str, Staff]) -> None:
    other = create_school(session, "Other High School")
    stranger = add_staff(session, other, forename="Ann", surname="Other", staff_code="ABE")
    add_activity(session, other, stranger, date="14/10/2025", hours="7", title="Elsewhere")
    aisha = next(r for r in hours_by_staff(session, school, YEAR) if r.staff_code == "ABE")
    assert aisha.hours == Decimal("39.00")
    assert [r.staff_code for r in hours_by_staff(session, other, YEAR)] == ["ABE"]


def test_the_hours_report_rows_carry_the_public_keys(session: Session, school: School,
                                                    department: dict[str, Staff]) -> None:
    rows = hours_report(session, school, YEAR)
    aisha = next(r for r in rows if r["staff_code"] == "ABE")
    assert {"staff_code", "name", "fte", "hours", "subject_specific_hours", "target_hours", "by_term"} <= set(aisha)
    assert aisha["name"] == "Aisha Begum" and aisha["by_term"]["summer"] == Decimal("30.00")
    assert [r["staff_code"] for r in rows] == ["CAS", "ABE", "FML", "DOK"]


def test_unsaved_cpd_counts_as_it_would_in_any_query(session: Session, school: School,
                                                   department: dict[str, Staff]) -> None:
    session.add(Activity(school_id=school.id, staff_id=department["none"].id, date=dt.date(2025, 10, 1),
                         hours=Decimal("2.25"), title="Not flushed yet", format="webinar"))
    fiona = next(r for r in hours_by_staff(session, school, YEAR) if r.staff_code == "FML")
    assert fiona.hours == Decimal("2.25") and fiona.activities == 1


def test_names_sort_as_a_person_reads_them() -> None:
    names = [("Okafor", "Daniel"), ("Ó Dálaigh", "Siobhán"), ("ap Rhys", "Bronwen"), ("MacLeod", "Fiona"),
             ("Zając", "Łukasz"), ("Ashworth", "Chloë"), ("ashworth", "Ann"), ("Ōtsuka", "Ken")]
    assert [n[0] for n in sorted(names, key=lambda n: name_key(*n))] == [
        "ap Rhys", "ashworth", "Ashworth", "MacLeod", "Ó Dálaigh", "Okafor", "Ōtsuka", "Zając"]
    assert name_key("MacLeod", "Fiona") == ("macleod", "fiona")
    assert name_key("Ó DÁLAIGH", "Siobhán") == ("o dalaigh", "siobhan")


# ---- several schools at once (the trust's reports), on SQLite and on PostgreSQL ----

def _two_schools(s: Session) -> list[School]:
    """Two schools, one with its own term dates, CPD on term days, in holidays and at the year's edges."""
    north = create_school(s, "Northfield Academy")
    south = create_school(s, "Southmead School", cpd_target_hours="30")
    for term, (start, end) in SCHOOL_TERMS.items():
        s.add(TermDates(school_id=north.id, academic_year=2025, term=term, start_date=start, end_date=end))
    people = [
        add_staff(s, north, forename="Łukasz", surname="Zając", staff_code="LZA", department="Physics"),
        add_staff(s, north, forename="Bronwen", surname="ap Rhys", staff_code="BAR", fte="0.6"),
        add_staff(s, north, forename="Fiona", surname="MacLeod", staff_code="FML", fte="0.333"),
        add_staff(s, south, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD", department="Biology"),
        add_staff(s, south, forename="Daniel", surname="Okafor", staff_code="DOK", fte="0.5",
                  leaving_date="31/07/2025"),
    ]
    done = [(0, "01/09/2025", "1.25", True, True), (0, "22/12/2025", "2", True, False),
            (0, "04/01/2026", "0.5", False, True), (0, "10/04/2026", "3.75", True, True),
            (0, "31/08/2026", "6", False, False), (0, "01/09/2026", "9", True, True),
            (1, "13/04/2026", "0.01", False, False), (3, "27/03/2026", "4.5", True, True),
            (3, "06/04/2026", "2.5", True, False), (4, "02/10/2025", "1", False, False)]
    for who, day, hours, subject, all_parts in done:
        school = north if who < 3 else south
        add_activity(s, school, people[who], date=day, hours=hours, title="CPD", subject_specific=subject,
                     **{p: all_parts for p in PARTS})
    return [north, south]


def _figures(rows: list[HoursRow]) -> list[tuple[object, ...]]:
    """Everything a report shows, the Decimals as text: 6.00 and 6 would print differently."""
    return [(r.staff_code, r.department, r.fte, r.ect_year, str(r.hours), str(r.subject_specific_hours),
             str(r.all_parts_hours), str(r.target_hours), {k: str(v) for k, v in r.by_term.items()},
             r.activities, r.evaluated) for r in rows]


EXPECTED = {
    "Northfield Academy": [
        ("BAR", None, 0.6, None, "0.01", "0.00", "0.00", "21.00",
         {"autumn": "0.00", "spring": "0.00", "summer": "0.01"}, 1, 0),
        ("FML", None, 0.333, None, "0.00", "0.00", "0.00", "11.66",
         {"autumn": "0.00", "spring": "0.00", "summer": "0.00"}, 0, 0),
        # its own terms: 22/12 and 4/1 are the Christmas holiday (autumn), 10/4 the Easter one (spring)
        ("LZA", "Physics", 1.0, None, "13.50", "7.00", "5.50", "35.00",
         {"autumn": "3.75", "spring": "3.75", "summer": "6.00"}, 5, 0),
    ],
    "Southmead School": [
        # default terms: spring runs to Easter Sunday (5/4/2026), summer from Easter Monday
        ("SOD", "Biology", 1.0, None, "7.00", "7.00", "4.50", "30.00",
         {"autumn": "0.00", "spring": "4.50", "summer": "2.50"}, 2, 0),
        ("DOK", None, 0.5, None, "1.00", "0.00", "0.00", "15.00",
         {"autumn": "1.00", "spring": "0.00", "summer": "0.00"}, 1, 0),
    ],
}


def _check_two_schools(s: Session, schools: list[School]) -> None:
    together = hours_by_school(s, schools, YEAR)
    assert list(together) == [school.id for school in schools]
    for school in schools:
        one_by_one = hours_by_staff(s, school, YEAR)
        assert _figures(together[school.id]) == _figures(one_by_one) == EXPECTED[school.name]
    assert hours_by_school(s, [], YEAR) == {}


def test_several_schools_at_once_give_each_schools_own_figures(db: Database) -> None:
    with db.session() as s:
        _check_two_schools(s, _two_schools(s))


@pytest.mark.postgres
def test_postgresql_gives_the_same_figures_to_the_penny(pg_url: str) -> None:
    pg = open_database(pg_url)
    try:
        with pg.session() as s:
            _check_two_schools(s, _two_schools(s))
        with pg.session() as s:  # committed, read back in a new session
            schools = [s.merge(school) for school in s.scalars(select(School).order_by(School.id))]
            _check_two_schools(s, schools)
    finally:
        pg.dispose()
