"""Academic years, terms (the school's own dates or the defaults), Easter and financial years."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from cpd_desktop.errors import ValidationError
from cpd_desktop.models import School, TermDates
from cpd_desktop.services.years import (
    AcademicYear,
    Term,
    academic_year_of,
    current_academic_year,
    default_terms,
    easter_sunday,
    financial_year_of,
    parse_academic_year,
    school_days,
    term_buckets,
    term_of,
    terms_for,
)

DATES = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2150, 12, 31))


# ---- academic years and their labels ----

@pytest.mark.parametrize(("day", "label"), [
    (dt.date(2025, 9, 1), "2025/26"),
    (dt.date(2025, 8, 31), "2024/25"),
    (dt.date(2026, 1, 1), "2025/26"),
    (dt.date(2026, 7, 22), "2025/26"),
    (dt.date(1999, 9, 1), "1999/00"),
    (dt.date(2009, 10, 1), "2009/10"),
])
def test_academic_year_of_a_date(day: dt.date, label: str) -> None:
    assert academic_year_of(day).label == label
    assert str(academic_year_of(day)) == label


def test_academic_year_runs_1_september_to_31_august() -> None:
    year = AcademicYear(2025)
    assert (year.start, year.end) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
    assert year.contains(dt.date(2026, 8, 31)) and not year.contains(dt.date(2026, 9, 1))
    assert year.next().label == "2026/27" and year.previous().label == "2024/25"


@given(DATES)
def test_every_day_belongs_to_exactly_one_academic_year(day: dt.date) -> None:
    year = academic_year_of(day)
    assert year.contains(day)
    assert not year.next().contains(day) and not year.previous().contains(day)
    assert year.next().start - year.end == dt.timedelta(days=1)


@pytest.mark.parametrize("text", ["2025/26", "2025-26", "2025/2026", "2025", " 2025 / 26 ", "2025–26"])
def test_parse_academic_year_accepts_the_ways_people_write_it(text: str) -> None:
    assert parse_academic_year(text) == AcademicYear(2025)


@pytest.mark.parametrize("text", ["2025/27", "2025/2027", "25/26", "next year", "", "2025/26/27"])
def test_parse_academic_year_refuses_other_text_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_academic_year(text, field="--year")
    assert info.value.field == "--year"
    assert "2025/26" in info.value.hint


@given(st.integers(min_value=1990, max_value=2200))
def test_a_label_reads_back_as_the_same_year(start_year: int) -> None:
    year = AcademicYear(start_year)
    assert parse_academic_year(year.label) == year
    first, second = year.label.split("/")
    assert int(first) == start_year and len(second) == 2


def test_current_academic_year_uses_today_and_the_school_start_month(school: School) -> None:
    assert current_academic_year(today=dt.date(2025, 11, 20)).label == "2025/26"
    assert current_academic_year(school, today=dt.date(2026, 8, 31)).label == "2025/26"


# ---- Easter ----

@pytest.mark.parametrize(("year", "easter"), [
    (2000, dt.date(2000, 4, 23)), (2008, dt.date(2008, 3, 23)), (2011, dt.date(2011, 4, 24)),
    (2019, dt.date(2019, 4, 21)), (2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)),
    (2026, dt.date(2026, 4, 5)), (2027, dt.date(2027, 3, 28)), (2038, dt.date(2038, 4, 25)),
    (2285, dt.date(2285, 3, 22)),
])
def test_easter_sunday(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter


@given(st.integers(min_value=1900, max_value=2300))
def test_easter_is_a_sunday_between_22_march_and_25_april(year: int) -> None:
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert dt.date(year, 3, 22) <= easter <= dt.date(year, 4, 25)


# ---- terms ----

def test_default_terms_are_autumn_spring_to_easter_and_summer() -> None:
    autumn, spring, summer = default_terms(AcademicYear(2025))
    assert (autumn.start, autumn.end) == (dt.date(2025, 9, 1), dt.date(2025, 12, 31))
    assert (spring.start, spring.end) == (dt.date(2026, 1, 1), dt.date(2026, 4, 5))  # Easter Sunday 2026
    assert (summer.start, summer.end) == (dt.date(2026, 4, 6), dt.date(2026, 8, 31))


@pytest.mark.parametrize(("day", "term"), [
    (dt.date(2025, 9, 1), "autumn"), (dt.date(2025, 12, 31), "autumn"), (dt.date(2026, 1, 1), "spring"),
    (dt.date(2026, 4, 5), "spring"), (dt.date(2026, 4, 6), "summer"), (dt.date(2026, 8, 31), "summer"),
    (dt.date(2025, 4, 20), "spring"), (dt.date(2025, 4, 21), "summer"),  # Easter 2025 is late: 20 April
])
def test_term_of_a_date_with_default_terms(session: Session, school: School, day: dt.date, term: str) -> None:
    assert term_of(session, school, day) == term


def _set_terms(session: Session, school: School, year: int, dates: dict[str, tuple[dt.date, dt.date]]) -> None:
    for name, (start, end) in dates.items():
        session.add(TermDates(school_id=school.id, academic_year=year, term=name, start_date=start, end_date=end))
    session.flush()


SCHOOL_TERMS_2025 = {
    "autumn": (dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
    "spring": (dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
    "summer": (dt.date(2026, 4, 13), dt.date(2026, 7, 22)),
}


@pytest.mark.parametrize(("day", "term"), [
    (dt.date(2025, 9, 1), "autumn"),    # INSET before the first day of term still counts in autumn
    (dt.date(2025, 12, 22), "autumn"),  # the Christmas holiday belongs to the term before it
    (dt.date(2026, 1, 2), "autumn"),
    (dt.date(2026, 1, 5), "spring"),
    (dt.date(2026, 3, 30), "spring"),   # the school's Easter holiday, before Easter Sunday (5 April)
    (dt.date(2026, 4, 6), "spring"),    # Easter Monday: still the holiday in this school
    (dt.date(2026, 4, 13), "summer"),
    (dt.date(2026, 8, 20), "summer"),
])
def test_the_schools_own_term_dates_override_the_defaults(session: Session, school: School, day: dt.date, term: str) -> None:
    _set_terms(session, school, 2025, SCHOOL_TERMS_2025)
    assert term_of(session, school, day) == term
    # The other years keep the defaults.
    assert term_of(session, school, dt.date(2025, 4, 22)) == "summer"


def test_one_overridden_term_keeps_the_others_at_their_defaults(session: Session, school: School) -> None:
    _set_terms(session, school, 2025, {"spring": (dt.date(2026, 1, 6), dt.date(2026, 3, 27))})
    autumn, spring, summer = terms_for(session, school, AcademicYear(2025))
    assert autumn.end == dt.date(2025, 12, 31) and summer.start == dt.date(2026, 4, 6)
    assert spring.start == dt.date(2026, 1, 6)
    assert term_of(session, school, dt.date(2026, 1, 5)) == "autumn"


@given(st.integers(min_value=2000, max_value=2100),
       st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=20),
       st.integers(min_value=0, max_value=20))
@settings(max_examples=60)
def test_term_buckets_cover_the_whole_year_without_gaps(start_year: int, a: int, b: int, c: int) -> None:
    year = AcademicYear(start_year)
    defaults = default_terms(year)
    # Shift the school's term starts about as schools do.
    terms = [Term("autumn", defaults[0].start + dt.timedelta(days=a), defaults[0].end - dt.timedelta(days=10)),
             Term("spring", defaults[1].start + dt.timedelta(days=b), defaults[1].end - dt.timedelta(days=7)),
             Term("summer", defaults[2].start + dt.timedelta(days=c), dt.date(start_year + 1, 7, 22))]
    buckets = term_buckets(terms, year)
    assert [t.name for t in buckets] == ["autumn", "spring", "summer"]
    assert buckets[0].start == year.start and buckets[-1].end == year.end
    for before, after in zip(buckets, buckets[1:], strict=False):
        assert after.start - before.end == dt.timedelta(days=1)
    for term, bucket in zip(terms, buckets, strict=True):
        assert bucket.contains(term.start) and bucket.contains(term.end)


# ---- financial years ----

@pytest.mark.parametrize(("day", "start_month", "label", "start", "end"), [
    (dt.date(2026, 3, 31), 4, "FY 2025-26", dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
    (dt.date(2026, 4, 1), 4, "FY 2026-27", dt.date(2026, 4, 1), dt.date(2027, 3, 31)),
    (dt.date(2025, 10, 1), 9, "FY 2025-26", dt.date(2025, 9, 1), dt.date(2026, 8, 31)),  # an academy
    (dt.date(2025, 8, 31), 9, "FY 2024-25", dt.date(2024, 9, 1), dt.date(2025, 8, 31)),
    (dt.date(2025, 6, 30), 1, "FY 2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
])
def test_financial_year_with_configurable_start(day: dt.date, start_month: int, label: str,
                                                start: dt.date, end: dt.date) -> None:
    fy = financial_year_of(day, start_month)
    assert (fy.label, fy.start, fy.end) == (label, start, end)


def test_financial_year_starts_in_april_by_default() -> None:
    assert financial_year_of(dt.date(2026, 2, 1)).start == dt.date(2025, 4, 1)


@given(DATES, st.integers(min_value=1, max_value=12))
def test_every_day_is_in_its_financial_year(day: dt.date, start_month: int) -> None:
    fy = financial_year_of(day, start_month)
    assert fy.start <= day <= fy.end
    assert fy.start.month == start_month and fy.start.day == 1
    assert fy.end + dt.timedelta(days=1) == financial_year_of(fy.end + dt.timedelta(days=1), start_month).start
    assert financial_year_of(fy.end + dt.timedelta(days=1), start_month).start_year == fy.start_year + 1


# ---- school days ----

def test_school_days_are_the_weekdays_of_an_absence() -> None:
    # Thursday 16 October to Tuesday 21 October 2025: Thu, Fri, Mon, Tue.
    days = school_days(dt.date(2025, 10, 16), dt.date(2025, 10, 21))
    assert days == [dt.date(2025, 10, 16), dt.date(2025, 10, 17), dt.date(2025, 10, 20), dt.date(2025, 10, 21)]
    assert school_days(dt.date(2025, 10, 18), dt.date(2025, 10, 19)) == []
