"""Academic years, their terms and the default term dates: pure dates, no database.

Kept apart from ``services.years`` (which reads a school's own term dates with SQLAlchemy) so that a
command reading a cached report (``storage.fastread``) works out its year and terms with the standard
library alone, by the same rules as everything else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ..errors import ValidationError

TERM_ORDER = ("autumn", "spring", "summer")


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@dataclass(frozen=True, order=True)
class _TwelveMonths:
    """Twelve months from the 1st of ``start_month`` in ``start_year`` (the calendar year when it is January):
    what an academic year and a financial year share."""

    start_year: int
    start_month: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, self.start_month, 1)

    @property
    def end(self) -> dt.date:
        if self.start_month == 1:
            return dt.date(self.start_year, 12, 31)
        return dt.date(self.start_year + 1, self.start_month, 1) - dt.timedelta(days=1)


@dataclass(frozen=True, order=True)
class AcademicYear(_TwelveMonths):
    """The academic year that starts in ``start_year`` (2025 for 2025/26)."""

    start_month: int = 9

    @property
    def label(self) -> str:
        if self.start_month == 1:
            return str(self.start_year)
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label

    def next(self) -> AcademicYear:
        return AcademicYear(self.start_year + 1, self.start_month)

    def previous(self) -> AcademicYear:
        return AcademicYear(self.start_year - 1, self.start_month)


def academic_year_of(day: dt.date, start_month: int = 9) -> AcademicYear:
    year = day.year if day.month >= start_month else day.year - 1
    return AcademicYear(year, start_month)


def parse_academic_year(text: str, start_month: int = 9, field: str = "Year") -> AcademicYear:
    """'2025/26', '2025-26', '2025/2026' or '2025' → the year starting in 2025."""
    raw = str(text).strip()
    m = re.fullmatch(r"(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})", raw)
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        # '1999/00' and '2099/00' cross a century: compare the last two digits, not a guessed century.
        if second != (first + 1 if second >= 100 else (first + 1) % 100):
            raise ValidationError(field, f"{raw} is not an academic year.", hint="Write it as 2025/26.")
        return AcademicYear(first, start_month)
    if re.fullmatch(r"\d{4}", raw):
        return AcademicYear(int(raw), start_month)
    raise ValidationError(field, f"'{raw}' is not an academic year.", hint="Write it as 2025/26.")


@dataclass(frozen=True)
class Term:
    name: str  # autumn, spring, summer
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def default_terms(year: AcademicYear) -> list[Term]:
    """Autumn 1 Sep–31 Dec, spring 1 Jan–Easter Sunday, summer Easter Monday–31 Aug."""
    easter = easter_sunday(year.start_year + 1)
    return [
        Term("autumn", year.start, dt.date(year.start_year, 12, 31)),
        Term("spring", dt.date(year.start_year + 1, 1, 1), easter),
        Term("summer", easter + dt.timedelta(days=1), year.end),
    ]


def with_own_dates(year: AcademicYear, own: Iterable[tuple[str, dt.date, dt.date]]) -> list[Term]:
    """The year's terms in order: a school's own dates (term name, start, end) where it set them, the defaults
    elsewhere."""
    chosen = {t.name: t for t in default_terms(year)}
    for name, start, end in own:
        chosen[name] = Term(name, start, end)
    return [chosen[name] for name in TERM_ORDER]


def term_buckets(terms: list[Term], year: AcademicYear) -> list[Term]:
    """Contiguous ranges covering the whole year, one per term, for adding hours up by term."""
    out: list[Term] = []
    for i, term in enumerate(terms):
        start = year.start if i == 0 else out[-1].end + dt.timedelta(days=1)
        end = year.end if i == len(terms) - 1 else max(terms[i + 1].start - dt.timedelta(days=1), start)
        out.append(Term(term.name, start, end))
    return out


class HasYearStart(Protocol):
    """What ``current_academic_year`` needs of a school: the month its academic year starts."""

    @property
    def academic_year_start_month(self) -> int: ...


def current_academic_year(school: HasYearStart | None = None, today: dt.date | None = None) -> AcademicYear:
    start_month = school.academic_year_start_month if school is not None else 9
    return academic_year_of(today or dt.date.today(), start_month)
