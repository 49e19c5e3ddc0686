"""The dashboard's figures from the rows its statements return, and the text it shows of them: the standard
library only.

The statements are SQLAlchemy's, each written once in the services (``services.dashboard.dashboard_queries``
names them). Which of them the dashboard asks, with which parameters, and what it makes of their rows is
written here, once, over a ``run(name, params)`` that returns a statement's rows. The window adds the
figures up through SQLAlchemy (``services.dashboard.load_dashboard``); at start-up, before the database
layer has loaded, ``cpd_desktop.quicklook`` runs the same statements compiled (``services.compiled``) with
sqlite3 (``storage.fastread``): both end here, so they cannot differ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..sorting import school_name_key
from .calendar import AcademicYear, Term, academic_year_of, term_buckets, with_own_dates
from .formatting import format_date, format_money, format_percent
from .hours_figures import hours_params, hours_rows, summarise

ZERO = Decimal("0.00")
CARDS = ("hours", "subject", "parts", "overdue", "money", "deadlines")
UPCOMING_DAYS = 14  # "Coming up in the next 14 days"
NEAR_DEADLINE_DAYS = 21  # a draft claim due within three weeks is "due soon" (bursaries.NEAR_DEADLINE_DAYS)
NOT_COUNTED = ("rejected", "withdrawn")  # claims whose money the bursary card leaves out

# The dashboard's statements and the start's other reads in the compiled-query cache
# (``services.compiled``, ``storage.fastread``), by the names ``run`` is given.
CACHE_NAME = "dashboard"
CACHED = frozenset({
    "schools", "school", "terms", "departments", "first_activity", "first_steps", "hours", "hours_department",
    "overdue", "overdue_department", "money", "past_deadline", "near_deadline", "upcoming", "upcoming_department"})

Run = Callable[[str, Mapping[str, Any]], Sequence[Sequence[Any]]]

# A new school's next steps, in order (key, what to do, why): each is offered on the dashboard until the
# records show it done (``services.dashboard.first_steps``).
FIRST_STEPS = (
    ("staff", "Import your staff", "Your staff list from SIMS, Arbor or Bromcom (CSV or Excel): everyone's hours "
     "and targets start from it."),
    ("timetable", "Import the timetable", "Cover sheets then list every lesson a course takes someone out of."),
    ("booking", "Book your first course", "Plan who goes on which course, with its costs, cover and bursary."),
    ("activity", "Record CPD already done", "INSET, courses and reading this year, so the hours start from today."),
)


@dataclass
class DashboardData:
    year_label: str
    staff: int = 0
    hours: Decimal = ZERO
    target: Decimal = ZERO
    met_target: int = 0
    subject_share: float | None = None
    subject_target: float = 50.0
    all_parts_share: float | None = None
    overdue: int = 0  # evaluation stages overdue: each stage of each activity counts on its own
    expected: Decimal = ZERO
    claimed: Decimal = ZERO
    received: Decimal = ZERO
    near_deadline: list[tuple[int, str]] = field(default_factory=list)
    past_deadline: list[tuple[int, str]] = field(default_factory=list)
    people: list[tuple[int, str, float, float, float]] = field(default_factory=list)
    upcoming: list[tuple[int, str, str]] = field(default_factory=list)  # booking id, text, cover note
    first_steps: list[tuple[str, str, str]] = field(default_factory=list)  # key, what to do, why (FIRST_STEPS)
    department: str | None = None  # None: every department
    marker: int | None = None  # the file's change counter when the adding up began (see cpd_desktop.firstlook)


@dataclass(frozen=True)
class SchoolFacts:
    """What the dashboard and the window's frame need of the school (the ``school`` statement's row)."""

    id: int
    name: str
    is_demo: bool
    cpd_target_hours: Decimal
    subject_specific_target: Decimal
    academic_year_start_month: int


def school_facts(run: Run, school_id: int) -> SchoolFacts | None:
    """The school's facts, or None if there is no such school."""
    rows = run("school", {"school_id": school_id})
    if not rows:
        return None
    ident, name, is_demo, target, subject_target, start_month = rows[0]
    return SchoolFacts(ident, name, bool(is_demo), target, subject_target, start_month)


def chosen_school(schools: Sequence[tuple[int, str]], name: str | None) -> int | None:
    """The school a start opens without asking: the one called ``name`` (``--school``, compared as
    ``services.schools.choose_school`` does), or the only one; None where the usual path must ask or refuse."""
    if name:
        found = [ident for ident, school in schools if school_name_key(school) == school_name_key(name)]
        return found[0] if len(found) == 1 else None
    return schools[0][0] if len(schools) == 1 else None


def years_offered(first: dt.date | None, shown: AcademicYear, today: dt.date, start_month: int) -> list[AcademicYear]:
    """The years the year chooser offers, newest first: every academic year with CPD in it (``first``: the
    date of the school's earliest activity), the year shown and this year, up to next year."""
    current = AcademicYear(shown.start_year, start_month)
    now = academic_year_of(today, start_month)
    earliest = academic_year_of(first, start_month) if first is not None else now
    earliest = min(earliest, current, now)
    latest = max(now.next(), current)
    out = []
    year = earliest
    while year <= latest:
        out.append(year)
        year = year.next()
    return list(reversed(out))


def school_terms(run: Run, school_id: int, year: AcademicYear) -> list[Term]:
    """The year's terms as ranges covering it whole (``calendar.term_buckets``), the school's own dates where set."""
    own = run("terms", {"school_id": school_id, "academic_year": year.start_year})
    return term_buckets(with_own_dates(year, [(name, start, end) for name, start, end in own]), year)


def money_totals(rows: Iterable[Sequence[Any]]) -> dict[str, dict[str, Any]]:
    """The ``money`` statement's rows (status, expected, claimed, received, count) by status."""
    return {status: {"expected": expected, "claimed": claimed, "received": received, "count": count}
            for status, expected, claimed, received, count in rows}


def steps_to_take(done: Sequence[Any]) -> list[tuple[str, str, str]]:
    """The first steps not yet taken, from the ``first_steps`` statement's row (one flag a step, in order)."""
    return [step for step, taken in zip(FIRST_STEPS, done, strict=True) if not taken]


def _claim_text(title: str, forename: str, surname: str, expected: Decimal | None, deadline: dt.date | None) -> str:
    return f"{title} — {forename} {surname}: {format_money(expected)}, deadline {format_date(deadline)}"


def _cover_note(cover_required: bool, lessons: int, ready: int) -> str:
    if not cover_required:
        return "no cover needed"
    if not lessons:
        return "cover needed: no lessons entered yet"
    return f"cover: {lessons} lesson{'s' if lessons != 1 else ''}, {ready} with work set"


def dashboard_data(run: Run, school: SchoolFacts, year: AcademicYear, department: str | None, today: dt.date, *,
                   marker: int | None, value: Callable[[Any], Decimal]) -> DashboardData:
    """Every figure on the dashboard for ``school``'s ``year`` and ``department`` (None: all), as plain data.

    ``marker`` is the file's change counter read before anything was asked; ``value`` turns a raw sum of
    hours into hours (``hours_figures.float_hours`` on SQLite, ``exact_hours`` on PostgreSQL)."""
    buckets = school_terms(run, school.id, year)
    params = hours_params(school.id, year, buckets, department=department)
    params.update(today=today, soon=today + dt.timedelta(days=NEAR_DEADLINE_DAYS),
                  horizon=today + dt.timedelta(days=UPCOMING_DAYS))
    by = "_department" if department else ""
    rows = hours_rows(run("hours" + by, params), [t.name for t in buckets], school.cpd_target_hours, value)
    summary = summarise(rows)
    data = DashboardData(year_label=year.label, staff=summary.staff, hours=summary.hours,
                         target=summary.target_hours, met_target=summary.met_target,
                         subject_share=summary.subject_share, all_parts_share=summary.all_parts_share,
                         subject_target=float(school.subject_specific_target), department=department, marker=marker)
    data.first_steps = steps_to_take(run("first_steps", params)[0])
    data.people = [(r.staff_id, r.name, float(r.hours), float(r.subject_specific_hours), float(r.target_hours))
                   for r in rows if r.target_hours or r.hours]
    data.overdue = int(run("overdue" + by, params)[0][0] or 0)
    for status, sums in money_totals(run("money", params)).items():
        if status in NOT_COUNTED:
            continue
        data.expected += sums["expected"]
        data.claimed += sums["claimed"]
        data.received += sums["received"]
    data.past_deadline = [(ident, _claim_text(*claim)) for ident, *claim in run("past_deadline", params)]
    data.near_deadline = [(ident, _claim_text(*claim)) for ident, *claim in run("near_deadline", params)]
    for ident, start, end, title, cover_required, forename, surname, lessons, ready in run("upcoming" + by, params):
        when = format_date(start) + (f"–{format_date(end)}" if end != start else "")
        data.upcoming.append((ident, f"{when}  {forename} {surname}: {title}",
                              _cover_note(bool(cover_required), lessons or 0, ready or 0)))
    return data


def dashboard_face(data: DashboardData) -> dict[str, Any]:
    """What the dashboard shows of ``data``: each card's figure, caption and tone, the chart's bars and
    the two lists, as plain JSON data (lists and strings; ids, hours and the marker as numbers)."""
    share = float(data.hours / data.target * 100) if data.target else None
    n_past, n_near = len(data.past_deadline), len(data.near_deadline)
    dept = data.department or "all departments"
    cards = {
        "hours": [f"{data.hours:,.0f} h of {data.target:,.0f} h",
                  f"{format_percent(share)} of target · {data.met_target} of {data.staff} staff have met theirs",
                  "good" if share and share >= 100 else ""],
        "subject": [format_percent(data.subject_share),
                    f"of hours are subject-specific (aim: at least {data.subject_target:.0f}%)",
                    "good" if (data.subject_share or 0) >= data.subject_target else "warn"],
        "parts": [format_percent(data.all_parts_share), "of hours meet all five parts", ""],
        "overdue": [str(data.overdue), f"evaluation stage{'' if data.overdue == 1 else 's'} overdue",
                    "bad" if data.overdue else "good"],
        "money": [format_money(data.expected),
                  f"claimed {format_money(data.claimed)} · received {format_money(data.received)}", ""],
        "deadlines": [f"{n_past + n_near}", f"{n_past} past the deadline · {n_near} due within 3 weeks",
                      "bad" if n_past else ("warn" if n_near else "good")],
    }
    return {
        "year_label": data.year_label, "department": data.department, "marker": data.marker,
        "subtitle": f"{data.year_label}, {dept}. Figures count CPD attended in the academic year.",
        "cards": cards,
        "people": [list(p) for p in data.people],
        "upcoming": [[ident, f"{text}\n    {cover}"] for ident, text, cover in data.upcoming],
        "steps": [list(step) for step in data.first_steps],
        "claims": ([[ident, f"Past deadline: {text}", True] for ident, text in data.past_deadline]
                   + [[ident, f"Due soon: {text}", False] for ident, text in data.near_deadline]),
    }
