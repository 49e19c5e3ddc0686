"""``report impact|retention|priorities|indicators``: evaluation stages, confidence, sustained CPD, retention,
priorities and the department's indicators, as a table, JSON or CSV.

Where outcomes (retention, indicators) stand beside CPD figures, the table form says they are shown side by
side and not as cause and effect; JSON stays a plain list for other programs.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from .common import Context, print_rows, year_arg

HEADERS = {"staff_code": "code", "sustained_hours": "sustained", "stages_due": "stages due",
           "stages_done": "done", "stages_overdue": "overdue", "confidence_before": "conf. before",
           "confidence_after": "after", "confidence_later": "later", "teachers_at_start": "teachers at start",
           "retention_rate": "retention", "mean_hours_stayed": "mean hours (stayed)",
           "mean_hours_left": "mean hours (left)", "evaluated_share": "evaluated %"}


def report_impact(args: argparse.Namespace, ctx: Context, db: Any) -> int:
    from ..services import impact
    from ..services.formatting import plural
    from ..services.validation import parse_date

    today = (parse_date(args.today, "--today") if args.today else None) or dt.date.today()
    footer = None
    with db.session() as s:
        school = ctx.school(s)
        if args.kind == "impact":
            year = _year(args, school, today)
            rows = impact.impact_report(s, school, year, today)
            title = f"{school.name}: evaluating CPD {year.label} ({plural(len(rows), 'person', 'people')})"
            if args.format == "table":
                rows = [{k: v for k, v in r.items() if k != "department"} for r in rows]
        elif args.kind == "retention":
            rows = impact.retention_report(s, school, today)
            title = f"{school.name}: retention of teachers (those in the CPD target), with their CPD hours"
            footer = impact.SIDE_BY_SIDE
            if args.format == "table":
                rows = [{**r, "retention_rate": None if r["retention_rate"] is None
                         else f"{r['retention_rate'] * 100:.1f}%"} for r in rows]
        elif args.kind == "priorities":
            year = _year(args, school, today)
            rows = impact.priorities_report(s, school, year)
            title = f"{school.name}: CPD by priority {year.label}"
        else:
            rows = impact.indicators_report(s, school)
            title = f"{school.name}: department indicators"
    if args.format == "table":
        print(title)
    print_rows(rows, args.format, headers=HEADERS)
    if args.format == "table" and footer:
        print(footer)
    return 0


def _year(args: argparse.Namespace, school: Any, today: dt.date) -> Any:
    """--year, else the academic year ``today`` (--today) falls in."""
    from ..services.years import current_academic_year

    return year_arg(args.year, school, default_current=False) or current_academic_year(school, today)
