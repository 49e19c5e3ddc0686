"""Names a file gives for entries of the school's own lists, turned into their ids as the batch is written.

Providers (activities, bookings, courses), departments (staff), and the priority and programme an
activity or booking serves. A name the school's list does not have yet is added to it, once however
many rows give it. New providers and departments are made in the import's batch, so undoing the
import takes them back out when nothing else uses them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..services.catalogue import provider_id
from ..services.schools import get_or_create_department
from . import cells
from .engine import Importer


def confidence(field: str) -> cells.Parser:
    """A person's confidence, 1 to 5, as the impact columns and the evaluation stages hold it."""
    return cells.whole_number(field, 1, 5, "a confidence from 1 to 5")


# The impact columns activities and bookings share: the priority served and the confidence before.
IMPACT_PARSERS: dict[str, Callable[[str], cells.Parser]] = {
    "confidence_before": confidence,
    "priority": lambda f: cells.text(f, 200),
}


def resolve_providers(importer: Importer) -> None:
    """Provider names → ids (adding new providers to the school's list)."""
    cache: dict[str, int] = {}
    ids: dict[str, int | None] = {}
    for _rowno, record in importer.records:
        name = record.pop("provider", None)
        if name is not None:
            found = ids.get(name)
            if found is None:
                found = ids[name] = provider_id(importer.session, importer.school, name, cache)
            record["provider_id"] = found


def resolve_impact_names(importer: Importer, date_key: str) -> None:
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


def resolve_departments(importer: Importer) -> None:
    """Department names → ids (adding new departments to the school's list)."""
    cache: dict[str, int | None] = {}
    for _rowno, record in importer.records:
        name = record.pop("department", None)
        if name is None:
            continue
        key = name.lower()
        if key not in cache:
            dept = get_or_create_department(importer.session, importer.school, name)
            cache[key] = dept.id if dept else None
        record["department_id"] = cache[key]
