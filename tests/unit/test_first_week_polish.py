"""The core's side of the first-week polish: the same rules for the wizard, Settings and the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cpd_desktop.cli import main
from cpd_desktop.errors import ValidationError
from cpd_desktop.models import School
from cpd_desktop.services import schools
from cpd_desktop.services import validation as v
from cpd_desktop.services.years import AcademicYear

YEAR = AcademicYear(2025)


@pytest.mark.parametrize("urn", ["12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_a_urn_has_six_digits(urn: str) -> None:
    with pytest.raises(ValidationError, match="6 digits"):
        v.parse_urn(urn)
    assert v.parse_urn(" 139876 ") == "139876" and v.parse_urn("") is None


def test_cli_init_refuses_a_five_digit_urn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "s.sqlite"), "init", "--school", "X School", "--urn", "12345"]) != 0
    assert "6 digits" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-35", "0", "250", "abc"])
def test_the_target_is_a_positive_number_of_hours_a_year(value: str, session: object, school: School) -> None:
    with pytest.raises(ValidationError) as info:
        schools.apply_settings(school, {"cpd_target_hours": value})
    assert "attended" not in str(info.value)
    if value != "abc":
        assert "The CPD target must be between 1 and 200 hours a year" in str(info.value)
    schools.apply_settings(school, {"cpd_target_hours": "37.5"})
    assert str(school.cpd_target_hours) == "37.50"


def test_term_dates_must_be_in_the_year_and_in_order() -> None:
    good = [("autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19)), ("spring", dt.date(2026, 1, 5),
            dt.date(2026, 4, 2)), ("summer", dt.date(2026, 4, 20), dt.date(2026, 7, 22))]
    schools.check_term_dates(YEAR, good)
    with pytest.raises(ValidationError, match="not in the academic year 2025/26"):
        schools.check_term_dates(YEAR, [("autumn", dt.date(2024, 9, 3), dt.date(2024, 12, 19)), *good[1:]])
    with pytest.raises(ValidationError, match="before the autumn term ends"):
        schools.check_term_dates(YEAR, [good[0], ("spring", dt.date(2025, 12, 1), dt.date(2026, 4, 2)), good[2]])


def test_overlapping_periods_are_refused_when_settings_save_them(session: object, school: School) -> None:
    periods = [(1, "P1", dt.time(8, 50), dt.time(9, 50)), (2, "P2", dt.time(9, 30), dt.time(10, 30))]
    with pytest.raises(ValidationError, match="overlaps period P1"):
        schools.save_periods(session, school, periods)  # type: ignore[arg-type]
    schools.save_periods(session, school, [periods[0], (2, "P2", dt.time(9, 50), dt.time(10, 50))])  # type: ignore[arg-type]
