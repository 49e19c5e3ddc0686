"""``report staff|hours|bookings|claims|audit``: the school's figures as a table, JSON or CSV."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .common import Context, add_format_option, print_rows, year_arg

HOURS_HEADERS = {"staff_code": "code", "subject_specific_hours": "subject-specific", "target_hours": "target",
                 "progress_percent": "% of target"}


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="print staff, hours, bookings, claims or the audit trail")
    p.add_argument("kind", choices=["staff", "hours", "bookings", "claims", "audit", "trust", "budget", "impact",
                                    "retention", "priorities", "indicators"])
    p.add_argument("--year", help="academic year, e.g. 2025/26 (hours: default the current year)")
    p.add_argument("--department", help="only this department (hours)")
    p.add_argument("--since", help="audit entries on or after this date (dd/mm/yyyy)")
    p.add_argument("--financial-year", metavar="YYYY-YY",
                   help="budget: the school's financial year, e.g. 2026-27 (default: the current one)")
    p.add_argument("--today", metavar="DD/MM/YYYY",
                   help="budget, impact, retention: take this day as today (default: today)")
    add_format_option(p)
    p.set_defaults(func=cmd_report)


# Reports printed once everything is read: the file's check runs while they load and read (ctx.checked()).
CHECKED_BEHIND = ("staff", "hours", "bookings", "claims", "audit")


def cmd_report(args: argparse.Namespace, ctx: Context) -> int:
    if args.kind == "hours" and _hours_from_cache(args, ctx):
        return 0
    db = ctx.open(readonly=False, check_behind=args.kind in CHECKED_BEHIND)
    from ..services import reports

    if args.kind == "trust":
        return _trust(args, db)
    if args.kind == "budget":
        return _budget(args, ctx, db)
    if args.kind in ("impact", "retention", "priorities", "indicators"):
        from .impact import report_impact

        return report_impact(args, ctx, db)
    title = None
    with db.session() as s:
        school = ctx.school(s)
        if args.kind == "staff":
            rows = reports.staff_report(s, school, year_arg(args.year, school, default_current=False))
            columns = None
        elif args.kind == "hours":
            year = year_arg(args.year, school)
            assert year is not None
            rows = reports.hours_report(s, school, year, args.department)
            columns = None
            if args.format == "table":
                title = _hours_title(school.name, year.label, school.cpd_target_hours)
        elif args.kind == "bookings":
            rows = reports.bookings_report(s, school, year_arg(args.year, school, default_current=False))
            columns = None
        elif args.kind == "claims":
            rows = reports.claims_report(s, school, year_arg(args.year, school, default_current=False))
            columns = None
        else:
            rows = _audit_rows(s, school, args.since, table=args.format == "table")
            columns = ["when", "user", "action", "table", "record", "summary"]
            if args.format == "table":
                columns.append("changes")
    ctx.checked()
    if args.kind == "hours" and db.is_sqlite:
        from ..services.compiled import refresh_hours_cache

        refresh_hours_cache()  # the next report hours reads with the standard library
    if args.kind == "hours":
        _print_hours(rows, args.format, title)
    else:
        _print(rows, args.format, columns, title)
    return 0


def _print(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None, title: str | None) -> None:
    if title is not None:
        print(title)
    print_rows(rows, fmt, columns if fmt != "json" else None)


HOURS_COLUMNS = ["staff_code", "name", "department", "fte", "hours", "subject_specific_hours", "target_hours",
                 "progress_percent", "by_term"]


def _print_hours(rows: list[dict[str, Any]], fmt: str, title: str | None) -> None:
    if title is not None:
        print(title)
    print_rows(_as_read(rows) if fmt == "table" else rows, fmt, HOURS_COLUMNS if fmt != "json" else None,
               headers=HOURS_HEADERS)


def _hours_title(school_name: str, year_label: str, target: Any) -> str:
    return f"{school_name}: CPD hours {year_label} (target {target} h pro rata by FTE)"


@dataclass(frozen=True)
class _SchoolFacts:
    """What ``report hours`` needs of the school, read from the compiled-query cache's first statement."""

    id: int
    name: str
    cpd_target_hours: Decimal
    academic_year_start_month: int


def _hours_from_cache(args: argparse.Namespace, ctx: Context) -> bool:
    """``report hours`` from an SQLite file through the compiled-query cache and sqlite3, without loading
    SQLAlchemy or the models; False (nothing printed) whenever the usual path must do it: no current cache,
    a URL or a file it does not open plainly (``fastread.open_reader``), not exactly one school (or one
    called ``--school``), or the file's quick_check not passed (the usual path then says what is wrong)."""
    from ..paths import default_db_target
    from ..services.hours_figures import CACHE_NAME, CACHED
    from ..storage import fastread

    statements = fastread.load(CACHE_NAME, set(CACHED))
    if statements is None:
        return False
    reader = fastread.open_reader(ctx.db_target or default_db_target())  # its quick_check starts now
    if reader is None:
        return False
    from ..services.calendar import current_academic_year, parse_academic_year, term_buckets, with_own_dates
    from ..services.hours_figures import float_hours, hours_params, hours_report_rows, hours_rows

    try:
        schools = [_SchoolFacts(*row) for row in reader.run(statements["school"], {})]
        if ctx.school_name is not None:  # as services.schools.choose_school; its errors on the usual path
            from ..sorting import school_name_key

            schools = [s for s in schools if school_name_key(s.name) == school_name_key(ctx.school_name)]
        if len(schools) != 1:
            return False
        school = schools[0]
        year = (parse_academic_year(args.year, school.academic_year_start_month, field="--year") if args.year
                else current_academic_year(school))
        own = reader.run(statements["terms"], {"school_id": school.id, "academic_year": year.start_year})
        buckets = term_buckets(with_own_dates(year, own), year)
        params = hours_params(school.id, year, buckets, department=args.department)
        raw = reader.run(statements["hours_department" if args.department else "hours"], params)
        rows = hours_report_rows(hours_rows(raw, [t.name for t in buckets], school.cpd_target_hours, float_hours))
        if not reader.checked():
            return False
    except fastread.Unavailable:
        return False
    finally:
        reader.close()
    from ..storage.backups import remove_stale_parts  # as the usual open does, for a killed backup's copy

    remove_stale_parts()
    title = _hours_title(school.name, year.label, school.cpd_target_hours) if args.format == "table" else None
    _print_hours(rows, args.format, title)
    return True


def _budget(args: argparse.Namespace, ctx: Context, db: Any) -> int:
    """Each budget line of a financial year: budget, committed, spent, bursary, net forecast, remaining."""
    from ..services.budget import budget_report, financial_year_arg, fy_text, staff_time
    from ..services.validation import parse_date

    today = parse_date(args.today, "--today") if args.today else None
    with db.session() as s:
        school = ctx.school(s)
        fy = financial_year_arg(school, args.financial_year, today)
        # JSON also gives each line's cost heads (amount, committed, spent, remaining); the table and CSV keep
        # to the line's totals, one column each.
        rows = budget_report(s, school, fy, heads=args.format == "json")
        staff = staff_time(s, school, fy)
    if args.format == "table":
        print(f"{school.name}: CPD budget {fy_text(fy)}")
        rows = [{k: v for k, v in row.items() if k not in ("financial_year", "department")} for row in rows]
        if len(rows) > 1:  # the year's total under its lines, as on the PDF, the workbook and the window
            rows.append({k: "Total" if k == "line" else "" if k == "budget_code" else sum(r[k] for r in rows)
                         for k in rows[0]})
    print_rows(rows, args.format, headers={"budget_code": "code", "bursary_expected": "bursary expected",
                                           "bursary_received": "bursary received", "net_forecast": "net forecast"})
    if args.format == "table" and staff is not None:
        print(staff.sentence(fy))
    return 0


def _as_read(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A table's FTE and hours per FTE as every other output shows them (0.80; 12.7): JSON and CSV keep
    the numbers unrounded for other programs."""
    from ..services.formatting import format_fte, format_per_fte

    shown = {"fte": format_fte, "hours_per_fte": format_per_fte}
    return [{k: shown[k](v) if k in shown and v is not None else v for k, v in row.items()} for row in rows]


def _trust(args: argparse.Namespace, db: Any) -> int:
    """Every school in the database side by side (trust mode)."""
    from ..services.formatting import plural
    from ..services.trust import trust_report
    from ..services.years import current_academic_year, parse_academic_year

    year = parse_academic_year(args.year, field="--year") if args.year else current_academic_year()
    with db.session() as s:
        rows = trust_report(s, year)
    if args.format == "table":
        print(f"Trust comparison {year.label}: {plural(len(rows), 'school')}")
        rows = _as_read(rows)
    print_rows(rows, args.format, headers={"hours_per_fte": "hours/FTE", "subject_specific_share": "subject %",
                                           "all_parts_share": "all 5 parts %", "met_target": "met target"})
    return 0


def _audit_rows(session: Any, school: Any, since: str | None, *, table: bool = False) -> list[dict[str, Any]]:
    """Audit entries, newest first. JSON/CSV: ``when`` in UTC (ISO, "Z"), ``changes`` as
    ``{"field": [old, new]}``. Table: local time as dd/mm/yyyy HH:MM and the values as the window shows them
    (``describe_changes``: field labels, "(empty)", dates and money the UK way)."""
    import json

    from ..services import audit
    from ..services.audit import ACTION_LABELS, TABLE_LABELS, describe_changes, entries, local_time
    from ..services.validation import parse_date

    day = parse_date(since, "--since", required=False) if since else None
    rows = []
    names = audit.record_names(session)
    for e in entries(session, school.id, since=day):
        changes = json.loads(e.changes) if e.changes else None
        row: dict[str, Any] = {
            "when": e.at.isoformat(timespec="seconds") + "Z", "user": e.user, "action": e.action,
            "table": e.table_name, "record": e.record_id, "summary": e.summary, "changes": changes,
        }
        if table:
            row["when"] = f"{local_time(e.at):%d/%m/%Y %H:%M}"
            row["action"] = ACTION_LABELS.get(e.action, e.action)
            row["table"] = TABLE_LABELS.get(e.table_name, e.table_name)
            row["changes"] = "; ".join(describe_changes(e.table_name, e.action, changes, names))
        rows.append(row)
    return rows
