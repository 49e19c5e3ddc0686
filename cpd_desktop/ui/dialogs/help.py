"""Help → User guide: the few things a new user needs, in the app itself (works offline)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GUIDE = """
<h2>CPD Desktop in five minutes</h2>
<p><b>Dashboard</b> shows your department's hours against the 35-hour target (pro rata for part-time staff),
the subject-specific share, CPD coming up in the next fortnight and the cover it needs, evaluations that are
overdue and bursary money. Click any figure to see the records behind it. A new school's dashboard starts
with its first steps (import your staff, import the timetable, book a course, record CPD already done), each
shown until it is done.</p>
<p><b>Staff</b> lists everyone with their hours this year. Double-click a person for their page: CPD record,
bookings, ECT status and costs. Support staff such as technicians are outside the teachers' target; the tick
<i>Counts in the teachers' CPD target</i> in a person's details changes that.</p>
<p><b>CPD log</b> holds every activity. Add one with <i>Insert</i>, edit with <i>F2</i>, delete with
<i>Delete</i>. <i>Record evaluation</i> (<i>Ctrl+Shift+E</i>) records its evaluation in stages: at the end
(what was learnt), in the classroom (what the teacher now does differently) and for pupils (what changed).
Red rows have a stage overdue; the Evaluation column says which.</p>
<p><b>Planner</b> is for courses to come: book from the catalogue or type your own. Move a booking from
planned to approved to booked; after the course, <i>Mark attended</i> puts it in the CPD log and asks for the
evaluation. The month calendar shows who is out when.</p>
<p><b>Cover</b> lists the lessons each absence misses, filled from the timetable (week A/B honoured). Type the
work set, where the materials are, the work collected and technician notes straight into the grid (<i>F2</i> or
just type; <i>Enter</i> saves and moves down), fill with <i>Same as above</i> (<i>Ctrl+D</i>) or <i>Same for this
class</i>, or paste a column from a spreadsheet with <i>Ctrl+V</i>; then print the release-cover sheet, which
names any lesson still without work first.</p>
<p><b>Bursaries</b> follows each claim from draft to paid, with its evidence checklist: attendance and the
impact evaluation tick themselves once they are recorded, and the scheme's own list of evidence is beside it.</p>
<p><b>Reports</b> writes PDF summaries for governors and Excel workbooks for finance.</p>
<p>Every change can be undone with <i>Ctrl+Z</i> and redone with <i>Ctrl+Y</i>. The year and department at the
top apply to every view. <i>Ctrl+F</i> jumps to the search box.</p>
<p>Your data stays in one file on this computer. Back it up with File → Back up now.</p>
"""

# The keys, as the guide and the README list them (tests/ui check each against the window's own shortcuts).
KEYS = [
    ("Insert", "Add a record in the current view: a member of staff, an activity, a booking, a claim"),
    ("F2", "Edit the chosen record (a claim: move it on; Cover: type into the chosen cell)"),
    ("Ctrl+D", "Cover: same as the lesson above (the chosen lessons take its work)"),
    ("Ctrl+V", "Cover: paste cells copied from a spreadsheet into the grid, downward"),
    ("Delete", "Delete the chosen record, after asking"),
    ("Return", "Open the chosen row, as a double-click does (Staff: the person's page; CPD log, Planner: Edit…)"),
    ("Esc", "Back from a person's page; close a dialog"),
    ("Ctrl+Shift+E", "Record the evaluation stages of the chosen activity (CPD log, a person's page)"),
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Y", "Redo (also Ctrl+Shift+Z)"),
    ("Ctrl+F", "Find: search the current list"),
    ("Ctrl+1", "Dashboard"), ("Ctrl+2", "Staff"), ("Ctrl+3", "CPD log"), ("Ctrl+4", "Planner"),
    ("Ctrl+5", "Cover"), ("Ctrl+T", "Timetable"), ("Ctrl+6", "Bursaries"), ("Ctrl+Shift+B", "Budget"),
    ("Ctrl+Shift+I", "Impact"), ("Ctrl+7", "Reports"), ("Ctrl+8", "Settings"),
    ("Ctrl+9", "Audit trail"), ("Ctrl+0", "Trust (a database of several schools)"),
    ("F5", "Refresh"),
    ("Ctrl+N", "New school database"),
    ("Ctrl+O", "Open a database"),
    ("Ctrl+Shift+S", "Switch school"),
    ("Ctrl+I", "Import"),
    ("Ctrl+E", "Export"),
    ("F1", "User guide"),
    ("Ctrl+Q", "Quit"),
]

GUIDE += "<h3>Keys</h3><table cellpadding='3'>" + "".join(
    f"<tr><td><b>{key}</b></td><td>{what}</td></tr>" for key, what in KEYS) + "</table>"


class UserGuide(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CPD Desktop — user guide")
        layout = QVBoxLayout(self)
        text = QTextBrowser()
        text.setHtml(GUIDE)
        text.setAccessibleName("User guide")
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 560)

    @classmethod
    def ask(cls, parent: QWidget | None) -> None:
        cls(parent).exec()
