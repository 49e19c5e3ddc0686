"""The floor of the whole-process report case: ``cpd-desktop report hours --format csv`` written with the
standard library alone, run as ``python -c <this file's text> DB START_YEAR`` in a fresh process.

It prints the same CSV as the command (the same columns, rows, order and figures), so the case can check
that both agree: one school's academic year, hours per person in one GROUP BY with the term buckets
(each term runs to the day before the next one starts), the target pro rata by FTE (nothing for staff
outside the teachers' target), progress against it, people in name order with accents and case folded.
"""

import csv
import datetime as dt
import sqlite3
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HOURS_SQL = """
SELECT s.staff_code, s.forename, s.surname, d.name, s.fte, s.in_target,
       a.hours, a.subject, a.t1, a.t2, a.t3
FROM staff s
LEFT JOIN (
    SELECT staff_id,
           sum(hours) AS hours,
           sum(CASE WHEN subject_specific THEN hours ELSE 0 END) AS subject,
           sum(CASE WHEN date BETWEEN :t1s AND :t1e THEN hours ELSE 0 END) AS t1,
           sum(CASE WHEN date BETWEEN :t2s AND :t2e THEN hours ELSE 0 END) AS t2,
           sum(CASE WHEN date BETWEEN :t3s AND :t3e THEN hours ELSE 0 END) AS t3
    FROM activity WHERE school_id = :school AND date BETWEEN :start AND :end
    GROUP BY staff_id
) a ON a.staff_id = s.id
LEFT JOIN department d ON d.id = s.department_id
WHERE s.school_id = :school
  AND (a.staff_id IS NOT NULL OR ((s.start_date IS NULL OR s.start_date <= :end)
                                  AND (s.leaving_date IS NULL OR s.leaving_date >= :start)))
"""
TERMS = ("autumn", "spring", "summer")
CENT = Decimal("0.01")
DAY = dt.timedelta(days=1)


def fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP) if value else Decimal("0.00")


def main(db: str, start_year: int) -> None:
    con = sqlite3.connect(Path(db).absolute().as_uri() + "?mode=ro", uri=True)
    school, target, month = con.execute(
        "SELECT id, cpd_target_hours, academic_year_start_month FROM school").fetchone()  # the only school
    start = dt.date(start_year, month, 1)
    end = dt.date(start_year + 1, month, 1) - DAY
    starts = {term: dt.date.fromisoformat(day) for term, day in con.execute(
        "SELECT term, start_date FROM term_dates WHERE school_id = ? AND academic_year = ?", (school, start_year))}
    params = {"school": school, "start": start.isoformat(), "end": end.isoformat()}
    bucket_start = start
    for i in range(len(TERMS)):
        bucket_end = end if i == len(TERMS) - 1 else max(starts[TERMS[i + 1]] - DAY, bucket_start)
        params[f"t{i + 1}s"], params[f"t{i + 1}e"] = bucket_start.isoformat(), bucket_end.isoformat()
        bucket_start = bucket_end + DAY
    full_target = Decimal(str(target))
    rows = []
    for code, fore, sur, dept, fte, in_target, hours, subject, *terms in con.execute(HOURS_SQL, params):
        mine = (full_target * Decimal(str(fte))).quantize(CENT, ROUND_HALF_UP) if in_target else Decimal("0.00")
        total = money(hours)
        progress = round(float(total / mine * 100), 1) if mine else 0.0
        rows.append(((fold(sur), fold(fore)), [code, f"{fore} {sur}", dept, float(fte), total, money(subject), mine,
                                               progress, *(money(t) for t in terms)]))
    rows.sort(key=lambda r: r[0])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["staff_code", "name", "department", "fte", "hours", "subject_specific_hours", "target_hours",
                  "progress_percent", *TERMS])
    out.writerows(row for _key, row in rows)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
