"""Which activities get the later evaluation stages is the school's choice: at least so many hours, and
(when ticked) every activity in a programme; a webinar gets the End stage only whatever the settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cpd_desktop.errors import ValidationError
from cpd_desktop.models import School
from cpd_desktop.services.schools import apply_settings
from cpd_desktop.services.stages import stages_for

DAY = dt.date(2025, 10, 6)


def _stages(school: School, hours: str, format: str = "face_to_face", in_programme: bool = False) -> list[str]:
    return list(stages_for(school, date=DAY, end_date=None, hours=Decimal(hours), format=format,
                           in_programme=in_programme))


def _school(**settings: object) -> School:
    school = School(name="Test", stage_end_days=14, stage_classroom_days=42, stage_pupils_days=91,
                    later_stages_hours=Decimal("6"), later_stages_programmes=True)
    apply_settings(school, dict(settings))
    return school


def test_the_defaults_are_six_hours_and_every_programme() -> None:
    school = _school()
    assert _stages(school, "5") == ["end"]
    assert _stages(school, "6") == ["end", "classroom", "pupils"]
    assert _stages(school, "2", in_programme=True) == ["end", "classroom", "pupils"]
    assert _stages(school, "12", format="webinar", in_programme=True) == ["end"]


def test_a_five_hour_threshold_gives_a_five_hour_course_three_stages() -> None:
    school = _school(later_stages_hours="5")
    assert school.later_stages_hours == Decimal("5.00")
    assert _stages(school, "5") == ["end", "classroom", "pupils"]
    assert _stages(school, "4.5") == ["end"]
    assert _stages(school, "5", format="webinar") == ["end"]


def test_with_programmes_off_a_short_programme_session_gets_the_end_stage_only() -> None:
    school = _school(later_stages_programmes=False)
    assert _stages(school, "2", in_programme=True) == ["end"]
    assert _stages(school, "6", in_programme=True) == ["end", "classroom", "pupils"]


@pytest.mark.parametrize("typed", ["-1", "six", ""])
def test_a_negative_or_non_number_threshold_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _school(later_stages_hours=typed)
    assert refused.value.field == "Later stages for activities of at least … hours"
