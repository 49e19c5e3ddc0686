"""The dashboard's figures read at a start without the database layer, when no first look was kept.

The first start of a day (or the first after anybody saved) has no first look (``cpd_desktop.firstlook``)
to show. Loading SQLAlchemy and the models to add the figures up costs about half a second; reading them
costs a few tens of milliseconds. So, once the window has opened a database, it keeps the dashboard's
statements compiled for SQLite (``services.compiled.refresh_dashboard_cache``), and at the next start
``read_look`` runs them with sqlite3 (``storage.fastread``), read-only, and makes of their rows what the
first look keeps: the school, the schools, years and departments the choosers offer, and the dashboard's
face, through the same code as the usual path (``services.dashboard_figures``). The window shows it while
the database layer loads behind it, then the live dashboard replaces it.

Anything the cache cannot vouch for gives None, and the start is the usual one: no current cache, a URL,
a file ``fastread.open_reader`` will not open (another schema revision, a crashed copy's lock, a damage
note), a file another copy of the app holds, several schools and no ``--school`` (the person is asked), a
``--school`` that names none, or any SQLite error. The file's quick_check is not waited for: the usual open
right behind checks it, as it does behind a first look.

Standard library only (and the core's own helpers that are): nothing here loads SQLAlchemy, the models or Qt.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from .firstlook import read_marker
from .services.calendar import current_academic_year
from .services.dashboard_figures import (
    CACHE_NAME,
    CACHED,
    Run,
    chosen_school,
    dashboard_data,
    dashboard_face,
    school_facts,
    years_offered,
)
from .services.hours_figures import float_hours
from .storage import fastread
from .storage.locking import lock_path_for, read_lock


def start_look(run: Run, school_option: str | None, today: dt.date, *, marker: int | None,
               value: Any = float_hours) -> dict[str, Any] | None:
    """The look a start shows (the dict ``ui.first_look.keep_first_look`` keeps) from the statements ``run``
    runs; None if the start must ask which school, or cannot find the one named."""
    schools = [(int(ident), str(name)) for ident, name in run("schools", {})]
    school_id = chosen_school(schools, school_option)
    if school_id is None:
        return None
    school = school_facts(run, school_id)
    if school is None:
        return None
    year = current_academic_year(school, today)
    first = run("first_activity", {"school_id": school.id})
    years = years_offered(first[0][0] if first else None, year, today, school.academic_year_start_month)
    departments = [str(name) for (name,) in run("departments", {"school_id": school.id})]
    data = dashboard_data(run, school, year, None, today, marker=marker, value=value)
    return {"school_id": school.id, "school_name": school.name, "is_demo": school.is_demo,
            "schools": [[ident, name] for ident, name in schools], "years": [y.label for y in years],
            "departments": departments, "dashboard": dashboard_face(data)}


def held_elsewhere(path: Path) -> bool:
    """Whether a lock beside the file names another holder than this process (another copy of the app, a
    command, a crashed copy) or cannot be read: the usual open then says what to do."""
    if not lock_path_for(path).exists():
        return False
    holder = read_lock(path)
    return holder is None or holder.pid != os.getpid() or not holder.on_this_computer


def read_look(db_path: str | Path, school_option: str | None, today: dt.date) -> dict[str, Any] | None:
    """The dashboard's figures and the start's choosers for ``db_path`` on ``today``, read through the
    compiled-query cache with sqlite3; None wherever the usual path must do it (see the module)."""
    statements = fastread.load(CACHE_NAME, set(CACHED))
    if statements is None:
        return None
    target = str(db_path)
    if "://" in target or target.startswith("sqlite:"):
        return None
    path = Path(target).expanduser().absolute()
    if held_elsewhere(path):
        return None
    marker = read_marker(path)  # before anything is read, as load_dashboard: a save meanwhile makes it stale
    reader = fastread.open_reader(target, check=False)
    if reader is None:
        return None

    def run(name: str, params: Any) -> Any:
        return reader.run(statements[name], params)

    try:
        return start_look(run, school_option, today, marker=marker)
    except fastread.Unavailable:
        return None
    finally:
        reader.close()
