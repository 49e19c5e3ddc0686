"""Running an import: read the file, check every row, then write it all in one transaction.

    result = run_import(session, school, "activities", "history.csv")

Every row is checked before anything is written. If any row is bad, nothing is written and the
result lists each problem with its file row number (unless ``skip_invalid`` asks for the good rows
alone). Records are matched against what is already there, so importing the same file twice adds
nothing the second time. New records go in with bulk INSERTs (no ORM objects, no per-row flush),
so the batch writes its own audit entry and ``ImportBatch``; ``undo_import`` takes a batch back out.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..errors import ConcurrentEditError, CpdError, NotFoundError, ValidationError
from ..models import (
    Activity,
    Booking,
    BudgetLine,
    Course,
    Department,
    Indicator,
    Provider,
    School,
    Staff,
    TimetableLesson,
)
from ..models.audit import AuditEntry, ImportBatch
from ..models.base import Hours, Money, utcnow
from ..models.enums import ACTIVITY_STATUSES, BOOKING_STATUSES, STANDARD_PARTS
from ..models.impact import IndicatorValue
from ..models.staff import in_target_by_role, sort_name
from ..services import audit
from ..services import validation as v
from ..services.catalogue import provider_id
from ..services.concurrency import _local
from ..services.schools import get_or_create_department
from ..services.years import SchoolCalendar, school_days
from . import cells
from .fields import Kind, find_header_row, get_kind, missing_columns, resolve_mapping
from .readers import Table, read_table

Progress = Callable[[int, int, str], None]
Update = tuple[int, dict[str, Any], dict[str, Any]]  # record id, new values, the record as it was
CHUNK = 5000
BOOKING_IMPORT_STATUSES = {k: label for k, label in BOOKING_STATUSES.items() if k != "attended"}
HOURS_PER_COURSE_DAY = Decimal("6.00")
NOUNS = {"staff": "staff", "activities": "CPD activities", "bookings": "bookings", "timetable": "timetable lessons",
         "courses": "courses", "budget": "budget lines", "indicators": "department indicators"}


class ImportCancelled(CpdError):
    """The person stopped the import; the transaction is rolled back and nothing is written."""

    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing was written.")


@dataclass
class Source:
    """A file read for one kind of import: its header row found and its columns matched to fields."""

    table: Table
    kind: Kind
    header_index: int
    mapping: dict[str, int]

    @cached_property
    def headers(self) -> list[str]:
        cells_ = self.table.rows[self.header_index][1] if self.table.rows else []
        return ["" if c is None else str(c).strip() for c in cells_]

    @property
    def header_row(self) -> int:
        """The header's row number in the file (1 for the first line)."""
        return self.table.rows[self.header_index][0] if self.table.rows else 1

    @property
    def data_rows(self) -> list[tuple[int, list[Any]]]:
        return self.table.rows[self.header_index + 1:]

    def release_data_rows(self) -> None:
        """Let go of the rows below the header (their cells are parsed); the header row stays."""
        del self.table.rows[self.header_index + 1:]

    def header_of(self, key: str) -> str:
        col = self.mapping.get(key)
        if col is None:
            return self.kind.field(key).label
        return self.headers[col] or f"Column {col + 1}"

    def mapped_headers(self) -> dict[str, str]:
        return {key: self.header_of(key) for key in self.mapping}

    def unused_headers(self) -> list[str]:
        used = set(self.mapping.values())
        return [h for i, h in enumerate(self.headers) if h and i not in used]


def open_source(path: str | Path, kind: str | Kind, *, sheet: str | None = None, header_row: int | None = None,
                mapping: dict[str, Any] | None = None, table: Table | None = None) -> Source:
    """Read the file, find its header row (or take ``header_row``) and match its columns."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    table = table if table is not None else read_table(path, sheet=sheet)
    if not table.rows:
        raise CpdError(f"{table.path.name} is empty.", hint="Choose the file that holds the rows to import.")
    if header_row is None:
        index = find_header_row(kind, table.rows)
    else:
        index = next((i for i, (number, _) in enumerate(table.rows) if number >= header_row), -1)
        if index < 0:
            raise CpdError(f"{table.path.name} has nothing on row {header_row} or below.")
    source = Source(table=table, kind=kind, header_index=index, mapping={})
    source.mapping = resolve_mapping(kind, source.headers, mapping)
    return source


@dataclass
class ImportResult:
    kind: str
    file_name: str
    encoding: str
    delimiter: str | None
    sheet: str | None
    header_row: int
    rows: int = 0  # data rows in the file
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # bad rows left out with skip_invalid
    errors: list[ValidationError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field key → the file's header
    batch_id: int | None = None
    dry_run: bool = False
    written: bool = False

    @property
    def source_description(self) -> str:
        """'UTF-8 with BOM, semicolon-separated, header on row 1'."""
        delim = {",": "comma", ";": "semicolon", "\t": "tab"}.get(self.delimiter or "")
        parts = [self.encoding]
        if delim:
            parts.append(f"{delim}-separated")
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        parts.append(f"header on row {self.header_row}")
        return ", ".join(parts)

    @property
    def counts(self) -> str:
        text = f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged"
        if self.skipped:
            text += f", {self.skipped} bad {'row' if self.skipped == 1 else 'rows'} skipped"
        return text

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def run_import(session: Session, school: School, kind: str, path: str | Path, *, sheet: str | None = None,
               mapping: dict[str, Any] | None = None, header_row: int | None = None, skip_invalid: bool = False,
               dry_run: bool = False, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None, source: Source | None = None) -> ImportResult:
    """Import a file of ``kind`` (staff, activities, bookings, timetable, courses) into ``school``.

    All or nothing: the work happens in a savepoint of the caller's transaction, and is rolled back
    on any error, on cancel, or when ``dry_run`` only asks what would happen. Bad rows are returned
    in ``result.errors``; unless ``skip_invalid``, a file with any bad row writes nothing.
    """
    with _gc_held_back():
        return _run_import(session, school, kind, path, sheet=sheet, mapping=mapping, header_row=header_row,
                           skip_invalid=skip_invalid, dry_run=dry_run, progress=progress, cancelled=cancelled,
                           source=source)


@contextmanager
def _gc_held_back() -> Iterator[None]:
    """Python's cyclic garbage collector waits while a file is read, checked and written: an import makes
    hundreds of thousands of objects that all live until it ends, and the collector's full passes over
    them cost a sixth of a 100,000-row import. Whatever has become garbage is collected afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_import(session: Session, school: School, kind: str, path: str | Path, *, sheet: str | None,
                mapping: dict[str, Any] | None, header_row: int | None, skip_invalid: bool, dry_run: bool,
                progress: Progress | None, cancelled: Callable[[], bool] | None,
                source: Source | None) -> ImportResult:
    # A file read here is ours: its cells can go once parsed. The wizard's source is kept for its pages.
    owned = source is None
    source = source or open_source(path, kind, sheet=sheet, header_row=header_row, mapping=mapping)
    spec = source.kind
    table = source.table
    result = ImportResult(kind=spec.key, file_name=table.path.name, encoding=table.encoding,
                          delimiter=table.delimiter, sheet=table.sheet, header_row=source.header_row,
                          rows=len(source.data_rows), warnings=list(table.warnings),
                          columns=source.mapped_headers(), dry_run=dry_run)
    missing = missing_columns(spec, source.mapping)
    if missing:
        raise CpdError(f"{table.path.name} has no column for " + "; ".join(missing) + ".",
                       hint="Rename the column in the file, or choose it in the column mapping.")
    importer = IMPORTERS[spec.key](session, school, source, result, progress, cancelled)
    importer.release_cells = owned
    importer.check_rows()
    if result.errors:
        if not skip_invalid:
            return result
        result.skipped = result.bad_rows
    with session.begin_nested() as savepoint:
        importer.write()
        if dry_run:
            savepoint.rollback()
            result.batch_id = None
        else:
            result.written = True
    return result


def _noop_progress(done: int, total: int, stage: str) -> None:
    return None


class _Importer:
    """Checks rows of one kind and writes them. Subclasses say which fields, how to match, what to write."""

    model: type[Any]
    # Fields of an existing record an import may change (its column names).
    compare: tuple[str, ...] = ()
    parsers: dict[str, Callable[[str], cells.Parser]] = {}

    def __init__(self, session: Session, school: School, source: Source, result: ImportResult,
                 progress: Progress | None, cancelled: Callable[[], bool] | None) -> None:
        self.session = session
        self.school = school
        self.source = source
        self.result = result
        self.progress = progress or _noop_progress
        self.cancelled = cancelled or (lambda: False)
        self.records: list[tuple[int, dict[str, Any]]] = []
        self.user = audit.session_user(session)
        self.now = utcnow()
        self.rows = len(source.data_rows)
        self.total = max(1, 2 * self.rows)
        self.release_cells = False  # let the source go of its cells once they are parsed
        self.columns = [(key, col, source.header_of(key), self.parsers[key](source.header_of(key)),
                         source.kind.field(key).required)
                        for key, col in source.mapping.items() if key in self.parsers]
        self.staff_lookup: _StaffLookup | None = None

    # -- checking ---------------------------------------------------------------------------------------
    def check_rows(self) -> None:
        """Parse column by column (each distinct value once), then apply each row's cross-field rules."""
        errors = self.result.errors
        rows = self.source.data_rows
        keys: list[tuple[str, str, bool]] = []
        parsed: list[list[Any]] = []
        for key, col, header, parse, required in self.columns:
            if self.cancelled():
                raise ImportCancelled()
            keys.append((key, header, required))
            parsed.append(_parse_column([c[col] if col < len(c) else None for _n, c in rows], parse))
        rownos = [n for n, _c in rows]
        del rows
        if self.release_cells:
            self.source.release_data_rows()
        step = 2000
        finish = self.finish
        records = self.records
        for i, (rowno, cells_) in enumerate(zip(rownos, zip(*parsed, strict=True) if parsed
                                                else ((),) * len(rownos), strict=True)):
            if i % step == 0:
                if self.cancelled():
                    raise ImportCancelled()
                self.progress(i, self.total, "Checking rows")
            values: dict[str, Any] = {}
            row_errors: list[ValidationError] = []
            for (key, header, required), value in zip(keys, cells_, strict=True):
                if value is _BLANK:
                    if required:
                        row_errors.append(ValidationError(header, "is empty; every row needs one.", row=rowno))
                elif value.__class__ is cells.Bad:
                    row_errors.append(_at(value.exc, rowno))
                else:
                    values[key] = value
            record = None
            try:
                record = finish(rowno, values, row_errors)
            except ValidationError as exc:
                row_errors.append(_at(exc, rowno))
            if row_errors:
                errors.extend(row_errors)
            elif record is not None:
                records.append((rowno, record))
        self.progress(len(rownos), self.total, "Checking rows")

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        """Cross-field rules and lookups; returns the record's column values (only those given)."""
        raise NotImplementedError

    def header(self, key: str) -> str:
        return self.source.header_of(key)

    # -- writing ----------------------------------------------------------------------------------------
    def write(self) -> None:
        batch = ImportBatch(school_id=self.school.id, kind=self.source.kind.key, file_name=self.result.file_name,
                            user=self.user, encoding=self.result.encoding)
        self.session.add(batch)
        self.session.flush()
        self.batch_id = batch.id
        self.result.batch_id = batch.id
        previous_info = self.session.info.get("import_batch_id")
        self.session.info["import_batch_id"] = batch.id  # providers and departments made on the way
        try:
            self.resolve_names()
            new_records, updates = self.plan()
            self.insert_new(new_records)
            previous = self.apply_updates(updates)
        finally:
            if previous_info is None:
                self.session.info.pop("import_batch_id", None)
            else:
                self.session.info["import_batch_id"] = previous_info
        self.result.new = len(new_records)
        self.result.updated = len(updates)
        self.result.unchanged = len(self.records) - len(new_records) - len(updates)
        batch.created_count = self.result.new
        batch.updated_count = self.result.updated
        batch.previous_values = json.dumps({"table": self.model.__tablename__, "updated": previous},
                                           ensure_ascii=False, default=audit.plain) if previous else None
        audit.record(self.session, school_id=self.school.id, action="import", table_name=self.model.__tablename__,
                     summary=f"Imported {NOUNS[self.source.kind.key]} from {self.result.file_name}: {self.result.counts}",
                     changes={"file": self.result.file_name, "kind": self.source.kind.key,
                              "new": self.result.new, "updated": self.result.updated,
                              "unchanged": self.result.unchanged, "skipped": self.result.skipped,
                              "encoding": self.result.encoding},
                     batch_id=batch.id)
        self.session.flush()

    def resolve_names(self) -> None:
        """Turn provider names into ids (adding new providers to the school's list)."""
        cache: dict[str, int] = {}
        ids: dict[str, int | None] = {}
        for _rowno, record in self.records:
            name = record.pop("provider", None)
            if name is not None:
                found = ids.get(name)
                if found is None:
                    found = ids[name] = provider_id(self.session, self.school, name, cache)
                record["provider_id"] = found

    def match_key(self, record: dict[str, Any]) -> Any:
        raise NotImplementedError

    def existing(self) -> dict[Any, dict[str, Any]]:
        """Existing records that rows may match, by match key: their id, version and ``compare`` fields."""
        raise NotImplementedError

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def plan(self) -> tuple[list[dict[str, Any]], list[Update]]:
        """The records that are new (their rows are made as they are inserted), and the changes to make."""
        existing = self.existing()
        new_records: list[dict[str, Any]] = []
        updates: list[Update] = []
        for _rowno, record in self.records:
            current = existing.get(self.match_key(record))
            if current is None:
                new_records.append(record)
                continue
            changes = {k: val for k, val in record.items() if k in self.compare and current[k] != val}
            if changes:
                updates.append((current["id"], changes, current))
        return new_records, updates

    def insert_new(self, records: list[dict[str, Any]]) -> None:
        """INSERT the new records, ``CHUNK`` at a time: each chunk's rows are made, written and let go
        before the next (all in the one savepoint), so the whole file's rows are never held at once."""
        connection = self.session.connection()
        # SQLite: bind values converted once per distinct value to how SQLAlchemy stores them, and handed to
        # the driver's executemany in the session's own transaction. The ORM's bulk path does the same work
        # per row and per value, which made a 100,000-row import 3–4 times slower.
        sqlite = _SqliteRows(self.model.__table__) if connection.dialect.name == "sqlite" else None
        for start in range(0, len(records), CHUNK):
            if self.cancelled():
                raise ImportCancelled()
            chunk = [self.new_row(record) for record in records[start:start + CHUNK]]
            if sqlite is not None:
                connection.exec_driver_sql(*sqlite.statement(chunk))
            else:
                # render_nulls: otherwise rows with a None in different columns go one INSERT each.
                self.session.execute(insert(self.model).execution_options(render_nulls=True), chunk)
            self.progress(self.rows + start + len(chunk), self.total, "Saving")

    def apply_updates(self, updates: list[Update]) -> dict[str, Any]:
        """Bulk UPDATEs grouped by the set of fields changed; returns {id: previous values} for undo."""
        if not updates:
            return {}
        if self.cancelled():
            raise ImportCancelled()
        table = self.model.__table__
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for record_id, changes, _old in updates:
            keys = tuple(sorted(changes))
            groups.setdefault(keys, []).append({"b_id": record_id, **{f"b_{k}": changes[k] for k in keys}})
        # The rows as they are now, locked until the import commits (SQLite: this transaction already
        # holds the file's write lock): a colleague's save since the plan was made is never overwritten.
        seen = _versions(self.session, table, [u[0] for u in updates], lock=True)
        changed = [rid for rid, changes, old in updates
                   if rid not in seen or any(seen[rid][1].get(k) != old[k] for k in changes)]
        if changed:
            raise _changed_since(self.session, self.model, changed,
                                 f"The import of {self.result.file_name} was not saved",
                                 "Import the file again: it will be checked against their changes.",
                                 since="since the file was checked")
        for keys, params in groups.items():
            for p in params:
                p["b_version"] = seen[p["b_id"]][0]
            stmt = (update(table).where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
                    .values(version=table.c.version + 1, updated_at=self.now, updated_by=self.user,
                            **{k: bindparam(f"b_{k}", type_=table.c[k].type) for k in keys}))
            done = self.session.connection().execute(stmt, params).rowcount
            if done != len(params):
                raise _changed_since(self.session, self.model, [p["b_id"] for p in params],
                                     f"The import of {self.result.file_name} was not saved",
                                     "Import the file again: it will be checked against their changes.",
                                     since="since the file was checked")
        versions = {rid: seen[rid][0] + 1 for rid, _c, _o in updates}
        entries = []
        previous: dict[str, Any] = {}
        name = audit.TABLE_LABELS.get(table.name, table.name)
        for record_id, changes, old in updates:
            previous[str(record_id)] = {"values": {k: audit.plain(old[k]) for k in changes},
                                        "version": versions.get(record_id)}
            known_as = old.get("staff_code") or old.get("title") or f"#{record_id}"
            entries.append({
                "school_id": self.school.id, "at": self.now, "user": self.user, "action": "update",
                "table_name": table.name, "record_id": record_id,
                "summary": f"Changed {name} {known_as} by import of {self.result.file_name}: "
                           + ", ".join(audit.field_label(k) for k in changes if k not in audit.HIDDEN_FIELDS)[:300],
                "changes": json.dumps({k: [audit.plain(old[k]), audit.plain(changes[k])] for k in changes},
                                      ensure_ascii=False),
                "batch_id": self.batch_id,
            })
        audit.write_entries(self.session, entries)  # the window then knows them for this program's own
        self.progress(self.total, self.total, "Saving")
        return previous

    def versioned(self) -> dict[str, Any]:
        return {"version": 1, "updated_at": self.now, "updated_by": self.user, "import_batch_id": self.batch_id}


_BLANK = object()


class _SqliteRows:
    """An INSERT and its parameter tuples, values stored exactly as SQLAlchemy stores them in SQLite;
    each distinct value is converted once over all the chunks of an import."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.done: dict[str, dict[Any, Any]] = {}

    def statement(self, rows: list[dict[str, Any]]) -> tuple[str, list[tuple[Any, ...]]]:
        columns = [c for c in self.table.columns if c.name in rows[0]]
        for column in columns:
            convert = _sqlite_converter(column.type)
            if convert is None:
                continue
            name = column.name
            done = self.done.setdefault(name, {None: None})
            for row in rows:  # the rows are ours to change: they were made for this insert
                value = row[name]
                try:
                    row[name] = done[value]
                except KeyError:
                    row[name] = done[value] = convert(value)
        names = ", ".join(f'"{c.name}"' for c in columns)
        sql = f'INSERT INTO "{self.table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})'
        getter = itemgetter(*(c.name for c in columns))
        return sql, list(map(getter, rows))


def _sqlite_converter(type_: Any) -> Callable[[Any], Any] | None:
    if isinstance(type_, DateTime):
        return lambda value: value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(type_, Date):
        return lambda value: value.strftime("%Y-%m-%d")
    if isinstance(type_, Money | Hours | IndicatorValue | Numeric):
        return float
    return None


def _parse_column(raw: list[Any], parse: cells.Parser) -> list[Any]:
    """Each cell's value, ``_BLANK``, or ``cells.Bad(error)``; every distinct cell is parsed once."""
    if set(map(type, raw)) <= {str}:
        keys: list[Any] = raw
    else:  # 1, 1.0 and True hash alike but are different cells
        keys = [x if x.__class__ is str else (x.__class__, x) for x in raw]
    results: dict[Any, Any] = {}
    for key, value in zip(keys, raw, strict=True):
        if key in results:
            continue
        if value is None or (value.__class__ is str and not value.strip()):
            results[key] = _BLANK
            continue
        try:
            results[key] = parse(value)
        except ValidationError as exc:
            results[key] = cells.Bad(exc)
    return [results[k] for k in keys]


def _at(exc: ValidationError, rowno: int) -> ValidationError:
    return ValidationError(exc.field, exc.message, hint=exc.hint, row=rowno)


class _StaffLookup:
    """Finds the member of staff a row is about: by staff code, else email, else name."""

    def __init__(self, session: Session, school: School) -> None:
        rows = session.execute(select(Staff.id, Staff.staff_code, Staff.email, Staff.forename, Staff.surname)
                               .where(Staff.school_id == school.id)).all()
        self.by_code: dict[str, int] = {r.staff_code.upper(): r.id for r in rows}
        self.by_email: dict[str, int] = {r.email.lower(): r.id for r in rows if r.email}
        self.by_name: dict[str, list[int]] = {}
        for r in rows:
            self.by_name.setdefault(cells.fold_name(f"{r.forename} {r.surname}"), []).append(r.id)
        self.count = len(rows)

    def find(self, importer: _Importer, values: dict[str, Any]) -> int:
        if "staff_code" in values:
            found = self.by_code.get(values["staff_code"])
            if found is None:
                raise ValidationError(importer.header("staff_code"),
                                      f"{values['staff_code']} is not the code of anyone on the staff list.",
                                      hint=self._hint())
            return found
        if "email" in values:
            found = self.by_email.get(values["email"])
            if found is None:
                raise ValidationError(importer.header("email"),
                                      f"{values['email']} is not the email of anyone on the staff list.",
                                      hint=self._hint())
            return found
        if "staff_name" in values:
            key, where = values["staff_name"], importer.header("staff_name")
        elif "forename" in values and "surname" in values:
            key = cells.fold_name(f"{values['forename']} {values['surname']}")
            where = importer.header("surname")
        else:
            raise ValidationError(importer.header(_first_who(importer)), "does not say who this row is about.",
                                  hint="Fill in the staff code, email or name.")
        ids = self.by_name.get(key, [])
        if len(ids) == 1:
            return ids[0]
        if not ids and " " not in key and key.upper() in self.by_code:
            return self.by_code[key.upper()]  # a staff code in a "Staff" or "Teacher" column
        shown = " ".join(w.capitalize() for w in key.split())
        if ids:
            raise ValidationError(where, f"{len(ids)} members of staff are called {shown}.",
                                  hint="Add a Staff Code column to say which one.")
        raise ValidationError(where, f"nobody called {shown} is on the staff list.", hint=self._hint())

    def _hint(self) -> str:
        if not self.count:
            return "The staff list is empty: import the staff first (cpd-desktop import staff FILE)."
        return "Check it, or import the staff list first."


def _first_who(importer: _Importer) -> str:
    for key in ("staff_code", "email", "staff_name", "surname", "forename"):
        if key in importer.source.mapping:
            return key
    return "staff_code"


WHO_PARSERS: dict[str, Callable[[str], cells.Parser]] = {
    "staff_code": cells.staff_code,
    "email": cells.email,
    "staff_name": cells.person_name,
    "forename": lambda f: cells.text(f, v.NAME_MAX),
    "surname": lambda f: cells.text(f, v.NAME_MAX),
}


def _duplicate(seen: dict[Any, int], key: Any, rowno: int, field_name: Callable[[], str] | str,
               what: Callable[[], str] | str) -> None:
    """Refuse a row whose match key an earlier row of the file already has (messages made only then)."""
    first = seen.setdefault(key, rowno)
    if first != rowno:
        field_name = field_name() if callable(field_name) else field_name
        what = what() if callable(what) else what
        raise ValidationError(field_name, f"{what} is also on row {first}.",
                              hint="Each appears once in a file: remove or merge the repeated row.")


# -- staff --------------------------------------------------------------------------------------------------
class StaffImporter(_Importer):
    model = Staff
    compare = ("forename", "surname", "staff_code", "email", "role", "department_id", "fte", "ect_year",
               "start_date", "leaving_date", "sort_name")
    parsers = {
        "surname": lambda f: cells.text(f, v.NAME_MAX),
        "forename": lambda f: cells.text(f, v.NAME_MAX),
        "staff_code": cells.staff_code,
        "email": cells.email,
        "department": lambda f: cells.text(f, 100),
        "role": lambda f: cells.text(f, 120),
        "fte": cells.fte,
        "start_date": cells.date,
        "leaving_date": cells.date,
        "ect_year": cells.ect_year,
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen_codes: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}
        cols = [Staff.id, *(getattr(Staff, c) for c in self.compare)]
        self.current = {r.id: r._asdict() for r in self.session.execute(
            select(*cols).where(Staff.school_id == self.school.id))}
        self.by_code = {r["staff_code"].upper(): r["id"] for r in self.current.values()}
        self.by_email = {r["email"].lower(): r["id"] for r in self.current.values() if r["email"]}
        self.matched: dict[int, int] = {}

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        if "start_date" in values and "leaving_date" in values:
            try:
                v.check_date_order(values["start_date"], values["leaving_date"], field=self.header("leaving_date"))
            except ValidationError as exc:
                errors.append(_at(exc, rowno))
        code = values.get("staff_code")
        if code is not None:
            try:
                _duplicate(self.seen_codes, code, rowno, self.header("staff_code"), f"Staff code {code}")
            except ValidationError as exc:
                errors.append(_at(exc, rowno))
        email = values.get("email")
        if email:
            try:
                _duplicate(self.seen_emails, email, rowno, self.header("email"), email)
            except ValidationError as exc:
                errors.append(_at(exc, rowno))
        if errors or code is None:
            return None
        if "surname" in values and "forename" in values:  # how the name sorts, kept with it (Staff.sort_name)
            values["sort_name"] = sort_name(values["surname"], values["forename"])
        found = self.by_code.get(code)
        if found is None and email:
            found = self.by_email.get(email)
        if found is not None:
            if found in self.matched:
                raise ValidationError(self.header("email"), f"{email} belongs to the member of staff on row "
                                      f"{self.matched[found]}.", hint="Each person appears once in a staff list.")
            self.matched[found] = rowno
            values["_match"] = found
        return values

    def resolve_names(self) -> None:
        cache: dict[str, int | None] = {}
        for _rowno, record in self.records:
            name = record.pop("department", None)
            if name is None:
                continue
            key = name.lower()
            if key not in cache:
                dept = get_or_create_department(self.session, self.school, name)
                cache[key] = dept.id if dept else None
            record["department_id"] = cache[key]

    def match_key(self, record: dict[str, Any]) -> Any:
        return record.get("_match")

    def existing(self) -> dict[Any, dict[str, Any]]:
        return self.current

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        row = {"school_id": self.school.id, "email": None, "role": None, "department_id": None, "fte": 1.0,
               "ect_year": None, "start_date": None, "leaving_date": None, "notes": None, "anonymised": False,
               **record, **self.versioned()}
        row.setdefault("in_target", in_target_by_role(row["role"]))  # support staff are outside the target
        return row


# -- evaluating impact: priorities, programmes, confidence ----------------------------------------------------
def _confidence(field: str) -> cells.Parser:
    return cells.whole_number(field, 1, 5, "a confidence from 1 to 5")


IMPACT_PARSERS: dict[str, Callable[[str], cells.Parser]] = {
    "confidence_before": _confidence,
    "priority": lambda f: cells.text(f, 200),
}


def _resolve_impact_names(importer: _Importer, date_key: str) -> None:
    """Priority and programme names → ids, adding those that are new (a priority to the year of the row's date)."""
    from ..services.impact import priority_id, programme_id
    from ..services.years import academic_year_of

    month = importer.school.academic_year_start_month
    priorities: dict[tuple[int, str], int] = {}
    programmes: dict[str, int] = {}
    for _rowno, record in importer.records:
        name = record.pop("priority", None)
        if name is not None:
            year = academic_year_of(record[date_key], month)
            key = (year.start_year, name.casefold())
            if key not in priorities:
                priorities[key] = priority_id(importer.session, importer.school, year, name)
            record["priority_id"] = priorities[key]
        name = record.pop("programme", None)
        if name is not None:
            if name.casefold() not in programmes:
                programmes[name.casefold()] = programme_id(importer.session, importer.school, name)
            record["programme_id"] = programmes[name.casefold()]


# -- activities ---------------------------------------------------------------------------------------------
class ActivityImporter(_Importer):
    model = Activity
    compare = ("end_date", "hours", "provider_id", "format", "subject_specific", *STANDARD_PARTS, "cost",
               "status", "intended_outcomes", "evaluated_on", "impact", "impact_confidence", "pupil_outcomes",
               "follow_up_actions", "confidence_before", "priority_id", "programme_id")
    parsers = {
        **WHO_PARSERS,
        "date": cells.date,
        "end_date": cells.date,
        "title": lambda f: cells.text(f, v.TITLE_MAX),
        "provider": lambda f: cells.text(f, 200),
        "hours": lambda f: (lambda raw: raw),  # checked in finish(), against the days it spans
        "format": cells.activity_format,
        "subject_specific": cells.boolean,
        "standards": cells.standard_parts,
        **{key: cells.boolean for key in STANDARD_PARTS},
        "cost": cells.money,
        "status": lambda f: cells.choice(f, ACTIVITY_STATUSES),
        "intended_outcomes": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        "evaluated_on": cells.date,
        "impact": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        "impact_confidence": lambda f: cells.whole_number(f, 1, 5, "a confidence from 1 to 5"),
        "pupil_outcomes": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        "follow_up_actions": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        **IMPACT_PARSERS,
        "confidence_later": _confidence,
        "programme": lambda f: cells.text(f, 200),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.staff_lookup = _StaffLookup(self.session, self.school)
        self.hours = cells.hours(self.header("hours"))
        self.seen: dict[Any, int] = {}
        self.later: dict[Any, int] = {}  # match key -> confidence later (saved on the For pupils stage)
        self.due_days = dt.timedelta(days=self.school.evaluation_due_days)
        # CPD history from before this academic year is a record, not something to chase: only
        # activities of the current year (and later) are given an evaluation due date.
        from ..services.years import current_academic_year

        self.chase_from = current_academic_year(self.school).start

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        assert self.staff_lookup is not None
        record: dict[str, Any] = {}
        try:
            record["staff_id"] = self.staff_lookup.find(self, values)
        except ValidationError as exc:
            errors.append(_at(exc, rowno))
        for key in ("forename", "surname", "email", "staff_code", "staff_name"):
            values.pop(key, None)
        start = values.get("date")
        end = values.get("end_date")
        if start is not None and end is not None:
            if end < start:
                errors.append(ValidationError(self.header("end_date"),
                                              f"{end:%d/%m/%Y} is before the start, {start:%d/%m/%Y}.",
                                              hint="Make the end date the same as or after the start date.",
                                              row=rowno))
            elif end == start:
                values["end_date"] = end = None
        raw_hours = values.get("hours")
        if raw_hours is not None:
            days = (end - start).days + 1 if (start is not None and end is not None and end > start) else 1
            try:
                values["hours"] = self.hours(raw_hours, days)
            except ValidationError as exc:
                errors.append(_at(exc, rowno))
        if "evaluated_on" in values and start is not None and values["evaluated_on"] < start:
            errors.append(ValidationError(self.header("evaluated_on"), "is before the activity took place.",
                                          hint="Check the dates.", row=rowno))
        parts = values.pop("standards", None)
        if parts is not None:
            for key in STANDARD_PARTS:
                values.setdefault(key, key in parts)
        if errors:
            return None
        record.update(values)
        _duplicate(self.seen, self.match_key(record), rowno, lambda: self.header("title"),
                   lambda: f"The same activity ({record['title']} on {start:%d/%m/%Y}, same person)")
        return record

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["staff_id"], record["date"], record["title"].casefold())

    def resolve_names(self) -> None:
        super().resolve_names()
        _resolve_impact_names(self, "date")
        for _rowno, record in self.records:
            later = record.pop("confidence_later", None)
            if later is not None:
                self.later[self.match_key(record)] = later

    def write(self) -> None:
        super().write()
        if not self.later:
            return
        from ..services.impact import record_stage

        today = dt.date.today()
        found = self.existing()
        for key, confidence in self.later.items():
            activity = self.session.get(Activity, found[key]["id"])
            assert activity is not None
            stage = record_stage(self.session, self.school, activity, "pupils", done_on=None)
            done = stage.due_date if stage.due_date is not None and stage.due_date <= today else today
            record_stage(self.session, self.school, activity, "pupils", done_on=done, confidence=confidence)

    def existing(self) -> dict[Any, dict[str, Any]]:
        if not self.records:
            return {}
        dates = [r["date"] for _n, r in self.records]
        cols = [Activity.id, Activity.staff_id, Activity.date, Activity.title,
                *(getattr(Activity, c) for c in self.compare)]
        rows = self.session.execute(select(*cols).where(Activity.school_id == self.school.id,
                                                        Activity.date.between(min(dates), max(dates))))
        return {(r.staff_id, r.date, r.title.casefold()): r._asdict() for r in rows}

    def plan(self) -> tuple[list[dict[str, Any]], list[Update]]:
        self.defaults = {"school_id": self.school.id, "booking_id": None, "end_date": None, "provider_id": None,
                         "format": "face_to_face", "subject_specific": False, "status": None, "cost": None,
                         **{key: False for key in STANDARD_PARTS}, "intended_outcomes": None,
                         "evaluated_on": None, "impact_confidence": None, "impact": None, "pupil_outcomes": None,
                         "follow_up_actions": None, "evidence_note": None, "confidence_before": None,
                         "priority_id": None, "programme_id": None, **self.versioned()}
        return super().plan()

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        row = {**self.defaults, **record}
        if "evaluation_due" not in row:
            ended = row["end_date"] or row["date"]
            row["evaluation_due"] = ended + self.due_days if ended >= self.chase_from and not row.get(
                "evaluated_on") else None
        return row


# -- bookings -----------------------------------------------------------------------------------------------
class BookingImporter(_Importer):
    model = Booking
    compare = ("end_date", "hours", "provider_id", "format", "subject_specific", "fee", "travel", "accommodation",
               "subsistence", "cover_required", "cover_days", "status", "budget_code", "notes", "intended_outcomes",
               "priority_id", "confidence_before")
    parsers = {
        **WHO_PARSERS,
        "title": lambda f: cells.text(f, v.TITLE_MAX),
        "provider": lambda f: cells.text(f, 200),
        "start_date": cells.date,
        "end_date": cells.date,
        "hours": lambda f: (lambda raw: raw),
        "format": cells.activity_format,
        "subject_specific": cells.boolean,
        "fee": cells.money,
        "travel": cells.money,
        "accommodation": cells.money,
        "subsistence": cells.money,
        "cover_required": cells.boolean,
        "status": lambda f: cells.choice(f, BOOKING_IMPORT_STATUSES),
        "budget_code": lambda f: cells.text(f, 40),
        "notes": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        "intended_outcomes": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        **IMPACT_PARSERS,
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.staff_lookup = _StaffLookup(self.session, self.school)
        self.hours = cells.hours(self.header("hours"))
        self.seen: dict[Any, int] = {}
        self.calendar = SchoolCalendar(self.session, self.school)  # cover: the school days in term

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        assert self.staff_lookup is not None
        record: dict[str, Any] = {}
        try:
            record["staff_id"] = self.staff_lookup.find(self, values)
        except ValidationError as exc:
            errors.append(_at(exc, rowno))
        for key in ("forename", "surname", "email", "staff_code", "staff_name"):
            values.pop(key, None)
        start = values.get("start_date")
        if start is None:
            return None
        end = values.setdefault("end_date", start)
        if end < start:
            errors.append(ValidationError(self.header("end_date"),
                                          f"{end:%d/%m/%Y} is before the start, {start:%d/%m/%Y}.",
                                          hint="Make the end date the same as or after the start date.", row=rowno))
            return None
        days = (end - start).days + 1
        if "hours" in values:
            try:
                values["hours"] = self.hours(values["hours"], days)
            except ValidationError as exc:
                errors.append(_at(exc, rowno))
        else:
            values["hours"] = HOURS_PER_COURSE_DAY * max(1, len(school_days(start, end)))
        if values.get("cover_required"):
            values["cover_days"] = float(len(self.calendar.school_days(start, end)))
        elif values.get("cover_required") is False:
            values["cover_days"] = 0.0
        if errors:
            return None
        record.update(values)
        _duplicate(self.seen, self.match_key(record), rowno, lambda: self.header("title"),
                   lambda: f"The same booking ({record['title']} from {start:%d/%m/%Y}, same person)")
        return record

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["staff_id"], record["start_date"], record["title"].casefold())

    def resolve_names(self) -> None:
        super().resolve_names()
        _resolve_impact_names(self, "start_date")

    def existing(self) -> dict[Any, dict[str, Any]]:
        cols = [Booking.id, Booking.staff_id, Booking.start_date, Booking.title,
                *(getattr(Booking, c) for c in self.compare)]
        rows = self.session.execute(select(*cols).where(Booking.school_id == self.school.id))
        return {(r.staff_id, r.start_date, r.title.casefold()): r._asdict() for r in rows}

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, "course_id": None, "provider_id": None, "format": "face_to_face",
                "subject_specific": True, "status": "planned", "status_changed_on": dt.date.today(),
                "cover_required": False, "fee": Decimal("0.00"), "travel": Decimal("0.00"),
                "accommodation": Decimal("0.00"), "subsistence": Decimal("0.00"), "cover_days": 0.0,
                "cover_day_rate": self.school.supply_day_rate, "supply_invoice_ref": None, "budget_code": None,
                "intended_outcomes": None, "notes": None, "cancellation_reason": None, "priority_id": None,
                "programme_id": None, "confidence_before": None, **record, **self.versioned()}


# -- timetable ----------------------------------------------------------------------------------------------
class TimetableImporter(_Importer):
    model = TimetableLesson
    compare = ("class_group", "subject", "room")
    parsers = {
        **WHO_PARSERS,
        "week": cells.timetable_week,
        "day": cells.weekday,
        "period": cells.timetable_slot,  # "1", "P1", or SIMS's "MonA:1" (day, week and period in one)
        "class_group": lambda f: cells.text(f, 40),
        "subject": lambda f: cells.text(f, 100),
        "room": lambda f: cells.text(f, 40),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.staff_lookup = _StaffLookup(self.session, self.school)
        self.seen: dict[Any, int] = {}

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        assert self.staff_lookup is not None
        record: dict[str, Any] = {}
        try:
            record["staff_id"] = self.staff_lookup.find(self, values)
        except ValidationError as exc:
            errors.append(_at(exc, rowno))
        if errors:
            return None
        slot_week, slot_day, record["period"] = values["period"]
        day = values.get("day", slot_day)
        week = values.get("week", slot_week or "every")
        period_header = self.header("period")
        if day is None:
            errors.append(ValidationError(period_header, "The row does not say which day the lesson is on.",
                                          hint="Add a Day column, or write the period as SIMS does (MonA:1).",
                                          row=rowno))
        elif slot_day is not None and slot_day != day:
            errors.append(ValidationError(period_header, f"The period says a different day from the "
                                          f"{self.header('day')} column.", hint="Correct one of them.", row=rowno))
        if slot_week is not None and "week" in values and values["week"] != slot_week:
            errors.append(ValidationError(period_header, f"The period says week {slot_week} but the "
                                          f"{self.header('week')} column says otherwise.", hint="Correct one of them.",
                                          row=rowno))
        if errors:
            return None
        record["week"] = week
        record["weekday"] = day
        for key in ("class_group", "subject", "room"):
            if key in values:
                record[key] = values[key]
        _duplicate(self.seen, self.match_key(record), rowno, self.header("period"),
                   "The same teacher's lesson in this week, day and period")
        return record

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["staff_id"], record["week"], record["weekday"], record["period"])

    def existing(self) -> dict[Any, dict[str, Any]]:
        t = TimetableLesson
        rows = self.session.execute(select(t.id, t.staff_id, t.week, t.weekday, t.period, t.class_group, t.subject,
                                           t.room).where(t.school_id == self.school.id))
        return {(r.staff_id, r.week, r.weekday, r.period): r._asdict() for r in rows}

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, "class_group": None, "subject": None, "room": None,
                **record, **self.versioned()}


# -- courses ------------------------------------------------------------------------------------------------
class CourseImporter(_Importer):
    model = Course
    compare = ("title", "provider_id", "format", "subject", "subject_specific", "hours", "days", "fee")
    parsers = {
        "title": lambda f: cells.text(f, v.TITLE_MAX),
        "code": lambda f: cells.text(f, 40),
        "provider": lambda f: cells.text(f, 200),
        "format": cells.activity_format,
        "subject": lambda f: cells.text(f, 100),
        "subject_specific": cells.boolean,
        "hours": lambda f: (lambda raw: raw),
        "days": cells.half_days,
        "fee": cells.money,
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.hours = cells.hours(self.header("hours"))
        self.seen: dict[Any, int] = {}

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        if "hours" in values:
            days = int(values.get("days", 1) + 0.5) or 1
            try:
                values["hours"] = self.hours(values["hours"], days)
            except ValidationError as exc:
                errors.append(_at(exc, rowno))
        if errors:
            return None
        key = self._file_key(values)
        what = f"Course code {values['code']}" if values.get("code") else f"The course {values['title']}"
        _duplicate(self.seen, key, rowno, self.header("code" if values.get("code") else "title"), what)
        return values

    @staticmethod
    def _file_key(values: dict[str, Any]) -> Any:
        if values.get("code"):
            return ("code", values["code"].casefold())
        return ("title", values["title"].casefold(), (values.get("provider") or "").casefold())

    def match_key(self, record: dict[str, Any]) -> Any:
        if record.get("code"):
            return ("code", record["code"].casefold())
        return ("title", record["title"].casefold(), record.get("provider_id"))

    def existing(self) -> dict[Any, dict[str, Any]]:
        c = Course
        rows = self.session.execute(select(c.id, c.code, *(getattr(c, k) for k in self.compare))
                                    .where(c.school_id == self.school.id))
        out: dict[Any, dict[str, Any]] = {}
        for r in rows:
            row = r._asdict()
            out.setdefault(("title", r.title.casefold(), r.provider_id), row)
            if r.code:
                out[("code", r.code.casefold())] = row
        return out

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, "code": None, "provider_id": None, "format": "face_to_face",
                "subject": None, "subject_specific": True, "days": 1.0, "fee": Decimal("0.00"),
                "bursary_scheme_id": None, "active": True, **record, **self.versioned()}


# -- budget lines ---------------------------------------------------------------------------------------------
def _financial_year(field: str) -> cells.Parser:
    from ..services.budget import parse_financial_year

    return cells.memo(lambda raw: parse_financial_year(raw, field=field).start_year)


def _budget_amount(field: str) -> cells.Parser:
    def parse(raw: Any) -> Decimal:
        value: Decimal | None = cells.money(field)(raw)
        if value is None or value < 0:
            raise ValidationError(field, f"{raw} is not an amount of money a budget can hold.",
                                  hint="Write the line's budget in pounds, e.g. 3000 or £3,000.00.")
        return value

    return cells.memo(parse)


class BudgetImporter(_Importer):
    model = BudgetLine
    compare = ("name", "department_id", "amount")
    parsers = {
        "financial_year": _financial_year,
        "name": lambda f: cells.text(f, 200),
        "budget_code": lambda f: cells.text(f, 40),
        "department": lambda f: cells.text(f, 100),
        "amount": _budget_amount,
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen: dict[Any, int] = {}
        self.departments = {name.casefold(): (ident, name) for ident, name in self.session.execute(
            select(Department.id, Department.name).where(Department.school_id == self.school.id))}

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        record: dict[str, Any] = {k: values[k] for k in ("financial_year", "name", "budget_code", "amount")
                                  if k in values}
        name = values.get("department")
        if name is not None:
            found = self.departments.get(name.casefold())
            if found is None:
                known = ", ".join(sorted(n for _i, n in self.departments.values())) or "none yet"
                errors.append(ValidationError(self.header("department"), f"There is no department called {name}.",
                                              hint=f"Use a department from Settings ({known}) or leave it blank.",
                                              row=rowno))
            record["department_id"] = found[0] if found else None
        else:
            record["department_id"] = None
        if errors:
            return None
        _duplicate(self.seen, self.match_key(record), rowno, self.header("budget_code"),
                   f"Budget code {record['budget_code']} in the same financial year")
        return record

    def resolve_names(self) -> None:
        return None

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["financial_year"], record["budget_code"].casefold())

    def existing(self) -> dict[Any, dict[str, Any]]:
        b = BudgetLine
        rows = self.session.execute(select(b.id, b.financial_year, b.budget_code, b.name, b.department_id, b.amount)
                                    .where(b.school_id == self.school.id))
        return {(r.financial_year, r.budget_code.casefold()): r._asdict() for r in rows}

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, **record, **self.versioned()}


# -- department indicators ------------------------------------------------------------------------------------
class IndicatorImporter(_Importer):
    model = Indicator
    compare = ("value", "unit")
    parsers = {
        "year": lambda f: cells.text(f, 20),
        "name": lambda f: cells.text(f, 200),
        "value": cells.decimal,
        "unit": lambda f: cells.text(f, 20),
        "group": lambda f: cells.text(f, 100),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen: dict[Any, int] = {}

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        from ..services.years import parse_academic_year

        record: dict[str, Any] = {"name": values.get("name"), "unit": values.get("unit", ""),
                                  "pupil_group": values.get("group", "")}
        if "year" in values:
            try:
                record["academic_year"] = parse_academic_year(values["year"], self.school.academic_year_start_month,
                                                              field=self.header("year")).start_year
            except ValidationError as exc:
                errors.append(_at(exc, rowno))
        value = values.get("value")
        if value is not None and abs(value) >= Decimal("10000000000"):
            errors.append(ValidationError(self.header("value"), f"{value} is too large for an indicator.",
                                          hint="Write the figure itself, e.g. 64 for 64%.", row=rowno))
        record["value"] = value
        if errors or record["name"] is None or value is None:
            return None
        _duplicate(self.seen, self.match_key(record), rowno, self.header("name"),
                   f"{record['name']} for the same year and group")
        return record

    def resolve_names(self) -> None:
        return None

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["academic_year"], record["name"].casefold(), record["pupil_group"].casefold())

    def existing(self) -> dict[Any, dict[str, Any]]:
        i = Indicator
        rows = self.session.execute(select(i.id, i.academic_year, i.name, i.pupil_group, i.value, i.unit)
                                    .where(i.school_id == self.school.id))
        return {(r.academic_year, r.name.casefold(), r.pupil_group.casefold()): r._asdict() for r in rows}

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, **record, **self.versioned()}


IMPORTERS: dict[str, type[_Importer]] = {
    "staff": StaffImporter, "activities": ActivityImporter, "bookings": BookingImporter,
    "timetable": TimetableImporter, "courses": CourseImporter, "budget": BudgetImporter,
    "indicators": IndicatorImporter,
}


# -- batches and undo ---------------------------------------------------------------------------------------
def list_batches(session: Session, school: School, *, limit: int | None = 50) -> list[ImportBatch]:
    stmt = (select(ImportBatch).where(ImportBatch.school_id == school.id)
            .order_by(ImportBatch.at.desc(), ImportBatch.id.desc()))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


TABLES = {"staff": Staff, "activities": Activity, "bookings": Booking, "timetable": TimetableLesson,
          "courses": Course, "budget": BudgetLine, "indicators": Indicator}


@dataclass
class UndoResult:
    batch_id: int
    kind: str
    file_name: str
    removed: int
    restored: int


def undo_import(session: Session, batch_id: int, school: School | None = None) -> UndoResult:
    """Take a whole import back out: delete what it added and put back what it changed.

    Refused, with what to do, when records it added or changed have been changed since, or when
    other records now depend on what it added (CPD recorded for imported staff).
    """
    batch = session.get(ImportBatch, batch_id)
    if batch is None or (school is not None and batch.school_id != school.id):
        raise NotFoundError(f"There is no import number {batch_id}.",
                            hint="List the imports with 'cpd-desktop import history'.")
    if batch.undone:
        raise CpdError(f"Import {batch_id} ({batch.file_name}) has already been undone.")
    model = TABLES[batch.kind]
    table: Any = model.__table__
    # Every record the import added or changed, locked until the undo commits, checked against the
    # version the import left it at: a colleague's save since then is never lost.
    created_versions = dict(session.execute(_locked(session, select(table.c.id, table.c.version)
                                                    .where(table.c.import_batch_id == batch.id))).all())
    created = list(created_versions)
    changed = [rid for rid, version in created_versions.items() if version != 1]
    previous: dict[str, Any] = json.loads(batch.previous_values)["updated"] if batch.previous_values else {}
    if previous:
        seen = _versions(session, table, [int(k) for k in previous], lock=True)
        gone = [k for k in previous if int(k) not in seen]
        if gone:
            raise CpdError(f"{len(gone)} records that import {batch_id} changed have since been deleted; "
                           "it cannot be undone.")
        changed += [int(k) for k, p in previous.items() if seen[int(k)][0] != p["version"]]
    if changed:
        raise _changed_since(session, model, changed,
                             f"Import {batch_id} ({batch.file_name}) was not undone, so their changes are kept",
                             "Change them back or delete them by hand instead.")
    if batch.kind == "staff" and created:
        used = 0
        for other in (Activity, Booking, TimetableLesson):
            used += session.scalar(select(func.count()).select_from(other)
                                   .where(other.staff_id.in_(created))) or 0
        if used:
            raise CpdError(f"{used} CPD records, bookings or lessons now belong to staff added by import "
                           f"{batch_id}, so it cannot be undone.",
                           hint="Undo the imports that added those records first.")
    removed = 0
    for start in range(0, len(created), 500):
        ids = created[start:start + 500]
        removed += session.execute(delete(table).where(table.c.id.in_(ids), table.c.version == 1)  # type: ignore[attr-defined]
                                   ).rowcount or 0
    if removed != len(created):
        raise _changed_since(session, model, created, f"Import {batch_id} ({batch.file_name}) was not undone",
                             "Change them back or delete them by hand instead.")
    now, user = utcnow(), audit.session_user(session)
    for key, p in previous.items():
        values = {k: _typed(table.c[k], val) for k, val in p["values"].items()}
        done = session.execute(update(table).where(table.c.id == int(key), table.c.version == p["version"])
                               .values(version=table.c.version + 1, updated_at=now, updated_by=user, **values))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise _changed_since(session, model, [int(key)], f"Import {batch_id} ({batch.file_name}) was not undone",
                                 "Change them back or delete them by hand instead.")
    _remove_unused_lookups(session, batch)
    batch.undone = True
    audit.record(session, school_id=batch.school_id, action="undo-import", table_name=table.name,
                 summary=f"Undid import {batch.id} of {batch.file_name}: {removed} removed, {len(previous)} restored",
                 batch_id=batch.id)
    session.flush()
    return UndoResult(batch_id=batch.id, kind=batch.kind, file_name=batch.file_name, removed=removed,
                      restored=len(previous))


def _locked(session: Session, stmt: Any) -> Any:
    """``stmt`` with FOR UPDATE on a server (SQLite has none: its writer holds the whole file)."""
    return stmt.with_for_update() if session.get_bind().dialect.name != "sqlite" else stmt


def _versions(session: Session, table: Any, ids: list[int], *, lock: bool = False) -> dict[int, tuple[int, dict[str, Any]]]:
    """id -> (version, the row's values) of the rows that still exist, locked with ``lock`` on a server."""
    out: dict[int, tuple[int, dict[str, Any]]] = {}
    for start in range(0, len(ids), 500):
        stmt = select(table).where(table.c.id.in_(ids[start:start + 500]))
        for row in session.execute(_locked(session, stmt) if lock else stmt).mappings():
            out[row["id"]] = (row["version"], dict(row))
    return out


def _changed_since(session: Session, model: Any, ids: list[int], refused: str, hint: str, *,
                   since: str = "since it was imported") -> ConcurrentEditError:
    """The refusal of a bulk write over records somebody changed since: which records, who, when."""
    rows = list(session.scalars(select(model).where(model.id.in_(ids[:500])).order_by(model.id)))
    named = [f"{audit.describe(r)} (changed by {r.updated_by or 'somebody else'} at {_local(r.updated_at)})"
             for r in rows[:5]]
    more = f", and {len(ids) - 5} more" if len(ids) > 5 else ""
    gone = "" if rows else f"{len(ids)} records were deleted"
    first = rows[0] if rows else None
    record = "record has" if len(ids) == 1 else "records have"
    return ConcurrentEditError(
        f"{refused}: {len(ids)} {record} been changed {since}: "
        f"{'; '.join(named) or gone}{more}.", hint=hint,
        changed_by=(first.updated_by or "") if first is not None else "",
        changed_at=_local(first.updated_at) if first is not None else "")


def _typed(column: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if column.type.python_type is Decimal and isinstance(value, str):
        return Decimal(value)
    return value


def _remove_unused_lookups(session: Session, batch: ImportBatch) -> None:
    """Providers and departments the import added, if nothing uses them any more."""
    made = session.execute(select(AuditEntry.table_name, AuditEntry.record_id).where(
        AuditEntry.batch_id == batch.id, AuditEntry.action == "create",
        AuditEntry.table_name.in_(("provider", "department")))).all()
    users: dict[str, Iterable[Any]] = {
        "provider": (Activity.provider_id, Booking.provider_id, Course.provider_id),
        "department": (Staff.department_id,),
    }
    for table_name, record_id in made:
        if record_id is None:
            continue
        if any(session.scalar(select(func.count()).where(col == record_id)) for col in users[table_name]):
            continue
        model = Provider if table_name == "provider" else Department
        session.execute(delete(model).where(model.id == record_id))
