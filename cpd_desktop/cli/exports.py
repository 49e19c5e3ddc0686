"""``export summary|activities|claims|cover|staff-record|absences``: write a PDF, workbook or CSV."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import Context, UsageError


def register(sub: Any) -> None:
    from ..exports import KINDS

    kinds = "; ".join(f"{k.key} ({', '.join(k.formats)})" for k in KINDS.values())
    p = sub.add_parser("export", help="write a PDF or Excel export (summary, CPD log, claims, cover sheet, …)",
                       description=f"Write an export to a file. Kinds and their formats: {kinds}.")
    p.add_argument("kind", choices=list(KINDS))
    p.add_argument("--year", help="academic year, e.g. 2025/26 (default: the current year; staff-record: all)")
    p.add_argument("--financial-year", metavar="YYYY-YY",
                   help="claims: the school's financial year instead, e.g. 2026-27 (its start month is in Settings); "
                        "budget: the financial year (default: the current one)")
    p.add_argument("--month", metavar="MM/YYYY", help="claims: one month instead, e.g. 12/2026")
    p.add_argument("--department", help="only this department (summary, activities, absences)")
    p.add_argument("--booking", type=int, metavar="ID", help="the booking (cover; absences for one booking)")
    p.add_argument("--staff", metavar="CODE", help="the person's staff code (staff-record)")
    p.add_argument("--format", choices=["pdf", "xlsx", "csv"],
                   help="file format (default: from the output file's name)")
    p.add_argument("--output", required=True, metavar="FILE", help="the file to write")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    from ..exports import ExportOptionError, check_options, run_export

    fmt = args.format or Path(args.output).suffix.lower().lstrip(".")
    if fmt not in ("pdf", "xlsx", "csv"):
        raise UsageError("say which format with --format pdf, xlsx or csv")
    try:
        spec = check_options(args.kind, fmt, booking_id=args.booking, staff_code=args.staff, year=args.year,
                             financial_year=args.financial_year, month=args.month)
    except ExportOptionError as exc:
        raise UsageError(str(exc)) from None
    db = ctx.open()
    school_id = None
    if spec.needs != "trust":  # the trust comparison covers every school in the database
        with db.session() as s:
            school_id = ctx.school(s).id
    path = run_export(db, school_id, args.kind, fmt, args.output, year=args.year, department=args.department,
                      booking_id=args.booking, staff_code=args.staff, financial_year=args.financial_year,
                      month=args.month)
    print(f"{spec.label} written to {path}")
    return 0
