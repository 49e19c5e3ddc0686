"""SQLAlchemy mappings of the school's CPD record, one module per aggregate. No Qt here."""

from .access import SchoolAccess
from .activity import Activity
from .audit import AuditEntry, ImportBatch
from .base import Base, Hours, Money
from .booking import Booking, CoverLesson
from .budget import BudgetLine
from .bursary import BursaryClaim, BursaryScheme
from .catalogue import Course, Provider
from .impact import EvaluationStage, Indicator, Objective, Priority, Programme
from .school import Department, NonTeachingDay, School, SchoolPeriod, TermDates
from .staff import Staff
from .timetable import TimetableLesson

__all__ = [
    "Activity", "AuditEntry", "Base", "Booking", "BudgetLine", "BursaryClaim", "BursaryScheme", "Course", "CoverLesson",
    "Department", "EvaluationStage", "Hours", "ImportBatch", "Indicator", "Money", "NonTeachingDay", "Objective", "Priority", "Programme", "Provider", "School", "SchoolAccess",
    "SchoolPeriod", "Staff", "TermDates", "TimetableLesson",
]
