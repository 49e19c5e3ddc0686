"""One importer a kind of file: which fields it reads, a row's own rules, how it matches, what it writes.

The engine (``..engine``) does what all kinds share; ``IMPORTERS`` is how ``run_import`` and undo find a
kind's importer (and its table) from the kind's key.
"""

from __future__ import annotations

from ..engine import Importer
from .activities import ActivityImporter
from .bookings import BookingImporter
from .budget import BudgetImporter
from .courses import CourseImporter
from .indicators import IndicatorImporter
from .staff import StaffImporter
from .timetable import TimetableImporter

IMPORTERS: dict[str, type[Importer]] = {
    "staff": StaffImporter, "activities": ActivityImporter, "bookings": BookingImporter,
    "timetable": TimetableImporter, "courses": CourseImporter, "budget": BudgetImporter,
    "indicators": IndicatorImporter,
}

__all__ = [
    "IMPORTERS", "ActivityImporter", "BookingImporter", "BudgetImporter", "CourseImporter", "IndicatorImporter",
    "StaffImporter", "TimetableImporter",
]
