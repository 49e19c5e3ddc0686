"""Validators shared by every entry point: dialogs, imports, the CLI and the services.

Each takes a raw value (text from a file or a field, or an already typed value) and returns the
clean typed value, or raises ``ValidationError`` naming the field and saying what to do.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ..errors import ValidationError
from .formatting import format_money

# Unicode categories Cc (control) and Cf (format) except ordinary white space we turn into spaces.
# Zero-width space, direction overrides and BOMs are refused; the zero-width (non-)joiners U+200C/U+200D
# are kept, since Persian and Indic names are spelt with them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t]+")

NAME_MAX = 100
TITLE_MAX = 300
NOTE_MAX = 4000
CODE_MAX = 20
MONEY_MAX = Decimal("99999999.99")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def clean_text(value: Any, field: str, *, max_len: int = TITLE_MAX, required: bool = False,
               multiline: bool = False) -> str | None:
    """Trim, refuse control characters, enforce a length cap. Empty becomes None (or an error if required)."""
    if value is None:
        text = ""
    else:
        text = str(value)
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        text = "\n".join(lines).strip()
        bad = _CONTROL.search(text.replace("\n", ""))
    else:
        text = _SPACES.sub(" ", text).strip()
        # Line and paragraph separators break a one-line value (a name, a title) just as \n does.
        bad = _CONTROL.search(text) or re.search(r"[\r\n\u2028\u2029]", text)
    if bad:
        raise ValidationError(field, "contains a control character that cannot be stored.",
                              hint="Retype the text, or paste it as plain text.")
    if not text:
        if required:
            raise ValidationError(field, "is required.", hint=f"Enter the {field.lower()}.")
        return None
    if len(text) > max_len:
        raise ValidationError(field, f"is {len(text)} characters long; at most {max_len} fit.",
                              hint="Shorten it.")
    return text


def required_text(value: Any, field: str, *, max_len: int = TITLE_MAX) -> str:
    text = clean_text(value, field, max_len=max_len, required=True)
    assert text is not None
    return text


_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


def parse_date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    """A real date from a date, datetime or text in dd/mm/yyyy, d/m/yy or yyyy-mm-dd."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise ValidationError(field, "is required.", hint="Enter a date as dd/mm/yyyy.")
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{1,2}-\d{1,2}", text):
        raise ValidationError(field, f"{text} is not a real date.", hint="Check the day and month (dd/mm/yyyy).")
    raise ValidationError(field, f"{text} is not a date.", hint="Write it as dd/mm/yyyy, e.g. 14/10/2025.")


NUMBER_HINT = "Enter a number such as 3.5."
MONEY_HINT = "Enter an amount in pounds and pence, such as 12.50."
HALF_DAYS_HINT = "Use whole or half days, e.g. 2 or 0.5."


def whole_number_hint(low: int, high: int) -> str:
    """What to type where a count is asked for (days, years, a period)."""
    return f"Enter a whole number from {low} to {high}."


def parse_confidence(raw: Any, field: str, *, hint: str = "1 = not at all confident, 5 = very.") -> int | None:
    """A confidence from 1 to 5 (``hint`` says which end is which); blank is none."""
    if raw in (None, ""):
        return None
    number = parse_decimal(raw, field, hint=hint)
    if number not in {1, 2, 3, 4, 5}:
        raise ValidationError(field, f"{raw} is not from 1 to 5.", hint=hint)
    return int(number)


def parse_decimal(value: Any, field: str, *, hint: str = NUMBER_HINT) -> Decimal:
    """A number from a number or text ('1,250.5', '(3)'); ``hint`` says what to type instead, with an example
    of the kind of number asked for (an amount of money, hours, a count of days)."""
    if isinstance(value, bool):
        raise ValidationError(field, f"{value} is not a number.", hint=hint)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise ValidationError(field, "is not a number.", hint=hint)
        number = Decimal(str(value))
    else:
        text = "" if value is None else str(value).strip()
        cleaned = text.replace("£", "").replace(" ", "")
        if cleaned.startswith("(") and cleaned.endswith(")"):
            cleaned = "-" + cleaned[1:-1]
        # A comma only groups thousands (1,250.00): '1,5' is a decimal comma and must not become 15.
        if "," in cleaned and not _THOUSANDS.fullmatch(cleaned):
            example = "12.50 or 1,250.00" if hint == MONEY_HINT else "1.5 or 1,250.00"
            raise ValidationError(field, f"{text} is not a number.",
                                  hint="Use a full stop for decimals and commas only between thousands, "
                                       f"e.g. {example}.")
        cleaned = cleaned.replace(",", "")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(field, f"{text or 'an empty value'} is not a number.", hint=hint) from None
    if not number.is_finite():
        raise ValidationError(field, "is not a number.", hint=hint)
    return number


def parse_money(value: Any, field: str, *, required: bool = True) -> Decimal | None:
    """Pounds and pence: ≥ 0, at most 2 decimal places; accepts '£1,250.00'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            return Decimal("0.00")
        return None
    number = parse_decimal(value, field, hint=MONEY_HINT)
    if number < 0:  # a huge one ('-1e300') cannot be rounded to pence to be shown
        raise ValidationError(field, f"{format_money(number) if number >= -MONEY_MAX else number} is negative.",
                              hint="Enter an amount of £0.00 or more.")
    if number > MONEY_MAX:  # before rounding: '1e400000' is too large to round to pence
        typed = str(value).strip()
        shown = typed if len(typed) <= 20 else f"{typed[:17]}…"  # as typed: '1e9', not '£1E+9'
        raise ValidationError(field, f"{shown} is too large.",
                              hint=f"Check the amount: at most {format_money(MONEY_MAX)}.")
    if number != number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise ValidationError(field, f"{number} has more than 2 decimal places.", hint=MONEY_HINT)
    return number.quantize(Decimal("0.01"))


def days_spanned(start: dt.date, end: dt.date | None) -> int:
    return ((end or start) - start).days + 1


def parse_hours(value: Any, field: str = "Hours", *, start: dt.date | None = None,
                end: dt.date | None = None) -> Decimal:
    """Hours > 0 and ≤ 24 for each day the activity spans, to the hundredth."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(field, "is required.", hint="Enter the hours attended, e.g. 3 or 1.5.")
    number = parse_decimal(value, field)
    if number <= 0:
        raise ValidationError(field, f"{number} is not more than 0.", hint="Enter the hours attended, e.g. 3.")
    days = days_spanned(start, end) if start else 1
    if number > 24 * days:
        span = "a day" if days == 1 else f"{days} days"
        raise ValidationError(field, f"{number} hours is more than {24 * days} hours in {span}.",
                              hint="Check the hours and the dates.")
    if number != number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise ValidationError(field, f"{number} has more than 2 decimal places.", hint="Round to the minute.")
    return number.quantize(Decimal("0.01"))


def check_date_order(start: dt.date, end: dt.date | None, *, field: str = "End date") -> None:
    if end is not None and end < start:
        raise ValidationError(field, f"{end:%d/%m/%Y} is before the start, {start:%d/%m/%Y}.",
                              hint="Make the end date the same as or after the start date.")


def parse_fte(value: Any, field: str = "FTE") -> float:
    """Full-time equivalent in (0, 1]; accepts 0.8 or '80%'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    text = str(value).strip()
    if isinstance(value, str) and text.endswith("%"):
        number = parse_decimal(text[:-1], field, hint="Write FTE as 0.8 or 80%.") / 100
    else:
        number = parse_decimal(value, field, hint="Write FTE as 0.8 or 80%.")
        if number > 1 and number <= 100 and isinstance(value, str):
            raise ValidationError(field, f"{text} is more than 1.", hint="Write FTE as 0.8 or 80%.")
    # FTE is kept to 3 places: a value that rounds to 0 (0.0004) is no more than 0.
    if number <= 0 or number > 1 or round(number, 3) <= 0:
        raise ValidationError(field, f"{text} is not between 0 and 1.",
                              hint="FTE is more than 0 and at most 1, e.g. 0.8 or 80%.")
    return float(round(number, 3))


def parse_ect_year(value: Any, field: str = "ECT year") -> int | None:
    """Blank/No → None; Yes/1/Y1 → 1; 2/Y2 → 2."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else None
    text = str(value).strip().lower().replace(" ", "")
    if text in ("", "no", "n", "none", "0", "false", "-"):
        return None
    if text in ("yes", "y", "1", "y1", "year1", "ect1", "true", "1.0"):
        return 1
    if text in ("2", "y2", "year2", "ect2", "2.0"):
        return 2
    raise ValidationError(field, f"{value} is not an ECT year.", hint="Use blank, No, Yes, 1, 2, Y1 or Y2.")


_TRUE = {"yes", "y", "true", "t", "1", "x", "✓"}
_FALSE = {"no", "n", "false", "f", "0", ""}


def parse_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
    text = "" if value is None else str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(field, f"{value} is not yes or no.", hint="Use Yes/No, Y/N, True/False or 1/0.")


def parse_email(value: Any, field: str = "Email") -> str | None:
    text = clean_text(value, field, max_len=254)
    if text is None:
        return None
    if not EMAIL_RE.match(text):
        raise ValidationError(field, f"{text} is not an email address.", hint="Write it as name@school.org.uk.")
    return text.lower()


def parse_urn(value: Any, field: str = "URN") -> str | None:
    """A school's unique reference number: 6 digits, or nothing."""
    text = clean_text(value, field, max_len=20)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 6):
        raise ValidationError(field, f"{text} is not a URN: a URN has 6 digits.",
                              hint="Find the school's 6-digit URN on Get Information about Schools, or leave it blank.")
    return text


TARGET_MIN, TARGET_MAX = Decimal(1), Decimal(200)


def parse_target_hours(value: Any, field: str = "CPD target") -> Decimal:
    """A full-time teacher's CPD target: a positive number of hours a year (1 to 200)."""
    text = "" if value is None else str(value).strip()
    rule = f"The CPD target must be between {TARGET_MIN} and {TARGET_MAX} hours a year"
    if not text:
        raise ValidationError(field, "is required.", hint=f"{rule}, e.g. 35.")
    number = parse_decimal(text.removesuffix("hours").removesuffix("h").strip(), field,
                           hint="Enter the hours a year for a full-time teacher, e.g. 35.")
    if not TARGET_MIN <= number <= TARGET_MAX:
        raise ValidationError(field, f"{rule}; {text} is not.", hint="Enter the hours a year for a full-time "
                              "teacher, e.g. 35.")
    if number != number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise ValidationError(field, f"{number} has more than 2 decimal places.", hint="Round it, e.g. 35.5.")
    return number.quantize(Decimal("0.01"))


def parse_staff_code(value: Any, field: str = "Staff code") -> str:
    text = required_text(value, field, max_len=CODE_MAX)
    if " " in text:
        raise ValidationError(field, f"'{text}' contains a space.", hint="Staff codes are letters and digits, e.g. ABC.")
    return text.upper()


def parse_choice(value: Any, field: str, choices: dict[str, str], *, default: str | None = None) -> str:
    """A stored code from its code or its label, matched loosely ('Face-to-face' → face_to_face)."""
    text = "" if value is None else str(value).strip()
    if not text:
        if default is not None:
            return default
        raise ValidationError(field, "is required.", hint="Choose one of: " + ", ".join(choices.values()) + ".")
    key = _loose(text)
    for code, label in choices.items():
        if key in (_loose(code), _loose(label)):
            return code
    for code, label in choices.items():
        if key and (_loose(label).startswith(key) or key.startswith(_loose(code))):
            return code
    raise ValidationError(field, f"'{text}' is not one of the choices.",
                          hint="Use one of: " + ", ".join(choices.values()) + ".")


def _loose(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
