"""The one headless entry point for every export (see the package docstring for how to call it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import CpdError, NotFoundError, ValidationError
from ..models import School
from ..services.formatting import format_date, format_hours, format_money
from ..services.years import (
    AcademicYear,
    FinancialYear,
    current_academic_year,
    financial_year_of,
    parse_academic_year,
)
from ..storage.database import Database
from . import rows as r
from .safety import CancelledCallback, ProgressCallback, Ticker, atomic_output, check_output

SUFFIXES = {"pdf": (".pdf",), "xlsx": (".xlsx",), "csv": (".csv",)}


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    formats: tuple[str, ...]
    needs: str | None = None  # "booking" or "staff": the option the kind cannot do without; "trust": no school
    yearly: bool = True  # covers an academic year (the current one unless another is chosen)
    help: str = ""


KINDS: dict[str, ExportKind] = {k.key: k for k in (
    ExportKind("summary", "Department CPD summary", ("pdf", "xlsx"),
               help="Hours against target, subject-specific share, DfE Standard, evaluations, cost; for governors."),
    ExportKind("activities", "CPD log", ("pdf", "xlsx"),
               help="Every activity of the year, by person. The workbook can be imported again."),
    ExportKind("claims", "Bursary claims", ("pdf", "xlsx"),
               help="Each claim with its cost heads, expected / claimed / received, shortfall, status and dates; "
                    "for an academic year, a financial year or a month."),
    ExportKind("cover", "Release-cover sheet", ("pdf", "xlsx"), needs="booking", yearly=False,
               help="One page per day away, with each lesson's work, materials and technician notes."),
    ExportKind("staff-record", "Individual CPD record", ("pdf",), needs="staff", yearly=False,
               help="Everything held about one person, for appraisal or a subject access request."),
    ExportKind("absences", "Cover absences for the MIS", ("xlsx", "csv"),
               help="One row per lesson to cover (reason code CPD), to key into SIMS, Arbor or Bromcom."),
    ExportKind("budget", "CPD budget", ("pdf", "xlsx"), yearly=False,
               help="Each budget line of a financial year: budget, committed, spent, bursary, remaining; "
                    "the workbook's figures are formulas over its Bookings table."),
    ExportKind("impact", "Impact of CPD", ("pdf", "xlsx"),
               help="For governors: findings in sentences, evaluation stages, confidence before, after and later, "
                    "sustained CPD, priorities and programmes, with retention and indicators shown beside them."),
    ExportKind("trust", "Trust CPD comparison", ("pdf", "xlsx"), needs="trust",
               help="Every school in the database side by side, then each school's people (trust mode)."),
)}


class ExportOptionError(CpdError):
    """An export that does not exist (a kind in a format it has none of) or lacks what it needs."""


def check_options(kind: str, fmt: str, *, booking_id: int | None = None,
                  staff_code: str | None = None, year: object = None, financial_year: str | None = None,
                  month: str | None = None) -> ExportKind:
    """The kind, if it exists in that format and has what it needs; else a message saying what does."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ExportOptionError(f"There is no '{kind}' export.", hint="Choose one of: " + ", ".join(KINDS) + ".")
    if fmt not in spec.formats:
        raise ExportOptionError(f"There is no {fmt} {spec.label.lower()}: it exports as "
                                + " or ".join(spec.formats) + ".",
                                hint=f"Use --format {spec.formats[0]}.")
    if spec.needs == "booking" and booking_id is None:
        raise ExportOptionError(f"The {spec.label.lower()} is for one booking.",
                                hint="Say which with --booking ID (`cpd-desktop report bookings` lists them).")
    if spec.needs == "staff" and not (staff_code or "").strip():
        raise ExportOptionError(f"The {spec.label.lower()} is for one person.",
                                hint="Say who with --staff CODE (their staff code).")
    periods = [name for name, value in (("an academic year", year), ("a financial year", financial_year),
                                        ("a month", month)) if value is not None and str(value).strip()]
    if spec.key == "budget":
        # An academic year chosen instead (the window's year) means the financial year it starts in.
        if month:
            raise ExportOptionError("The CPD budget is chosen by financial year, not by month.",
                                    hint="Use --financial-year, e.g. 2026-27 (default: the current one).")
        if financial_year and year is not None and str(year).strip():
            raise ExportOptionError("Choose an academic year or a financial year, not both.",
                                    hint="Give only one of --year and --financial-year.")
        return spec
    if (financial_year or month) and spec.key != "claims":
        raise ExportOptionError("Only the bursary claims export can be chosen by financial year or month.",
                                hint="Choose an academic year (--year) for this export.")
    if len(periods) > 1:
        raise ExportOptionError("Choose " + " or ".join(periods) + ", not both." if len(periods) == 2 else
                                "Choose one of an academic year, a financial year or a month.",
                                hint="Give only one of --year, --financial-year and --month.")
    return spec


def default_filename(kind: str, fmt: str, *, year: str | None = None, department: str | None = None,
                     booking_id: int | None = None, staff_code: str | None = None,
                     period: str | None = None) -> str:
    """A file name to offer in a Save dialog, e.g. 'CPD summary 2025-26 Science.pdf'."""
    parts = [KINDS[kind].label if kind in KINDS else kind]
    if period:
        parts.append(period)
    elif year:
        parts.append(year.replace("/", "-"))
    if department:
        parts.append(department)
    if booking_id is not None:
        parts.append(f"booking {booking_id}")
    if staff_code:
        parts.append(staff_code.upper())
    return safe_filename(" ".join(parts)) + f".{fmt}"


def safe_filename(name: str) -> str:
    """A name every filesystem takes: no path separators, reserved characters or control characters."""
    clean = "".join(" " if ch in '\\/:*?"<>|' or not ch.isprintable() else ch for ch in name)
    return " ".join(clean.split()).strip(" .") or "export"


def suggested_filename(db: Database, school_id: int | None, kind: str, fmt: str, *, year: str | None = None,
                       department: str | None = None, booking_id: int | None = None,
                       staff_code: str | None = None, financial_year: str | None = None,
                       month: str | None = None) -> str:
    """The name a Save dialog offers. A cover sheet is named after the person and the day they are away
    ('Release cover – Amira Khan – 08-12-2026.pdf'); a claims export by financial year or month says so."""
    if kind == "cover" and booking_id is not None and school_id is not None:
        from ..models import Booking, Staff

        with db.session() as s:
            found = s.execute(select(Staff.forename, Staff.surname, Booking.start_date)
                              .join(Staff, Staff.id == Booking.staff_id)
                              .where(Booking.id == booking_id, Booking.school_id == school_id)).first()
        if found is not None:
            fore, sur, start = found
            return safe_filename(f"Release cover – {fore} {sur} – {start:%d-%m-%Y}") + f".{fmt}"
    period = None
    if kind == "budget" and school_id is not None:
        from ..services.budget import fy_text

        with db.session() as s:
            school = _school(s, school_id)
            period = fy_text(_budget_year(school, financial_year, _year(year, school, KINDS[kind], dt.date.today()),
                                          dt.date.today()))
    if kind == "claims" and (financial_year or month) and school_id is not None:
        with db.session() as s:
            period = _period(_school(s, school_id), financial_year, month)[2].replace("/", "-")
    return default_filename(kind, fmt, year=year, department=department, booking_id=booking_id,
                            staff_code=staff_code, period=period)


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def parse_financial_year(text: str, start_month: int = 4) -> FinancialYear:
    """'2026-27', '2026/27', 'FY 2026-27' or '2026' → the financial year that starts in 2026."""
    raw = str(text).strip()
    m = re.fullmatch(r"(?:FY\s*)?(\d{4})(?:\s*[/\-–]\s*(\d{2}|\d{4}))?", raw, flags=re.IGNORECASE)
    if m:
        first = int(m.group(1))
        second = m.group(2)
        if second is None or int(second) in (first + 1, (first + 1) % 100):
            return FinancialYear(first, start_month)
    raise ValidationError("Financial year", f"'{raw}' is not a financial year.", hint="Write it as 2026-27.")


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """'12/2026', '2026-12' or 'December 2026' → the first and last day of that month."""
    raw = " ".join(str(text).split())
    year = month = None
    if m := re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", raw):
        month, year = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"([A-Za-z]+)\s+(\d{4})", raw):
        names = [n for n in MONTHS if n.lower().startswith(m.group(1).lower()) and len(m.group(1)) >= 3]
        if len(names) == 1:
            month, year = MONTHS.index(names[0]) + 1, int(m.group(2))
    if month is None or year is None or not 1 <= month <= 12 or not 1900 <= year <= 2999:
        raise ValidationError("Month", f"'{raw}' is not a month.", hint="Write it as 12/2026.")
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _period(school: School, financial_year: str | None, month: str | None) -> tuple[dt.date, dt.date, str]:
    """The first day, last day and name of a financial year (the school's, from Settings) or a month."""
    if financial_year:
        fy = parse_financial_year(financial_year, school.financial_year_start_month)
        return fy.start, fy.end, fy.label
    assert month is not None
    first, last = parse_month(month)
    return first, last, f"{MONTHS[first.month - 1]} {first.year}"


def claim_periods(db: Database, school_id: int, today: dt.date | None = None) -> list[tuple[str, dict[str, str]]]:
    """What a claims export can cover besides the academic year, for the window's choices: the school's
    financial year and the two before it, then the last twelve months (newest first)."""
    today = today or dt.date.today()
    with db.session() as s:
        start_month = _school(s, school_id).financial_year_start_month
    fy = financial_year_of(today, start_month)
    out: list[tuple[str, dict[str, str]]] = []
    for back in range(3):
        year = FinancialYear(fy.start_year - back, start_month)
        value = f"{year.start_year}" if start_month == 1 else f"{year.start_year}-{(year.start_year + 1) % 100:02d}"
        out.append((f"Financial year {year.label.removeprefix('FY ')}", {"financial_year": value}))
    first = today.replace(day=1)
    for _ in range(12):
        out.append((f"{MONTHS[first.month - 1]} {first.year}", {"month": f"{first.month:02d}/{first.year}"}))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out

@dataclass(frozen=True)
class ExportPreview:
    """What an export will hold: a title, headline figures, and how much work writing it is."""

    title: str
    figures: list[tuple[str, str]]
    items: int  # rows (or pages, for a cover sheet) the export will contain
    empty: bool


def _school(session: Session, school_id: int | None) -> School:
    school = session.get(School, school_id) if school_id is not None else None
    if school is None:
        raise NotFoundError("That school is not in this database any more.", hint="Choose the school again.")
    return school


def _year(year: AcademicYear | str | None, school: School, spec: ExportKind, today: dt.date) -> AcademicYear | None:
    if isinstance(year, AcademicYear):
        return year
    if year is not None and str(year).strip():
        return parse_academic_year(str(year), school.academic_year_start_month, field="Year")
    return current_academic_year(school, today) if spec.yearly else None


def _scope(year: AcademicYear | None, department: str | None) -> str:
    text = year.label if year else "all years"
    return text + (f", {department} department" if department else "")


def preview(db: Database, school_id: int | None, kind: str, *, year: AcademicYear | str | None = None,
            department: str | None = None, booking_id: int | None = None, staff_code: str | None = None,
            financial_year: str | None = None, month: str | None = None,
            today: dt.date | None = None) -> ExportPreview:
    """Headline figures of an export before it is written (for the Reports view). Cheap: counts in SQL."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ExportOptionError(f"There is no '{kind}' export.")
    today = today or dt.date.today()
    if kind == "trust":
        from .trust import trust_data, trust_total

        with db.session() as s:
            data = trust_data(s, _trust_year(year, today), today)
        trust = trust_total(data)
        return ExportPreview(f"{spec.label} {data.year.label}", [
            ("Schools", str(len(data.schools))), ("Staff in the target", str(trust.staff)),
            ("Hours", format_hours(trust.hours)), ("Met their target", f"{trust.met_target} of {trust.staff}")],
            len(data.schools) + trust.staff, not data.schools)
    with db.session() as s:
        school = _school(s, school_id)
        y = _year(year, school, spec, today)
        dept = r.find_department(s, school, department)
        scope = _scope(y, dept)
        if kind == "summary":
            assert y is not None
            summary = r.summary_data(s, school, y, dept, today)
            return ExportPreview(f"{spec.label} {scope}", summary_figures(summary), summary.activities,
                                 summary.activities == 0)
        if kind == "activities":
            n, people, hours = r.count_activities(s, school, y, dept)
            return ExportPreview(f"{spec.label} {scope}", [("People", str(people)), ("Activities", str(n)),
                                                          ("Hours", format_hours(hours))], n, n == 0)
        if kind == "budget":
            from ..services.budget import budget_rows, budget_total, fy_text

            fy = _budget_year(school, financial_year, _year(year, school, spec, today), today)
            lines = budget_rows(s, school, fy)
            # The PDF's and the workbook's Total row: budget − net forecast = remaining, "Unallocated" included.
            whole = budget_total(lines)
            return ExportPreview(f"{spec.label} {fy_text(fy)}", [
                ("Budget lines", str(sum(1 for r in lines if r.line_id is not None))),
                ("Budget", format_money(whole.budget)), ("Net forecast", format_money(whole.net_forecast)),
                ("Remaining", format_money(whole.remaining))], len(lines), not lines)
        if kind == "claims":
            claims, scope = _claims(s, school, y, financial_year, month)
            total = sum((c.expected for c in claims), Decimal("0.00"))
            received = sum((c.received or Decimal("0.00") for c in claims), Decimal("0.00"))
            shortfall = sum((c.expected - (c.received or Decimal("0.00")) for c in claims if c.status == "paid"),
                            Decimal("0.00"))
            return ExportPreview(f"{spec.label} {scope}", [("Claims", str(len(claims))),
                                                          ("Expected", format_money(total)),
                                                          ("Received", format_money(received)),
                                                          ("Paid short", format_money(shortfall))],
                                 len(claims), not claims)
        if kind == "cover":
            if booking_id is None:
                raise ExportOptionError("Choose a booking.")
            sheet = r.cover_sheet(s, school, booking_id)
            return ExportPreview(f"Release cover: {sheet.staff_name}", [
                ("Dates", f"{format_date(sheet.start_date)} to {format_date(sheet.end_date)}"),
                ("Pages (days away)", str(len(sheet.days))), ("Lessons to cover", str(len(sheet.lessons)))],
                len(sheet.days), not sheet.days)
        if kind == "staff-record":
            record = r.staff_record(s, school, staff_code or "", y)
            return ExportPreview(f"CPD record: {record.name}", [
                ("Activities", str(len(record.activities))), ("Bookings", str(len(record.bookings))),
                ("Claims", str(len(record.claims))), ("Audit entries", str(len(record.audit)))],
                len(record.activities) + len(record.audit), False)
        absences = r.absence_rows(s, school, y, department=dept, booking_id=booking_id)
        return ExportPreview(f"{spec.label} {scope}", [
            ("Lessons to cover", str(len(absences))), ("People", str(len({a.staff_code for a in absences})))],
            len(absences), not absences)


def summary_figures(d: r.SummaryData) -> list[tuple[str, str]]:
    """The department summary's headline figures, as its PDF and workbook give them: staff, hours and "met" of the
    people inside the CPD target (``summarise``), how many more are listed but not counted, and everyone's cost."""
    t = d.totals
    figures = [("Staff in the target", str(t.staff)), ("Hours", format_hours(t.hours)),
               ("Met their target", f"{t.met_target} of {t.staff}")]
    if d.outside:
        figures.append(("Outside the target, not counted", str(len(d.outside))))
    return [*figures, ("Cost", format_money(d.cost["total"]))]


def run_export(db: Database, school_id: int | None, kind: str, fmt: str, output: str | Path, *,
               year: AcademicYear | str | None = None, department: str | None = None,
               booking_id: int | None = None, staff_code: str | None = None,
               financial_year: str | None = None, month: str | None = None,
               progress: ProgressCallback | None = None, cancelled: CancelledCallback | None = None,
               today: dt.date | None = None) -> Path:
    """Write one export to ``output`` and return its path. See the package docstring.

    A claims export covers the academic year ``year``, or instead the school's ``financial_year``
    ('2026-27') or a ``month`` ('12/2026'): the claims for courses that start in it."""
    check_options(kind, fmt, booking_id=booking_id, staff_code=staff_code,
                  year=year if (financial_year or month or kind == "budget") else None,
                  financial_year=financial_year, month=month)
    path = check_output(Path(output), SUFFIXES[fmt])
    today = today or dt.date.today()
    ticker = Ticker(0, progress, cancelled)
    ticker.check()
    spec = KINDS[kind]
    with db.session() as s:
        if kind == "trust":
            write = _prepare_trust(s, fmt, _trust_year(year, today), today)
        else:
            school = _school(s, school_id)
            y = _year(year, school, spec, today)
            dept = r.find_department(s, school, department)
            write = _prepare(s, school, kind, fmt, y, dept, booking_id, staff_code, today,
                             (financial_year, month))
    ticker.check()
    with atomic_output(path) as tmp:
        write(tmp, ticker)
    return path


Writer = Callable[[Path, Ticker], None]


def _trust_year(year: AcademicYear | str | None, today: dt.date) -> AcademicYear:
    if isinstance(year, AcademicYear):
        return year
    if year is not None and str(year).strip():
        return parse_academic_year(str(year), field="Year")
    return current_academic_year(None, today)


def _prepare_trust(s: Session, fmt: str, year: AcademicYear, today: dt.date) -> Writer:
    """Every school of the database side by side: the one export that is not about one school."""
    from .trust import trust_data

    data = trust_data(s, year, today, name="Trust comparison")
    if fmt == "pdf":
        from .trust import write_trust_pdf

        return lambda p, t: write_trust_pdf(data, p, t)
    from .trust import write_trust_xlsx

    return lambda p, t: write_trust_xlsx(data, p, t)


def _budget_year(school: School, financial_year: str | None, year: AcademicYear | None,
                 today: dt.date) -> FinancialYear:
    """The financial year a budget export covers: the one named, else the one an academic year chosen
    instead starts in (the window's year), else the current one."""
    from ..services.budget import financial_year_arg

    if not financial_year and year is not None:
        return financial_year_of(year.start, school.financial_year_start_month)
    return financial_year_arg(school, financial_year, today)


def _claims(s: Session, school: School, y: AcademicYear | None, financial_year: str | None,
            month: str | None) -> tuple[list[r.ClaimRow], str]:
    """The claims an export holds and what they cover: the academic year, or a financial year or month."""
    if not (financial_year or month):
        return r.claim_rows(s, school, y), _scope(y, None)
    first, last, label = _period(school, financial_year, month)
    return [c for c in r.claim_rows(s, school, None) if first <= c.start_date <= last], label


def _prepare(s: Session, school: School, kind: str, fmt: str, y: AcademicYear | None, dept: str | None,
             booking_id: int | None, staff_code: str | None, today: dt.date,
             period: tuple[str | None, str | None] = (None, None)) -> Writer:
    """Read the export's rows while the session is open; return the function that writes the file."""
    name = school.name
    scope = _scope(y, dept)
    if kind == "budget":
        from ..services.budget import budget_items, budget_rows, fy_text, staff_time

        fy = _budget_year(school, period[0], y, today)
        lines, items, label = budget_rows(s, school, fy), budget_items(s, school, fy), fy_text(fy)
        staff = staff_time(s, school, fy)
        if fmt == "pdf":
            from .pdf.budget import write_budget_pdf

            return lambda p, t: write_budget_pdf(lines, items, name, label, p, t, today, staff)
        from .xlsx.budget import write_budget_xlsx

        return lambda p, t: write_budget_xlsx(lines, items, name, label, p, t, today, staff)
    if kind == "impact":
        from ..services.impact import impact_data

        assert y is not None
        facts = impact_data(s, school, y, today)
        if fmt == "pdf":
            from ..services.impact_charts import impact_charts
            from .pdf.impact import write_impact_pdf

            charts = impact_charts(s, school, y, today)
            return lambda p, t: write_impact_pdf(facts, p, t, charts)
        from .xlsx.impact import write_impact_xlsx

        return lambda p, t: write_impact_xlsx(facts, p, t)
    if kind == "summary":
        assert y is not None
        data = r.summary_data(s, school, y, dept, today)
        if fmt == "pdf":
            from .pdf.summary import write_summary_pdf

            return lambda p, t: write_summary_pdf(data, p, t)
        acts = r.activity_rows(s, school, y, department=dept)
        from .xlsx.activities import write_summary_xlsx

        return lambda p, t: write_summary_xlsx(data, acts, p, t)
    if kind == "activities":
        acts = r.activity_rows(s, school, y, department=dept)
        if fmt == "pdf":
            from .pdf.log import write_log_pdf

            return lambda p, t: write_log_pdf(acts, name, scope, p, t, produced=today)
        from .xlsx.activities import write_activities_xlsx

        return lambda p, t: write_activities_xlsx(acts, name, scope, p, t)
    if kind == "claims":
        claims, claim_scope = _claims(s, school, y, *period)
        if fmt == "pdf":
            from .pdf.claims import write_claims_pdf

            return lambda p, t: write_claims_pdf(claims, name, claim_scope, p, t, today)
        from .xlsx.claims import write_claims_xlsx

        return lambda p, t: write_claims_xlsx(claims, name, claim_scope, p, t, today)
    if kind == "cover":
        assert booking_id is not None
        sheet = r.cover_sheet(s, school, booking_id)
        if fmt == "pdf":
            from .pdf.cover import write_cover_pdf

            return lambda p, t: write_cover_pdf(sheet, name, p, t)
        from .xlsx.cover import write_cover_xlsx

        return lambda p, t: write_cover_xlsx(sheet, name, p, t)
    if kind == "staff-record":
        record = r.staff_record(s, school, staff_code or "", y)
        from .pdf.record import write_record_pdf

        return lambda p, t: write_record_pdf(record, name, p, t, today)
    absences = r.absence_rows(s, school, y, department=dept, booking_id=booking_id)
    if fmt == "csv":
        from .xlsx.cover import write_absences_csv

        return lambda p, t: write_absences_csv(absences, p, t)
    from .xlsx.cover import write_absences_xlsx

    return lambda p, t: write_absences_xlsx(absences, name, scope, p, t)

