"""A believable science department to explore the app with: ``cpd-desktop demo``.

About 25 staff in Science, Biology, Chemistry and Physics (ECTs, part-timers, a leaver), three
academic years of CPD from 2023/24 to 2025/26 (and the current year so far) from the real
providers, bookings past and future with cover and a two-week timetable (each class named by its
subject, each person on courses of their own science), term dates with half-terms for every year it
has data in, bursary schemes, and claims in every status under schemes that fit them. The same seed
and the same day give the same school.

Whatever day it is made on, the demo keeps its promises: bookings in every status, a booking coming up
with its cover sheet filled in, cover and claims in the current academic year, claims in every status,
and an evaluation overdue (``cpd-desktop demo --today`` makes it as on another day).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..models import Activity, Booking, BursaryClaim, Course, School, Staff, TimetableLesson
from ..models.enums import BOOKING_STATUSES, CLAIM_STATUSES, STANDARD_PARTS
from . import activities, audit, bookings, bursaries, catalogue, schools
from . import staff as staff_service
from .years import (
    AcademicYear,
    SchoolCalendar,
    academic_year_of,
    add_school_days,
    bank_holiday,
    easter_sunday,
    next_school_day,
    suggested_terms,
)

DEMO_SCHOOL = "Ashcombe Park Academy"

# forename, surname, code, department, role, fte, ect year
STAFF = [
    ("Helen", "Marsden", "HMA", "Science", "Head of Science", 1.0, None),
    ("Łukasz", "Zając", "LZA", "Physics", "Teacher of Physics", 1.0, None),
    ("Nguyễn Thị", "Mai", "NTM", "Chemistry", "Teacher of Chemistry", 1.0, 2),
    ("Siobhán", "Ó Dálaigh", "SOD", "Biology", "Head of Biology", 1.0, None),
    ("Bronwen", "ap Rhys", "BAR", "Physics", "Teacher of Physics", 0.8, None),
    ("Zbigniew", "Wójcik", "ZWO", "Chemistry", "Head of Chemistry", 1.0, None),
    ("Chloë", "Ashworth", "CAS", "Biology", "Teacher of Biology", 0.6, None),
    ("Daniel", "Okafor", "DOK", "Physics", "Head of Physics", 1.0, None),
    ("Priya", "Raman", "PRA", "Science", "Teacher of Science", 1.0, 1),
    ("Tomás", "Ferreira", "TFE", "Chemistry", "Teacher of Chemistry", 1.0, None),
    ("Aisha", "Begum", "ABE", "Biology", "Teacher of Biology", 1.0, None),
    ("Gareth", "Llewellyn", "GLL", "Science", "Second in Science", 1.0, None),
    ("Rebecca", "Thornton", "RTH", "Science", "Teacher of Science", 0.8, None),
    ("Kwame", "Mensah", "KME", "Physics", "Teacher of Physics", 1.0, 1),
    ("Fiona", "MacLeod", "FML", "Biology", "Teacher of Biology", 1.0, None),
    ("Oliver", "Hughes", "OHU", "Chemistry", "Teacher of Chemistry", 1.0, None),
    ("Sophie", "Clarke", "SCL", "Science", "Teacher of Science", 0.5, None),
    ("Mohammed", "Iqbal", "MIQ", "Science", "KS3 Science Lead", 1.0, None),
    ("Eleanor", "Price", "EPR", "Biology", "Teacher of Biology", 1.0, 2),
    ("James", "Whitfield", "JWH", "Physics", "Teacher of Physics", 1.0, None),
    ("Agnieszka", "Nowak", "ANO", "Chemistry", "Teacher of Chemistry", 0.8, None),
    ("Samuel", "Adeyemi", "SAD", "Science", "Teacher of Science", 1.0, None),
    ("Hannah", "Doyle", "HDO", "Science", "Science Technician Lead", 1.0, None),
    ("Matthew", "Kerr", "MKE", "Physics", "Teacher of Physics", 1.0, None),
    ("Lucy", "Brennan", "LBR", "Biology", "Teacher of Biology", 1.0, None),
]

PROVIDERS = {
    "stem": "STEM Learning", "york": "National STEM Learning Centre", "iop": "Institute of Physics",
    "rsc": "Royal Society of Chemistry", "rsb": "Royal Society of Biology",
    "ase": "Association for Science Education", "ogden": "Ogden Trust",
    "slp": "Science Learning Partnership (Yorkshire)", "spn": "Stimulating Physics Network",
    "pstt": "Primary Science Teaching Trust", "school": "In-house",
}

# code, title, provider, format, subject, subject-specific, hours, days, fee, bursary?
COURSES = [
    ("RP301", "Practical physics for non-specialists (residential)", "york", "residential", "Physics", True, 18, 3, 650, "res"),
    ("RC210", "Developing expertise in teaching chemistry (residential)", "york", "residential", "Chemistry", True, 18, 3, 650, "res"),
    ("RB115", "Leading outstanding biology practicals (residential)", "york", "residential", "Biology", True, 12, 2, 495, "res"),
    ("RL400", "Leading science in secondary schools (residential)", "york", "residential", "Science", True, 18, 3, 695, "res"),
    ("SLP12", "Effective feedback in science", "slp", "face_to_face", "Science", True, 6, 1, 180, None),
    ("SLP31", "Assessment for learning in KS3 science", "slp", "face_to_face", "Science", True, 6, 1, 180, None),
    ("SPN01", "Teaching forces and motion", "spn", "face_to_face", "Physics", True, 5, 1, 0, None),
    ("IOP-E", "Electricity misconceptions", "iop", "online_course", "Physics", True, 4, 1, 0, None),
    ("RSC-O", "Organic chemistry pedagogy", "rsc", "online_course", "Chemistry", True, 6, 1, 75, None),
    ("RSB-G", "Teaching genetics and evolution", "rsb", "webinar", "Biology", True, 1.5, 1, 0, None),
    ("ASE26", "ASE Annual Conference", "ase", "conference", "Science", True, 12, 2, 320, "ase"),
    ("OGD-P", "Ogden physics in the curriculum", "ogden", "face_to_face", "Physics", True, 6, 1, 0, "ogden"),
]

TITLES_GENERIC = [
    ("Safeguarding update", "inset", False, 1.5), ("Adaptive teaching for SEND", "inset", False, 2),
    ("Behaviour and routines twilight", "inset", False, 1.5), ("Retrieval practice reading group", "reading", False, 1),
    ("Instructional coaching cycle", "coaching", False, 1), ("Lesson study: required practicals", "lesson_study", True, 3),
    ("Cognitive load theory in science", "webinar", True, 1), ("Disciplinary literacy in science", "inset", True, 2),
    ("Working scientifically: planning practicals", "inset", True, 2), ("Mentor training (ECF)", "coaching", False, 2),
]

# Classes by who teaches them: everyone teaches Key Stage 3 and combined science; a specialist teaches their own
# science's GCSE and A-level groups, a teacher of science the GCSE groups of all three. A class's subject is in
# its name (10X/Sc1 Science, 12/Ch Chemistry).
CLASSES_SHARED = ["7A", "7B", "8C", "8D", "9E", "9F", "10X/Sc1", "10Y/Sc2"]
CLASSES_OF = {"Biology": ["11X/Bi1", "12/Bi", "13/Bi"], "Chemistry": ["11Y/Ch1", "12/Ch", "13/Ch"],
              "Physics": ["11Z/Ph1", "12/Ph", "13/Ph"], "Science": ["11X/Bi1", "11Y/Ch1", "11Z/Ph1"]}
CLASS_SUBJECTS = {"Bi": "Biology", "Ch": "Chemistry", "Ph": "Physics"}


def class_subject(group: str) -> str:
    """The subject a class is taught, from its name: 12/Ch is Chemistry, 9E and 10X/Sc1 Science."""
    return CLASS_SUBJECTS.get(group.partition("/")[2][:2], "Science")
WORK = [
    ("Complete the worksheet on energy stores (pages 4–6), then the exam question on the back.",
     "Grey tray on the front bench, S4"),
    ("Read pages 112–115 of the textbook and answer questions 1–8 in exercise books.",
     "Textbooks in the cupboard at the back of S2"),
    ("Mock practical write-up: use the results table provided to draw a graph.", "Blue folder on the teacher's desk"),
    ("Retrieval quiz on the slides (shared drive: Science > Year 9 > Cover), then mark with the answers.",
     "Slides on the shared drive; answers in the top drawer"),
]
TECH_NOTES = ["No practical: please remove the trays set out for period 3.",
              "Class set of mini whiteboards please.", "", "Microscopes stay locked away: no practical."]


def build_demo(session: Session, *, seed: int = 1, today: dt.date | None = None,
               cpd_log: bool = True) -> dict[str, Any]:
    """Fill an empty database with the demo school; returns counts of what was made.

    ``cpd_log=False`` leaves out the INSET days, twilights and courses logged outside bookings: a quicker
    school with the same staff, timetable, bookings, claims and promises (what the tests of those use).
    """
    rng = random.Random(seed)
    today = today or dt.date.today()
    session.info["user"] = "demo"
    school = schools.create_school(session, DEMO_SCHOOL, urn="139876", postcode="YO10 5DD", phase="secondary",
                                   departments=["Science", "Biology", "Chemistry", "Physics"])
    school.is_demo = True
    school.week_a_commencing = dt.date(2023, 9, 4)
    prov = {key: catalogue.provider_id(session, school, name) for key, name in PROVIDERS.items()}
    provider_names = PROVIDERS

    residential = bursaries.add_scheme(
        session, school, name="Science CPD Partnership residential bursary", funder="STEM Learning",
        rule="per_day", amount="220.00", implementation_amount="0", min_days=2, claim_deadline_days=60,
        evidence_required="Attendance confirmed; impact evaluation; supply invoice", valid_from=SCHEMES_FROM)
    enthuse = bursaries.add_scheme(
        session, school, name="ENTHUSE award (actual costs)", funder="STEM Learning", rule="actual_costs",
        implementation_amount="100.00", min_days=2, claim_deadline_days=90,
        evidence_required="Receipts for travel and subsistence; supply invoice; impact evaluation",
        valid_from=SCHEMES_FROM)
    ogden = bursaries.add_scheme(
        session, school, name="Ogden Trust physics grant", funder="Ogden Trust", rule="per_course",
        amount="300.00", min_days=0, claim_deadline_days=30, evidence_required="Attendance confirmed",
        valid_from=SCHEMES_FROM)
    ase = bursaries.add_scheme(
        session, school, name="ASE Annual Conference bursary", funder="Association for Science Education",
        rule="per_course", amount="150.00", min_days=0, claim_deadline_days=60,
        evidence_required="Attendance confirmed; receipts for travel", valid_from=SCHEMES_FROM)
    _ended_schemes(session, school)
    schemes = {"res": residential, "enthuse": enthuse, "ogden": ogden, "ase": ase}

    courses: list[Course] = []
    for code, title, pkey, fmt, subject, subj, hours, days, fee, scheme_key in COURSES:
        course = catalogue.add_course(session, school, provider=provider_names[pkey], code=code, title=title,
                                      format=fmt, subject=subject, subject_specific=subj, hours=hours, days=days,
                                      fee=fee)
        if scheme_key:
            course.bursary_scheme_id = schemes[scheme_key].id
        courses.append(course)

    first_year = AcademicYear(2023)
    current = academic_year_of(today)
    calendar = _term_dates(session, school, first_year, current.next())
    people: list[Staff] = []
    for i, (fore, sur, code, dept, role, fte, ect) in enumerate(STAFF):
        # ECTs are in their first or second year of induction now, whatever year the demo is made in.
        start = dt.date(2010 + rng.randrange(0, 13), 9, 1)
        if ect:
            start = dt.date(current.start_year - (ect - 1), 9, 1)
        leaving = dt.date(2025, 7, 31) if code == "SCL" else None
        person = staff_service.add_staff(
            session, school, forename=fore, surname=sur, staff_code=code, department=dept, role=role, fte=fte,
            ect_year=ect, start_date=start, leaving_date=leaving,
            email=f"{code.lower()}@ashcombepark.sch.uk")
        people.append(person)
        _timetable(session, school, person, rng, i)

    counts = {"staff": len(people), "activities": 0, "bookings": 0, "claims": 0}
    # The log draws its own dice, so the bookings and claims below are the same with it or without it.
    log_rng = random.Random(f"{seed}:cpd-log")
    year = first_year
    while cpd_log and year.start_year <= current.start_year:
        for person in people:
            if not _employed(person, year):
                continue
            counts["activities"] += _year_of_cpd(session, school, person, year, log_rng, today, prov)
        year = year.next()

    # Bookings: residential and local courses, past (attended, some cancelled) and future.
    booking_list: list[Booking] = []
    for person in people:
        if person.leaving_date and person.leaving_date < today - dt.timedelta(days=365):
            continue
        fitting = [c for c in courses if _fits(person, c)]
        for _ in range(rng.randint(1, 3)):
            course = rng.choice(fitting)
            day = today + dt.timedelta(days=rng.randint(-700, 120))
            while not calendar.in_term(day):  # no course in the holidays, nor all of them on the first day back
                day = today + dt.timedelta(days=rng.randint(-700, 120))
            start = calendar.next_school_day(day)
            if person.start_date and start < person.start_date:
                continue
            days_needed = max(1, int(course.days))
            end = calendar.end_after(start, days_needed)
            if person.leaving_date and end > person.leaving_date:
                continue  # nobody goes on a course for the school after leaving it
            if not _free(session, person, start, end):
                continue  # nor on two courses at once
            b = bookings.create_booking(
                session, school, person, course=course, start_date=start, end_date=end,
                cover_required=_needs_cover(person, course),
                travel=Decimal(rng.choice([0, 24, 46, 120, 185])) if course.format != "online_course" else 0,
                accommodation=Decimal(110 * (days_needed - 1)) if course.format == "residential" else 0,
                subsistence=Decimal(rng.choice([0, 15, 30])),
                intended_outcomes=f"Use ideas from '{course.title}' with Year {rng.choice([7, 8, 9, 10, 11])} "
                                  "and share them at a department meeting.")
            b.status_changed_on = start - dt.timedelta(days=30)
            booking_list.append(b)
            counts["bookings"] += 1
            if end < today:
                bookings.transition_booking(session, b, "approved", on=start - dt.timedelta(days=40))
                if rng.random() < 0.1:
                    bookings.transition_booking(session, b, "cancelled", on=start - dt.timedelta(days=10),
                                                reason="Exam season: cover could not be found")
                    continue
                bookings.transition_booking(session, b, "booked", on=start - dt.timedelta(days=30))
                act = bookings.mark_attended(session, b, on=end)
                counts["activities"] += 1
                _parts(act, rng, strong=course.format == "residential")
                if end < today - dt.timedelta(days=50) and rng.random() < 0.8:
                    activities.record_evaluation(
                        session, act, impact="Students' practical write-ups are more precise; I model the "
                        "method before they start.", confidence=rng.randint(3, 5),
                        pupil_outcomes="Required-practical questions in the mock: up on last year.",
                        follow_up_actions="Share the resources at the next department meeting.",
                        evaluated_on=end + dt.timedelta(days=rng.randint(20, 45)), today=today)
            else:
                status_path = rng.choice([[], ["approved"], ["approved", "booked"], ["approved", "booked"]])
                for st in status_path:
                    bookings.transition_booking(session, b, st, on=today - dt.timedelta(days=rng.randint(1, 20)))
                if b.cover_required:
                    lessons = bookings.fill_cover_from_timetable(session, b)
                    for cover in lessons[: rng.randint(0, len(lessons))]:
                        work, where = rng.choice(WORK)
                        bookings.update_cover_lesson(session, cover, work_set=work, materials_location=where,
                                                     technician_notes=rng.choice(TECH_NOTES),
                                                     work_return=rng.choice(["collected", "homework", "none"]))

    # What the demo promises on any day it is made, whatever the dice gave above: a booking coming up with
    # its cover sheet, cover and claims in the current academic year, every booking and claim status, and
    # an evaluation overdue.
    upcoming = _cover_booking(session, school, people[1], courses[0], rng, today, future=True)
    booking_list.append(upcoming)
    current = academic_year_of(today, school.academic_year_start_month)
    if not current.contains(upcoming.start_date):
        # Late in the summer term the next course is next year's: this year's cover sheet is one already used.
        booking_list.append(_cover_booking(session, school, people[1], courses[0], rng, today, future=False))
    booking_list += _missing_booking_statuses(session, school, people, courses, booking_list, rng, today)

    _claims(session, school, booking_list, schemes, rng, today)
    _missing_claim_statuses(session, school, people, courses[0], schemes, rng, today)
    _a_claim_due_soon(session, school, people, courses[3], schemes["res"], calendar, rng, today)
    _an_evaluation_overdue(session, school, people, today)
    _budget_lines(session, school, today)
    _claim_codes(session, school)
    session.flush()
    if cpd_log:  # priorities, programmes, staged evaluations and indicators: what the Impact figures show
        from .impact import add_demo_impact

        add_demo_impact(session, school, today, seed)
        from .objectives import add_demo_objectives

        add_demo_objectives(session, school, academic_year_of(today, school.academic_year_start_month), seed)
        from .mechanisms import add_demo_mechanisms

        add_demo_mechanisms(session, school, today)
    for key, model in (("activities", Activity), ("bookings", Booking), ("claims", BursaryClaim)):
        counts[key] = session.scalar(
            select(func.count()).select_from(model).where(model.school_id == school.id)) or 0
    return {"school": school.name, **counts}


def _half_terms(year: AcademicYear) -> list[dt.date]:
    """The weekdays of a year's three half-term holidays, as most English schools have them: the week of the
    last Monday in October, the week of the Monday on or after 12 February, and the week of the spring bank
    holiday (the last Monday in May)."""
    y = year.start_year
    october, february, may = dt.date(y, 10, 31), dt.date(y + 1, 2, 12), dt.date(y + 1, 5, 31)
    mondays = [october - dt.timedelta(days=october.weekday()), february + dt.timedelta(days=-february.weekday() % 7),
               may - dt.timedelta(days=may.weekday())]
    return [monday + dt.timedelta(days=k) for monday in mondays for k in range(5)]


def _term_dates(session: Session, school: School, first: AcademicYear, last: AcademicYear) -> SchoolCalendar:
    """The school's term dates for every academic year the demo has CPD, bookings or claims in, saved as the
    Settings term-date editor saves them (typical English terms), with their half-terms as non-teaching days:
    cover is counted in term only, and a booking's cost knows its year's holidays. Returns the school's
    calendar with them."""
    from .non_teaching_days import add_non_teaching_day

    year = first
    while year.start_year <= last.start_year:
        schools.save_term_dates(session, school.id, year, suggested_terms(year))
        for day in _half_terms(year):
            if bank_holiday(day) is None:
                add_non_teaching_day(session, school, day, "Half-term")
        year = year.next()
    return SchoolCalendar(session, school)


# Weeks well inside any English school's terms, clear of half-terms, Christmas, Easter (22/03 to 25/04),
# the May bank holidays and the summer: (first day, last day) as (month, day). The bookings the demo
# promises go here, so their cover sheets have lessons on them whatever the school's own term dates.
TERM_WINDOWS = [((9, 15), (10, 16)), ((11, 9), (12, 11)), ((1, 12), (2, 6)), ((2, 26), (3, 13)),
                ((5, 11), (5, 21)), ((6, 8), (7, 10))]


def _safe_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """Weekdays from ``first`` to ``last`` on which a course of up to three school days starts and ends
    inside one of the TERM_WINDOWS."""
    out = []
    for year in range(first.year - 1, last.year + 1):
        for (m1, d1), (m2, d2) in TERM_WINDOWS:
            window_start, window_end = dt.date(year, m1, d1), dt.date(year, m2, d2)
            day = window_start
            while add_school_days(day, 2) <= window_end:
                if day.weekday() < 5 and first <= day <= last:
                    out.append(day)
                day += dt.timedelta(days=1)
    return sorted(out)


def _next_safe_start(after: dt.date) -> dt.date:
    return _safe_starts(after, after + dt.timedelta(days=200))[0]


def _last_safe_start(before: dt.date) -> dt.date:
    """The last safe start whose three days are over before ``before``."""
    return [d for d in _safe_starts(before - dt.timedelta(days=200), before)
            if add_school_days(d, 2) < before][-1]


def _free(session: Session, person: Staff, start: dt.date, end: dt.date) -> bool:
    """Nobody is booked on two courses on the same day."""
    return session.scalar(select(Booking.id).where(Booking.staff_id == person.id, Booking.start_date <= end,
                                                   Booking.end_date >= start).limit(1)) is None


def _available(session: Session, people: list[Staff], start: dt.date, end: dt.date, *,
               teaching: bool = False) -> list[Staff]:
    """Who can go on a course from start to end: employed, free, and (``teaching``) with lessons to cover."""
    return [p for p in people if _employed_on(p, start) and _employed_on(p, end)
            and not (teaching and p.role and "Technician" in p.role) and _free(session, p, start, end)]


def _needs_cover(person: Staff, course: Course) -> bool:
    """A teacher away on a course in school hours needs cover; a technician teaches no lessons, and nobody
    needs cover for an online course or a webinar."""
    return course.format not in ("online_course", "webinar") and not (person.role and "Technician" in person.role)


def _fitting(people: list[Staff], course: Course) -> list[Staff]:
    """Those of ``people`` the course fits (``_fits``); all of them if it fits none."""
    return [p for p in people if _fits(p, course)] or people


def _book(session: Session, school: School, person: Staff, course: Course, start: dt.date,
          rng: random.Random) -> Booking:
    end = add_school_days(start, max(1, int(course.days)) - 1)
    return bookings.create_booking(
        session, school, person, course=course, start_date=start, end_date=end,
        cover_required=_needs_cover(person, course),
        travel=Decimal(rng.choice([24, 46, 92, 120])),
        accommodation=Decimal(110 * (int(course.days) - 1)) if course.format == "residential" else 0,
        subsistence=Decimal(rng.choice([15, 30])),
        intended_outcomes=f"Use ideas from '{course.title}' with Year {rng.choice([7, 8, 9, 10, 11])} "
                          "and share them at a department meeting.")


def _attend(session: Session, booking: Booking) -> Activity:
    bookings.transition_booking(session, booking, "approved", on=booking.start_date - dt.timedelta(days=40))
    bookings.transition_booking(session, booking, "booked", on=booking.start_date - dt.timedelta(days=30))
    return bookings.mark_attended(session, booking, on=booking.end_date)


def _cover_booking(session: Session, school: School, person: Staff, course: Course, rng: random.Random,
                   today: dt.date, *, future: bool) -> Booking:
    """A residential course with its cover lessons filled in: booked and coming up soon (``future``), or
    attended earlier in the current academic year (called when the next one is in the next year)."""
    start = _next_safe_start(today + dt.timedelta(days=3)) if future else _last_safe_start(today)
    while not _free(session, person, start, add_school_days(start, 2)):
        start = _next_safe_start(start + dt.timedelta(days=1)) if future else _last_safe_start(start)
    b = _book(session, school, person, course, start, rng)
    b.intended_outcomes = "Confidence with practical electricity for Year 10."
    if future:
        bookings.transition_booking(session, b, "approved", on=today - dt.timedelta(days=20))
        bookings.transition_booking(session, b, "booked", on=today - dt.timedelta(days=14))
    for cover in bookings.fill_cover_from_timetable(session, b):
        work, where = rng.choice(WORK)
        bookings.update_cover_lesson(session, cover, work_set=work, materials_location=where,
                                     technician_notes=rng.choice(TECH_NOTES), work_return="collected")
    if not future:
        _attend(session, b)
    return b


def _missing_booking_statuses(session: Session, school: School, people: list[Staff], courses: list[Course],
                              booking_list: list[Booking], rng: random.Random, today: dt.date) -> list[Booking]:
    """A booking in each status the dice left out: future ones planned, approved, booked or cancelled,
    and an attended one in the past."""
    made: list[Booking] = []
    have = {b.status for b in booking_list}
    local = [c for c in courses if c.format == "face_to_face"]
    for n, status in enumerate(s for s in BOOKING_STATUSES if s not in have):
        if status == "attended":
            start = _last_safe_start(today - dt.timedelta(days=60 + 7 * n))
        else:
            start = _next_safe_start(today + dt.timedelta(days=21 + 7 * n))
        course = local[n % len(local)]
        person = rng.choice(_fitting(_available(session, people, start, add_school_days(start, 2), teaching=True),
                                     course))
        b = _book(session, school, person, course, start, rng)
        if status == "attended":
            _parts(_attend(session, b), rng, strong=False)
        elif status == "cancelled":
            bookings.transition_booking(session, b, "cancelled", on=today - dt.timedelta(days=3),
                                        reason="Mock exams moved: cover could not be found")
        else:
            for step in ("approved", "booked")[: ("planned", "approved", "booked").index(status)]:
                bookings.transition_booking(session, b, step, on=today - dt.timedelta(days=5))
        made.append(b)
    return made


# The demo's running schemes pay for courses from this date (before its first bookings), with no end set.
SCHEMES_FROM = dt.date(2020, 9, 1)


def _ended_schemes(session: Session, school: School) -> None:
    """Schemes whose funding ended, as Settings shows them apart: no claim of the demo is made under them."""
    check = "Check the current rules with the funder before claiming: they change year to year."
    bursaries.add_scheme(
        session, school, name="Stimulating Physics Network", funder="Institute of Physics", rule="per_course",
        amount="150.00", min_days=0, claim_deadline_days=60, valid_from="01/09/2014", valid_to="31/03/2025",
        active=False, eligibility="State-funded schools in England in the network's partnership; physics "
                                  "teachers and non-specialists teaching physics. The network's funding ended in "
                                  "March 2025.")
    bursaries.add_scheme(
        session, school, name="Science Learning Partnership local bursary", funder="STEM Learning",
        rule="per_day", amount="110.00", min_days=1, claim_deadline_days=45, valid_from="01/09/2014",
        valid_to="31/08/2024", active=False,
        eligibility="State-funded schools in the partnership's area; Science Learning Partnerships lost their "
                    "funding in August 2024. " + check)


def _missing_claim_statuses(session: Session, school: School, people: list[Staff], course: Course,
                            schemes: dict[str, Any], rng: random.Random, today: dt.date) -> list[Booking]:
    """A residential course attended and claimed for, for each claim status the dice left out."""
    have = set(session.scalars(select(BursaryClaim.status).where(BursaryClaim.school_id == school.id)))
    made: list[Booking] = []
    for n, status in enumerate(s for s in CLAIM_STATUSES if s not in have):
        # Claims move on weeks after the course: the course is two months back or more.
        start = _last_safe_start(today - dt.timedelta(days=60 + 14 * n))
        person = rng.choice(_fitting(_available(session, people, start, add_school_days(start, 2), teaching=True),
                                     course))
        b = _book(session, school, person, course, start, rng)
        _parts(_attend(session, b), rng, strong=True)
        claim = bursaries.create_claim(session, b, schemes["res"])  # its budget code: _claim_codes
        _move_claim(session, claim, b, status, rng, today)
        made.append(b)
    return made


def _a_claim_due_soon(session: Session, school: School, people: list[Staff], course: Course, scheme: Any,
                      calendar: SchoolCalendar, rng: random.Random, today: dt.date) -> int:
    """The dashboard's claims due soon are the app's nudge to claim: unless the dice left one, a course
    attended some weeks ago whose draft claim falls due within three weeks (when term dates allow one)."""
    from .dashboard_figures import NEAR_DEADLINE_DAYS

    if bursaries.claims_near_deadline(session, school, today, within_days=NEAR_DEADLINE_DAYS):
        return 0
    days = max(1, int(course.days))
    for back in range(1, scheme.claim_deadline_days + 10):  # the latest course first
        start = today - dt.timedelta(days=back)
        if not calendar.is_school_day(start):
            continue
        end = add_school_days(start, days - 1)
        deadline = end + dt.timedelta(days=scheme.claim_deadline_days)
        if not (today < deadline <= today + dt.timedelta(days=NEAR_DEADLINE_DAYS)) \
                or len(calendar.school_days(start, end)) < days:
            continue
        free = _fitting(_available(session, people, start, end, teaching=True), course)
        if not free:
            continue
        b = _book(session, school, rng.choice(free), course, start, rng)
        _parts(_attend(session, b), rng, strong=True)
        bursaries.create_claim(session, b, scheme)  # a draft: its budget code is set by _claim_codes
        return 1
    return 0


def _an_evaluation_overdue(session: Session, school: School, people: list[Staff], today: dt.date) -> int:
    """The dashboard's overdue card is the app's nudge to evaluate: the demo always has one to show."""
    if activities.overdue_evaluations(session, school, today):
        return 0
    day = next_school_day(today - dt.timedelta(days=school.evaluation_due_days + 21))
    person = _available(session, people, day, day, teaching=True)[0]
    activities.add_activity(
        session, school, person, provider=PROVIDERS["slp"], date=day, hours=2, format="face_to_face",
        title="SLP twilight: required practicals in the new specification", subject_specific=True,
        intended_outcomes="Run the required practicals with fewer repeats.")
    return 1


def _subject(person: Staff) -> str:
    """The science a person teaches: their department's (Science for the department as a whole)."""
    name = person.department.name if person.department else ""
    return name if name in ("Biology", "Chemistry", "Physics") else "Science"


def _fits(person: Staff, course: Course) -> bool:
    """Whether a course is one the person would go on: a technician goes to the ASE conference; a teacher
    to courses for the whole of science or their own science (a teacher of science to any)."""
    if person.role and "Technician" in person.role:
        return course.code == "ASE26"
    subject = _subject(person)
    return subject == "Science" or course.subject in (subject, "Science")


def _employed(person: Staff, year: AcademicYear) -> bool:
    return ((person.start_date is None or person.start_date <= year.end)
            and (person.leaving_date is None or person.leaving_date >= year.start))



def _timetable(session: Session, school: School, person: Staff, rng: random.Random, index: int) -> None:
    if person.role and "Technician" in person.role:
        return
    free_share = 0.2 + (1 - person.fte) + (0.1 if person.ect_year else 0)
    classes = CLASSES_SHARED + CLASSES_OF[_subject(person)]
    room = f"S{index % 12 + 1}"
    rows = []
    for week in ("A", "B"):
        for weekday in range(1, 6):
            for period in range(1, 6):
                if rng.random() < free_share:
                    continue
                group = rng.choice(classes)
                rows.append({"school_id": school.id, "staff_id": person.id, "week": week, "weekday": weekday,
                             "period": period, "class_group": group, "subject": class_subject(group), "room": room,
                             "updated_by": "demo"})
    # One statement for a person's timetable and one audit entry, as a timetable import writes them.
    session.execute(insert(TimetableLesson), rows)
    audit.record(session, school_id=school.id, action="create", table_name=TimetableLesson.__tablename__,
                 summary=f"Added the timetable of {person.full_name}: {len(rows)} lessons")


def _parts(act: Any, rng: random.Random, *, strong: bool) -> None:
    for part, met in _part_values(rng, strong=strong).items():
        setattr(act, part, met)


def _part_values(rng: random.Random, *, strong: bool) -> dict[str, bool]:
    """Which parts of the Standard an activity meets, given with the activity (one write, not two).

    The parts go together in real CPD: a well-made programme (``strong``) most often meets all five, a
    one-off session now and then; otherwise each part on its own. (Drawn independently, a term of one-off
    sessions met all five in none of its hours, and the dashboard's first card read 0%.) Five draws
    whichever way, so the rest of the demo is the same however these chances are set."""
    draws = [rng.random() for _part in STANDARD_PARTS]
    if draws[0] < (0.55 if strong else 0.08):
        return dict.fromkeys(STANDARD_PARTS, True)
    return {part: draw < (0.85 if strong else 0.45) for part, draw in zip(STANDARD_PARTS, draws, strict=True)}


def _year_of_cpd(session: Session, school: School, person: Staff, year: AcademicYear, rng: random.Random,
                 today: dt.date, prov: dict[str, int | None]) -> int:
    """INSET days, twilights and a spread of subject CPD for one person in one year."""
    made = 0
    easter = easter_sunday(year.start_year + 1)
    inset_days = [dt.date(year.start_year, 9, 1), dt.date(year.start_year, 9, 2),
                  dt.date(year.start_year + 1, 1, 5), easter + dt.timedelta(days=15), dt.date(year.start_year + 1, 7, 20)]
    scale = person.fte
    seen: set[tuple[dt.date, str]] = set()
    for day in rng.sample(inset_days, 3):  # the other INSET days go on planning and admin
        day = next_school_day(day)
        if day > today or not (_employed_on(person, day)):
            continue
        subj = rng.random() < 0.3
        title = "INSET: department development day" if subj else "INSET: whole-school training day"
        if (day, title) in seen:  # 1 September on a Sunday moves to the Monday, which may be INSET already
            continue
        seen.add((day, title))
        inset_hours = rng.choice([3, 4, 5]) if scale >= 0.8 else 3
        activities.add_activity(
            session, school, person, provider=PROVIDERS["school"], date=day, hours=inset_hours, title=title,
            format="inset", subject_specific=subj, **_part_values(rng, strong=False),
            evaluated_on=day + dt.timedelta(days=14) if day < today - dt.timedelta(days=60) else None)
        made += 1
    for _ in range(int(rng.randint(5, 12) * scale)):
        day = next_school_day(year.start + dt.timedelta(days=rng.randint(5, 330)))
        if day > today or not _employed_on(person, day):
            continue
        if rng.random() < 0.6:
            title, fmt, subj, hours = rng.choice(TITLES_GENERIC)
            provider = PROVIDERS["school"] if fmt in ("inset", "coaching", "lesson_study") else PROVIDERS["ase"]
        else:
            key = rng.choice(["stem", "iop", "rsc", "rsb", "slp", "spn", "ase"])
            provider = PROVIDERS[key]
            title = rng.choice({
                "stem": ["Online: planning practical work", "Online: questioning in science"],
                "iop": ["IOP webinar: teaching energy", "IOP: the particle model"],
                "rsc": ["RSC: quantitative chemistry", "RSC: bonding misconceptions"],
                "rsb": ["RSB: ecology fieldwork", "RSB: cell biology practicals"],
                "slp": ["SLP network meeting", "SLP: subject leadership"],
                "spn": ["SPN: waves and sound", "SPN: electricity"],
                "ase": ["ASE regional meeting", "ASE: assessment in science"],
            }[key])
            fmt = rng.choice(["face_to_face", "online_course", "webinar"])
            subj, hours = True, rng.choice([1, 1.5, 2, 3, 6])
        if person.ect_year and rng.random() < 0.4:
            title, fmt, subj, hours = "ECF induction: training session", "coaching", False, 1.5
        if (day, title) in seen:  # one record per activity: a repeat would be a duplicate on re-import
            continue
        seen.add((day, title))
        cost = Decimal(rng.choice([0, 0, 25, 60])) if fmt != "inset" else None
        parts = _part_values(rng, strong=subj and fmt in ("lesson_study", "coaching"))
        evaluation: dict[str, Any] = {}
        if day < today - dt.timedelta(days=60) and rng.random() < 0.7:
            evaluation = {
                "evaluated_on": day + dt.timedelta(days=school.evaluation_due_days),
                "impact": "Tried the approach with two classes; pupils explain their reasoning more clearly.",
                "impact_confidence": rng.randint(3, 5)}
        activities.add_activity(session, school, person, provider=provider, date=day, hours=hours, title=title,
                                format=fmt, subject_specific=subj, cost=cost, **parts, **evaluation)
        made += 1
    if person.role and person.role.startswith("Head of") and year.start_year == 2024:
        act = activities.add_activity(
            session, school, person, provider=PROVIDERS["stem"], date=dt.date(2024, 10, 7),
            end_date=dt.date(2025, 12, 12), hours=40, title="NPQ in Leading Teaching", format="npq",
            subject_specific=False, status="completed" if today > dt.date(2025, 12, 12) else "in_progress")
        _parts(act, rng, strong=True)
        made += 1
    return made


def _employed_on(person: Staff, day: dt.date) -> bool:
    return ((person.start_date is None or person.start_date <= day)
            and (person.leaving_date is None or person.leaving_date >= day))


def _claims(session: Session, school: School, booking_list: list[Booking], schemes: dict[str, Any],
            rng: random.Random, today: dt.date) -> int:
    made = 0
    statuses = ["paid", "approved", "submitted", "draft", "rejected", "withdrawn"]
    for b in booking_list:
        course = b.course
        if course is None or course.bursary_scheme_id is None or b.status == "cancelled":
            continue
        scheme = next(s for s in schemes.values() if s.id == course.bursary_scheme_id)
        if bursaries.eligibility_problems(scheme, b, school):
            continue
        if rng.random() < 0.35 and scheme.rule == "per_day":
            scheme = schemes["enthuse"]
        claim = bursaries.create_claim(session, b, scheme)  # its budget code: _claim_codes
        made += 1
        if b.status != "attended":
            continue
        _move_claim(session, claim, b, statuses[made % len(statuses)], rng, today)
    return made


def _move_claim(session: Session, claim: BursaryClaim, b: Booking, target: str, rng: random.Random,
                today: dt.date) -> None:
    """Take a draft claim for an attended course to ``target``, its dates in order after the course."""
    on = b.end_date + dt.timedelta(days=rng.randint(5, 25))
    if target == "draft":
        return
    if target == "withdrawn":
        bursaries.transition_claim(session, claim, "withdrawn", on=min(on, today))
        return
    claim.evidence_attendance = True
    claim.evidence_invoice = rng.random() < 0.8
    claim.evidence_evaluation = b.end_date < today - dt.timedelta(days=50)
    bursaries.transition_claim(session, claim, "submitted", on=min(on, today),
                               reference=f"SCP-{b.start_date:%y}{claim.id:04d}")
    if target == "submitted":
        return
    if target == "rejected":
        bursaries.transition_claim(session, claim, "rejected", on=min(on + dt.timedelta(days=20), today))
        return
    bursaries.transition_claim(session, claim, "approved", on=min(on + dt.timedelta(days=14), today))
    if target == "paid":
        # Now and then the funder pays short: the claims workbook's shortfall column is there for this.
        short = rng.random() < 0.35 and claim.claimed is not None
        amount = (claim.claimed * 2 / 3).quantize(Decimal("0.01")) if short and claim.claimed else None
        bursaries.transition_claim(session, claim, "paid", on=min(on + dt.timedelta(days=40), today), amount=amount)
        if amount is not None:
            claim.notes = "Paid short: the funder queried the supply invoice. Chase the balance with the receipts."


# The demo's CPD budget: a line per department for this financial year and the last, but Science's line is
# spent against by budget code (its bookings carry CPD-SCI), and one Science booking this year carries none,
# so it shows as "Unallocated". The Physics line is set close to overspent.
DEMO_BUDGET = [("Biology CPD", "CPD-BIO", "Biology"), ("Chemistry CPD", "CPD-CHE", "Chemistry"),
               ("Physics CPD", "CPD-PHY", "Physics"), ("Science (whole department) CPD", "CPD-SCI", None)]


def _budget_lines(session: Session, school: School, today: dt.date) -> None:
    from ..models import BudgetLine, Department
    from .budget import COUNTED_STATUSES, budget_rows
    from .years import FinancialYear, financial_year_of

    depts = {d.name: d.id for d in session.scalars(select(Department).where(Department.school_id == school.id))}
    now = financial_year_of(today, school.financial_year_start_month)
    for fy in (FinancialYear(now.start_year - 1, now.start_month), now):
        for name, code, dept in DEMO_BUDGET:
            session.add(BudgetLine(school_id=school.id, financial_year=fy.start_year, name=name, budget_code=code,
                                   department_id=depts.get(dept) if dept else None, amount=Decimal("0.00")))
        science = list(session.scalars(
            select(Booking).join(Staff, Staff.id == Booking.staff_id)
            .where(Booking.school_id == school.id, Staff.department_id == depts["Science"],
                   Booking.start_date.between(fy.start, fy.end)).order_by(Booking.start_date, Booking.id)))
        counted = [b for b in science if b.status in COUNTED_STATUSES]
        left_out = counted[-1] if fy == now and counted else None
        for b in science:
            if b is not left_out:
                b.budget_code = "CPD-SCI"
                session.flush()  # one at a time: the audit trail's order is the same on every run
        for row in budget_rows(session, school, fy):
            if row.line_id is None:
                continue
            line = session.get(BudgetLine, row.line_id)
            assert line is not None
            net = max(row.net_forecast, Decimal("0.00"))
            if fy == now and line.budget_code == "CPD-PHY":
                line.amount = _round_up(net / Decimal("0.95") + 1, 50)  # about 95% used
            else:
                line.amount = _round_up(net * Decimal("1.5") + 1000, 100)
            if fy == now and line.budget_code == "CPD-SCI":  # a line that splits its money by cost head
                for head, share, spare in (("fee", "1.3", 500), ("travel", "1.2", 200), ("cover", "1.1", 300)):
                    used = row.heads[head].used
                    setattr(line, f"{head}_amount", _round_up(used * Decimal(share) + spare, 50))
            session.flush()


def _claim_codes(session: Session, school: School) -> None:
    """Each claim credited to the line its booking counts against (by the booking's code, else its person's
    department's line), as raising a claim in the app does: the claims are made before the budget lines, when
    there was no line to find. A booking on no line (unallocated, or a year before the demo's budget) leaves
    its claim's code blank."""
    from .budget import booking_allocations

    session.flush()
    lines = booking_allocations(session, school)  # every booking's line, in one query
    for claim in session.scalars(select(BursaryClaim).where(BursaryClaim.school_id == school.id)
                                 .order_by(BursaryClaim.id)):
        code = lines[claim.booking_id][1]
        if claim.budget_code != code:
            claim.budget_code = code
            session.flush()  # one at a time: the audit trail's order is the same on every run


def _round_up(amount: Decimal, step: int) -> Decimal:
    return Decimal(-(-int(amount) // step) * step).quantize(Decimal("0.01"))

