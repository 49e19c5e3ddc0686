"""Academic years (1 Sep – 31 Aug), their terms, and financial years, as the school sets them."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, event, select
from sqlalchemy.orm import Session

from ..models import School, TermDates

# The pure year and term rules live in ``calendar`` (no database, for the cached report path); they are
# named here too for the many callers that also read a school's own term dates.
from .calendar import TERM_ORDER as TERM_ORDER
from .calendar import AcademicYear as AcademicYear
from .calendar import Term as Term
from .calendar import _TwelveMonths as _TwelveMonths
from .calendar import academic_year_of as academic_year_of
from .calendar import current_academic_year as current_academic_year
from .calendar import default_terms as default_terms
from .calendar import easter_sunday as easter_sunday
from .calendar import parse_academic_year as parse_academic_year
from .calendar import term_buckets as term_buckets
from .calendar import with_own_dates as with_own_dates


def terms_for(session: Session, school: School, year: AcademicYear) -> list[Term]:
    """The school's terms for a year: its own dates where set, the defaults elsewhere.

    Dates between a school's terms (holidays) are counted in the term before them, so that every
    day of the year belongs to exactly one term when hours are added up.
    """
    own = session.execute(term_dates_statement(), {"school_id": school.id, "academic_year": year.start_year})
    return with_own_dates(year, own.all())


def term_dates_statement() -> Select[str, dt.date, dt.date]:
    """One school's own term dates for one academic year (parameters ``school_id`` and ``academic_year``, the
    year's first calendar year): what ``terms_for`` reads, and ``report hours`` from the compiled-query cache."""
    return (select(TermDates.term, TermDates.start_date, TermDates.end_date)
            .where(TermDates.school_id == bindparam("school_id"),
                   TermDates.academic_year == bindparam("academic_year")))


def terms_for_schools(session: Session, school_ids: list[int], year: AcademicYear) -> dict[int, list[Term]]:
    """``terms_for`` for several schools at once: one query for all their term dates (school id → terms)."""
    defaults = default_terms(year)
    chosen = {sid: {t.name: t for t in defaults} for sid in school_ids}
    if school_ids:
        rows = session.execute(
            select(TermDates.school_id, TermDates.term, TermDates.start_date, TermDates.end_date)
            .where(TermDates.school_id.in_(school_ids), TermDates.academic_year == year.start_year))
        for sid, term, start, end in rows:
            chosen[sid][term] = Term(term, start, end)
    return {sid: [terms[name] for name in TERM_ORDER] for sid, terms in chosen.items()}


def terms_for_years(session: Session, school_id: int,
                    years: tuple[AcademicYear, ...]) -> dict[AcademicYear, list[Term]]:
    """One school's terms for several years at once (one query): its own dates where set, the usual elsewhere."""
    chosen = {year: {t.name: t for t in default_terms(year)} for year in years}
    by_start = {year.start_year: year for year in years}
    rows = session.execute(
        select(TermDates.academic_year, TermDates.term, TermDates.start_date, TermDates.end_date)
        .where(TermDates.school_id == school_id, TermDates.academic_year.in_(list(by_start))))
    for start_year, term, start, end in rows:
        chosen[by_start[start_year]][term] = Term(term, start, end)
    return {year: [terms[name] for name in TERM_ORDER] for year, terms in chosen.items()}


def term_of(session: Session, school: School, day: dt.date) -> str:
    year = academic_year_of(day, school.academic_year_start_month)
    for term in term_buckets(terms_for(session, school, year), year):
        if term.contains(day):
            return term.name
    return TERM_ORDER[-1]


@dataclass(frozen=True, order=True)
class FinancialYear(_TwelveMonths):
    """The financial year that starts in ``start_year`` (April by default: FY 2025-26)."""

    start_month: int = 4

    @property
    def label(self) -> str:
        if self.start_month == 1:
            return f"FY {self.start_year}"
        return f"FY {self.start_year}-{(self.start_year + 1) % 100:02d}"


def financial_year_of(day: dt.date, start_month: int = 4) -> FinancialYear:
    year = day.year if day.month >= start_month else day.year - 1
    return FinancialYear(year, start_month)




@functools.lru_cache(maxsize=64)
def _bank_holidays(year: int) -> dict[dt.date, str]:
    # Imported here, not at the top: nothing on the way to the first window needs it.
    import holidays

    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


def bank_holiday(day: dt.date) -> str | None:
    """The name of England's bank holiday on ``day`` ("Christmas Day"), or None.

    From the maintained ``holidays`` package, so one-off holidays (a coronation) and days moved
    when Christmas falls at a weekend are known without a table kept by hand.
    """
    return _bank_holidays(day.year).get(day)


def _weekday_open(day: dt.date) -> bool:
    return day.weekday() < 5 and bank_holiday(day) is None


def school_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Weekdays from start to end inclusive, less England's bank holidays.

    This knows no school's terms or closures: ``SchoolCalendar`` does, for cover and its costs.
    """
    days = []
    day = start
    while day <= end:
        if _weekday_open(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def next_school_day(day: dt.date) -> dt.date:
    """The day itself if it is a weekday and no bank holiday, else the next one that is."""
    while not _weekday_open(day):
        day += dt.timedelta(days=1)
    return day


def add_school_days(day: dt.date, n: int) -> dt.date:
    """The weekday ``n`` school days after ``day`` (weekends and bank holidays skipped)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if _weekday_open(day):
            n -= 1
    return day


def _previous_school_day(day: dt.date) -> dt.date:
    """The day itself if it is a weekday and no bank holiday, else the last one before it that is."""
    while not _weekday_open(day):
        day -= dt.timedelta(days=1)
    return day


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=-day.weekday() % 7)


def _friday_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 4) % 7 or 7)


def suggested_terms(year: AcademicYear) -> list[tuple[str, dt.date, dt.date]]:
    """Typical English term dates for a year (schools change them): what a new school starts from. No term
    starts or ends on a weekend or bank holiday: spring term ends on the Thursday before Good Friday."""
    y = year.start_year
    easter = easter_sunday(y + 1)
    return [
        ("autumn", next_school_day(dt.date(y, 9, 3)), _previous_school_day(_friday_before(dt.date(y, 12, 21)))),
        ("spring", next_school_day(_monday_on_or_after(dt.date(y + 1, 1, 5))),
         _previous_school_day(easter - dt.timedelta(days=2))),
        ("summer", next_school_day(easter + dt.timedelta(days=8)),
         _previous_school_day(_friday_before(dt.date(y + 1, 7, 24)))),
    ]


# How long before a new booking's first day the dialog suggests it: the notice a school needs for cover.
BOOKING_NOTICE = dt.timedelta(days=14)
# How far a search for the next school day may look: past the longest summer holiday with room to spare.
_SEARCH_LIMIT = 400
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class SchoolCalendar:
    """One school's school days: weekdays inside its terms, less England's bank holidays and the
    school's non-teaching days (INSET days and other closures).

    Where the school has not set a year's term dates the usual ones apply, which run all year: only
    weekends, bank holidays and non-teaching days are left out until it does. A calendar made with
    ``session=None`` (a dialog's, after its session closed) knows the years it was given.
    """

    def __init__(self, session: Session | None, school: School, *, years: tuple[AcademicYear, ...] = ()) -> None:
        from ..models import NonTeachingDay

        self.session = session
        self.school_id = school.id
        self.start_month = school.academic_year_start_month
        self._terms: dict[AcademicYear, list[Term]] = {}
        self.closures: dict[dt.date, str] = {}
        if session is not None:
            self.closures = {day: str(reason) for day, reason in session.execute(
                select(NonTeachingDay.date, NonTeachingDay.reason).where(NonTeachingDay.school_id == school.id))}
            if years:
                self._terms.update(terms_for_years(session, school.id, years))

    def terms(self, year: AcademicYear) -> list[Term]:
        if year not in self._terms:
            if self.session is None:
                return default_terms(year)
            self._terms[year] = terms_for_years(self.session, self.school_id, (year,))[year]
        return self._terms[year]

    def detached(self) -> SchoolCalendar:
        """This calendar without its session (for a dialog that outlives it): the years loaded so far are kept."""
        self.session = None
        return self

    def has_own_terms(self, year: AcademicYear) -> bool | None:
        """Whether the school has set the year's term dates (without them the holidays are not known);
        None for a year a detached calendar never loaded."""
        if year not in self._terms and self.session is None:
            return None
        return self.terms(year) != default_terms(year)

    def in_term(self, day: dt.date) -> bool:
        year = academic_year_of(day, self.start_month)
        return any(term.contains(day) for term in self.terms(year))

    def why_closed(self, day: dt.date) -> str | None:
        """Why ``day`` is not a school day ("a Saturday", "a bank holiday (Christmas Day)", "an INSET day
        (non-teaching day)", "in the holidays between terms"), or None on a school day."""
        if day.weekday() >= 5:
            return f"a {WEEKDAY_NAMES[day.weekday()]}"
        holiday = bank_holiday(day)
        if holiday is not None:
            return f"a bank holiday ({holiday})"
        if day in self.closures:
            return f"a non-teaching day ({self.closures[day]})"
        if not self.in_term(day):
            return "in the holidays between terms"
        return None

    def is_school_day(self, day: dt.date) -> bool:
        return self.why_closed(day) is None

    def school_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The school days from ``start`` to ``end`` inclusive."""
        days = []
        day = start
        while day <= end:
            if self.is_school_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def next_school_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a school day, else the next one (``day`` itself if none comes within a year)."""
        for offset in range(_SEARCH_LIMIT):
            candidate = day + dt.timedelta(days=offset)
            if self.is_school_day(candidate):
                return candidate
        return day

    def booking_start(self, today: dt.date) -> dt.date:
        """A new booking's first day until the person types one: the first school day a fortnight or more
        from ``today`` (time to arrange cover). Where the school set the year's term dates that is in
        term, never in the holidays; a weekend, bank holiday or non-teaching day never."""
        return self.next_school_day(today + BOOKING_NOTICE)

    def end_after(self, start: dt.date, days: int) -> dt.date:
        """The last day of something that takes ``days`` school days from ``start`` (``start`` counting as the
        first when it is one): a 3-day course from a Friday ends on the Tuesday."""
        day = start
        left = days - 1 if self.is_school_day(start) else days
        for _ in range(_SEARCH_LIMIT):
            if left <= 0:
                return day
            day += dt.timedelta(days=1)
            if self.is_school_day(day):
                left -= 1
        return day


_CACHE_KEY = "school_calendars"


def cached_calendar(session: Session, school: School) -> SchoolCalendar:
    """The school's calendar, made once per session for lists that ask it for every row (a report of every
    booking's days); forgotten whenever the session writes term dates or non-teaching days."""
    cache: dict[int, SchoolCalendar] = session.info.setdefault(_CACHE_KEY, {})
    if school.id not in cache:
        cache[school.id] = SchoolCalendar(session, school)
    return cache[school.id]


@event.listens_for(Session, "after_flush")
def _forget_calendars(session: Session, _context: object) -> None:
    if _CACHE_KEY not in session.info:
        return
    from ..models import NonTeachingDay

    if any(isinstance(obj, TermDates | NonTeachingDay)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_CACHE_KEY, None)


def calendar_years(around: dt.date, start_month: int = 9, *, before: int = 1, after: int = 2) -> tuple[AcademicYear, ...]:
    """The academic years from ``before`` years before the one holding ``around`` to ``after`` years after it."""
    year = academic_year_of(around, start_month)
    return tuple(AcademicYear(year.start_year + k, start_month) for k in range(-before, after + 1))
