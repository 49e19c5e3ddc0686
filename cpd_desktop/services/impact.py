"""Evaluating impact: staged evaluations, confidence before → after → later, sustained CPD, priorities,
retention from staff dates, and the department's indicators beside the CPD.

Stages (Guskey's levels): every activity has an End stage; activities of 6 hours or more and those in a
programme also have "In the classroom" and "For pupils" (a webinar has the End stage only). Each falls due
the school's number of days after the activity's end (defaults 14, 42 and 91). Every activity's stages are
rows of ``evaluation_stage`` (``sync_stages`` makes them when an activity is saved, imported or attended),
so "overdue" is one SQL rule (``rules.overdue_stage``) for the dashboard, the lists, reports and exports.
A stage is done when it has a date done; an activity's own evaluation date and confidence (the single
evaluation of older records) fill its End stage.

Indicators are shown beside CPD figures, never as their effect: ``SIDE_BY_SIDE`` is said wherever both
appear together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Activity, Indicator, Priority, Programme, School, Staff
from ..models.base import TWO_PLACES
from ..models.impact import STAGES, EvaluationStage
from .reports import hours_by_staff
from .rules import in_year, overdue_stage, stage_is_overdue
from .stages import stages_for, sync_stages
from .years import AcademicYear, academic_year_of, term_of

SIDE_BY_SIDE = "Shown side by side; this does not show that one caused the other."


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _two(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, ROUND_HALF_UP)


def sustained_programmes(session: Session, school: School) -> set[int]:
    """Programmes spanning two or more terms: their planned dates where given, else their activities' dates."""
    spans: dict[int | None, list[dt.date]] = {}
    for programme, start, end in session.execute(select(Programme.id, Programme.start_date, Programme.end_date)
                                                 .where(Programme.school_id == school.id)):
        spans[programme] = [d for d in (start, end) if d is not None]
    for linked, first, last, last_end in session.execute(
            select(Activity.programme_id, func.min(Activity.date), func.max(Activity.date),
                   func.max(Activity.end_date))
            .where(Activity.school_id == school.id, Activity.programme_id.is_not(None))
            .group_by(Activity.programme_id)):
        spans.setdefault(linked, []).extend(d for d in (first, last, last_end) if d is not None)
    out: set[int] = set()
    for pid, days in spans.items():
        if pid is None or len(days) < 2:
            continue
        first, last = min(days), max(days)
        month = school.academic_year_start_month
        if (academic_year_of(first, month), term_of(session, school, first)) != \
                (academic_year_of(last, month), term_of(session, school, last)):
            out.add(pid)
    return out


@dataclass(frozen=True)
class ProgrammeChoice:
    """A programme as a chooser offers it: whether it is sustained decides what the dialog suggests."""

    id: int
    name: str
    sustained: bool


def programme_choices(session: Session, school: School) -> list[ProgrammeChoice]:
    """The school's programmes by name, each saying whether it spans two or more terms (the rule above), so
    a dialog can suggest part 4 of the DfE Standard ("Sustained over time") when one is chosen."""
    sustained = sustained_programmes(session, school)
    rows = session.execute(select(Programme.id, Programme.name).where(Programme.school_id == school.id)
                           .order_by(func.lower(Programme.name)))
    return [ProgrammeChoice(pid, name, pid in sustained) for pid, name in rows]


@dataclass
class StageState:
    stage: str
    due: dt.date | None  # None: not chased (CPD history from before the school chased evaluations)
    done_on: dt.date | None
    confidence: int | None


def activity_stages(session: Session, school: School, year: AcademicYear | None = None
                    ) -> dict[int, tuple[Any, list[StageState]]]:
    """Each activity (of the year, or all) → (its row, its stages with due dates, done dates and confidence),
    in the order End, In the classroom, For pupils."""
    stmt = select(Activity.id, Activity.staff_id, Activity.date, Activity.end_date, Activity.hours,
                  Activity.format, Activity.programme_id, Activity.priority_id, Activity.confidence_before,
                  Activity.booking_id).where(Activity.school_id == school.id)
    found = select(EvaluationStage.activity_id, EvaluationStage.stage, EvaluationStage.due_date,
                   EvaluationStage.done_on, EvaluationStage.confidence).join(
        Activity, Activity.id == EvaluationStage.activity_id).where(Activity.school_id == school.id)
    if year is not None:
        stmt = stmt.where(in_year(Activity.date, year))
        found = found.where(in_year(Activity.date, year))
    order = list(STAGES)
    states: dict[int, list[StageState]] = defaultdict(list)
    for ident, stage, due, done, confidence in session.execute(found):
        states[ident].append(StageState(stage, due, done, confidence))
    return {a.id: (a, sorted(states.get(a.id, []), key=lambda s: order.index(s.stage)))
            for a in session.execute(stmt)}


def impact_report(session: Session, school: School, year: AcademicYear, today: dt.date) -> list[dict[str, Any]]:
    """One row per person employed in the year or with CPD in it (as ``report hours``)."""
    sustained = sustained_programmes(session, school)
    per_person: dict[int, list[tuple[Any, list[StageState]]]] = defaultdict(list)
    for a, states in activity_stages(session, school, year).values():
        per_person[a.staff_id].append((a, states))
    rows = []
    for r in hours_by_staff(session, school, year):
        mine = per_person.get(r.staff_id, [])
        due = done = overdue = 0
        before: list[int] = []
        after: list[int] = []
        later: list[int] = []
        sustained_hours = Decimal("0")
        for a, states in mine:
            if a.programme_id in sustained:
                sustained_hours += Decimal(str(a.hours))
            if a.confidence_before is not None:
                before.append(a.confidence_before)
            for st in states:
                if st.done_on is not None:
                    done += 1
                if st.due is not None and st.due <= today:
                    due += 1
                if stage_is_overdue(st.due, st.done_on, today):
                    overdue += 1
                if st.confidence is not None and st.stage == "end":
                    after.append(st.confidence)
                if st.confidence is not None and st.stage == "pupils":
                    later.append(st.confidence)
        rows.append({
            "staff_code": r.staff_code, "name": r.name, "department": r.department, "hours": r.hours,
            "sustained_hours": _two(sustained_hours), "stages_due": due, "stages_done": done,
            "stages_overdue": overdue, "confidence_before": _mean(before), "confidence_after": _mean(after),
            "confidence_later": _mean(later),
        })
    return rows


def overdue_stages(session: Session, school: School, today: dt.date) -> list[dict[str, Any]]:
    """Every stage past its due date and not done, oldest first (each stage counts on its own)."""
    rows = session.execute(select(EvaluationStage.activity_id, Activity.staff_id, EvaluationStage.stage,
                                  EvaluationStage.due_date)
                           .join(Activity, Activity.id == EvaluationStage.activity_id)
                           .where(Activity.school_id == school.id, overdue_stage(today))
                           .order_by(EvaluationStage.due_date, EvaluationStage.activity_id))
    return [{"activity_id": a, "staff_id": who, "stage": STAGES[stage], "due": due} for a, who, stage, due in rows]


def _in_post(start: dt.date | None, leaving: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (leaving is None or leaving >= day)


def retention_years(session: Session, school: School, today: dt.date) -> list[AcademicYear]:
    """The academic years the record covers: from its first activity (or, with none, the current year) to today."""
    month = school.academic_year_start_month
    first = session.scalar(select(func.min(Activity.date)).where(Activity.school_id == school.id))
    current = academic_year_of(today, month)
    year = academic_year_of(first, month) if first and first <= today else current
    years = []
    while year.start_year <= current.start_year:
        years.append(year)
        year = year.next()
    return years


def _mean_hours(group: list[Any], hours: dict[int, Decimal]) -> Decimal | None:
    if not group:
        return None
    return _two(sum((hours.get(t.id, Decimal("0")) for t in group), Decimal("0")) / len(group))


def retention_report(session: Session, school: School, today: dt.date) -> list[dict[str, Any]]:
    """Per academic year: the teachers (in the CPD target) in post on its first day, how many were still in
    post on the first day of the next, and the mean CPD hours that year of those who stayed and who left.
    Where the next year has not started, ``retention_rate`` is null and stayed/left count so far."""
    teachers = session.execute(select(Staff.id, Staff.start_date, Staff.leaving_date)
                               .where(Staff.school_id == school.id, Staff.in_target.is_(True))).all()
    rows = []
    for year in retention_years(session, school, today):
        hours = {r.staff_id: r.hours for r in hours_by_staff(session, school, year)}
        at_start = [t for t in teachers if _in_post(t.start_date, t.leaving_date, year.start)]
        started = year.next().start <= today
        check_day = year.next().start if started else today
        stayed = [t for t in at_start if _in_post(t.start_date, t.leaving_date, check_day)]
        left = [t for t in at_start if not _in_post(t.start_date, t.leaving_date, check_day)]
        rows.append({
            "year": year.label, "teachers_at_start": len(at_start), "stayed": len(stayed), "left": len(left),
            "retention_rate": round(len(stayed) / len(at_start), 3) if started and at_start else None,
            "mean_hours_stayed": _mean_hours(stayed, hours), "mean_hours_left": _mean_hours(left, hours),
        })
    return rows


def priorities_report(session: Session, school: School, year: AcademicYear) -> list[dict[str, Any]]:
    """Per priority of the year: activities linked to it, people, hours and the share (%) evaluated (End done)."""
    stages = activity_stages(session, school, year)
    priorities = session.execute(select(Priority.id, Priority.name).where(
        Priority.school_id == school.id, Priority.academic_year == year.start_year).order_by(Priority.name)).all()
    rows = []
    for pid, name in priorities:
        mine = [(a, states) for a, states in stages.values() if a.priority_id == pid]
        evaluated = sum(1 for _a, states in mine if any(s.stage == "end" and s.done_on for s in states))
        rows.append({
            "priority": name, "activities": len(mine), "people": len({a.staff_id for a, _s in mine}),
            "hours": _two(sum((Decimal(str(a.hours)) for a, _s in mine), Decimal("0"))),
            "evaluated_share": round(evaluated / len(mine) * 100, 1) if mine else None,
        })
    return rows


def indicators_report(session: Session, school: School) -> list[dict[str, Any]]:
    rows = session.execute(select(Indicator).where(Indicator.school_id == school.id)
                           .order_by(Indicator.academic_year, Indicator.name, Indicator.pupil_group)).scalars()
    month = school.academic_year_start_month
    return [{"year": AcademicYear(i.academic_year, month).label, "indicator": i.name, "value": i.value,
             "unit": i.unit, "group": i.pupil_group} for i in rows]


# ---- records: find-or-create by name, as imports and the demo need ----

def priority_id(session: Session, school: School, year: AcademicYear, name: str) -> int:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Priority", "A priority needs a name.")
    found = session.scalar(select(Priority.id).where(
        Priority.school_id == school.id, Priority.academic_year == year.start_year,
        func.lower(Priority.name) == name.lower()))
    if found is not None:
        return found
    p = Priority(school_id=school.id, academic_year=year.start_year, name=name)
    session.add(p)
    session.flush()
    return p.id


def programme_id(session: Session, school: School, name: str) -> int:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Programme", "A programme needs a name.")
    found = session.scalar(select(Programme.id).where(Programme.school_id == school.id,
                                                      func.lower(Programme.name) == name.lower()))
    if found is not None:
        return found
    p = Programme(school_id=school.id, name=name)
    session.add(p)
    session.flush()
    return p.id


def record_stage(session: Session, school: School, activity: Activity, stage: str, *, done_on: dt.date | None,
                 confidence: int | None = None, **texts: str | None) -> EvaluationStage:
    """Save one stage of an activity's evaluation (made if it does not exist yet)."""
    if stage not in STAGES:
        raise ValidationError("Stage", f"Unknown evaluation stage {stage!r}: use end, classroom or pupils.")
    if confidence is not None and not 1 <= confidence <= 5:
        raise ValidationError("Confidence", "Confidence is from 1 to 5.")
    rec: EvaluationStage | None = session.scalar(select(EvaluationStage).where(
        EvaluationStage.activity_id == activity.id, EvaluationStage.stage == stage))
    if rec is None:
        due = stages_for(school, date=activity.date, end_date=activity.end_date, hours=activity.hours,
                         format=activity.format, in_programme=activity.programme_id is not None).get(stage)
        rec = EvaluationStage(school_id=school.id, activity_id=activity.id, stage=stage, due_date=due)
        session.add(rec)
    rec.done_on = done_on
    rec.confidence = confidence
    for key, value in texts.items():
        if not hasattr(EvaluationStage, key):
            raise ValidationError(key, f"An evaluation stage has no field {key!r}.")
        setattr(rec, key, value)
    session.flush()
    return rec


def set_indicator(session: Session, school: School, year: AcademicYear, name: str, value: Decimal,
                  unit: str = "", group: str = "", batch_id: int | None = None) -> Indicator:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Indicator", "An indicator needs a name.")
    rec = session.scalar(select(Indicator).where(
        Indicator.school_id == school.id, Indicator.academic_year == year.start_year,
        func.lower(Indicator.name) == name.lower(), Indicator.pupil_group == group))
    if rec is None:
        rec = Indicator(school_id=school.id, academic_year=year.start_year, name=name, pupil_group=group)
        session.add(rec)
    rec.value = value
    rec.unit = unit
    if batch_id is not None:
        rec.import_batch_id = batch_id
    session.flush()
    return rec


# ---- the demo school's evaluation record (called from services/demo.build_demo) ----

DEMO_PRIORITIES = ["Practical skills at KS4", "Close the disadvantaged gap in physics",
                   "Scientific vocabulary and reading"]
DEMO_INDICATORS = [  # name, unit, group, starting value, drift per year
    ("GCSE science grade 4+", "%", "", 58.0, 2.0),
    ("GCSE science disadvantaged gap", "pts", "Disadvantaged", 19.0, -1.5),
    ("A-level physics entries", "pupils", "", 11.0, 2.0),
    ("Girls' share of A-level physics entries", "%", "Girls", 18.0, 3.0),
]


def add_demo_impact(session: Session, school: School, today: dt.date, seed: int) -> dict[str, int]:
    """Priorities per year, three programmes (one sustained over two terms), confidence before, evaluation
    stages (most done, some overdue) and three years of department indicators. Generated figures: nothing in
    them says that the CPD caused the results beside it."""
    import random

    from sqlalchemy import Table, bindparam, update

    rng = random.Random(f"{seed}:impact")
    month = school.academic_year_start_month
    current = academic_year_of(today, month)
    first = session.scalar(select(func.min(Activity.date)).where(Activity.school_id == school.id)) or today
    years = []
    year = academic_year_of(first, month)
    while year.start_year <= current.start_year:
        years.append(year)
        year = year.next()
    priority_ids: dict[int, list[int]] = {y.start_year: [priority_id(session, school, y, name)
                                                          for name in DEMO_PRIORITIES[: 2 + (y == current)]]
                                          for y in years}
    start = current.start
    programmes = {
        "skpt": Programme(school_id=school.id, name="Subject Knowledge for Physics Teaching",
                          start_date=start + dt.timedelta(days=40), end_date=start + dt.timedelta(days=200)),
        "lesson_study": Programme(school_id=school.id, name="Lesson study: required practicals",
                                  start_date=start + dt.timedelta(days=10), end_date=start + dt.timedelta(days=80)),
        "npq": Programme(school_id=school.id, name="NPQ for Leading Teaching",
                         start_date=start - dt.timedelta(days=300), end_date=start + dt.timedelta(days=250)),
    }
    session.add_all(programmes.values())
    session.flush()
    acts = session.execute(select(Activity.id, Activity.staff_id, Activity.date, Activity.end_date, Activity.hours,
                                  Activity.format, Activity.subject_specific, Activity.booking_id,
                                  Activity.evaluated_on, Activity.impact_confidence, Staff.department_id)
                           .join(Staff, Staff.id == Activity.staff_id)
                           .where(Activity.school_id == school.id).order_by(Activity.id)).all()
    people = sorted({a.staff_id for a in acts})
    in_programme = {"skpt": set(rng.sample(people, min(4, len(people)))),
                    "npq": set(rng.sample(people, min(2, len(people))))}
    changes = []
    stage_rows = []
    for a in acts:
        ay = academic_year_of(a.date, month)
        change: dict[str, Any] = {"b_id": a.id, "b_priority": None, "b_programme": None, "b_before": None}
        if a.subject_specific and rng.random() < 0.7:
            change["b_priority"] = rng.choice(priority_ids[ay.start_year])
        programme = None
        if a.subject_specific and a.format in ("face_to_face", "residential", "online_course", "coaching",
                                               "lesson_study"):
            for key, who in in_programme.items():
                p = programmes[key]
                if a.staff_id in who and p.start_date and p.end_date and p.start_date <= a.date <= p.end_date:
                    programme = p
                    break
            if programme is None and a.format == "lesson_study" and ay == current:
                programme = programmes["lesson_study"]
        if programme is not None:
            change["b_programme"] = programme.id
        before = rng.choice([1, 2, 2, 3, 3, 3, 4]) if (a.booking_id or programme or rng.random() < 0.4) else None
        change["b_before"] = before
        changes.append(change)
        due = stages_for(school, date=a.date, end_date=a.end_date, hours=Decimal(str(a.hours)), format=a.format,
                         in_programme=programme is not None)
        after = a.impact_confidence
        if before is not None and after is not None:  # rated at the end already: before was no higher
            before = change["b_before"] = max(1, after - rng.choice([0, 1, 1, 2]))
        elif before is not None and a.evaluated_on is not None:
            after = min(5, before + rng.choice([0, 1, 1, 2]))
            stage_rows.append({"school_id": school.id, "activity_id": a.id, "stage": "end", "due_date": due["end"],
                               "done_on": a.evaluated_on, "confidence": after,
                               "learnt": "How to sequence the practical so pupils see the method first."})
        for stage, chance in (("classroom", 0.7), ("pupils", 0.55)):
            if stage not in due or due[stage] >= today or a.evaluated_on is None or rng.random() > chance:
                continue  # not due yet, or not done: overdue
            row = {"school_id": school.id, "activity_id": a.id, "stage": stage, "due_date": due[stage],
                   "done_on": min(today, due[stage] + dt.timedelta(days=rng.randint(-7, 20))), "confidence": None}
            if stage == "classroom":
                row.update(does_differently="I model each required practical before pupils start, and use "
                           "retrieval questions on method in the next lesson.",
                           helped_hindered="Technician time helped; the timetable left little time to rehearse.",
                           evidence="Observation, planning and pupils' write-ups")
            else:
                row.update(pupil_change="Required-practical questions answered more fully in the mock.",
                           how_measured="Mock examination questions compared with last year's",
                           pupil_groups=rng.choice(["Disadvantaged", "Girls in physics", "All", "Year 10"]),
                           confidence=None if after is None else max(1, min(5, after + rng.choice([-1, 0, 0]))))
            stage_rows.append(row)
    table = cast(Table, Activity.__table__)
    if changes:
        session.execute(update(table).where(table.c.id == bindparam("b_id"))
                        .values(priority_id=bindparam("b_priority"), programme_id=bindparam("b_programme"),
                                confidence_before=bindparam("b_before")), changes)
    columns = ("learnt", "does_differently", "helped_hindered", "evidence", "pupil_change", "how_measured",
               "pupil_groups")
    sync_stages(session, school)  # every activity's stages, its programme now set
    if stage_rows:  # the demo's evaluations fill the stages done
        stage_table = cast(Table, EvaluationStage.__table__)
        keys = ("activity_id", "stage", "done_on", "confidence", *columns)
        session.execute(update(stage_table).where(stage_table.c.activity_id == bindparam("b_activity_id"),
                                                  stage_table.c.stage == bindparam("b_stage"))
                        .values(**{key: bindparam(f"b_{key}") for key in keys[2:]}),
                        [{f"b_{key}": r.get(key) for key in keys} for r in stage_rows])
    # Three years of results: the years before the current one (results come after a year ends).
    for back, y in enumerate([current.previous().previous().previous(), current.previous().previous(),
                              current.previous()]):
        for name, unit, group, value, drift in DEMO_INDICATORS:
            figure = Decimal(str(round(value + drift * back + rng.uniform(-1.5, 1.5), 1 if unit != "pupils" else 0)))
            set_indicator(session, school, y, name, figure, unit, group)
    session.expire_all()  # the activities changed in SQL: read them again
    return {"priorities": sum(len(v) for v in priority_ids.values()), "programmes": len(programmes),
            "evaluation_stages": len(stage_rows), "indicators": 3 * len(DEMO_INDICATORS)}


# ---- the governors' impact report (exports/pdf/impact.py, exports/xlsx/impact.py) ----

def programmes_report(session: Session, school: School, year: AcademicYear) -> list[dict[str, Any]]:
    """Per programme with activities in the year: sustained or not, people, activities, hours and the mean
    confidence before, after and later of its activities."""
    sustained = sustained_programmes(session, school)
    names = dict(session.execute(select(Programme.id, Programme.name).where(Programme.school_id == school.id)).all())
    grouped: dict[int, list[tuple[Any, list[StageState]]]] = defaultdict(list)
    for a, states in activity_stages(session, school, year).values():
        if a.programme_id is not None:
            grouped[a.programme_id].append((a, states))
    rows = []
    for pid, mine in sorted(grouped.items(), key=lambda item: names[item[0]].casefold()):
        before, after, later = _confidences(mine)
        rows.append({
            "programme": names[pid], "sustained": pid in sustained, "activities": len(mine),
            "people": len({a.staff_id for a, _s in mine}),
            "hours": _two(sum((Decimal(str(a.hours)) for a, _s in mine), Decimal("0"))),
            "confidence_before": before, "confidence_after": after, "confidence_later": later,
        })
    return rows


def _confidences(items: list[tuple[Any, list[StageState]]]) -> tuple[float | None, float | None, float | None]:
    before = [a.confidence_before for a, _s in items if a.confidence_before is not None]
    after = [s.confidence for _a, states in items for s in states if s.stage == "end" and s.confidence is not None]
    later = [s.confidence for _a, states in items for s in states if s.stage == "pupils" and s.confidence is not None]
    return _mean(before), _mean(after), _mean(later)


@dataclass
class ImpactData:
    school_name: str
    year: str
    today: dt.date
    people: list[dict[str, Any]]
    priorities: list[dict[str, Any]]
    programmes: list[dict[str, Any]]
    retention: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    confidence: tuple[float | None, float | None, float | None]  # over the year's activities
    findings: list[str]


def _one(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def impact_data(session: Session, school: School, year: AcademicYear, today: dt.date) -> ImpactData:
    from .formatting import format_date, plural

    people = impact_report(session, school, year, today)
    stages = list(activity_stages(session, school, year).values())
    confidence = _confidences(stages)
    retention = retention_report(session, school, today)
    findings = []
    evaluating = [p for p in people if p["stages_due"]]
    if evaluating:
        complete = sum(1 for p in evaluating if not p["stages_overdue"])
        findings.append(f"{complete} of {plural(len(evaluating), 'person', 'people')} with evaluation stages due "
                        "completed every one of them.")
    overdue = sum(p["stages_overdue"] for p in people)
    findings.append(f"{plural(overdue, 'evaluation stage')} {'is' if overdue == 1 else 'are'} overdue.")
    before, after, later = confidence
    if before is not None and after is not None:
        sentence = f"Confidence rose from {before:.1f} to {after:.1f} on average" if after > before else \
            f"Confidence went from {before:.1f} to {after:.1f} on average"
        if later is not None:
            sentence += f" and stood at {later:.1f} a term later"
        findings.append(sentence + " (1 to 5, as teachers rated it).")
    hours = sum((p["hours"] for p in people), Decimal("0"))
    sustained = sum((p["sustained_hours"] for p in people), Decimal("0"))
    if hours:
        total = hours.quantize(Decimal("0.01")).normalize()  # as recorded: 272, 1,234.25 (not "272.0")
        findings.append(f"{sustained / hours:.0%} of the year's {total:,f} hours of CPD were sustained "
                        "(part of a programme over two terms or more).")
    done = [r for r in retention if r["retention_rate"] is not None]
    if done:
        last = done[-1]
        first_day = dt.date(int(last["year"][:4]), school.academic_year_start_month, 1)
        findings.append(f"Of the {last['teachers_at_start']} teachers in post on {format_date(first_day)}, "
                        f"{last['stayed']} were still in post a year later ({last['retention_rate']:.0%}).")
    return ImpactData(school.name, year.label, today, people, priorities_report(session, school, year),
                      programmes_report(session, school, year), retention, indicators_report(session, school),
                      confidence, findings)


def stages_of(session: Session, school: School, staff_id: int, year: AcademicYear,
              today: dt.date) -> list[dict[str, Any]]:
    """One person's evaluation stages in the year, overdue first, then by due date (the Impact view's list)."""
    titles = dict(session.execute(select(Activity.id, Activity.title).where(
        Activity.school_id == school.id, Activity.staff_id == staff_id,
        in_year(Activity.date, year))).all())
    out = []
    for a, states in activity_stages(session, school, year).values():
        if a.id not in titles:
            continue
        for st in states:
            state = "Done" if st.done_on else ("Overdue" if stage_is_overdue(st.due, st.done_on, today)
                                               else "Not due yet" if st.due is not None else "Not chased")
            out.append({"activity_id": a.id, "title": titles[a.id], "date": a.date, "stage": STAGES[st.stage],
                        "due": st.due, "done_on": st.done_on, "state": state, "confidence": st.confidence})
    return sorted(out, key=lambda r: (r["state"] != "Overdue", r["due"] or dt.date.max, r["activity_id"]))
