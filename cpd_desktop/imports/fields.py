"""What each kind of import reads, and how the file's own column headers are matched to it.

Headers are compared case-, space- and punctuation-insensitively ("Subject-specific?" is
"subjectspecific"), through synonyms in order of preference: where a SIMS export has both a
"Preferred Forename" and a "Legal Forename", the preferred one is used.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CpdError
from ..models.enums import STANDARD_PARTS

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # as the wizard shows it
    synonyms: tuple[str, ...]
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    fields: tuple[Field, ...]
    # The fields that say who a row is about (one of them must be in the file); empty for staff and courses.
    staff_fields: tuple[str, ...] = ()
    help: str = ""

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


def normalise(header: Any) -> str:
    """'Subject-specific?' → 'subjectspecific'; 'Chloë' → 'chloe'. Blank for a blank cell."""
    if header is None:
        return ""
    text = unicodedata.normalize("NFKD", str(header).casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(ch for ch in text if not unicodedata.combining(ch)))


# Fields that identify a member of staff in activities, bookings and timetables.
STAFF_CODE = Field("staff_code", "Staff code", ("Staff Code", "Code", "Initials", "Teacher Code", "Staff Initials",
                                                 "Teacher Initials", "Short Name", "Teacher Short Name"))
EMAIL = Field("email", "Email", ("Email", "Work Email", "Email Address", "School Email", "E-mail",
                                  "Work Email Address"))
FORENAME = Field("forename", "Forename", ("Preferred Forename", "Forename", "First Name", "Given Name",
                                          "Legal Forename", "Firstname", "Christian Name"))
SURNAME = Field("surname", "Surname", ("Surname", "Preferred Surname", "Legal Surname", "Last Name",
                                       "Family Name", "Lastname"))
STAFF_NAME = Field("staff_name", "Staff name", ("Staff", "Name", "Teacher", "Staff Name", "Teacher Name",
                                                "Full Name", "Member of Staff", "Staff Member", "Employee"),
                   help="'Forename Surname' or 'Surname, Forename'")
WHO = (STAFF_CODE, EMAIL, STAFF_NAME, FORENAME, SURNAME)
WHO_KEYS = tuple(f.key for f in WHO)

PROVIDER = Field("provider", "Provider", ("Provider", "Organisation", "Organization", "Delivered By",
                                          "Provided By", "Course Provider", "Trainer"))
FORMAT = Field("format", "Format", ("Format", "Type", "Mode", "Activity Type", "CPD Type", "Delivery",
                                    "Delivery Mode"))
SUBJECT_SPECIFIC = Field("subject_specific", "Subject-specific", ("Subject Specific", "Subject-specific?",
                                                                  "Subject Specific CPD", "Subject CPD"))


def _standard_synonyms(number: int, key: str) -> tuple[str, ...]:
    label = STANDARD_PARTS[key]
    words = label.split(". ", 1)[1]
    short = key.removeprefix("std_").replace("_", " ")
    return (label, words, f"Standard {number}", f"Std {number}", f"DfE Standard {number}", f"DfE {number}",
            f"Part {number}", f"Standard part {number}", f"S{number}", f"Standard {number} {words}",
            f"Std {short}", f"Standard {short}")


STANDARD_FIELDS = tuple(
    Field(key, f"DfE Standard {n}", _standard_synonyms(n, key), help=STANDARD_PARTS[key])
    for n, key in enumerate(STANDARD_PARTS, start=1)
)

STAFF = Kind("staff", "Staff list", (
    Field("surname", "Surname", SURNAME.synonyms, required=True),
    Field("forename", "Forename", FORENAME.synonyms, required=True),
    Field("staff_code", "Staff code", STAFF_CODE.synonyms, required=True),
    EMAIL,
    Field("department", "Department", ("Department", "Dept", "Faculty", "Subject Area", "Department Name")),
    Field("role", "Role", ("Role", "Post", "Job Title", "Position", "Job Role", "Staff Role")),
    Field("fte", "FTE", ("FTE", "Contract FTE", "Full-time Equivalent", "Full Time Equivalent", "FTE %"),
          help="0.8 or 80%"),
    Field("start_date", "Start date", ("Start Date", "Employment Start", "Date of Arrival", "Employment Start Date",
                                       "Contract Start", "Date Started")),
    Field("leaving_date", "Leaving date", ("Leaving Date", "Date of Leaving", "Employment End",
                                           "Employment End Date", "End Date", "Left")),
    Field("ect_year", "ECT year", ("ECT", "ECT Year", "Induction", "ECT Status", "NQT"),
          help="blank, No, Yes, 1, 2, Y1 or Y2"),
), help="Staff are matched by staff code, else by email: importing the list again updates them.")

PRIORITY = Field("priority", "Priority", ("Priority", "School Priority", "Department Priority"),
                 help="the school or department priority it serves (a new name is added for that year)")

ACTIVITIES = Kind("activities", "CPD activities (history)", (
    *WHO,
    Field("date", "Date", ("Date", "Date Attended", "Activity Date", "Start Date", "Course Date", "From",
                           "Date From"), required=True),
    Field("end_date", "End date", ("End Date", "To", "Date To", "Finish Date", "Until")),
    Field("title", "Title", ("Title", "Activity", "Course", "Course Title", "Description", "Course Name",
                             "Activity Title", "Event", "CPD Activity"), required=True),
    PROVIDER,
    Field("hours", "Hours", ("Hours", "CPD Hours", "Duration (hours)", "Duration", "Hours Attended",
                             "Number of Hours", "No of Hours", "Time (hours)"), required=True),
    FORMAT,
    SUBJECT_SPECIFIC,
    Field("standards", "DfE Standard parts", ("DfE Standard parts", "Standard parts", "DfE Standard",
                                              "DfE Standards", "Standards", "Standards met", "DfE parts"),
          help="the parts met, e.g. '1, 3, 5', 'All' or blank"),
    *STANDARD_FIELDS,
    Field("cost", "Cost", ("Cost", "Fee", "Course Fee", "Price", "Total Cost", "Cost (£)", "Fee (£)")),
    Field("status", "Status", ("Status", "Activity Status")),
    Field("intended_outcomes", "Intended outcomes", ("Intended outcomes", "Intended outcome", "Objectives",
                                                     "Aims", "Expected outcomes")),
    Field("evaluated_on", "Evaluated on", ("Evaluated on", "Evaluation Date", "Date Evaluated", "Evaluated")),
    Field("impact", "Impact", ("Impact", "Impact on Teaching", "Evaluation", "Impact Evaluation")),
    Field("impact_confidence", "Confidence (1–5)", ("Confidence", "Impact Confidence", "Teacher Confidence",
                                                    "Confidence (1-5)", "Confidence after",
                                                    "Confidence after (1-5)")),
    Field("confidence_before", "Confidence before (1–5)", ("Confidence before", "Confidence before (1-5)")),
    Field("confidence_later", "Confidence later (1–5)", ("Confidence later", "Confidence later (1-5)"),
          help="asked a term or so after: saved on the activity's For pupils stage"),
    PRIORITY,
    Field("programme", "Programme", ("Programme", "Program", "Programme Name")),
    Field("pupil_outcomes", "Pupil outcomes", ("Pupil outcomes", "Impact on pupils", "Student outcomes")),
    Field("follow_up_actions", "Follow-up actions", ("Follow-up actions", "Follow up", "Next steps",
                                                     "Follow-up")),
), staff_fields=WHO_KEYS,
   help="Activities are matched on staff, date and title: importing the same file again changes nothing.")

BOOKINGS = Kind("bookings", "Bookings (planned courses)", (
    *WHO,
    Field("title", "Course title", ("Course Title", "Title", "Course", "Course Name", "Activity", "Event"),
          required=True),
    PROVIDER,
    Field("start_date", "Start date", ("Start Date", "Date", "Course Date", "From", "Date From"), required=True),
    Field("end_date", "End date", ("End Date", "To", "Date To", "Finish Date")),
    Field("hours", "Hours", ("Hours", "CPD Hours", "Duration (hours)", "Duration"),
          help="if absent, 6 hours for each day of the course"),
    FORMAT,
    SUBJECT_SPECIFIC,
    Field("fee", "Fee", ("Fee", "Course Fee", "Cost", "Price", "Fee (£)")),
    Field("travel", "Travel", ("Travel", "Travel Cost", "Mileage")),
    Field("accommodation", "Accommodation", ("Accommodation", "Hotel")),
    Field("subsistence", "Subsistence", ("Subsistence", "Meals")),
    Field("cover_required", "Cover required", ("Cover Required", "Cover", "Cover Needed", "Needs Cover",
                                               "Supply Cover", "Cover Required?")),
    Field("status", "Status", ("Status", "Booking Status")),
    Field("budget_code", "Budget code", ("Budget Code", "Cost Centre", "Budget")),
    Field("notes", "Notes", ("Notes", "Comments")),
    Field("intended_outcomes", "Intended outcome", ("Intended outcome", "Intended outcomes", "Impact identifier",
                                                    "Intended change")),
    PRIORITY,
    Field("confidence_before", "Confidence before (1–5)", ("Confidence before", "Confidence before (1-5)")),
), staff_fields=WHO_KEYS,
   help="Bookings are matched on staff, start date and title: importing the file again updates them.")

TIMETABLE = Kind("timetable", "Teaching timetable", (
    *WHO,
    Field("week", "Week", ("Week", "Timetable Week", "Week A/B", "Cycle Week"), help="A, B or blank for every week"),
    # Not required on its own: SIMS writes the day (and week) into the period cell, "MonA:1".
    Field("day", "Day", ("Day", "Weekday", "Day of Week", "Day Name"),
          help="Mon, Monday or 1; not needed when the period says the day, as SIMS writes it (MonA:1)"),
    Field("period", "Period", ("Period", "Lesson", "Period Number", "Period No", "Lesson Number", "Period Name",
                               "Timetable Period", "Day:Period", "Day/Period", "Slot"), required=True,
          help="1 or P1, or day, week and period together as SIMS writes them: MonA:1, TueB:3, Mon:1"),
    Field("class_group", "Class", ("Class", "Group", "Class/Group", "Teaching Group", "Class Code", "Class Name",
                                   "Set")),
    Field("subject", "Subject", ("Subject", "Subject Name", "Course")),
    Field("room", "Room", ("Room", "Room Code", "Location", "Room Name")),
), staff_fields=WHO_KEYS,
   help="Lessons are matched on teacher, week, day and period: importing again updates them.")

COURSES = Kind("courses", "Course catalogue", (
    Field("title", "Title", ("Title", "Course Title", "Course", "Course Name"), required=True),
    Field("code", "Code", ("Code", "Course Code", "Reference", "Course Ref", "Course Reference", "Ref")),
    PROVIDER,
    FORMAT,
    Field("subject", "Subject", ("Subject", "Subject Area")),
    SUBJECT_SPECIFIC,
    Field("hours", "Hours", ("Hours", "CPD Hours", "Duration (hours)", "Total Hours"), required=True),
    Field("days", "Days", ("Days", "Duration (days)", "Number of Days", "No of Days")),
    Field("fee", "Fee", ("Fee", "Cost", "Price", "Course Fee", "Fee (£)")),
), help="Courses are matched by code, else by title and provider: importing again updates them.")

BUDGET = Kind("budget", "CPD budget lines", (
    Field("financial_year", "Financial year", ("Financial Year", "FY", "Budget Year", "Year"), required=True,
          help="2026-27 (the school's financial year, starting in the month set in Settings)"),
    Field("name", "Budget line", ("Budget Line", "Name", "Line", "Budget Name", "Budget Heading", "Description"),
          required=True),
    Field("budget_code", "Budget code", ("Budget Code", "Code", "Cost Centre", "Cost Center", "Account Code"),
          required=True),
    Field("department", "Department", ("Department", "Dept", "Faculty")),
    Field("amount", "Amount", ("Amount", "Budget", "Allocation", "Amount (£)", "Budget (£)"), required=True),
    # Optional: the part of the amount meant for each cost head (a blank cell: none set for that head).
    Field("fee_amount", "Fee amount", ("Fee Amount", "Fee Budget", "Fees")),
    Field("travel_amount", "Travel amount", ("Travel Amount", "Travel Budget", "Travel")),
    Field("accommodation_amount", "Accommodation amount",
          ("Accommodation Amount", "Accommodation Budget", "Accommodation")),
    Field("subsistence_amount", "Subsistence amount", ("Subsistence Amount", "Subsistence Budget", "Subsistence")),
    Field("cover_amount", "Supply cover amount",
          ("Supply Cover Amount", "Cover Amount", "Supply Cover Budget", "Cover Budget", "Supply Cover", "Cover")),
), help="Budget lines are matched on financial year and budget code: importing again updates them. Amounts "
        "per cost head (fee, travel, accommodation, subsistence, supply cover) are optional.")

INDICATORS = Kind("indicators", "Department indicators", (
    Field("year", "Year", ("Year", "Academic Year"), required=True, help="the academic year, e.g. 2024/25"),
    Field("name", "Indicator", ("Indicator", "Measure", "Name"), required=True),
    Field("value", "Value", ("Value", "Figure", "Result"), required=True),
    Field("unit", "Unit", ("Unit", "Units")),
    Field("group", "Group", ("Group", "Pupil Group", "Cohort")),
), help="Indicators are matched on year, indicator and group: importing again updates their values.")

KINDS: dict[str, Kind] = {k.key: k for k in (STAFF, ACTIVITIES, BOOKINGS, TIMETABLE, COURSES, BUDGET, INDICATORS)}


def get_kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise CpdError(f"'{key}' is not something CPD Desktop imports.",
                       hint="Choose one of: " + ", ".join(KINDS) + ".") from None


def _synonym_index(kind: Kind) -> dict[str, list[tuple[int, str]]]:
    """normalised synonym → [(preference, field key)]."""
    out: dict[str, list[tuple[int, str]]] = {}
    for f in kind.fields:
        for rank, syn in enumerate((f.label, *f.synonyms) if f.label not in f.synonyms else f.synonyms):
            out.setdefault(normalise(syn), []).append((rank, f.key))
    return out


def guess_mapping(kind: Kind, headers: Sequence[Any]) -> dict[str, int]:
    """field key → column index, for each field the headers name."""
    norm = [normalise(h) for h in headers]
    used: set[int] = set()
    mapping: dict[str, int] = {}
    for f in kind.fields:
        candidates = [normalise(s) for s in f.synonyms] + [normalise(f.label)]
        for syn in candidates:
            col = next((i for i, h in enumerate(norm) if h == syn and h and i not in used), None)
            if col is not None:
                mapping[f.key] = col
                used.add(col)
                break
    return mapping


def header_score(kind: Kind, cells: Sequence[Any]) -> int:
    known = _synonym_index(kind)
    return sum(1 for c in cells if normalise(c) in known)


def find_header_row(kind: Kind, rows: Sequence[tuple[int, Sequence[Any]]]) -> int:
    """The index (into ``rows``) of the header: the early row that names most of the kind's columns."""
    best, best_score = 0, 0
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(kind, cells)
        if score > best_score:
            best, best_score = index, score
    return best


def resolve_mapping(kind: Kind, headers: Sequence[Any], chosen: dict[str, Any] | None) -> dict[str, int]:
    """The guessed mapping with the person's choices laid over it.

    ``chosen`` maps a field key to a header text (or a column index), or to None for "not in the file".
    A header the file does not have is an error, not a silent guess.
    """
    mapping = guess_mapping(kind, headers)
    if not chosen:
        return mapping
    texts = [str(h).strip() if h is not None else "" for h in headers]
    for key, target in chosen.items():
        kind.field(key)  # unknown keys are a programming error
        if target is None or target == "":
            mapping.pop(key, None)
            continue
        if isinstance(target, int):
            if not 0 <= target < len(headers):
                raise CpdError(f"Column {target + 1} is not in the file (it has {len(headers)} columns).")
            col = target
        else:
            wanted = str(target).strip()
            col = next((i for i, t in enumerate(texts) if t == wanted), -1)
            if col < 0:
                col = next((i for i, t in enumerate(texts) if normalise(t) == normalise(wanted) and t), -1)
            if col < 0:
                raise CpdError(f"The file has no column called '{wanted}' for {kind.field(key).label}.",
                               hint="Its columns are: " + ", ".join(t for t in texts if t) + ".")
        for other, c in list(mapping.items()):
            if c == col and other != key:
                del mapping[other]
        mapping[key] = col
    return mapping


def missing_columns(kind: Kind, mapping: dict[str, int]) -> list[str]:
    """What the file lacks for the kind: required fields, and some way of naming the member of staff."""
    problems = [f"{f.label} (a column such as {', '.join(f.synonyms[:3])})"
                for f in kind.fields if f.required and f.key not in mapping]
    if kind.staff_fields:
        has_names = "forename" in mapping and "surname" in mapping
        if not ({"staff_code", "email", "staff_name"} & mapping.keys()) and not has_names:
            problems.insert(0, "who each row is about (a Staff Code, Email or Name column, or Forename and Surname)")
    return problems
