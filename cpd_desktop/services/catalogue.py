"""Providers and the course catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Course, Provider, School
from ..models.enums import FORMATS
from . import validation as v

FORMAT_ALIASES = {
    "f2f": "face_to_face", "facetoface": "face_to_face", "course": "face_to_face", "inperson": "face_to_face",
    "online": "online_course", "elearning": "online_course", "residential": "residential",
    "inschool": "inset", "inhouse": "inset", "insettraining": "inset", "twilight": "inset",
    "mentoring": "coaching", "coaching": "coaching", "research": "reading", "reading": "reading",
    "npq": "npq", "conference": "conference", "webinar": "webinar", "lessonstudy": "lesson_study",
}


def parse_format(value: Any, field: str = "Format", default: str | None = "face_to_face") -> str:
    text = "" if value is None else str(value).strip()
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    if key in FORMAT_ALIASES:
        return FORMAT_ALIASES[key]
    return v.parse_choice(text, field, FORMATS, default=default)


def provider_id(session: Session, school: School, name: Any, cache: dict[str, int] | None = None) -> int | None:
    """The id of the named provider, added to the school's list if new."""
    clean = v.clean_text(name, "Provider", max_len=200)
    if clean is None:
        return None
    key = clean.lower()
    if cache is not None and key in cache:
        return cache[key]
    pid = session.scalar(select(Provider.id).where(Provider.school_id == school.id,
                                                   func.lower(Provider.name) == key))
    if pid is None:
        provider = Provider(school_id=school.id, name=clean)
        session.add(provider)
        session.flush()
        pid = provider.id
    if cache is not None:
        cache[key] = pid
    return pid


def clean_course_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in values:
        out["title"] = v.required_text(values["title"], "Title")
    if "code" in values:
        out["code"] = v.clean_text(values["code"], "Code", max_len=40)
    if "format" in values:
        out["format"] = parse_format(values["format"])
    if "subject" in values:
        out["subject"] = v.clean_text(values["subject"], "Subject", max_len=100)
    if "subject_specific" in values:
        out["subject_specific"] = v.parse_bool(values["subject_specific"], "Subject-specific")
    if "days" in values:
        days = v.parse_decimal(values["days"] if values["days"] not in (None, "") else 1, "Days",
                               hint=v.HALF_DAYS_HINT)
        if days <= 0 or days > 100 or days * 2 != (days * 2).to_integral_value():
            raise ValidationError("Days", f"{days} is not a number of days.", hint="Use whole or half days, e.g. 2 or 0.5.")
        out["days"] = float(days)
    if "hours" in values:
        span_days = int(out.get("days", 1) + 0.5) or 1
        out["hours"] = v.parse_hours(values["hours"], "Hours", start=dt.date(2000, 1, 1),
                                     end=dt.date(2000, 1, span_days))
    if "fee" in values:
        out["fee"] = v.parse_money(values["fee"], "Fee")
    return out


def add_course(session: Session, school: School, *, provider: Any = None, **values: Any) -> Course:
    values.setdefault("title", None)
    values.setdefault("hours", None)
    clean = clean_course_values(values)
    if clean.get("code"):
        taken = session.scalar(select(Course.id).where(Course.school_id == school.id, Course.code == clean["code"]))
        if taken is not None:
            raise ValidationError("Code", f"{clean['code']} is already in the catalogue.", hint="Give each course its own code.")
    course = Course(school_id=school.id, provider_id=provider_id(session, school, provider), **clean)
    session.add(course)
    session.flush()
    return course
