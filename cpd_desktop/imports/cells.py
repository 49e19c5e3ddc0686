"""Turning one cell of a file into a typed value, by the same rules as the services.

Every parser here is called with a non-blank cell and the file's own column header as the field
name, so that a problem reads "row 4, Start Date: 31/02/2021 is not a real date". Parsers are
memoised per column: a school's 100,000 activities repeat the same dates, titles and hours, and a
value is checked once however often it appears.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..errors import ValidationError
from ..models.enums import STANDARD_PARTS
from ..services import validation as v
from ..services.catalogue import parse_format

Parser = Callable[[Any], Any]

_DECIMAL_COMMA = re.compile(r"-?£?\s*\d+,\d{1,2}")
_MIDNIGHT = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]00:00(:00(\.0+)?)?")


class Bad:
    __slots__ = ("exc",)

    def __init__(self, exc: ValidationError) -> None:
        self.exc = exc


def memo(fn: Parser) -> Parser:
    """The parser with its answers (and its refusals) remembered for each distinct cell."""
    cache: dict[Any, Any] = {}

    def parse(raw: Any) -> Any:
        # 1, 1.0 and True hash alike but are different cells.
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        try:
            out = cache[key]
        except KeyError:
            try:
                out = fn(raw)
            except ValidationError as exc:
                out = Bad(exc)
            cache[key] = out
        if out.__class__ is Bad:
            raise out.exc
        return out

    return parse


def is_blank(raw: Any) -> bool:
    return raw is None or (raw.__class__ is str and not raw.strip())


def _no_decimal_comma(raw: Any, field: str) -> None:
    if isinstance(raw, str) and _DECIMAL_COMMA.fullmatch(raw.strip()):
        raise ValidationError(field, f"{raw.strip()} uses a comma as the decimal point.",
                              hint="Write it with a full stop, e.g. 1.5.")


def text(field: str, max_len: int = v.TITLE_MAX, *, multiline: bool = False) -> Parser:
    return memo(lambda raw: v.clean_text(raw, field, max_len=max_len, multiline=multiline))


def date(field: str) -> Parser:
    def parse(raw: Any) -> dt.date | None:
        if isinstance(raw, str):
            match = _MIDNIGHT.fullmatch(raw.strip())
            if match:
                raw = match.group(1)
        return v.parse_date(raw, field)

    return memo(parse)


def decimal(field: str) -> Parser:
    def parse(raw: Any) -> Decimal:
        _no_decimal_comma(raw, field)
        return v.parse_decimal(raw, field)

    return memo(parse)


def money(field: str) -> Parser:
    def parse(raw: Any) -> Decimal | None:
        _no_decimal_comma(raw, field)
        return v.parse_money(raw, field, required=False)

    return memo(parse)


def hours(field: str) -> Callable[[Any, int], Decimal]:
    """Hours for an activity spanning ``days`` days: more than 0, at most 24 a day."""
    cache: dict[Any, Any] = {}

    def parse(raw: Any, days: int) -> Decimal:
        key = (raw if raw.__class__ is str else (raw.__class__, raw), days)
        try:
            out = cache[key]
        except KeyError:
            try:
                _no_decimal_comma(raw, field)
                start = dt.date(2000, 1, 1)
                out = v.parse_hours(raw, field, start=start, end=start + dt.timedelta(days=days - 1))
            except ValidationError as exc:
                out = Bad(exc)
            cache[key] = out
        if out.__class__ is Bad:
            raise out.exc
        return out  # type: ignore[no-any-return]

    return parse


def fte(field: str) -> Parser:
    def parse(raw: Any) -> float:
        _no_decimal_comma(raw, field)
        return v.parse_fte(raw, field)

    return memo(parse)


def boolean(field: str) -> Parser:
    return memo(lambda raw: v.parse_bool(raw.strip() if isinstance(raw, str) else raw, field))


def ect_year(field: str) -> Parser:
    return memo(lambda raw: v.parse_ect_year(raw, field))


def staff_code(field: str) -> Parser:
    return memo(lambda raw: v.parse_staff_code(raw, field))


def email(field: str) -> Parser:
    return memo(lambda raw: v.parse_email(raw, field))


def activity_format(field: str) -> Parser:
    return memo(lambda raw: parse_format(raw, field))


def choice(field: str, choices: dict[str, str]) -> Parser:
    return memo(lambda raw: v.parse_choice(raw, field, choices))


def whole_number(field: str, low: int, high: int, what: str) -> Parser:
    def parse(raw: Any) -> int:
        number = v.parse_decimal(raw, field, hint=v.whole_number_hint(low, high))
        if number != number.to_integral_value() or not low <= number <= high:
            raise ValidationError(field, f"{raw} is not {what}.", hint=f"Use a whole number from {low} to {high}.")
        return int(number)

    return memo(parse)


def half_days(field: str, high: int = 100) -> Parser:
    """Days as whole or half days, e.g. 2 or 0.5."""
    def parse(raw: Any) -> float:
        _no_decimal_comma(raw, field)
        days = v.parse_decimal(raw, field, hint=v.HALF_DAYS_HINT)
        if days <= 0 or days > high or days * 2 != (days * 2).to_integral_value():
            raise ValidationError(field, f"{raw} is not a number of days.", hint="Use whole or half days, e.g. 2 or 0.5.")
        return float(days)

    return memo(parse)


_PARTS = list(STANDARD_PARTS)


def _loose(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def standard_parts(field: str) -> Parser:
    """'1, 3, 5', '1-3', 'All', 'None' (or the parts' names) → the set of std_* keys met."""
    labels = {_loose(label.split(". ", 1)[1]): key for key, label in STANDARD_PARTS.items()}

    def parse(raw: Any) -> frozenset[str]:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = str(int(raw)) if float(raw).is_integer() else str(raw)
        if isinstance(raw, bool):
            return frozenset(_PARTS) if raw else frozenset()
        text = str(raw).strip().lower()
        if text in ("all", "all five", "all 5", "1-5", "1–5", "yes", "y"):
            return frozenset(_PARTS)
        if text in ("none", "no", "n", "-", "—", "0"):
            return frozenset()
        found: set[str] = set()
        for token in re.split(r"\s*(?:[,;/&+\n]|\band\b)\s*", text):
            token = token.strip().rstrip(".")
            if not token:
                continue
            span = re.fullmatch(r"([1-5])\s*[-–]\s*([1-5])", token)
            if span:
                low, high = sorted((int(span.group(1)), int(span.group(2))))
                found.update(_PARTS[low - 1:high])
                continue
            numbers = re.fullmatch(r"(?:part|standard|std)?\s*([1-5](?:\s+[1-5])*)", token)
            if numbers:
                found.update(_PARTS[int(n) - 1] for n in numbers.group(1).split())
                continue
            key = labels.get(_loose(re.sub(r"^[1-5][.)]?\s*", "", token)))
            if key is None:
                raise ValidationError(field, f"'{raw}' does not name parts of the DfE Standard.",
                                      hint="List the parts met by number, e.g. 1, 3, 5, or write All or None.")
            found.add(key)
        return frozenset(found)

    return memo(parse)


_DAYS = {"mon": 1, "monday": 1, "mo": 1, "tue": 2, "tues": 2, "tuesday": 2, "tu": 2, "wed": 3, "wednesday": 3,
         "we": 3, "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "th": 4, "fri": 5, "friday": 5, "fr": 5,
         "sat": 6, "saturday": 6, "sa": 6, "sun": 7, "sunday": 7, "su": 7}


def weekday(field: str) -> Parser:
    def parse(raw: Any) -> int:
        text = str(raw).strip().lower().rstrip(".")
        if text in _DAYS:
            return _DAYS[text]
        if re.fullmatch(r"[1-7](\.0)?", text):
            return int(float(text))
        raise ValidationError(field, f"'{raw}' is not a day of the week.", hint="Use Mon, Monday or 1 (Monday) to 7.")

    return memo(parse)


def period(field: str) -> Parser:
    def parse(raw: Any) -> int:
        text = str(raw).strip().lower()
        match = re.fullmatch(r"(?:p|period|lesson|l)?\s*\.?\s*(\d{1,2})(\.0)?", text)
        if match and 0 <= int(match.group(1)) <= 20:
            return int(match.group(1))
        raise ValidationError(field, f"'{raw}' is not a period of the day.", hint="Use the period's number, e.g. 1 or P1.")

    return memo(parse)


# SIMS writes a timetable's period as day, week and period in one cell: "MonA:1", "TueB:3", or "Mon:1"
# for a one-week timetable (also seen: "Mon A:1", "Mon1:2", "Mon-A-1", "Monday A: P1").
_SLOT = re.compile(r"(?P<day>[a-z]+?)[\s\-]*(?:wk|week)?\s*(?P<week>[ab12])?\s*[:\-/ ]\s*(?:p|period|lesson|l)?\s*\.?\s*"
                   r"(?P<period>\d{1,2})")


def timetable_slot(field: str) -> Parser:
    """A period cell: ``(week, weekday, period)``; week and weekday are None when the cell gives only
    the period ("1", "P1"), as a file with its own Week and Day columns does."""
    plain = period(field)

    def parse(raw: Any) -> tuple[str | None, int | None, int]:
        text = str(raw).strip().lower()
        match = _SLOT.fullmatch(text)
        if match and match.group("day").rstrip(".") in _DAYS and 0 <= int(match.group("period")) <= 20:
            week = {"a": "A", "1": "A", "b": "B", "2": "B"}.get(match.group("week") or "")
            return week, _DAYS[match.group("day").rstrip(".")], int(match.group("period"))
        try:
            return None, None, plain(raw)
        except ValidationError:
            raise ValidationError(field, f"'{raw}' is not a period of the day.",
                                  hint="Use the period's number (1 or P1), or day, week and period as SIMS "
                                       "writes them (MonA:1, or Mon:1 for a one-week timetable).") from None

    return memo(parse)


def timetable_week(field: str) -> Parser:
    def parse(raw: Any) -> str:
        text = re.sub(r"[^a-z0-9]", "", str(raw).lower())
        if text in ("", "every", "all", "both", "ab", "weekly", "everyweek"):
            return "every"
        if text in ("a", "weeka", "wka", "1", "week1", "wk1"):
            return "A"
        if text in ("b", "weekb", "wkb", "2", "week2", "wk2"):
            return "B"
        raise ValidationError(field, f"'{raw}' is not a timetable week.", hint="Use A, B, or leave it blank for every week.")

    return memo(parse)


def fold_name(text: str) -> str:
    """A name as compared: accents, case, apostrophes and extra spaces ignored ('Ó Dálaigh' = 'o dalaigh')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[^\w\s-]", "", plain)
    return " ".join(plain.split())


def person_name(field: str) -> Parser:
    """'Forename Surname' or 'Surname, Forename' → the folded 'forename surname' used to match staff."""
    def parse(raw: Any) -> str:
        clean = v.clean_text(raw, field, max_len=v.NAME_MAX * 2)
        assert clean is not None
        if "," in clean:
            surname, _, forename = clean.partition(",")
            return fold_name(f"{forename.strip()} {surname.strip()}")
        return fold_name(clean)

    return memo(parse)
