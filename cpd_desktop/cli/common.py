"""What every subcommand shares: opening the database, choosing the school, printing rows."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # the database layer loads when a command opens the database, not to read its words
    import threading

    from ..models import School
    from ..services.years import AcademicYear
    from ..storage.database import Database


class UsageError(Exception):
    """The command line's words are off: argparse prints usage and exits 2."""


@dataclass
class Context:
    db_target: str | None
    school_name: str | None
    _db: Database | None = field(default=None, repr=False)
    _check: threading.Thread | None = field(default=None, repr=False)
    _check_failed: BaseException | None = field(default=None, repr=False)

    def open(self, *, create: bool = False, readonly: bool = False, check_behind: bool = False) -> Database:
        """Open the database (once). ``check_behind``: SQLite's quick_check of the file runs on a thread of
        its own while the command loads what it needs and reads; the command calls ``checked()`` before it
        prints anything, so a damaged file is still refused, not reported from (writes wait for the check
        in any case)."""
        if self._db is None:
            if self.db_target is None and create:
                # The default file lives in the user's data folder, which a new user does not have yet.
                from ..paths import data_dir

                data_dir().mkdir(parents=True, exist_ok=True)
            from ..services.database import open_database

            self._db = open_database(self.db_target, create=create, readonly=readonly, verify=not check_behind)
            if not self._db.verified:
                import threading

                self._check = threading.Thread(target=self._run_check, args=(self._db,), name="quick_check",
                                               daemon=True)
                self._check.start()
            if self._db.path is not None:  # a killed backup's partial copy goes on the next open, as in the window
                from ..storage.backups import remove_stale_parts

                remove_stale_parts()
        return self._db

    def _run_check(self, db: Database) -> None:
        try:
            db.verify()
        except BaseException as exc:  # noqa: BLE001 - handed to the command's thread by checked()
            self._check_failed = exc

    def checked(self) -> None:
        """Wait for the check ``open(check_behind=True)`` started; raises what it found (``DatabaseDamagedError``)."""
        if self._check is not None:
            self._check.join()
            self._check = None
        if self._check_failed is not None:
            failed, self._check_failed = self._check_failed, None
            raise failed

    def school(self, session: Any) -> School:
        from ..services.schools import choose_school

        return choose_school(session, self.school_name)

    def close(self) -> None:
        if self._check is not None:  # the command ended early (an error): the file is let go of after the check
            self._check.join()
            self._check = None
        if self._db is not None:
            self._db.dispose()
            self._db = None


def year_arg(text: str | None, school: School, *, default_current: bool = True) -> AcademicYear | None:
    from ..services.years import current_academic_year, parse_academic_year

    if text is None:
        return current_academic_year(school) if default_current else None
    return parse_academic_year(text, school.academic_year_start_month, field="--year")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _csv_decimal(value: Decimal) -> Decimal | str:
    """Money and hours with two decimals, still a number (a negative one is not a formula)."""
    return value.quantize(Decimal("0.01")) if value.is_finite() else str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return " ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def print_rows(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None,
               out: TextIO | None = None, headers: dict[str, str] | None = None) -> None:
    """Rows as JSON (a list of objects), CSV (dates ISO, nested dicts flattened) or an aligned table."""
    out = out or sys.stdout
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        json.dump(list(rows), out, default=_json_default, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    flat = []
    for row in rows:
        item: dict[str, Any] = {}
        for col in columns:
            value = row.get(col)
            if isinstance(value, dict):
                for k, v in value.items():
                    item[f"{col}_{k}" if col != "by_term" else k] = v
            else:
                item[col] = value
        flat.append(item)
    names = list(flat[0].keys()) if flat else list(columns)
    if fmt == "csv":
        # Text that a spreadsheet would run as a formula is neutralised, as in every CSV export.
        from ..exports.safety import csv_writer

        writer = csv_writer(out, lineterminator="\n")
        writer.writerow(names)
        for item in flat:
            writer.writerow([_csv_decimal(v) if isinstance(v := item.get(n), Decimal) else v for n in names])
        return
    headers = headers or {}
    titles = [headers.get(n, n.replace("_", " ")) for n in names]
    cells = [[_cell(item.get(n)) for n in names] for item in flat]
    widths = [max([len(t)] + [len(r[i]) for r in cells]) for i, t in enumerate(titles)]
    numeric = [all(_is_number(r[i]) for r in cells if r[i]) and any(r[i] for r in cells) for i in range(len(names))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(val.rjust(w) if num else val.ljust(w)
                         for val, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    out.write(line(titles) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        out.write(line(r) + "\n")
    if not cells:
        out.write("(nothing to show)\n")


def _is_number(text: str) -> bool:
    try:
        float(text.replace("£", "").replace(",", ""))
        return True
    except ValueError:
        return False


def add_format_option(parser: Any, choices: Sequence[str] = ("table", "json", "csv")) -> None:
    parser.add_argument("--format", choices=list(choices), default="table", help="output format (default: table)")
