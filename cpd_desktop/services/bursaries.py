"""Bursary schemes and claims: what a scheme pays for a booking, and a claim's life to payment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, and_, bindparam, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from ..errors import CpdError, InvalidTransitionError, ValidationError
from ..models import Booking, BursaryClaim, BursaryScheme, Department, School, Staff
from ..models.base import Money
from ..models.enums import BURSARY_RULES, CLAIM_STATUSES, CLAIM_TRANSITIONS
from . import validation as v
from .bookings import booking_cost
from .budget import line_code_of_booking
from .concurrency import check_version
from .dashboard_figures import NEAR_DEADLINE_DAYS, money_totals
from .rules import YEAR_PARAMS, constant, in_department, in_year

OPEN_CLAIM_STATUSES = ("draft", "submitted", "approved")


def clean_scheme_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in values:
        out["name"] = v.required_text(values["name"], "Name", max_len=200)
    if "funder" in values:
        out["funder"] = v.clean_text(values["funder"], "Funder", max_len=200)
    if "rule" in values:
        out["rule"] = v.parse_choice(values["rule"], "Rule", BURSARY_RULES)
    for key, label in (("amount", "Amount"), ("implementation_amount", "Implementation sum")):
        if key in values:
            out[key] = v.parse_money(values[key], label)
    for key in ("covers_fee", "covers_travel", "covers_accommodation", "covers_subsistence", "covers_cover",
                "state_funded_only", "active", "pays_in_advance"):
        if key in values:
            out[key] = v.parse_bool(values[key], key.replace("_", " ").capitalize())
    for key, label, low, high in (("claim_deadline_days", "Claim deadline (days after the course)", 0, 730),
                                  ("min_days", "Minimum course days", 0, 30)):
        if key in values:
            number = v.parse_decimal(values[key], label, hint=v.whole_number_hint(low, high))
            if number != number.to_integral_value() or not low <= number <= high:
                raise ValidationError(label, f"{values[key]} is not a whole number from {low} to {high}.")
            out[key] = int(number)
    if "evidence_required" in values:
        out["evidence_required"] = v.clean_text(values["evidence_required"], "Evidence required", max_len=500)
    if "eligibility" in values:
        out["eligibility"] = v.clean_text(values["eligibility"], "Eligibility", max_len=500)
    for key, label in (("valid_from", "Valid from"), ("valid_to", "Valid to")):
        if key in values:
            out[key] = v.parse_date(values[key], label, required=False)
    if out.get("valid_from") and out.get("valid_to") and out["valid_to"] < out["valid_from"]:
        raise ValidationError("Valid to", f"The scheme cannot end on {out['valid_to']:%d/%m/%Y}, before it starts "
                                          f"on {out['valid_from']:%d/%m/%Y}.",
                              hint="Give an end on or after the start, or leave it empty if the scheme runs on.")
    if "notes" in values:
        out["notes"] = v.clean_text(values["notes"], "Notes", max_len=v.NOTE_MAX, multiline=True)
    return out


def add_scheme(session: Session, school: School, **values: Any) -> BursaryScheme:
    values.setdefault("name", None)
    clean = clean_scheme_values(values)
    if session.scalar(select(BursaryScheme.id).where(BursaryScheme.school_id == school.id,
                                                     func.lower(BursaryScheme.name) == clean["name"].lower())):
        raise ValidationError("Name", f"A scheme called {clean['name']} already exists.")
    scheme = BursaryScheme(school_id=school.id, **clean)
    session.add(scheme)
    session.flush()
    return scheme


def course_days(booking: Booking) -> Decimal:
    """The days of the course, which a per-day bursary pays: the catalogue's days for a course booked from
    it (a 3-day course is 3 days, whatever weekend falls inside its dates), else every day from its
    start to its end, weekends included (a Friday–Saturday residential is two days' bursary).

    Unlike the days of cover, which count only the course days that are school days in term."""
    if booking.course is not None and booking.course.days:
        return Decimal(str(booking.course.days))
    return Decimal((booking.end_date - booking.start_date).days + 1)


def format_days(days: Decimal | float) -> str:
    """'3 days', '1 day', '0.5 days'."""
    text = f"{float(days):g}"
    return f"{text} day" if text == "1" else f"{text} days"


def bursary_expected(scheme: BursaryScheme, booking: Booking) -> Decimal:
    """What the scheme should pay for the booking under its rule."""
    if scheme.rule == "per_day":
        amount = scheme.amount * course_days(booking)
    elif scheme.rule == "per_course":
        amount = scheme.amount
    else:
        costs = booking_cost(booking)
        amount = sum((costs[head] for head in ("fee", "travel", "accommodation", "subsistence", "cover")
                      if getattr(scheme, f"covers_{head}")), Decimal("0.00"))
    return (amount + scheme.implementation_amount).quantize(Decimal("0.01"))


def scheme_dates(scheme: BursaryScheme) -> str:
    """When a scheme runs, as a person says it: "from 01/09/2025", "01/04/2024 to 31/03/2025", "until …"."""
    start, end = scheme.valid_from, scheme.valid_to
    if start and end:
        return f"{start:%d/%m/%Y} to {end:%d/%m/%Y}"
    if start:
        return f"from {start:%d/%m/%Y}"
    if end:
        return f"until {end:%d/%m/%Y}"
    return "with no dates set"


def validity_problem(scheme: BursaryScheme, booking: Booking) -> str | None:
    """Why the scheme cannot pay for the booking's course on its date (the start), or None if it runs then.

    Funding changes year to year (the Stimulating Physics Network ended in March 2025): a claim is made only
    under a scheme valid on the day the course starts."""
    day = booking.start_date
    if scheme.valid_on(day):
        return None
    return (f"{scheme.name} runs {scheme_dates(scheme)}; this course starts on {day:%d/%m/%Y}, "
            f"{'after the scheme ended' if scheme.valid_to and day > scheme.valid_to else 'before the scheme began'}.")


def eligibility_problems(scheme: BursaryScheme, booking: Booking, school: School) -> list[str]:
    """Why the scheme cannot pay for the booking, each in a sentence (none: a claim can be made). Booking
    with a course's scheme notes these and books anyway; raising a claim refuses on them."""
    outside = validity_problem(scheme, booking)
    problems = [outside] if outside else []
    if scheme.state_funded_only and not school.state_funded:
        problems.append(f"{scheme.name} is for state-funded schools only.")
    days = course_days(booking)
    if days < scheme.min_days:
        problems.append(f"{scheme.name} funds courses of {format_days(scheme.min_days)} or more; "
                        f"this one is {format_days(days)}.")
    if booking.status == "cancelled":
        problems.append("The booking is cancelled.")
    if not scheme.active:
        problems.append(f"{scheme.name} is no longer open.")
    return problems


def claim_preview(session: Session, school_id: int, booking_id: int | None, scheme_id: int | None) -> str:
    """What raising a claim on the booking under the scheme would expect, worked out as ``create_claim``
    will, for the dialog to show before it is raised: "£660.00 expected: 3 days at £220.00 a day. Claim
    by 12/02/2026." Or why it cannot be claimed; "" until both are chosen."""
    from .formatting import format_date, format_money

    booking = session.get(Booking, booking_id) if booking_id is not None else None
    scheme = session.get(BursaryScheme, scheme_id) if scheme_id is not None else None
    if booking is None or scheme is None or booking.school_id != school_id or scheme.school_id != school_id:
        return ""
    problems = eligibility_problems(scheme, booking, booking.staff.school)
    if problems:
        return "Cannot be claimed: " + " ".join(problems)
    if scheme.rule == "per_day":
        how = f"{format_days(course_days(booking))} at {format_money(scheme.amount)} a day"
    elif scheme.rule == "per_course":
        how = f"{format_money(scheme.amount)} for the course"
    else:
        heads = [head for head in ("fee", "travel", "accommodation", "subsistence", "cover")
                 if getattr(scheme, f"covers_{head}")]
        how = "the course's " + (", ".join(COST_HEAD_WORDS[h] for h in heads) if heads else "costs (none covered)")
    if scheme.implementation_amount:
        how += f", and {format_money(scheme.implementation_amount)} for putting it into practice"
    deadline = booking.end_date + dt.timedelta(days=scheme.claim_deadline_days)
    return (f"{format_money(bursary_expected(scheme, booking))} expected: {how}. "
            f"Claim by {format_date(deadline)}.")


COST_HEAD_WORDS = {"fee": "fee", "travel": "travel", "accommodation": "accommodation",
                   "subsistence": "subsistence", "cover": "supply cover"}


def create_claim(session: Session, booking: Booking, scheme: BursaryScheme, *, budget_code: Any = None,
                 notes: Any = None) -> BursaryClaim:
    """Start a draft claim with the amount the scheme's rule expects and its deadline."""
    school = booking.staff.school
    outside = validity_problem(scheme, booking)
    if outside:
        raise ValidationError("Scheme", outside, hint="Choose a scheme that ran on the course's date, or correct "
                                                      "the scheme's dates in Settings if they are wrong.")
    problems = eligibility_problems(scheme, booking, school)
    if problems:
        raise CpdError("This booking cannot be claimed for: " + " ".join(problems))
    if session.scalar(select(BursaryClaim.id).where(BursaryClaim.booking_id == booking.id,
                                                    BursaryClaim.scheme_id == scheme.id)):
        raise ValidationError("Scheme", f"This booking already has a claim on {scheme.name}.",
                              hint="Move the claim already there on, or choose another scheme.")
    claim = BursaryClaim(
        school_id=booking.school_id, booking_id=booking.id, scheme_id=scheme.id, status="draft",
        expected=bursary_expected(scheme, booking),
        deadline=booking.end_date + dt.timedelta(days=scheme.claim_deadline_days),
        # As typed, else the booking's, else the code of the line its cost counts against (through its
        # person's department): the claim's money is then credited where the budget counts it.
        budget_code=v.clean_text(budget_code, "Budget code", max_len=40) or booking.budget_code
        or line_code_of_booking(session, school, booking),
        notes=v.clean_text(notes, "Notes", max_len=v.NOTE_MAX, multiline=True),
    )
    session.add(claim)
    session.flush()
    return claim


# What moving a claim to each status is called ("… so it was not submitted").
CLAIM_MOVES = {"submitted": "submit", "approved": "approve", "paid": "mark paid", "rejected": "mark rejected",
               "withdrawn": "withdraw", "draft": "move back to draft"}


def transition_claim(session: Session, claim: BursaryClaim, status: str, *, on: Any = None, amount: Any = None,
                     reference: Any = None, expected_version: int | None = None) -> BursaryClaim:
    """Move a claim on: draft → submitted → approved → paid, or rejected / withdrawn.

    ``amount`` is the sum claimed (on submitting) or received (on paid); ``on`` the date it happened.
    With ``expected_version`` (the version the person saw) a move on an out-of-date copy is refused
    (who, when) before anything is written.
    """
    status = v.parse_choice(status, "Status", CLAIM_STATUSES)
    check_version(claim, expected_version, action=CLAIM_MOVES.get(status, "save"))
    if status not in CLAIM_TRANSITIONS[claim.status]:
        allowed = ", ".join(CLAIM_STATUSES[s] for s in sorted(CLAIM_TRANSITIONS[claim.status])) or "none"
        raise InvalidTransitionError(
            f"A claim that is {CLAIM_STATUSES[claim.status].lower()} cannot become {CLAIM_STATUSES[status].lower()}.",
            hint=f"From here it can become: {allowed}.")
    day = v.parse_date(on, "Date", required=False) or dt.date.today()
    money = v.parse_money(amount, "Amount", required=False)
    ref = v.clean_text(reference, "Claim reference", max_len=60)
    if status == "submitted" and claim.booking.status != "attended" and not claim.scheme.pays_in_advance:
        raise InvalidTransitionError("A claim is submitted after the course has been attended.",
                                     hint="Mark the booking attended first.")
    check_claim_date(claim, status, day)
    if status == "submitted":
        claim.claimed = money if money is not None else claim.expected
        claim.submitted_on = day
        claim.approved_on = None  # submitted again after a withdrawal: approval starts afresh
        if ref:
            claim.reference = ref
    elif status == "approved":
        claim.approved_on = day
        if ref:
            claim.reference = ref
    elif status == "paid":
        claim.received = money if money is not None else (claim.claimed or claim.expected)
        claim.paid_on = day
    elif status in ("rejected", "withdrawn"):
        claim.closed_on = day
    elif status == "draft":
        claim.closed_on = None
    claim.status = status
    session.flush()
    return claim


# The date each move sets, as a person says it ("Paid 01/12/2026 is before …").
CLAIM_DATE_WORDS = {"submitted": "Submitted", "approved": "Approved", "paid": "Paid", "rejected": "Rejected",
                    "withdrawn": "Withdrawn"}


def check_claim_date(claim: BursaryClaim, status: str, day: dt.date) -> None:
    """A claim's dates follow its states: submitted, then approved, then paid, each on or after the one
    before; and none before the course starts unless the scheme pays in advance. A refusal names the
    date ("Date": the field a person typed it in) and the dates it must follow."""
    word = CLAIM_DATE_WORDS.get(status)
    if word is None:
        return
    earlier: list[tuple[str, dt.date]] = []  # the latest state first: on a tie it is the one named
    if status in ("paid", "rejected", "withdrawn") and claim.approved_on is not None:
        earlier.append(("approved", claim.approved_on))
    if status != "submitted" and claim.submitted_on is not None:
        earlier.append(("submitted", claim.submitted_on))
    for what, when in sorted(earlier, key=lambda e: e[1], reverse=True):
        if day < when:
            raise ValidationError("Date", f"{word} {day:%d/%m/%Y} is before the claim was {what} on {when:%d/%m/%Y}.",
                                  hint=f"Give a date on or after {when:%d/%m/%Y}.")
    start = claim.booking.start_date
    if status in ("submitted", "approved", "paid") and day < start and not claim.scheme.pays_in_advance:
        raise ValidationError("Date", f"{word} {day:%d/%m/%Y} is before the course starts on {start:%d/%m/%Y}.",
                              hint=f"{claim.scheme.name} pays after the course: give a date on or after "
                                   f"{start:%d/%m/%Y} (or tick “Pays in advance” on the scheme in Settings).")


def update_claim(session: Session, claim: BursaryClaim, *, expected_version: int | None = None,
                 **values: Any) -> BursaryClaim:
    check_version(claim, expected_version)
    for key in ("evidence_attendance", "evidence_evaluation", "evidence_invoice"):
        if key in values:
            setattr(claim, key, v.parse_bool(values[key], key.replace("_", " ").capitalize()))
    if "reference" in values:
        claim.reference = v.clean_text(values["reference"], "Claim reference", max_len=60)
    if "budget_code" in values:
        claim.budget_code = v.clean_text(values["budget_code"], "Budget code", max_len=40)
    if "notes" in values:
        claim.notes = v.clean_text(values["notes"], "Notes", max_len=v.NOTE_MAX, multiline=True)
    for key, label in (("expected", "Expected"), ("claimed", "Claimed"), ("received", "Received")):
        if key in values:
            setattr(claim, key, v.parse_money(values[key], label, required=key == "expected"))
    if "deadline" in values:
        claim.deadline = v.parse_date(values["deadline"], "Deadline", required=False)
    session.flush()
    return claim


def _claims_to_chase(*, past: bool) -> ColumnElement[bool]:
    """Draft claims past their deadline (``past``), or due between ``today`` and ``soon`` (parameters, with
    ``school_id``): the one rule the claims' functions and the dashboard's statements share."""
    today = bindparam("today", type_=Date)
    due = ([BursaryClaim.deadline < today] if past
           else [BursaryClaim.deadline >= today, BursaryClaim.deadline <= bindparam("soon", type_=Date)])
    return and_(BursaryClaim.school_id == bindparam("school_id"), BursaryClaim.status == constant("draft"),
                BursaryClaim.deadline.is_not(None), *due)


def _chase_params(school: School, today: dt.date | None, within_days: int) -> dict[str, Any]:
    today = today or dt.date.today()
    return {"school_id": school.id, "today": today, "soon": today + dt.timedelta(days=within_days)}


def claims_past_deadline(session: Session, school: School, today: dt.date | None = None) -> list[BursaryClaim]:
    """Draft claims whose deadline has passed: the money may be lost."""
    stmt = select(BursaryClaim).where(_claims_to_chase(past=True)).order_by(BursaryClaim.deadline, BursaryClaim.id)
    return list(session.scalars(stmt, _chase_params(school, today, NEAR_DEADLINE_DAYS)))


def claims_near_deadline(session: Session, school: School, today: dt.date | None = None,
                         within_days: int = NEAR_DEADLINE_DAYS) -> list[BursaryClaim]:
    stmt = select(BursaryClaim).where(_claims_to_chase(past=False)).order_by(BursaryClaim.deadline, BursaryClaim.id)
    return list(session.scalars(stmt, _chase_params(school, today, within_days)))


def claims_to_chase_statement(*, past: bool) -> Select[*tuple[Any, ...]]:
    """The claims ``claims_past_deadline`` (``past``) or ``claims_near_deadline`` finds, as the dashboard lists them:
    claim id, the booking's title, the person's forename and surname, the sum expected and the deadline
    (parameters ``school_id``, ``today`` and ``soon``)."""
    return (select(BursaryClaim.id, Booking.title, Staff.forename, Staff.surname, BursaryClaim.expected,
                   BursaryClaim.deadline)
            .join(Booking, Booking.id == BursaryClaim.booking_id).join(Staff, Staff.id == Booking.staff_id)
            .where(_claims_to_chase(past=past)).order_by(BursaryClaim.deadline, BursaryClaim.id))


def money_statement(*, in_period: bool = True) -> Select[*tuple[Any, ...]]:
    """Expected / claimed / received totals and the number of claims, by claim status (parameter ``school_id``;
    with ``in_period``, only claims for bookings starting between ``year_start`` and ``year_end``)."""
    def total(column: Any) -> Any:
        return type_coerce(func.coalesce(func.sum(column), literal_column("0")), Money())

    stmt = (select(BursaryClaim.status, total(BursaryClaim.expected), total(BursaryClaim.claimed),
                   total(BursaryClaim.received), func.count())
            .join(Booking, Booking.id == BursaryClaim.booking_id)
            .where(BursaryClaim.school_id == bindparam("school_id")).group_by(BursaryClaim.status))
    if in_period:
        stmt = stmt.where(in_year(Booking.start_date, YEAR_PARAMS))
    return stmt


def money_by_status(session: Session, school: School, year_start: dt.date | None = None,
                    year_end: dt.date | None = None, *, department: str | None = None) -> dict[str, dict[str, Any]]:
    """Expected / claimed / received totals by claim status (in SQL), optionally for bookings in a period and
    for the people of one department (the claims list's own filters, so its cards and rows agree)."""
    in_period = year_start is not None and year_end is not None
    stmt = money_statement(in_period=in_period)
    if department and department.strip():
        stmt = (stmt.join(Staff, Staff.id == Booking.staff_id).join(Department, Department.id == Staff.department_id)
                .where(in_department(department)))
    rows = session.execute(stmt, {"school_id": school.id, "year_start": year_start, "year_end": year_end})
    return money_totals(rows)


# -- the evidence checklist ----------------------------------------------------------------------------------

@dataclass
class EvidenceItem:
    """One line of a claim's evidence checklist: done by the records themselves, or ticked by hand."""

    key: str  # attendance, evaluation, invoice (EVIDENCE_ITEMS)
    label: str
    done: bool
    from_records: bool  # done because the records show it (then it cannot be unticked by hand)
    why: str  # what shows it, or how to get it done


def claim_evidence(session: Session, claim: BursaryClaim) -> list[EvidenceItem]:
    """A claim's evidence checklist. Attendance is confirmed by the booking being marked attended and the impact
    evaluation by the CPD it logged being evaluated; either may also be ticked by hand (a certificate, a form
    kept on paper), and the invoice is ticked by hand. The same answer for the window and the exports."""
    from ..models import Activity
    from ..models.enums import EVIDENCE_ITEMS

    booking = claim.booking
    attended = booking.status == "attended"
    evaluated_on = session.scalar(select(func.max(Activity.evaluated_on)).where(Activity.booking_id == booking.id))
    found = {
        "attendance": (attended, "The booking is marked attended." if attended
                       else "Ticked by itself once the booking is marked attended."),
        "evaluation": (evaluated_on is not None,
                       f"The impact evaluation was recorded on {evaluated_on:%d/%m/%Y}." if evaluated_on
                       else "Ticked by itself once the impact evaluation is recorded in the CPD log."),
        "invoice": (False, "Tick it when the invoice is attached to the claim."),
    }
    items = []
    for key, label in EVIDENCE_ITEMS.items():
        by_records, why = found[key]
        by_hand = bool(getattr(claim, f"evidence_{key}"))
        items.append(EvidenceItem(key, label, by_records or by_hand, by_records,
                                  why if by_records or not by_hand else "Ticked by hand."))
    return items


def evidence_required(claim: BursaryClaim) -> str:
    """What the claim's scheme asks for as evidence, in its own words (or a plain note that it says nothing)."""
    text = (claim.scheme.evidence_required or "").strip()
    return f"{claim.scheme.name} asks for: {text}" if text else f"{claim.scheme.name} names no evidence."
