"""Exports: the PDFs and workbooks that cover managers, governors and finance use as they are.

No Qt, and no openpyxl or reportlab until an export is written (they load inside the writers),
so importing this package costs the app's start-up nothing.

Kinds and formats (``KINDS``)::

    summary       pdf, xlsx   department CPD summary for a year (optionally one department)
    activities    pdf, xlsx   the CPD log: every activity of a year, by person (the workbook re-imports)
    claims        pdf, xlsx   bursary claims with cost heads, money, status and dates; totals
    cover         pdf, xlsx   the release-cover sheet of one booking: a page per day away
    staff-record  pdf         one person's record: everything held about them, audit entries included
    absences      xlsx, csv   every lesson to cover (reason code CPD), to key into the MIS

The API, for the CLI and for the app (call it from a worker thread, never the UI thread)::

    from cpd_desktop.exports import run_export, preview, check_options, ExportCancelled

    info = preview(db, school_id, "summary", year="2025/26", department="Science")
    # info.title, info.figures [("People", "22"), ...], info.items (rows, or pages for a cover sheet)

    path = run_export(db, school_id, "summary", "pdf", "summary.pdf", year="2025/26",
                      department=None, booking_id=None, staff_code=None,
                      progress=lambda done, total: ...,   # called from the worker thread
                      cancelled=lambda: stop_requested)   # True stops the export

- ``year`` is an ``AcademicYear`` or text such as "2025/26"; None means the current academic year
  (and, for ``staff-record``, all years). ``department`` limits summary, activities and absences.
- ``claims`` may instead cover ``financial_year="2026-27"`` (the school's, as set in Settings) or
  ``month="12/2026"``; ``claim_periods(db, school_id)`` lists the choices the window offers.
- ``cover`` needs ``booking_id``; ``staff-record`` needs ``staff_code``. ``check_options(kind, fmt, …)``
  raises ``ExportOptionError`` (a ``CpdError``) for a combination that does not exist.
- Every problem a person can fix (no such department, booking or person, a folder that does not
  exist, the file open in Excel, text too long for an Excel cell) is a ``CpdError`` with a message.
- Cancelling raises ``ExportCancelled`` (a ``CpdError``). Whether cancelled or failed, no partial
  file is left and an existing file of that name is untouched: files are written beside the target
  and renamed into place.
- ``suggested_filename(db, school_id, kind, fmt, …)`` suggests a name for a Save dialog (a cover sheet:
  the person and the day); ``default_filename(kind, fmt, year=…)`` does it without the database.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import (
        KINDS,
        ExportKind,
        ExportOptionError,
        ExportPreview,
        check_options,
        claim_periods,
        default_filename,
        preview,
        run_export,
        suggested_filename,
    )
    from .safety import ExportCancelled

__all__ = [
    "KINDS", "ExportCancelled", "ExportKind", "ExportOptionError", "ExportPreview", "check_options",
    "claim_periods", "default_filename", "preview", "run_export", "suggested_filename",
]

# The API loads when first asked for: ``exports.safety`` (the CSV writer every command's CSV uses) must
# not bring the database layer that ``api`` imports.
_HOME = {name: ".safety" if name == "ExportCancelled" else ".api" for name in __all__}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name], __name__), name)
    globals()[name] = value
    return value
