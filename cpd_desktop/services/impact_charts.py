"""The Impact view's charts and the records behind each bar: Qt-free, from the same rules as ``report impact``,
``report retention`` and the governors' report (``services.impact``).

A chart is categories (the bars' labels) by series (the bars in each group), with a description a screen
reader says in full. ``chart_records`` lists what one bar counts, so a click on a bar shows its records.
Charts that put the department's outcomes (retention, indicators) beside CPD carry ``SIDE_BY_SIDE``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Activity, Indicator, Priority, Programme, School, Staff
from ..models.impact import STAGES
from . import impact
from .formatting import format_date, format_hours
from .reports import hours_by_staff
from .rules import in_year
from .years import AcademicYear, academic_year_of

CONFIDENCE = ("Before", "After", "A term later")
STATES = ("Done", "Overdue", "Not due yet")


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    series: tuple[str, ...]
    categories: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]  # [category][series]; None: nothing to show
    top: float  # the value axis runs from 0 to top
    unit: str = ""  # "%" or "" (said after each value)
    side_by_side: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def value_text(self, value: float | None) -> str:
        if value is None:
            return "none yet"
        return f"{value:.0f}%" if self.unit == "%" else (f"{value:.0f}" if value == int(value) else f"{value:.1f}")

    def description(self) -> str:
        """What a screen reader says: every bar's value in words, then the notes."""
        if not self.categories:
            return f"{self.title}: nothing to show yet."
        parts = []
        for category, values in zip(self.categories, self.values, strict=True):
            said = "; ".join(f"{s} {self.value_text(v)}" for s, v in zip(self.series, values, strict=True))
            parts.append(f"{category}: {said}")
        text = f"{self.title}. " + ". ".join(parts) + "."
        return " ".join([text, *self.notes, *([impact.SIDE_BY_SIDE] if self.side_by_side else [])])


@dataclass(frozen=True)
class Records:
    title: str
    headings: list[str]
    rows: list[list[str]]


def _conf(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _one(value: float | int | None) -> str:
    return "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


def _hours(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _names(session: Session, school: School) -> dict[int, str]:
    return {r.id: f"{r.forename} {r.surname}" for r in session.execute(
        select(Staff.id, Staff.forename, Staff.surname).where(Staff.school_id == school.id))}


def _titles(session: Session, school: School, year: AcademicYear | None) -> dict[int, str]:
    stmt = select(Activity.id, Activity.title).where(Activity.school_id == school.id)
    if year is not None:
        stmt = stmt.where(in_year(Activity.date, year))
    return {r.id: r.title for r in session.execute(stmt)}


def _state(st: impact.StageState, today: dt.date) -> str:
    return "Done" if st.done_on else ("Overdue" if st.due is not None and st.due < today else "Not due yet")


def _years(session: Session, school: School, today: dt.date) -> list[AcademicYear]:
    return impact.retention_years(session, school, today)


# ---- the charts ----

def stages_chart(session: Session, school: School, year: AcademicYear, today: dt.date) -> Chart:
    counts = {stage: dict.fromkeys(STATES, 0) for stage in STAGES}
    for _a, states in impact.activity_stages(session, school, year).values():
        for st in states:
            counts[st.stage][_state(st, today)] += 1
    values = tuple(tuple(float(counts[s][state]) for state in STATES) for s in STAGES)
    top = max([v for row in values for v in row if v is not None] + [1.0])
    return Chart("stages", f"Evaluation stages, {year.label}", STATES, tuple(STAGES.values()), values, top)


def _confidence_chart(key: str, title: str, rows: list[dict[str, Any]], name_key: str) -> Chart:
    return Chart(key, title, CONFIDENCE, tuple(r[name_key] for r in rows),
                 tuple((_conf(r["confidence_before"]), _conf(r["confidence_after"]), _conf(r["confidence_later"]))
                       for r in rows), 5.0, notes=("Confidence is from 1 to 5, as teachers rated it.",))


def priority_confidence(session: Session, school: School, year: AcademicYear) -> list[dict[str, Any]]:
    """Per priority of the year: the mean confidence before, after and a term later of its activities."""
    names = {r.id: r.name for r in session.execute(select(Priority.id, Priority.name).where(
        Priority.school_id == school.id, Priority.academic_year == year.start_year))}
    grouped: dict[int, list[tuple[Any, list[impact.StageState]]]] = defaultdict(list)
    for a, states in impact.activity_stages(session, school, year).values():
        if a.priority_id in names:
            grouped[a.priority_id].append((a, states))
    rows = []
    for pid, name in sorted(names.items(), key=lambda item: item[1].casefold()):
        before, after, later = _confidences(grouped.get(pid, []))
        rows.append({"priority": name, "confidence_before": before, "confidence_after": after,
                     "confidence_later": later})
    return rows


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _confidences(items: list[tuple[Any, list[impact.StageState]]]) -> tuple[float | None, ...]:
    """Mean confidence before (the activity's), after (its End stage) and later (its For pupils stage)."""
    return (_mean([a.confidence_before for a, _s in items if a.confidence_before is not None]),
            *(_mean([s.confidence for _a, states in items for s in states
                     if s.stage == stage and s.confidence is not None]) for stage in ("end", "pupils")))


def sustained_chart(session: Session, school: School, today: dt.date) -> Chart:
    years = _years(session, school, today)
    sustained = impact.sustained_programmes(session, school)
    total: dict[int, Decimal] = defaultdict(Decimal)
    kept: dict[int, Decimal] = defaultdict(Decimal)
    month = school.academic_year_start_month
    for day, hours, programme in session.execute(select(Activity.date, Activity.hours, Activity.programme_id)
                                                 .where(Activity.school_id == school.id)):
        y = academic_year_of(day, month).start_year
        total[y] += Decimal(str(hours))
        if programme in sustained:
            kept[y] += Decimal(str(hours))
    values = tuple((round(float(kept[y.start_year] / total[y.start_year] * 100), 1)
                    if total[y.start_year] else None,) for y in years)
    return Chart("sustained", "Sustained share of CPD hours, by year", ("Sustained hours (%)",),
                 tuple(y.label for y in years), values, 100.0, "%",
                 notes=("Sustained: part of a programme over two terms or more.",))


def retention_chart(session: Session, school: School, today: dt.date) -> Chart:
    rows = impact.retention_report(session, school, today)
    values = tuple((None if r["retention_rate"] is None else round(r["retention_rate"] * 100, 1),) for r in rows)
    notes = tuple(f"{r['year']}: mean CPD hours {_hours(r['mean_hours_stayed'])} for those who stayed"
                  + (", nobody left." if r["mean_hours_left"] is None else
                     f", {_hours(r['mean_hours_left'])} for those who left.")
                  for r in rows if r["teachers_at_start"])
    return Chart("retention", "Teachers still in post a year later (%)", ("Retention (%)",),
                 tuple(r["year"] for r in rows), values, 100.0, "%", side_by_side=True, notes=notes)


def indicator_charts(session: Session, school: School, today: dt.date) -> list[Chart]:
    """One chart per indicator (and pupil group) over the years it has values, with the CPD hours per
    teacher of each of those years said beside it."""
    month = school.academic_year_start_month
    series: dict[tuple[str, str, str], dict[int, float]] = defaultdict(dict)
    for i in session.scalars(select(Indicator).where(Indicator.school_id == school.id)
                             .order_by(Indicator.name, Indicator.pupil_group, Indicator.academic_year)):
        series[(i.name, i.pupil_group, i.unit)][i.academic_year] = float(i.value)
    hours_per_teacher = _hours_per_teacher(session, school, {y for s in series.values() for y in s})
    out = []
    for n, ((name, group, unit), by_year) in enumerate(series.items()):
        years = sorted(by_year)
        label = name + (f" ({group})" if group else "")
        values = tuple((by_year[y],) for y in years)
        top = 100.0 if unit == "%" and max(v for (v,) in values) <= 100 else max([abs(v) for (v,) in values] + [1.0])
        notes = tuple(f"{AcademicYear(y, month).label}: {hours_per_teacher[y]:.1f} hours of CPD per teacher."
                      for y in years if hours_per_teacher.get(y))
        out.append(Chart(f"indicator:{n}", label, (f"{label}{' (' + unit + ')' if unit and unit != '%' else ''}",),
                         tuple(AcademicYear(y, month).label for y in years), values, top,
                         "%" if unit == "%" else "", side_by_side=True, notes=notes))
    return out


def _hours_per_teacher(session: Session, school: School, years: set[int]) -> dict[int, Decimal]:
    out = {}
    for y in years:
        rows = hours_by_staff(session, school, AcademicYear(y, school.academic_year_start_month))
        if rows:
            out[y] = sum((r.hours for r in rows), Decimal("0")) / len(rows)
    return out


def impact_charts(session: Session, school: School, year: AcademicYear, today: dt.date) -> list[Chart]:
    """Every chart of the Impact view, in the order it lists them."""
    return [
        stages_chart(session, school, year, today),
        _confidence_chart("priority", f"Confidence by priority, {year.label}",
                          priority_confidence(session, school, year), "priority"),
        _confidence_chart("programme", f"Confidence by programme, {year.label}",
                          impact.programmes_report(session, school, year), "programme"),
        sustained_chart(session, school, today),
        retention_chart(session, school, today),
        *indicator_charts(session, school, today),
    ]


# ---- the records behind a bar ----

def chart_records(session: Session, school: School, year: AcademicYear, today: dt.date, chart: Chart,
                  category: int, series: int) -> Records:
    """The records one bar (``chart.categories[category]``, ``chart.series[series]``) counts or averages."""
    label = chart.categories[category]
    lister: dict[str, Callable[[], Records]] = {
        "stages": lambda: _stage_records(session, school, year, today, category, series),
        "priority": lambda: _activity_records(session, school, year, label, "priority"),
        "programme": lambda: _activity_records(session, school, year, label, "programme"),
        "sustained": lambda: _sustained_records(session, school, today, label),
        "retention": lambda: _retention_records(session, school, today, label),
    }
    if chart.key in lister:
        return lister[chart.key]()
    return _indicator_records(session, school, label)


def _stage_records(session: Session, school: School, year: AcademicYear, today: dt.date, category: int,
                   series: int) -> Records:
    stage = list(STAGES)[category]
    wanted = STATES[series]
    names, titles = _names(session, school), _titles(session, school, year)
    rows = []
    for a, states in impact.activity_stages(session, school, year).values():
        for st in states:
            if st.stage == stage and _state(st, today) == wanted:
                rows.append((st.due, names.get(a.staff_id, ""), titles.get(a.id, ""), a.date, st.done_on))
    rows.sort(key=lambda r: (r[0] or dt.date.min, r[1]))
    return Records(f"{STAGES[stage]} stage, {wanted.lower()}: {len(rows)}",
                   ["Person", "Activity", "Date", "Due", "Done"],
                   [[who, title, format_date(day), format_date(due), format_date(done) if done else ""]
                    for due, who, title, day, done in rows])


def _activity_records(session: Session, school: School, year: AcademicYear, name: str, by: str) -> Records:
    if by == "priority":
        ident = session.scalar(select(Priority.id).where(Priority.school_id == school.id, Priority.name == name,
                                                         Priority.academic_year == year.start_year))
    else:
        ident = session.scalar(select(Programme.id).where(Programme.school_id == school.id, Programme.name == name))
    names, titles = _names(session, school), _titles(session, school, year)
    rows = []
    for a, states in impact.activity_stages(session, school, year).values():
        if (a.priority_id if by == "priority" else a.programme_id) != ident:
            continue
        after = next((s.confidence for s in states if s.stage == "end"), None)
        later = next((s.confidence for s in states if s.stage == "pupils"), None)
        rows.append((a.date, names.get(a.staff_id, ""), titles.get(a.id, ""), a.confidence_before, after, later))
    rows.sort(key=lambda r: (r[0], r[1]))
    return Records(f"{name}: {len(rows)} {'activity' if len(rows) == 1 else 'activities'} in {year.label}",
                   ["Person", "Activity", "Date", *CONFIDENCE],
                   [[who, title, format_date(day), _one(b), _one(af), _one(la)]
                    for day, who, title, b, af, la in rows])


def _year_named(session: Session, school: School, today: dt.date, label: str) -> AcademicYear:
    return next(y for y in _years(session, school, today) if y.label == label)


def _sustained_records(session: Session, school: School, today: dt.date, label: str) -> Records:
    year = _year_named(session, school, today, label)
    sustained = impact.sustained_programmes(session, school)
    rows = session.execute(
        select(Staff.forename, Staff.surname, Activity.title, Activity.date, Activity.hours, Programme.name)
        .join(Staff, Staff.id == Activity.staff_id).join(Programme, Programme.id == Activity.programme_id)
        .where(Activity.school_id == school.id, Activity.programme_id.in_(sustained or {0}),
               in_year(Activity.date, year))
        .order_by(Activity.date, Staff.surname)).all()
    return Records(f"Sustained CPD in {label}: {len(rows)} {'activity' if len(rows) == 1 else 'activities'}",
                   ["Person", "Activity", "Programme", "Date", "Hours"],
                   [[f"{r.forename} {r.surname}", r.title, r.name, format_date(r.date), format_hours(r.hours)]
                    for r in rows])


def _in_post(start: dt.date | None, leaving: dt.date | None, day: dt.date) -> bool:
    """In post on ``day``: started by then and not yet left (the rule ``report retention`` counts by)."""
    return (start is None or start <= day) and (leaving is None or leaving >= day)


def _retention_records(session: Session, school: School, today: dt.date, label: str) -> Records:
    year = _year_named(session, school, today, label)
    started = year.next().start <= today
    check_day = year.next().start if started else today
    hours = {r.staff_id: r.hours for r in hours_by_staff(session, school, year)}
    teachers = session.execute(select(Staff.id, Staff.forename, Staff.surname, Staff.start_date, Staff.leaving_date)
                               .where(Staff.school_id == school.id, Staff.in_target.is_(True))
                               .order_by(Staff.surname, Staff.forename)).all()
    rows = []
    for t in teachers:
        if not _in_post(t.start_date, t.leaving_date, year.start):
            continue
        stayed = _in_post(t.start_date, t.leaving_date, check_day)
        rows.append([f"{t.forename} {t.surname}", "Stayed" if stayed else "Left",
                     format_date(t.leaving_date) if t.leaving_date else "",
                     format_hours(hours.get(t.id, Decimal("0")))])
    return Records(f"Teachers in post on {format_date(year.start)}: {len(rows)}",
                   ["Person", "Stayed or left", "Leaving date", f"CPD hours {label}"], rows)


def _indicator_records(session: Session, school: School, label: str) -> Records:
    month = school.academic_year_start_month
    start_year = int(label[:4])
    rows = session.execute(select(Indicator.name, Indicator.pupil_group, Indicator.value, Indicator.unit)
                           .where(Indicator.school_id == school.id, Indicator.academic_year == start_year)
                           .order_by(Indicator.name, Indicator.pupil_group)).all()
    hours = _hours_per_teacher(session, school, {start_year}).get(start_year)
    out = [[r.name, r.pupil_group, f"{r.value:,.2f}".rstrip("0").rstrip("."), r.unit] for r in rows]
    if hours is not None:
        out.append(["CPD hours per teacher", "", format_hours(hours), "hours"])
    return Records(f"{AcademicYear(start_year, month).label}: the department's indicators and its CPD",
                   ["Indicator", "Group", "Value", "Unit"], out)
