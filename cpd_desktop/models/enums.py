"""The fixed vocabularies of the domain: stored codes and the words people read."""

from __future__ import annotations

PHASES = {
    "primary": "Primary",
    "secondary": "Secondary",
    "special": "Special",
    "all_through": "All-through",
    "post16": "Sixth-form / post-16",
}

# Supply cover cost per day by phase (DfE-commissioned research, 2023): the defaults for a new school.
DEFAULT_DAY_RATE_BY_PHASE = {"primary": "218.00", "secondary": "291.00", "special": "270.00",
                             "all_through": "291.00", "post16": "291.00"}

FORMATS = {
    "face_to_face": "Face-to-face course",
    "residential": "Residential",
    "online_course": "Online course",
    "webinar": "Webinar",
    "inset": "In-school INSET",
    "coaching": "Coaching / mentoring",
    "lesson_study": "Lesson study",
    "reading": "Reading / research",
    "npq": "NPQ",
    "conference": "Conference",
}

TERMS = {"autumn": "Autumn", "spring": "Spring", "summer": "Summer"}

BOOKING_STATUSES = {
    "planned": "Planned",
    "approved": "Approved",
    "booked": "Booked",
    "attended": "Attended",
    "cancelled": "Cancelled",
}

# planned -> approved -> booked -> attended; any open booking may be cancelled.
BOOKING_TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"booked", "planned", "cancelled"}),
    "booked": frozenset({"attended", "cancelled"}),
    "attended": frozenset(),
    "cancelled": frozenset({"planned"}),
}

CLAIM_STATUSES = {
    "draft": "Draft",
    "submitted": "Submitted",
    "approved": "Approved",
    "paid": "Paid",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}

CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"approved", "rejected", "withdrawn"}),
    "approved": frozenset({"paid", "withdrawn"}),
    "paid": frozenset(),
    "rejected": frozenset({"draft"}),
    "withdrawn": frozenset({"draft"}),
}

BURSARY_RULES = {
    "per_day": "Amount per day of the course",
    "per_course": "Fixed amount per course",
    "actual_costs": "Actual costs of the cost heads covered",
}

COST_HEADS = {
    "fee": "Course fee",
    "travel": "Travel",
    "accommodation": "Accommodation",
    "subsistence": "Subsistence",
    "cover": "Supply cover",
}

EVIDENCE_ITEMS = {
    "attendance": "Attendance confirmed",
    "evaluation": "Impact evaluation done",
    "invoice": "Invoice attached",
}

WORK_RETURN = {
    "collected": "Work collected in",
    "homework": "Finish for homework",
    "none": "Nothing to collect",
}

# The DfE Standard for teachers' professional development (2016), its five parts.
STANDARD_PARTS = {
    "std_pupil_outcomes": "1. Focus on improving and evaluating pupil outcomes",
    "std_evidence": "2. Underpinned by robust evidence and expertise",
    "std_collaboration": "3. Includes collaboration and expert challenge",
    "std_sustained": "4. Sustained over time",
    "std_prioritised": "5. Prioritised by school leadership",
}

ACTIVITY_STATUSES = {"in_progress": "In progress", "completed": "Completed", "withdrawn": "Withdrawn"}

TIMETABLE_WEEKS = {"every": "Every week", "A": "Week A", "B": "Week B"}

WEEKDAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}


def in_list(column: str, codes: object) -> str:
    """SQL for a CHECK that a column holds one of the codes."""
    quoted = ", ".join(f"'{c}'" for c in codes)  # type: ignore[attr-defined]
    return f"{column} IN ({quoted})"
