"""The import engine: check every row of a file, then write it all or nothing.

Every row is checked before anything is written. If any row is bad, nothing is written and the
result lists each problem with its file row number (unless ``skip_invalid`` asks for the good rows
alone). Records are matched against what is already there, so importing the same file twice adds
nothing the second time. New records go in with bulk INSERTs (no ORM objects, no per-row flush; on
SQLite straight to the driver), so the batch writes its own audit entry and ``ImportBatch``.

``Importer`` is the part every kind shares; ``kinds/`` says, per kind, which fields it reads, the
cross-field rules of a row, how a row matches an existing record and what a new record holds.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from ..errors import CpdError, ValidationError
from ..models import School
from ..models.audit import ImportBatch
from ..models.base import utcnow
from ..services import audit
from ..services.bulk import SqliteRows
from . import cells
from .conflicts import changed_since, current_versions
from .fields import missing_columns
from .source import Source

Progress = Callable[[int, int, str], None]
Update = tuple[int, dict[str, Any], dict[str, Any]]  # record id, new values, the record as it was
CHUNK = 5000


class ImportCancelled(CpdError):
    """The person stopped the import; the transaction is rolled back and nothing is written."""

    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing was written.")


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


@contextmanager
def gc_held_back() -> Iterator[None]:
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


def run(importer: type[Importer], session: Session, school: School, source: Source, *, owned: bool,
        skip_invalid: bool, dry_run: bool, progress: Progress | None,
        cancelled: Callable[[], bool] | None) -> ImportResult:
    """Check the rows of ``source`` and write them in a savepoint of the caller's transaction.

    ``owned``: the source was opened for this run alone, so its cells can go once parsed (the wizard's
    source is kept for its pages).
    """
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
    rows = importer(session, school, source, result, progress, cancelled)
    rows.release_cells = owned
    rows.check_rows()
    if result.errors:
        if not skip_invalid:
            return result
        result.skipped = result.bad_rows
    with session.begin_nested() as savepoint:
        rows.write()
        if dry_run:
            savepoint.rollback()
            result.batch_id = None
        else:
            result.written = True
    return result


def _noop_progress(done: int, total: int, stage: str) -> None:
    return None


class Importer:
    """Checks rows of one kind and writes them. Subclasses say which fields, how to match, what to write."""

    model: type[Any]
    noun: str  # what the audit trail calls the records: "Imported CPD activities from history.csv: …"
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
        self.seen: dict[Any, int] = {}  # match key -> the first row that has it, to refuse a repeat
        self.columns = [(key, col, source.header_of(key), self.parsers[key](source.header_of(key)),
                         source.kind.field(key).required)
                        for key, col in source.mapping.items() if key in self.parsers]

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
                    row_errors.append(on_row(value.exc, rowno))
                else:
                    values[key] = value
            record = None
            try:
                record = finish(rowno, values, row_errors)
            except ValidationError as exc:
                row_errors.append(on_row(exc, rowno))
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

    @cached_property
    def _hours(self) -> Callable[[Any, int], Decimal]:
        return cells.hours(self.header("hours"))

    def check_hours(self, values: dict[str, Any], days: int, rowno: int, errors: list[ValidationError]) -> None:
        """The row's hours (read ``as_written``) checked against the ``days`` the record spans: more than 0,
        at most 24 a day."""
        try:
            values["hours"] = self._hours(values["hours"], days)
        except ValidationError as exc:
            errors.append(on_row(exc, rowno))

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
                     summary=f"Imported {self.noun} from {self.result.file_name}: {self.result.counts}",
                     changes={"file": self.result.file_name, "kind": self.source.kind.key,
                              "new": self.result.new, "updated": self.result.updated,
                              "unchanged": self.result.unchanged, "skipped": self.result.skipped,
                              "encoding": self.result.encoding},
                     batch_id=batch.id)
        self.session.flush()

    def resolve_names(self) -> None:
        """Turn names in the records (providers, departments, priorities) into ids, adding those that are new."""
        return None

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
        sqlite = SqliteRows(self.model.__table__) if connection.dialect.name == "sqlite" else None
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
        seen = current_versions(self.session, table, [u[0] for u in updates], lock=True)
        changed = [rid for rid, changes, old in updates
                   if rid not in seen or any(seen[rid][1].get(k) != old[k] for k in changes)]
        if changed:
            raise changed_since(self.session, self.model, changed,
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
                raise changed_since(self.session, self.model, [p["b_id"] for p in params],
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


def as_written(field: str) -> cells.Parser:
    """A column's parser that keeps the cell as the file wrote it, for ``finish`` to check against the rest
    of the row (hours against the days they span)."""
    return _as_written


def _as_written(raw: Any) -> Any:
    return raw


def on_row(exc: ValidationError, rowno: int) -> ValidationError:
    """A cell's or a rule's refusal, placed on the file's row."""
    return ValidationError(exc.field, exc.message, hint=exc.hint, row=rowno)


def refuse_repeat(seen: dict[Any, int], key: Any, rowno: int, field_name: Callable[[], str] | str,
                  what: Callable[[], str] | str) -> None:
    """Refuse a row whose match key an earlier row of the file already has (messages made only then)."""
    first = seen.setdefault(key, rowno)
    if first != rowno:
        field_name = field_name() if callable(field_name) else field_name
        what = what() if callable(what) else what
        raise ValidationError(field_name, f"{what} is also on row {first}.",
                              hint="Each appears once in a file: remove or merge the repeated row.")
