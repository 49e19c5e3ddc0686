"""The new-school wizard: school name, URN and phase, term dates, periods of the day, targets and costs, and
the starting lists (providers, departments, example bursary schemes) it can start with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..errors import CpdError, ValidationError
from ..models.enums import DEFAULT_DAY_RATE_BY_PHASE, PHASES
from ..services import validation as v
from ..services.schools import DEFAULT_PERIODS, SETTING_PARSERS, Period, TermRow
from ..services.years import AcademicYear, academic_year_of, bank_holiday, suggested_terms
from .editors.periods import PeriodsEditor
from .editors.term_dates import TermDatesEditor
from .errors import show_error
from .icons import app_icon


def parse_closures(text: str) -> list[tuple[int, dt.date, str]]:
    """Non-teaching days typed one a line, 'dd/mm/yyyy reason' (the reason may be left out: an INSET
    day): (line number, date, reason). A line that is no date is refused naming its line."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        first, _, rest = line.strip().partition(" ")
        try:
            day = v.parse_date(first.rstrip(",;:-–"), "Date")
        except ValidationError as exc:
            raise ValidationError(f"Non-teaching days, line {number}", exc.message,
                                  hint="Write one a line: a date, then the reason (e.g. 05/01/2026 INSET day).") from exc
        assert day is not None
        out.append((number, day, rest.strip(" ,;:-–") or "INSET day"))
    return out


class _Page(QWizardPage):
    """A wizard page whose Next button waits until its fields are valid."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.error = QLabel("")
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self._typed = False  # the reason Next waits shows once the person has typed on the page

    def problem(self) -> str:
        return ""

    def isComplete(self) -> bool:  # noqa: N802
        text = self.problem()
        self.error.setText(text if self._typed else "")
        return not text

    def changed(self) -> None:
        self._typed = True
        self.completeChanged.emit()


class SchoolPage(_Page):
    def __init__(self) -> None:
        super().__init__("Your school", "The name appears on every report and cover sheet.")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Ashcombe Park Academy")
        self.urn = QLineEdit()
        self.urn.setPlaceholderText("6 digits, optional")
        self.phase = QComboBox()
        for code, label in PHASES.items():
            self.phase.addItem(label, code)
        self.phase.setCurrentIndex(self.phase.findData("secondary"))
        self.postcode = QLineEdit()
        self.postcode.setPlaceholderText("for travel from school, optional")
        self.file = QLineEdit(str(_default_file()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        for label, widget in (("School name", self.name), ("URN", self.urn), ("Phase", self.phase),
                              ("Postcode", self.postcode)):
            widget.setAccessibleName(label)
            form.addRow(label + ":", widget)
        self.file.setAccessibleName("Database file")
        form.addRow("Save the record in:", row)
        form.addRow(self.error)
        for w in (self.name, self.urn, self.postcode, self.file):
            w.textChanged.connect(self.changed)

    def _browse(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, "Save the school's database as", self.file.text(),
                                               "CPD databases (*.sqlite)")
        if path:
            self.file.setText(path if path.endswith((".sqlite", ".db")) else path + ".sqlite")

    def problem(self) -> str:
        try:
            v.required_text(self.name.text(), "School name", max_len=200)
            v.parse_urn(self.urn.text())
            v.clean_text(self.postcode.text(), "Postcode", max_len=10)
        except ValidationError as exc:
            return str(exc)
        path = Path(self.file.text().strip()).expanduser()
        if not self.file.text().strip():
            return "Choose where to save the school's database."
        if path.exists():
            return f"{path} already exists. Choose a new file name, or use File → Open to open it."
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist."
        return ""


class TermsPage(_Page):
    def __init__(self, year: AcademicYear) -> None:
        super().__init__(f"Term dates for {year.label}",
                         "Typical dates are filled in; change them to your school's. Hours are added up by term.")
        self.year = year
        form = QFormLayout(self)
        self.editor = TermDatesEditor()
        self.editor.show_terms(suggested_terms(year))
        self.editor.edited.connect(self.changed)
        form.addRow(self.editor)
        self.closures = QPlainTextEdit()
        self.closures.setAccessibleName("Non-teaching days")
        self.closures.setPlaceholderText("One a line: 03/09/2025 INSET day")
        self.closures.setTabChangesFocus(True)
        self.closures.setFixedHeight(90)
        self.closures.textChanged.connect(self.changed)
        form.addRow("Non-teaching days:", self.closures)
        note = QLabel("INSET days and other closures in term, which cover leaves out. England's bank holidays are "
                      "known already; you can add more days later in Settings → Term dates.")
        note.setWordWrap(True)
        note.setObjectName("muted")
        form.addRow(note)
        form.addRow(self.error)

    def closure_days(self) -> list[tuple[dt.date, str]]:
        """The non-teaching days typed, each a weekday in the terms above and no bank holiday."""
        terms = self.terms()
        out: list[tuple[dt.date, str]] = []
        for number, day, reason in parse_closures(self.closures.toPlainText()):
            field = f"Non-teaching days, line {number}"
            holiday = bank_holiday(day)
            if day.weekday() >= 5 or holiday is not None:
                what = f"a {day:%A}" if day.weekday() >= 5 else f"a bank holiday ({holiday})"
                raise ValidationError(field, f"{day:%d/%m/%Y} is {what}, so it is not a school day anyway.",
                                      hint="Leave it out: it is no school day.")
            if not any(start <= day <= end for _t, start, end in terms):
                raise ValidationError(field, f"{day:%d/%m/%Y} is not in any of the terms above.",
                                      hint="Non-teaching days are days in term the school closes.")
            if any(day == d for d, _r in out):
                raise ValidationError(field, f"{day:%d/%m/%Y} is on the list twice.", hint="Leave one out.")
            out.append((day, reason))
        return out

    def terms(self) -> list[TermRow]:
        return self.editor.terms(self.year)

    def problem(self) -> str:
        try:
            self.terms()
            self.closure_days()
        except ValidationError as exc:
            return str(exc)
        return ""


class PeriodsPage(_Page):
    def __init__(self) -> None:
        super().__init__("Periods of the day", "Cover sheets list lessons by period. Add or remove rows to match your day.")
        layout = QVBoxLayout(self)
        # A two-week timetable needs a week A to count from (cover lessons are filled by week A or B).
        self.cycle = QComboBox()
        self.cycle.addItem("One-week timetable", 1)
        self.cycle.addItem("Two-week timetable (weeks A and B)", 2)
        self.cycle.setAccessibleName("Timetable")
        self.week_a = QLineEdit()
        self.week_a.setPlaceholderText("dd/mm/yyyy, a Monday")
        self.week_a.setAccessibleName("Week A starts on")
        self.week_a_label = QLabel("Week A starts on (a Monday):")
        self.editor = PeriodsEditor()
        self.editor.show_periods(DEFAULT_PERIODS)
        layout.addWidget(self.editor)
        cycle = QFormLayout()
        cycle.addRow("Timetable:", self.cycle)
        cycle.addRow(self.week_a_label, self.week_a)
        layout.addLayout(cycle)
        self.cycle.currentIndexChanged.connect(self._cycle_changed)
        self.week_a.textChanged.connect(self.changed)
        self._cycle_changed()
        layout.addWidget(self.error)
        self.editor.edited.connect(self.changed)

    def _cycle_changed(self) -> None:
        two = self.cycle.currentData() == 2
        self.week_a.setVisible(two)
        self.week_a_label.setVisible(two)
        self.changed()

    def week_a_commencing(self) -> dt.date | None:
        """The Monday of a week A for a two-week timetable; None for a one-week timetable."""
        if self.cycle.currentData() != 2:
            return None
        if not self.week_a.text().strip():
            raise ValidationError("Week A starts on", "is required for a two-week timetable.",
                                  hint="Give the Monday of a week A, e.g. the first Monday of the autumn term.")
        day: dt.date = SETTING_PARSERS["week_a_commencing"](self.week_a.text())
        return day

    def periods(self) -> list[Period]:
        return self.editor.periods()

    def problem(self) -> str:
        try:
            self.periods()
            self.week_a_commencing()
        except ValidationError as exc:
            return str(exc)
        return ""


class TargetsPage(_Page):
    def __init__(self) -> None:
        super().__init__("Targets and costs",
                         "The usual figures are filled in (35 hours a year, half subject-specific; supply cover "
                         "£291 a day for a secondary school). Change them whenever you like in Settings.")
        form = QFormLayout(self)
        self.target = QLineEdit("35")
        self.subject = QLineEdit("50%")
        self.rate = QLineEdit("£291.00")
        self.evaluation = QLineEdit("42")
        for label, widget in (("CPD target (hours a year, full-time)", self.target),
                              ("Subject-specific share", self.subject), ("Supply cover per day", self.rate),
                              ("Evaluation due after (days)", self.evaluation)):
            widget.setAccessibleName(label)
            widget.textChanged.connect(self.changed)
            form.addRow(label + ":", widget)
        form.addRow(self.error)

    def set_phase(self, phase: str) -> None:
        self.rate.setText(f"£{Decimal(DEFAULT_DAY_RATE_BY_PHASE.get(phase, '291.00')):,.2f}")

    def values(self) -> dict[str, Any]:
        return {"cpd_target_hours": self.target.text(), "subject_specific_target": self.subject.text(),
                "supply_day_rate": self.rate.text(), "evaluation_due_days": self.evaluation.text()}

    def problem(self) -> str:
        try:
            for key, value in self.values().items():
                SETTING_PARSERS[key](value)
        except ValidationError as exc:
            return str(exc)
        return ""


class StarterPage(_Page):
    """Whether the school starts with the usual lists filled in (on by default), and what they hold."""

    def __init__(self) -> None:
        super().__init__("Starting lists",
                         "A new school can start with the lists science CPD usually needs, so the first booking "
                         "finds its provider and bursary scheme already there.")
        layout = QVBoxLayout(self)
        self.wanted = QCheckBox("Fill in the usual providers, departments and example bursary schemes")
        self.wanted.setAccessibleName("Start with the usual lists")
        self.wanted.setChecked(True)
        layout.addWidget(self.wanted)
        self.preview = QLabel("")
        self.preview.setAccessibleName("What the starting lists hold")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.preview)
        self.note = QLabel("Starting point: check and edit. Each is an ordinary entry you can rename or delete in "
                           "Settings. The bursary schemes are examples: check the current rules (amount, "
                           "eligibility, deadline) before a claim. Untick to start with empty lists.")
        self.note.setWordWrap(True)
        self.note.setObjectName("muted")
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.wanted.toggled.connect(self.preview.setEnabled)
        self.show_phase("secondary")

    def show_phase(self, phase: str) -> None:
        from html import escape

        from ..services.starter import starting_lists

        self.preview.setText("".join(f"<p><b>{escape(label)}:</b> {escape(', '.join(names))}</p>"
                                     for label, names in starting_lists(phase).items()))


def _default_file() -> Path:
    from ..paths import data_dir

    folder = data_dir()
    path = folder / "school.sqlite"
    n = 2
    while path.exists():
        path = folder / f"school-{n}.sqlite"
        n += 1
    return path


class NewSchoolWizard(QWizard):
    def __init__(self, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New school database")
        self.setWindowIcon(app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.year = academic_year_of(today or dt.date.today())
        self.school_page = SchoolPage()
        self.terms_page = TermsPage(self.year)
        self.periods_page = PeriodsPage()
        self.targets_page = TargetsPage()
        self.starter_page = StarterPage()
        for page in (self.school_page, self.terms_page, self.periods_page, self.targets_page, self.starter_page):
            self.addPage(page)
        self.school_page.phase.currentIndexChanged.connect(
            lambda _i: self.targets_page.set_phase(self.school_page.phase.currentData()))
        self.school_page.phase.currentIndexChanged.connect(
            lambda _i: self.starter_page.show_phase(self.school_page.phase.currentData()))
        self.setButtonText(QWizard.WizardButton.FinishButton, "Create")
        self.resize(640, 480)
        self.result_: tuple[Any, int, str] | None = None

    def make_school(self) -> tuple[Any, int, str]:
        """Make the database file and the school with what the pages hold (through the services, as
        Settings saves them later); if anything is refused, the half-made file is removed."""
        from ..services.database import open_database
        from ..services.non_teaching_days import add_non_teaching_day
        from ..services.schools import create_school, save_periods, save_term_dates

        page = self.school_page
        target = str(Path(page.file.text().strip()).expanduser())
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        db = open_database(target, create=True, hold_lock=True)
        try:
            with db.session() as s:
                school = create_school(s, page.name.text(), urn=page.urn.text(), phase=page.phase.currentData(),
                                       postcode=page.postcode.text(), **self.targets_page.values(),
                                       week_a_commencing=self.periods_page.week_a_commencing(),
                                       starter=self.starter_page.wanted.isChecked())
                save_term_dates(s, school.id, self.year, self.terms_page.terms(), expected_versions={})
                for day, reason in self.terms_page.closure_days():
                    add_non_teaching_day(s, school, day, reason)
                save_periods(s, school, self.periods_page.periods())
                school_id = school.id
        except BaseException:
            db.dispose()
            Path(target).unlink(missing_ok=True)
            raise
        return db, school_id, target

    def accept(self) -> None:
        try:
            self.result_ = self.make_school()
        except CpdError as exc:
            show_error(self, exc)
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None) -> tuple[Any, int, str] | None:
        wizard = cls(parent, getattr(parent, "today", None))
        if wizard.exec() == QWizard.DialogCode.Accepted:
            return wizard.result_
        return None
