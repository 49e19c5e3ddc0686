"""``run_import``: the one call the command line, the import wizard's worker and the tests make.

    result = run_import(session, school, "activities", "history.csv")

It opens the file (unless the wizard hands over the source it already read), finds the kind's importer
in ``kinds`` and runs it through the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..models import School
from . import engine
from .engine import ImportResult, Progress
from .kinds import IMPORTERS
from .source import Source, open_source


def run_import(session: Session, school: School, kind: str, path: str | Path, *, sheet: str | None = None,
               mapping: dict[str, Any] | None = None, header_row: int | None = None, skip_invalid: bool = False,
               dry_run: bool = False, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None, source: Source | None = None) -> ImportResult:
    """Import a file of ``kind`` (staff, activities, bookings, timetable, courses, budget, indicators)
    into ``school``.

    All or nothing: the work happens in a savepoint of the caller's transaction, and is rolled back
    on any error, on cancel, or when ``dry_run`` only asks what would happen. Bad rows are returned
    in ``result.errors``; unless ``skip_invalid``, a file with any bad row writes nothing.
    """
    with engine.gc_held_back():
        # A file read here is ours: its cells can go once parsed. The wizard's source is kept for its pages.
        owned = source is None
        source = source or open_source(path, kind, sheet=sheet, header_row=header_row, mapping=mapping)
        return engine.run(IMPORTERS[source.kind.key], session, school, source, owned=owned,
                          skip_invalid=skip_invalid, dry_run=dry_run, progress=progress, cancelled=cancelled)
