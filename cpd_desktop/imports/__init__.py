"""Bringing staff, timetables, bookings, courses and CPD history in from the school's MIS and spreadsheets.

Qt-free: the command line, the import wizard's worker and the tests all call ``run_import``.

Reading:
- ``readers``: CSV (UTF-8 with or without BOM, UTF-16, else Windows-1252; comma, semicolon or tab) and
  .xlsx, read a piece at a time within stated limits (rows, cells, line length, unpacked size).
- ``fields``: what each kind reads, and the header synonyms that find it in a file.
- ``source``: a file opened for one kind: its header row found and its columns matched to fields.
- ``cells``: one cell to one typed value, by the services' own validation rules.

Checking and writing:
- ``engine``: checking every row, matching existing records, writing in one savepoint (a SQLite fast path).
- ``people``: who a row is about (staff code, email or name); ``names``: providers, departments,
  priorities and programmes by name.
- ``kinds``: one importer a kind of file; ``api``: ``run_import``, which runs a kind's importer.
- ``batches``: import history and undo; ``conflicts``: refusing to write over a colleague's change.
"""

from .api import run_import
from .batches import UndoResult, list_batches, undo_import
from .engine import ImportCancelled, ImportResult
from .fields import KINDS, Field, Kind, get_kind, guess_mapping, normalise
from .readers import Table, read_table
from .source import Source, open_source

__all__ = [
    "KINDS", "Field", "ImportCancelled", "ImportResult", "Kind", "Source", "Table", "UndoResult", "get_kind",
    "guess_mapping", "list_batches", "normalise", "open_source", "read_table", "run_import", "undo_import",
]
