"""Bringing staff, timetables, bookings, courses and CPD history in from the school's MIS and spreadsheets.

Qt-free: the command line, the import wizard's worker and the tests all call ``run_import``.

- ``readers``: CSV (UTF-8 with or without BOM, UTF-16, else Windows-1252; comma, semicolon or tab) and
  .xlsx, read a piece at a time within stated limits (rows, cells, line length, unpacked size).
- ``fields``: what each kind reads, and the header synonyms that find it in a file.
- ``cells``: one cell to one typed value, by the services' own validation rules.
- ``runner``: checking every row, matching existing records, writing in one transaction, undo.
"""

from .fields import KINDS, Field, Kind, get_kind, guess_mapping, normalise
from .readers import Table, read_table
from .runner import (
    ImportCancelled,
    ImportResult,
    Source,
    UndoResult,
    list_batches,
    open_source,
    run_import,
    undo_import,
)

__all__ = [
    "KINDS", "Field", "ImportCancelled", "ImportResult", "Kind", "Source", "Table", "UndoResult", "get_kind",
    "guess_mapping", "list_batches", "normalise", "open_source", "read_table", "run_import", "undo_import",
]
