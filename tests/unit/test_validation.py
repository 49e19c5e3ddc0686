"""The validators every entry point shares: what they accept, what they refuse, and how they say so."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from cpd_desktop.errors import ValidationError
from cpd_desktop.models import School
from cpd_desktop.models.enums import FORMATS
from cpd_desktop.services import validation as v
from cpd_desktop.services.formatting import format_date, format_money
from cpd_desktop.services.schools import create_school
from cpd_desktop.services.staff import add_staff, update_staff

DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31))
PLAIN = st.characters(categories=["L", "N", "P", "S"])  # letters, digits, punctuation, symbols
CONTROL = st.characters(categories=["Cc"]).filter(lambda ch: ch != "\t")


def two_places(min_value: str, max_value: str) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(min_value), max_value=Decimal(max_value), places=2,
                       allow_nan=False, allow_infinity=False)


def test_a_validation_error_names_the_row_and_field_and_says_what_to_do() -> None:
    with pytest.raises(ValidationError) as info:
        v.parse_date("31/02/2025", "Start Date")
    info.value.row = 4
    assert str(info.value) == ("row 4, Start Date: 31/02/2025 is not a real date. "
                               "Check the day and month (dd/mm/yyyy).")


# ---- text ----

@given(st.text(alphabet=st.one_of(PLAIN, st.sampled_from(" \t\u00a0")), max_size=120))
def test_text_is_trimmed_and_inner_spaces_collapsed(text: str) -> None:
    cleaned = v.clean_text(text, "Title")
    words = unicodedata.normalize("NFC", text).split()
    if not words:
        assert cleaned is None
        return
    assert cleaned is not None
    assert cleaned == cleaned.strip() and "  " not in cleaned and "\t" not in cleaned
    assert cleaned.split() == words
    assert v.clean_text(cleaned, "Title") == cleaned


@given(st.text(PLAIN, min_size=1, max_size=20), CONTROL, st.text(PLAIN, min_size=1, max_size=20))
def test_a_control_character_inside_text_is_refused(before: str, control: str, after: str) -> None:
    with pytest.raises(ValidationError, match="control character") as info:
        v.clean_text(before + control + after, "Surname")
    assert info.value.field == "Surname"


@pytest.mark.parametrize("bad", ["\u200b", "\u202e", "\ufeff", "\x7f", "\x1b", "\u2028", "\u2029", "\x85"])
def test_invisible_and_direction_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="control character"):
        v.clean_text(f"Ada{bad}Lovelace", "Surname")


def test_names_spelt_with_zero_width_joiners_are_kept_as_written() -> None:
    # Persian and Indic names use U+200C/U+200D; refusing them would refuse the person's name.
    for name in ("می‌خواهم", "क्‍ष"):
        assert v.clean_text(name, "Surname") == name


def test_multiline_text_keeps_its_lines_trimmed() -> None:
    assert v.clean_text("  first line  \r\n\r\n  second\tline \r", "Notes", multiline=True, max_len=100) == \
        "first line\n\nsecond line"
    with pytest.raises(ValidationError):
        v.clean_text("two\nlines", "Title")
    with pytest.raises(ValidationError):
        v.clean_text("bell\x07here\nand there", "Notes", multiline=True)


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=80))
def test_text_longer_than_its_cap_is_refused(cap: int, length: int) -> None:
    text = "x" * length
    if length > cap:
        with pytest.raises(ValidationError, match=f"at most {cap}"):
            v.clean_text(text, "Title", max_len=cap)
    else:
        assert v.clean_text(text, "Title", max_len=cap) == (text or None)


def test_required_text_refuses_blank() -> None:
    with pytest.raises(ValidationError, match="is required") as info:
        v.required_text("   ", "Forename")
    assert info.value.field == "Forename" and "forename" in info.value.hint


def test_names_are_kept_exactly_as_written() -> None:
    for name in ("Łukasz Zając", "Nguyễn Thị Mai", "Siobhán Ó Dálaigh", "Chloë d'Arcy-Smith"):
        assert v.clean_text(name, "Name") == unicodedata.normalize("NFC", name)
    # A decomposed é (e + combining acute) is stored composed, so searches and sorting agree.
    assert v.clean_text("Chloe\u0308", "Forename") == "Chloë"


# ---- dates ----

@given(DATES)
def test_real_dates_are_read_in_the_ways_schools_write_them(day: dt.date) -> None:
    for text in (format_date(day), f"{day.day}/{day.month}/{day.year}", day.isoformat(),
                 f"{day.day:02d}-{day.month:02d}-{day.year}"):
        assert v.parse_date(text, "Date") == day
    assert v.parse_date(day, "Date") == day
    assert v.parse_date(dt.datetime.combine(day, dt.time(13, 5)), "Date") == day


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2068, 12, 31)))
def test_two_digit_years_are_this_century(day: dt.date) -> None:
    assert v.parse_date(f"{day.day}/{day.month}/{day.year % 100:02d}", "Date") == day


@given(st.integers(min_value=1950, max_value=2150), st.integers(min_value=1, max_value=12),
       st.integers(min_value=29, max_value=31))
def test_days_that_do_not_exist_are_refused(year: int, month: int, day: int) -> None:
    try:
        dt.date(year, month, day)
    except ValueError:
        with pytest.raises(ValidationError, match="not a real date"):
            v.parse_date(f"{day:02d}/{month:02d}/{year}", "Start date")
    else:
        assert v.parse_date(f"{day:02d}/{month:02d}/{year}", "Start date") == dt.date(year, month, day)


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_clear_refusal(text: str) -> None:
    try:
        result = v.parse_date(text, "Date", required=False)
    except ValidationError as exc:
        assert exc.field == "Date" and exc.hint
    else:
        assert result is None or isinstance(result, dt.date)


def test_a_blank_required_date_is_refused_and_an_optional_one_is_none() -> None:
    with pytest.raises(ValidationError, match="is required"):
        v.parse_date("  ", "Start date")
    assert v.parse_date("", "Leaving date", required=False) is None


@given(DATES, DATES)
def test_an_end_before_its_start_is_refused(start: dt.date, end: dt.date) -> None:
    if end < start:
        with pytest.raises(ValidationError, match="before the start") as info:
            v.check_date_order(start, end)
        assert info.value.field == "End date"
    else:
        v.check_date_order(start, end)


# ---- hours ----

@given(DATES, st.integers(min_value=0, max_value=6), two_places("0.01", "200"))
def test_hours_are_more_than_0_and_at_most_24_a_day_spanned(start: dt.date, extra_days: int,
                                                            hours: Decimal) -> None:
    end = start + dt.timedelta(days=extra_days)
    limit = 24 * (extra_days + 1)
    if hours > limit:
        with pytest.raises(ValidationError, match=f"more than {limit} hours"):
            v.parse_hours(str(hours), "Hours", start=start, end=end)
    else:
        assert v.parse_hours(str(hours), "Hours", start=start, end=end) == hours
        assert v.parse_hours(hours, "Hours", start=start, end=end) == hours


@given(two_places("-50", "0"))
def test_hours_of_zero_or_less_are_refused(hours: Decimal) -> None:
    with pytest.raises(ValidationError, match="not more than 0"):
        v.parse_hours(str(hours))


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("24"), places=3))
def test_hours_with_more_than_two_decimal_places_are_refused(hours: Decimal) -> None:
    assume(hours != hours.quantize(Decimal("0.01")))
    with pytest.raises(ValidationError, match="decimal places"):
        v.parse_hours(hours)


@pytest.mark.parametrize("text", ["", None, "three", "1,5", "NaN", "inf", "3 hours", "1e400000"])
def test_hours_that_are_not_a_number_are_refused(text: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        v.parse_hours(text, "Hours")
    assert info.value.field == "Hours" and info.value.hint


def test_a_decimal_comma_is_not_read_as_thousands() -> None:
    """'1,5' from a European spreadsheet must not become 15 hours or £125.00."""
    with pytest.raises(ValidationError, match="full stop"):
        v.parse_hours("1,5")
    with pytest.raises(ValidationError, match="full stop"):
        v.parse_money("1,25", "Fee")
    assert v.parse_money("£12,500.50", "Fee") == Decimal("12500.50")


# ---- FTE ----

@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1"), places=3))
def test_fte_in_0_to_1_is_kept(fte: Decimal) -> None:
    assert v.parse_fte(str(fte)) == float(fte)
    assert v.parse_fte(f"{fte * 100}%") == pytest.approx(float(fte))
    assert v.parse_fte(float(fte)) == float(fte)


@given(st.one_of(st.decimals(min_value=Decimal("-5"), max_value=Decimal("0.0004"), places=4),
                 st.decimals(min_value=Decimal("1.0001"), max_value=Decimal("150"), places=4)))
def test_fte_outside_0_to_1_is_refused(fte: Decimal) -> None:
    with pytest.raises(ValidationError) as info:
        v.parse_fte(str(fte))
    assert info.value.field == "FTE" and "0.8" in info.value.hint


def test_fte_forms() -> None:
    assert v.parse_fte("80%") == 0.8
    assert v.parse_fte(" 0.6 ") == 0.6
    assert v.parse_fte("") == 1.0  # a blank FTE is full time
    with pytest.raises(ValidationError, match="more than 1"):
        v.parse_fte("80")  # almost certainly a percentage without its sign


# ---- money ----

@given(two_places("0", "99999999.99"))
def test_money_of_pounds_and_pence_reads_back_from_every_way_it_is_written(amount: Decimal) -> None:
    for raw in (amount, str(amount), format_money(amount), f"{amount:,.2f}", f" £ {amount} "):
        parsed = v.parse_money(raw, "Fee")
        assert parsed == amount and parsed == parsed.quantize(Decimal("0.01"))
        assert str(parsed) == f"{amount:.2f}"


def test_the_usual_money_forms() -> None:
    assert v.parse_money("£1,250.00", "Fee") == Decimal("1250.00")
    assert v.parse_money("£1,250", "Fee") == Decimal("1250.00")
    assert v.parse_money(291, "Fee") == Decimal("291.00")
    assert v.parse_money("", "Fee") == Decimal("0.00")
    assert v.parse_money("", "Fee", required=False) is None


@given(two_places("-99999", "-0.01"))
def test_negative_money_is_refused(amount: Decimal) -> None:
    with pytest.raises(ValidationError, match="negative") as info:
        v.parse_money(str(amount), "Travel")
    assert info.value.field == "Travel"
    # said as money is written: −£660.00, never £-660
    assert str(info.value).startswith("Travel: −£") and "£-" not in str(info.value)
    with pytest.raises(ValidationError, match="negative"):
        v.parse_money(f"({-amount})", "Travel")  # accountants' brackets


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=3))
def test_money_with_more_than_two_decimal_places_is_refused(amount: Decimal) -> None:
    assume(amount != amount.quantize(Decimal("0.01")))
    with pytest.raises(ValidationError, match="2 decimal places"):
        v.parse_money(str(amount), "Fee")


@pytest.mark.parametrize("text", ["free", "£", "12.5.0", "1e400000"])
def test_money_that_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        v.parse_money(text, "Fee")


# ---- the other fields ----

@pytest.mark.parametrize(("raw", "year"), [
    (None, None), ("", None), ("No", None), ("0", None), ("Yes", 1), ("1", 1), ("Y1", 1), ("ECT 1", 1),
    ("2", 2), ("y2", 2), (2, 2), (True, 1), (False, None),
])
def test_ect_year(raw: object, year: int | None) -> None:
    assert v.parse_ect_year(raw) == year


def test_an_ect_year_of_3_is_refused() -> None:
    with pytest.raises(ValidationError, match="not an ECT year"):
        v.parse_ect_year("3")


@pytest.mark.parametrize(("raw", "value"), [("Yes", True), ("y", True), ("TRUE", True), ("1", True), (1, True),
                                            ("No", False), ("", False), (0, False), ("false", False)])
def test_yes_no(raw: object, value: bool) -> None:
    assert v.parse_bool(raw, "Subject-specific") is value


def test_yes_no_refuses_anything_else() -> None:
    with pytest.raises(ValidationError, match="yes or no"):
        v.parse_bool("maybe", "Cover required")


def test_email_is_checked_and_lower_cased() -> None:
    assert v.parse_email(" HMA@AshcombePark.sch.uk ") == "hma@ashcombepark.sch.uk"
    assert v.parse_email("") is None
    with pytest.raises(ValidationError, match="not an email"):
        v.parse_email("hma at school")


def test_choices_match_codes_and_labels_loosely() -> None:
    assert v.parse_choice("Face-to-face course", "Format", FORMATS) == "face_to_face"
    assert v.parse_choice("face_to_face", "Format", FORMATS) == "face_to_face"
    assert v.parse_choice("NPQ", "Format", FORMATS) == "npq"
    with pytest.raises(ValidationError, match="not one of the choices") as info:
        v.parse_choice("Juggling", "Format", FORMATS)
    assert "Webinar" in info.value.hint


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Nd"], max_codepoint=0x7F), min_size=1, max_size=20))
def test_staff_codes_are_upper_cased(code: str) -> None:
    assert v.parse_staff_code(code) == code.upper()


@pytest.mark.parametrize("code", ["", "A B", "X" * 21])
def test_bad_staff_codes_are_refused(code: str) -> None:
    with pytest.raises(ValidationError) as info:
        v.parse_staff_code(code)
    assert info.value.field == "Staff code"


# ---- a staff code is unique in its school ----

def test_a_staff_code_is_unique_in_its_school(session: Session, school: School) -> None:
    add_staff(session, school, forename="Helen", surname="Marsden", staff_code="HMA")
    with pytest.raises(ValidationError, match="already used") as info:
        add_staff(session, school, forename="Harriet", surname="Mason", staff_code="hma")
    assert info.value.field == "Staff code"
    other = create_school(session, "Other High School")
    assert add_staff(session, other, forename="Harriet", surname="Mason", staff_code="HMA").staff_code == "HMA"


def test_changing_a_staff_code_to_one_in_use_is_refused(session: Session, school: School) -> None:
    add_staff(session, school, forename="Helen", surname="Marsden", staff_code="HMA")
    daniel = add_staff(session, school, forename="Daniel", surname="Okafor", staff_code="DOK")
    with pytest.raises(ValidationError, match="already used"):
        update_staff(session, daniel, staff_code="HMA")
    assert daniel.staff_code == "DOK"
    update_staff(session, daniel, staff_code="dok", fte="0.8")  # keeping one's own code is fine
    assert (daniel.staff_code, daniel.fte) == ("DOK", 0.8)


def test_a_leaving_date_before_the_start_date_is_refused(session: Session, school: School) -> None:
    with pytest.raises(ValidationError, match="before the start") as info:
        add_staff(session, school, forename="Sophie", surname="Clarke", staff_code="SCL",
                  start_date="01/09/2021", leaving_date="31/07/2020")
    assert info.value.field == "Leaving date"


@pytest.mark.parametrize("fte", ["0", "1.2", "-0.5", "abc", "0.0004"])
def test_staff_with_a_bad_fte_are_refused_before_the_database(fte: str) -> None:
    from cpd_desktop.services.staff import clean_staff_values

    with pytest.raises(ValidationError) as info:
        clean_staff_values({"forename": "Ann", "surname": "Lee", "staff_code": "ALE", "fte": fte})
    assert info.value.field == "FTE"


@pytest.mark.parametrize(("field", "parse"), [
    ("Cost", lambda x: v.parse_money(x, "Cost")),
    ("Supply cover per day", lambda x: v.parse_money(x, "Supply cover per day")),
    ("Amount claimed", lambda x: v.parse_money(x, "Amount claimed", required=False)),
])
def test_money_typed_with_letters_is_asked_for_as_pounds_and_pence(field: str, parse: Any) -> None:
    """'£12abc' in a money field: the example is an amount of money, not '3.5' (which reads as hours)."""
    with pytest.raises(ValidationError) as caught:
        parse("£12abc")
    assert caught.value.field == field
    assert caught.value.message == "£12abc is not a number."
    assert caught.value.hint == "Enter an amount in pounds and pence, such as 12.50."
    with pytest.raises(ValidationError) as decimals:
        parse("12.505")
    assert "such as 12.50" in decimals.value.hint
    with pytest.raises(ValidationError) as comma:
        parse("12,5")
    assert "12.50 or 1,250.00" in comma.value.hint


def test_each_kind_of_number_gets_an_example_of_its_own_kind() -> None:
    """Hours keep an hours example; a count of days a whole number; a share a percentage; FTE 0.8."""
    from cpd_desktop.services.schools import SETTING_PARSERS

    def hint(parse: Any, raw: str = "abc") -> str:
        with pytest.raises(ValidationError) as caught:
            parse(raw)
        return caught.value.hint

    assert hint(lambda x: v.parse_hours(x)) == "Enter a number such as 3.5."
    assert hint(lambda x: v.parse_fte(x)) == "Write FTE as 0.8 or 80%."
    assert hint(lambda x: v.parse_target_hours(x)).endswith("e.g. 35.")
    assert hint(SETTING_PARSERS["evaluation_due_days"]) == "Enter a whole number from 1 to 365."
    assert hint(SETTING_PARSERS["subject_specific_target"]) == "Enter a percentage from 0 to 100, such as 40."
    assert hint(SETTING_PARSERS["mileage_rate"]) == v.MONEY_HINT


def test_a_confidence_is_asked_for_from_1_to_5_wherever_it_is_typed() -> None:
    """A booking's confidence before, an evaluation's confidence and a stage's confidence: one rule, and the
    example says which end is which rather than 'such as 3.5'."""
    from cpd_desktop.services.activities import clean_activity_values
    from cpd_desktop.services.bookings import parse_confidence

    for parse, hint in ((lambda x: parse_confidence(x), "1 = not at all confident, 5 = very."),
                        (lambda x: clean_activity_values({"impact_confidence": x})["impact_confidence"],
                         "1 = much less confident, 5 = much more.")):
        assert parse("") is None and parse(None) is None and parse("4") == 4
        for bad, said in (("abc", "abc is not a number."), ("6", "6 is not from 1 to 5."),
                          ("2.5", "2.5 is not from 1 to 5.")):
            with pytest.raises(ValidationError) as caught:
                parse(bad)
            assert (caught.value.message, caught.value.hint) == (said, hint)



def test_an_amount_too_large_is_shown_as_typed_with_the_largest_allowed() -> None:
    for typed in ("1e9", "100000000", "£1,000,000,000"):
        with pytest.raises(ValidationError) as caught:
            v.parse_money(typed, "Allocation")
        assert caught.value.message == f"{typed} is too large."
        assert caught.value.hint == "Check the amount: at most £99,999,999.99."
    with pytest.raises(ValidationError) as huge:
        v.parse_money("1" * 400, "Fee")
    assert huge.value.message == "11111111111111111… is too large."
