"""Seeded, deterministic databases for the benchmarks, written through the app's own bulk path.

* ``school``: one school, 200 staff, five academic years (2022/23 to 2026/27), 100,000 CPD
  activities, about 2,000 bookings with their cover lessons, bursary claims and a two-week timetable.
* ``trust``: ten such schools in one database, 2,000 staff and 1,000,000 activities.
* ``tiny`` and ``tiny-trust``: the same shapes, small enough for the smoke test.

A database is made by ``open_database(create=True)`` and ``services.schools.create_school``, then
filled with ``session.execute(insert(Model), rows)`` in chunks of 50,000 rows inside one
transaction, the path the imports take. Primary keys are given explicitly so that rows can refer
to each other without reading anything back. The file is cached in ``bench/.cache`` under a name
made of the scale, the seed, the schema's Alembic revision and a hash of this file, so a changed
generator or schema makes a new one, and an older file of the same scale is deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cpd_desktop.models import (
    Activity,
    Booking,
    BursaryClaim,
    BursaryScheme,
    Course,
    CoverLesson,
    Department,
    Provider,
    School,
    Staff,
    TermDates,
    TimetableLesson,
)
from cpd_desktop.services import audit
from cpd_desktop.services.database import open_database
from cpd_desktop.services.schools import create_school
from cpd_desktop.services.years import AcademicYear, easter_sunday, school_days
from cpd_desktop.storage.migrate import head_revision

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
CHUNK = 50_000
FIRST_YEAR = 2022
# Records dated before this day are in the past: attended, evaluated, claimed. Fixed, so that the
# same seed always gives the same database whatever day it is generated on.
REFERENCE_DAY = dt.date(2026, 11, 20)
STAMP = dt.datetime(2026, 11, 20, 9, 0, 0)  # updated_at of every generated row
USER = "bench"


@dataclass(frozen=True)
class Scale:
    name: str
    schools: int
    staff_per_school: int
    years: int
    activities: int  # in all the schools together, bookings' activities included
    long_booking_days: int = 200  # the first school's secondment: one release-cover page per day
    bookings_per_person_year: float = 2.0


SCALES = {
    "tiny": Scale("tiny", 1, 12, 2, 1_500, long_booking_days=6),
    "tiny-trust": Scale("tiny-trust", 2, 10, 2, 3_000, long_booking_days=6),
    "school": Scale("school", 1, 200, 5, 100_000),
    "trust": Scale("trust", 10, 200, 5, 1_000_000),
}


@dataclass
class Generated:
    """A benchmark database on disk and what is in it."""

    path: Path
    scale: str
    seed: int
    cached: bool
    seconds: float  # to generate it (0 when it came from the cache)
    counts: dict[str, int] = field(default_factory=dict)


# ---- vocabulary -----------------------------------------------------------------------------

SCHOOL_NAMES = [
    "Ashcombe Park Academy", "Brookfield High School", "Calder Vale School", "Dunmore Community College",
    "Elmhurst Academy", "Fairholme School", "Greystone High School", "Hollins Park Academy",
    "Ings Lane School", "Juniper Hill College",
]
POSTCODES = ["YO10 5DD", "LS6 2QT", "HX7 8AD", "WF1 3JN", "HG2 0AA", "BD9 4QS", "DN4 7RB", "S10 2TN", "HU5 3LP",
             "YO31 8FT"]
DEPARTMENTS = ["Science", "Biology", "Chemistry", "Physics", "Mathematics", "English", "Humanities",
               "Modern Languages", "Computing", "Design and Technology"]
DEPARTMENT_WEIGHTS = [10, 8, 8, 8, 14, 14, 12, 8, 5, 6]
SUBJECT_OF = {"Science": "Science", "Biology": "Biology", "Chemistry": "Chemistry", "Physics": "Physics",
              "Mathematics": "Mathematics", "English": "English", "Humanities": "History",
              "Modern Languages": "French", "Computing": "Computing", "Design and Technology": "D&T"}
FORENAMES = [
    "Helen", "Łukasz", "Nguyễn Thị", "Siobhán", "Bronwen", "Zbigniew", "Chloë", "Daniel", "Priya", "Tomás",
    "Aisha", "Gareth", "Rebecca", "Kwame", "Fiona", "Oliver", "Sophie", "Mohammed", "Eleanor", "James",
    "Agnieszka", "Samuel", "Hannah", "Matthew", "Lucy", "Zoë", "Rhys", "Amélie", "Oluwaseun", "Grace",
    "Connor", "Saoirse", "Jürgen", "Mei", "Declan", "Anjali", "Björn", "Niamh", "Yusuf", "Catrin",
]
SURNAMES = [
    "Marsden", "Zając", "Mai", "Ó Dálaigh", "ap Rhys", "Wójcik", "Ashworth", "Okafor", "Raman", "Ferreira",
    "Begum", "Llewellyn", "Thornton", "Mensah", "MacLeod", "Hughes", "Clarke", "Iqbal", "Price", "Whitfield",
    "Nowak", "Adeyemi", "Doyle", "Kerr", "Brennan", "Łęcka", "Nguyễn", "Müller", "O'Brien", "Patel",
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Thomas", "Roberts",
    "Khan", "Ali", "Hussain", "Kowalski", "Dąbrowski", "Fernández", "Šimůnek", "Østergaard", "Lefèvre", "Yılmaz",
]
ROLES = ["Teacher", "Teacher", "Teacher", "Teacher", "Second in Department", "Head of Department",
         "Teaching Assistant", "Technician"]
PROVIDERS = [
    "STEM Learning", "National STEM Learning Centre", "Institute of Physics", "Royal Society of Chemistry",
    "Royal Society of Biology", "Association for Science Education", "Ogden Trust",
    "Science Learning Partnership (Yorkshire)", "Stimulating Physics Network", "National Centre for Excellence "
    "in the Teaching of Mathematics", "The Chartered College of Teaching", "In-house",
]
IN_HOUSE = len(PROVIDERS) - 1
# title, provider index, format, subject, subject-specific, hours, days, fee, bursary scheme index or None
COURSES = [
    ("Practical physics for non-specialists (residential)", 1, "residential", "Physics", True, 18, 3, 650, 0),
    ("Developing expertise in teaching chemistry (residential)", 1, "residential", "Chemistry", True, 18, 3, 650, 0),
    ("Leading outstanding biology practicals (residential)", 1, "residential", "Biology", True, 12, 2, 495, 0),
    ("Leading science in secondary schools (residential)", 1, "residential", "Science", True, 18, 3, 695, 1),
    ("Effective feedback in science", 7, "face_to_face", "Science", True, 6, 1, 180, None),
    ("Assessment for learning in KS3 science", 7, "face_to_face", "Science", True, 6, 1, 180, None),
    ("Teaching forces and motion", 8, "face_to_face", "Physics", True, 5, 1, 0, None),
    ("Electricity misconceptions", 2, "online_course", "Physics", True, 4, 1, 0, None),
    ("Organic chemistry pedagogy", 3, "online_course", "Chemistry", True, 6, 1, 75, None),
    ("Teaching genetics and evolution", 4, "webinar", "Biology", True, 1.5, 1, 0, None),
    ("ASE Annual Conference", 5, "conference", "Science", True, 12, 2, 320, 2),
    ("Ogden physics in the curriculum", 6, "face_to_face", "Physics", True, 6, 1, 0, 2),
    ("Teaching for mastery: maths hubs work group", 9, "face_to_face", "Mathematics", True, 12, 2, 0, None),
    ("Reading fluency across the curriculum", 10, "online_course", "English", False, 6, 1, 95, None),
    ("Mentoring early career teachers", 10, "face_to_face", "Whole school", False, 6, 1, 150, None),
    ("Curriculum leadership in humanities", 10, "conference", "History", True, 6, 1, 240, None),
]
# A long booking with cover every day: the cover-sheet case exports its pages in one PDF.
LONG_BOOKING_TITLE = "Teacher research fellowship (secondment, cover every day)"
LONG_BOOKING_START = dt.date(2026, 9, 7)
SCHEMES = [
    ("Science CPD Partnership residential bursary", "STEM Learning", "per_day", "220.00", 2, 60),
    ("ENTHUSE award (actual costs)", "STEM Learning", "actual_costs", "0.00", 2, 90),
    ("Ogden Trust physics grant", "Ogden Trust", "per_course", "300.00", 0, 30),
]
# title, format, subject-specific, hours
ACTIVITY_TITLES = [
    ("Safeguarding update", "inset", False, Decimal("1.5")),
    ("Adaptive teaching for SEND", "inset", False, Decimal("2")),
    ("Behaviour and routines twilight", "inset", False, Decimal("1.5")),
    ("Retrieval practice reading group", "reading", False, Decimal("1")),
    ("Instructional coaching cycle", "coaching", False, Decimal("1")),
    ("Lesson study: required practicals", "lesson_study", True, Decimal("3")),
    ("Cognitive load theory in the classroom", "webinar", False, Decimal("1")),
    ("Disciplinary literacy in the subject", "inset", True, Decimal("2")),
    ("Department development day", "inset", True, Decimal("5")),
    ("Whole-school training day", "inset", False, Decimal("5")),
    ("Subject association regional meeting", "conference", True, Decimal("3")),
    ("Online: planning practical work", "online_course", True, Decimal("2")),
    ("Questioning and feedback webinar", "webinar", True, Decimal("1")),
    ("ECF induction: training session", "coaching", False, Decimal("1.5")),
    ("Exam board: marking the new specification", "face_to_face", True, Decimal("6")),
    ("Reading: 'Making every lesson count'", "reading", False, Decimal("2")),
]
IMPACT = [
    "Tried the approach with two classes; pupils explain their reasoning more clearly.",
    "Students' practical write-ups are more precise; I model the method before they start.",
    "Shared the resources at a department meeting; three colleagues now use them.",
    "Retrieval starters every lesson: end-of-unit test scores up on last year.",
]
CLASSES = ["7A", "7B", "8C", "8D", "9E", "9F", "10X/1", "10Y/2", "11X/1", "11Y/2", "11Z/3", "12/A", "12/B",
           "13/A", "13/B"]
WORK = [
    ("Complete the worksheet on pages 4–6, then the exam question on the back.", "Grey tray on the front bench"),
    ("Read pages 112–115 of the textbook and answer questions 1–8 in exercise books.", "Cupboard at the back"),
    ("Retrieval quiz on the slides (shared drive > Cover), then mark with the answers.", "Shared drive"),
]
TECH_NOTES = ["No practical: please remove the trays set out.", "Class set of mini whiteboards please.", ""]
CLAIM_CYCLE = ["paid", "approved", "submitted", "draft", "rejected", "withdrawn", "paid", "submitted"]


# ---- the cache ------------------------------------------------------------------------------

def _generator_hash() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:10]


def cache_name(scale: str, seed: int) -> str:
    return f"{scale}-seed{seed}-{head_revision()}-{_generator_hash()}.sqlite"


def database(scale: str, seed: int = 1, cache_dir: Path = CACHE_DIR, *, log: Any = print) -> Generated:
    """The benchmark database of a scale and seed: from the cache, or generated now."""
    spec = SCALES[scale]
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / cache_name(scale, seed)
    if path.exists():
        return Generated(path, scale, seed, cached=True, seconds=0.0, counts=_counts(path))
    for old in cache_dir.glob(f"{scale}-seed*.sqlite*"):
        old.unlink()  # an older generator or schema: its file is no use any more
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    log(f"generating the {scale} database ({spec.activities:,} activities, seed {seed}) …")
    start = time.perf_counter()
    db = open_database(part, create=True)
    try:
        _fill(db, spec, seed)
    finally:
        db.dispose()
    os.replace(part, path)
    seconds = time.perf_counter() - start
    counts = _counts(path)
    log(f"  made {path.name} in {seconds:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return Generated(path, scale, seed, cached=False, seconds=seconds, counts=counts)


def demo_database(cache_dir: Path = CACHE_DIR, *, log: Any = print) -> Path:
    """The app's own demo school (``cpd-desktop demo``), as of REFERENCE_DAY, cached like the others."""
    from cpd_desktop.services import demo

    source = hashlib.sha256(Path(demo.__file__).read_bytes()).hexdigest()[:10]
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"demo-{head_revision()}-{source}.sqlite"
    if path.exists():
        return path
    for old in cache_dir.glob("demo-*.sqlite*"):
        old.unlink()
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    log("generating the demo database …")
    db = open_database(part, create=True)
    try:
        with db.session() as s:
            demo.build_demo(s, seed=1, today=REFERENCE_DAY)
    finally:
        db.dispose()
    os.replace(part, path)
    return path


def _counts(path: Path) -> dict[str, int]:
    import sqlite3

    con = sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro", uri=True)  # quoted: %, ? and # in a name
    try:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("school", "staff", "activity", "booking", "cover_lesson", "bursary_claim",
                              "timetable_lesson")}
    finally:
        con.close()


# ---- filling a database ---------------------------------------------------------------------

class _Ids:
    """The next primary key of each table, across all the schools of one database."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


def _fill(db: Any, spec: Scale, seed: int) -> None:
    rng = random.Random(seed)
    ids = _Ids()
    per_school = [spec.activities // spec.schools] * spec.schools
    per_school[0] += spec.activities - sum(per_school)
    with db.session() as s:
        s.info["user"] = USER
        for k in range(spec.schools):
            school = create_school(s, SCHOOL_NAMES[k], urn=str(138000 + k * 17), postcode=POSTCODES[k],
                                   departments=DEPARTMENTS, week_a_commencing="05/09/2022")
            made = _fill_school(s, school, spec, rng, ids, per_school[k],
                                long_booking_days=spec.long_booking_days if k == 0 else 0)
            audit.record(s, school_id=school.id, action="create", table_name="activity",
                         summary=f"Benchmark data: {made['staff']} staff, {made['activities']} activities "
                                 f"(seed {seed})")


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        # render_nulls: otherwise the ORM leaves out None values, splitting the rows into groups of
        # different columns that are inserted one statement per row.
        session.execute(insert(model).execution_options(render_nulls=True), rows[start:start + CHUNK])


def _versioned() -> dict[str, Any]:
    return {"version": 1, "updated_at": STAMP, "updated_by": USER}


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _term_dates(year: int) -> list[tuple[str, dt.date, dt.date]]:
    easter = easter_sunday(year + 1)
    return [
        ("autumn", _weekday(dt.date(year, 9, 4)), dt.date(year, 12, 19)),
        ("spring", _weekday(dt.date(year + 1, 1, 5)), easter - dt.timedelta(days=9)),
        ("summer", _weekday(easter + dt.timedelta(days=8)), dt.date(year + 1, 7, 22)),
    ]


def _fill_school(s: Session, school: School, spec: Scale, rng: random.Random, ids: _Ids,
                 n_activities: int, *, long_booking_days: int = 0) -> dict[str, int]:
    sid = school.id
    years = [AcademicYear(FIRST_YEAR + i) for i in range(spec.years)]
    dept_ids = dict(s.execute(select(Department.name, Department.id).where(Department.school_id == sid)).all())

    _bulk(s, TermDates, [
        {"id": ids.take("term_dates"), "school_id": sid, "academic_year": y.start_year, "term": term,
         "start_date": start, "end_date": end, **_versioned()}
        for y in years for term, start, end in _term_dates(y.start_year)])

    provider_ids = [ids.take("provider") for _ in PROVIDERS]
    _bulk(s, Provider, [{"id": pid, "school_id": sid, "name": name, "website": None, **_versioned()}
                        for pid, name in zip(provider_ids, PROVIDERS, strict=True)])
    scheme_ids = [ids.take("bursary_scheme") for _ in SCHEMES]
    _bulk(s, BursaryScheme, [
        {"id": scheme_id, "school_id": sid, "name": name, "funder": funder, "rule": rule, "amount": Decimal(amount),
         "implementation_amount": Decimal("100.00") if rule == "actual_costs" else Decimal("0.00"),
         "min_days": min_days, "claim_deadline_days": deadline, "state_funded_only": True, "active": True,
         "covers_fee": True, "covers_travel": True, "covers_accommodation": True, "covers_subsistence": True,
         "covers_cover": True, "evidence_required": "Attendance confirmed; impact evaluation", **_versioned()}
        for scheme_id, (name, funder, rule, amount, min_days, deadline) in zip(scheme_ids, SCHEMES, strict=True)])
    courses = []
    for n, (title, prov, fmt, subject, subj, hours, days, fee, scheme) in enumerate(COURSES):
        courses.append({
            "id": ids.take("course"), "school_id": sid, "title": title, "code": f"C{n + 1:03d}",
            "provider_id": provider_ids[prov], "format": fmt, "subject": subject, "subject_specific": subj,
            "hours": Decimal(str(hours)), "days": float(days), "fee": Decimal(fee),
            "bursary_scheme_id": scheme_ids[scheme] if scheme is not None else None, "active": True,
            **_versioned()})
    _bulk(s, Course, courses)

    # Staff: most in post throughout, some joining or leaving during the five years.
    staff: list[dict[str, Any]] = []
    dept_names = list(dept_ids)
    for i in range(spec.staff_per_school):
        fore, sur = rng.choice(FORENAMES), rng.choice(SURNAMES)
        letters = "".join(ch for ch in (fore[0] + sur.replace("'", "").replace(" ", "")[:2]).upper() if ch.isalpha())
        code = f"{letters}{i + 1:03d}"
        dept = rng.choices(dept_names, DEPARTMENT_WEIGHTS[:len(dept_names)])[0]
        roll = rng.random()
        start = dt.date(2005 + rng.randrange(17), 9, 1)
        leaving = None
        ect = None
        if roll < 0.1:
            start = dt.date(rng.choice(years).start_year, 9, 1)
            ect = 1 if start.year == years[-1].start_year else 2 if start.year == years[-1].start_year - 1 else None
        elif roll < 0.18:
            leaving = dt.date(rng.choice(years[:-1] or years).start_year + 1, 7, 31)
        staff.append({
            "id": ids.take("staff"), "school_id": sid, "forename": fore, "surname": sur, "staff_code": code,
            "email": f"{code.lower()}@school{sid}.sch.uk", "role": rng.choice(ROLES), "department_id": dept_ids[dept],
            "fte": rng.choice([1.0, 1.0, 1.0, 1.0, 0.8, 0.6, 0.5]), "ect_year": ect, "start_date": start,
            "leaving_date": leaving, "notes": None, "anonymised": False, **_versioned()})
    _bulk(s, Staff, staff)
    subject_of = {dept_ids[name]: SUBJECT_OF[name] for name in dept_ids}

    # A two-week timetable: five periods a day, a free period share that grows as the FTE falls.
    timetable: list[dict[str, Any]] = []
    lessons_of: dict[tuple[int, str, int], list[dict[str, Any]]] = {}
    for person in staff:
        if person["role"] in ("Technician", "Teaching Assistant"):
            continue
        free = 0.2 + (1 - person["fte"])
        room = f"R{person['id'] % 40 + 1}"
        for week in ("A", "B"):
            for weekday in range(1, 6):
                for period in range(1, 6):
                    if rng.random() < free:
                        continue
                    row = {"id": ids.take("timetable_lesson"), "school_id": sid, "staff_id": person["id"],
                           "week": week, "weekday": weekday, "period": period, "class_group": rng.choice(CLASSES),
                           "subject": subject_of[person["department_id"]], "room": room, **_versioned()}
                    timetable.append(row)
                    lessons_of.setdefault((person["id"], week, weekday), []).append(row)
    _bulk(s, TimetableLesson, timetable)

    slots = [(person, year) for year in years for person in staff if _employed(person, year.start, year.end)]
    week_a = dt.date(2022, 9, 5)
    bookings: list[dict[str, Any]] = []
    cover: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    n_bookings = int(len(slots) * spec.bookings_per_person_year)
    teachers = [p for p in staff if p["role"] not in ("Technician", "Teaching Assistant") and p["leaving_date"] is None]
    for b_index in range(n_bookings + (1 if long_booking_days else 0)):
        if b_index == n_bookings:  # the secondment, last
            person, year = teachers[0], years[-1]
            course = {**courses[4], "title": LONG_BOOKING_TITLE, "course_id": None, "days": long_booking_days,
                      "bursary_scheme_id": None, "hours": Decimal("6.00") * long_booking_days}
            start = LONG_BOOKING_START
        else:
            person, year = slots[rng.randrange(len(slots))]
            course = rng.choice(courses)
            start = _weekday(year.start + dt.timedelta(days=rng.randint(3, 320)))
        days_needed = max(1, int(course["days"]))
        end = start
        while len(school_days(start, end)) < days_needed:
            end += dt.timedelta(days=1)
        if not _employed(person, start, end):
            continue
        absent = school_days(start, end)
        online = course["format"] in ("online_course", "webinar")
        cover_required = not online and person["role"] not in ("Technician", "Teaching Assistant")
        if end < REFERENCE_DAY:
            status = "cancelled" if rng.random() < 0.1 else "attended"
        else:
            status = rng.choice(["planned", "approved", "booked", "booked"])
        booking_id = ids.take("booking")
        bookings.append({
            "id": booking_id, "school_id": sid, "staff_id": person["id"], "course_id": course.get("course_id", course["id"]),
            "title": course["title"], "provider_id": course["provider_id"], "start_date": start, "end_date": end,
            "hours": course["hours"], "format": course["format"], "subject_specific": course["subject_specific"],
            "status": status, "status_changed_on": min(end, REFERENCE_DAY), "cover_required": cover_required,
            "fee": course["fee"], "travel": Decimal(0 if online else rng.choice([0, 24, 46, 120, 185])),
            "accommodation": Decimal(110 * (days_needed - 1)) if course["format"] == "residential" else Decimal(0),
            "subsistence": Decimal(rng.choice([0, 15, 30])), "cover_days": float(len(absent)) if cover_required else 0.0,
            "cover_day_rate": Decimal("291.00"), "supply_invoice_ref": f"INV-{booking_id:06d}" if status == "attended"
            and cover_required else None, "budget_code": "CPD-" + subject_of[person["department_id"]][:3].upper(),
            "intended_outcomes": f"Use ideas from '{course['title']}' with Year {rng.choice([7, 8, 9, 10, 11])}.",
            "notes": None, "cancellation_reason": "Exam season: no cover" if status == "cancelled" else None,
            **_versioned()})
        if cover_required:
            for day in absent:
                week = "A" if ((day - week_a).days // 7) % 2 == 0 else "B"
                for lesson in lessons_of.get((person["id"], week, day.isoweekday()), []):
                    work, where = WORK[rng.randrange(len(WORK))]
                    cover.append({
                        "id": ids.take("cover_lesson"), "school_id": sid, "booking_id": booking_id,
                        "timetable_lesson_id": lesson["id"], "date": day, "period": lesson["period"],
                        "class_group": lesson["class_group"], "subject": lesson["subject"], "room": lesson["room"],
                        "work_set": work, "materials_location": where, "work_return": rng.choice(
                            ["collected", "homework", "none"]), "technician_notes": rng.choice(TECH_NOTES),
                        "cover_teacher": None, "feedback": None, **_versioned()})
        if status == "attended":
            activities.append(_activity(ids, sid, person["id"], start, end if end != start else None, course["hours"],
                                        course["title"], course["provider_id"], course["format"],
                                        course["subject_specific"], rng, booking_id=booking_id, cost=None))
        if course["bursary_scheme_id"] is not None and status != "cancelled":
            claim_status = CLAIM_CYCLE[b_index % len(CLAIM_CYCLE)] if status == "attended" else "draft"
            expected = Decimal("220.00") * days_needed
            claimed = expected if claim_status not in ("draft", "withdrawn") else None
            claims.append({
                "id": ids.take("bursary_claim"), "school_id": sid, "booking_id": booking_id,
                "scheme_id": course["bursary_scheme_id"], "status": claim_status, "expected": expected,
                "claimed": claimed, "received": expected if claim_status == "paid" else None,
                "deadline": end + dt.timedelta(days=60),
                "submitted_on": end + dt.timedelta(days=10) if claimed is not None else None,
                "approved_on": end + dt.timedelta(days=24) if claim_status in ("approved", "paid") else None,
                "paid_on": end + dt.timedelta(days=50) if claim_status == "paid" else None,
                "closed_on": end + dt.timedelta(days=30) if claim_status in ("rejected", "withdrawn") else None,
                "reference": f"SCP-{booking_id:06d}" if claimed is not None else None,
                "evidence_attendance": status == "attended", "evidence_evaluation": claim_status == "paid",
                "evidence_invoice": claim_status in ("approved", "paid"), "budget_code": "CPD-BURSARY",
                "notes": None, **_versioned()})

    # The rest of the activities, spread evenly over the person-years of employment.
    remaining = max(0, n_activities - len(activities))
    n_slots = len(slots)
    n_titles = len(ACTIVITY_TITLES)
    for i in range(remaining):
        person, year = slots[i % n_slots]
        lo = max(year.start, person["start_date"])
        hi = min(year.end, person["leaving_date"] or year.end)
        day = lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))
        if day.weekday() >= 5:
            day -= dt.timedelta(days=day.weekday() - 4)
            if day < lo:
                day = lo
        title, fmt, subj, hours = ACTIVITY_TITLES[rng.randrange(n_titles)]
        provider = provider_ids[IN_HOUSE] if fmt in ("inset", "coaching", "lesson_study") else provider_ids[
            rng.randrange(IN_HOUSE)]
        activities.append(_activity(ids, sid, person["id"], day, None, hours, title, provider, fmt, subj, rng,
                                    booking_id=None, cost=None if fmt == "inset" else Decimal(rng.choice((0, 0, 25, 60)))))

    _bulk(s, Booking, bookings)
    _bulk(s, CoverLesson, cover)
    _bulk(s, BursaryClaim, claims)
    _bulk(s, Activity, activities)
    return {"staff": len(staff), "activities": len(activities), "bookings": len(bookings)}


def _employed(person: dict[str, Any], start: dt.date, end: dt.date) -> bool:
    leaving = person["leaving_date"]
    return person["start_date"] <= end and (leaving is None or leaving >= start)


_PARTS = ("std_pupil_outcomes", "std_evidence", "std_collaboration", "std_sustained", "std_prioritised")
_EVALUATED_BEFORE = REFERENCE_DAY - dt.timedelta(days=60)
_DUE = dt.timedelta(days=42)


def _activity(ids: _Ids, sid: int, staff_id: int, day: dt.date, end: dt.date | None, hours: Decimal, title: str,
              provider_id: int, fmt: str, subj: bool, rng: random.Random, *, booking_id: int | None,
              cost: Decimal | None) -> dict[str, Any]:
    r = rng.random
    strong = fmt in ("residential", "lesson_study", "coaching")
    share = 0.85 if strong else 0.45
    evaluated = day < _EVALUATED_BEFORE and r() < 0.6
    row = {
        "id": ids.take("activity"), "school_id": sid, "staff_id": staff_id, "booking_id": booking_id, "date": day,
        "end_date": end, "hours": hours, "title": title, "provider_id": provider_id, "format": fmt,
        "subject_specific": subj, "status": None, "cost": cost,
        "intended_outcomes": None, "evaluation_due": day + _DUE,
        "evaluated_on": day + dt.timedelta(days=20) if evaluated else None,
        "impact_confidence": rng.randint(3, 5) if evaluated else None,
        "impact": IMPACT[rng.randrange(len(IMPACT))] if evaluated else None,
        "pupil_outcomes": None, "follow_up_actions": None, "evidence_note": None, "import_batch_id": None,
        "version": 1, "updated_at": STAMP, "updated_by": USER,
    }
    for part in _PARTS:
        row[part] = r() < share
    return row
