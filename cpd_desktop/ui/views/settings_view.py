"""Settings: school details and targets, term dates per year, periods of the day, bursary schemes,
departments and providers. Every field validates as you type; Save is an undoable change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...errors import ValidationError
from ...models import BursaryScheme, Department, Provider, School
from ...models.enums import BURSARY_RULES, PHASES
from ...services import validation as v
from ...services.bursaries import clean_scheme_values
from ...services.formatting import format_date, format_hours, format_money
from ...services.lists.bursaries import SchemeList
from ...services.lists.names import NameList
from ...services.schools import SETTING_PARSERS, Period, TermRow
from ...services.years import TERM_ORDER, AcademicYear, bank_holiday, terms_for
from ..conflict import form_compare, values_compare
from ..editors.periods import PeriodsEditor
from ..editors.term_dates import TermDatesEditor
from ..forms import FormDialog, reason_for
from ..prompts import Confirm
from ..tablemodel import ListModel
from ..widgets import FieldError, TablePanel, muted, section_title
from .base import View
from .row_buttons import need_a_row

MONTHS = [(i, dt.date(2000, i, 1).strftime("%B")) for i in range(1, 13)]
FIELD_MIN_WIDTH = 220  # pixels: a school's name or a date reads whole in a field at least this wide


class SchoolForm(QWidget):
    """The school's details and the figures behind targets and costs."""

    FIELDS = [
        ("name", "School name", "line"), ("urn", "URN", "line"), ("phase", "Phase", "phase"),
        ("postcode", "Postcode", "line"), ("state_funded", "State-funded (bursary eligibility)", "check"),
        ("cpd_target_hours", "CPD target (hours a year, full-time)", "line"),
        ("subject_specific_target", "Subject-specific share to aim for (%)", "line"),
        ("supply_day_rate", "Supply cover per day", "line"), ("mileage_rate", "Mileage rate per mile", "line"),
        ("staff_day_cost", "Daily cost of a teacher's time (empty: not shown)", "line"),
        ("evaluation_due_days", "Evaluation due after (days)", "line"),
        ("later_stages_hours", "Later stages for activities of at least … hours", "line"),
        ("later_stages_programmes", "Later stages for every activity in a programme", "check"),
        ("week_a_commencing", "Week A starts on (a Monday; two-week timetable)", "line"),
        ("financial_year_start_month", "Financial year starts in", "month"),
        ("leaver_retention_years", "Review leavers' records after (years)", "line"),
    ]

    def __init__(self, view: SettingsView) -> None:
        super().__init__()
        self.view = view
        layout = QVBoxLayout(self)
        # The fields scroll when the tab is shorter than they are (a laptop's 768 lines with reasons showing),
        # rather than being squeezed until their text is cut; Save stays below them, always in sight.
        fields = QWidget()
        column = QVBoxLayout(fields)
        column.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)  # the room to spare stays below the fields
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.widgets: dict[str, Any] = {}
        self.errors: dict[str, QLabel] = {}
        for key, label, kind in self.FIELDS:
            if kind == "check":
                w: Any = QCheckBox()
                w.toggled.connect(lambda _c: self.validate())
            elif kind in ("phase", "month"):
                w = QComboBox()
                for code, text in (PHASES.items() if kind == "phase" else MONTHS):
                    w.addItem(text, code)
                w.currentIndexChanged.connect(lambda _i: self.validate())
            else:
                w = QLineEdit()
                w.textChanged.connect(lambda _t: self.validate())
            w.setAccessibleName(label)
            w.setMinimumWidth(FIELD_MIN_WIDTH)  # a value stays readable however narrow the window
            err = FieldError()  # a long reason goes onto a second line under its field, not past the edge
            err.setVisible(False)
            # label and field side by side (a screen reader names the field by it); the error on its own row
            form.addRow(label + ":", w)
            form.setWidget(form.rowCount(), QFormLayout.ItemRole.FieldRole, err)
            self.widgets[key], self.errors[key] = w, err
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setWidget(fields)
        self.scroll_area.viewport().setAutoFillBackground(False)  # the tab's own background, as without scrolling
        fields.setAutoFillBackground(False)
        layout.addWidget(self.scroll_area, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = QPushButton("Save school settings")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        layout.addLayout(row)

    @staticmethod
    def school_values(school: School) -> dict[str, Any]:
        return {
            "name": school.name, "urn": school.urn or "", "phase": school.phase, "postcode": school.postcode or "",
            "state_funded": school.state_funded, "cpd_target_hours": format_hours(school.cpd_target_hours),
            "subject_specific_target": format_hours(school.subject_specific_target),
            "supply_day_rate": format_money(school.supply_day_rate),
            "mileage_rate": format_money(school.mileage_rate),
            "staff_day_cost": format_money(school.staff_day_cost) if school.staff_day_cost is not None else "",
            "evaluation_due_days": str(school.evaluation_due_days),
            "later_stages_hours": format_hours(school.later_stages_hours),
            "later_stages_programmes": school.later_stages_programmes,
            "week_a_commencing": format_date(school.week_a_commencing),
            "financial_year_start_month": school.financial_year_start_month,
            "leaver_retention_years": str(school.leaver_retention_years),
        }

    @classmethod
    def display(cls, values: dict[str, Any]) -> dict[str, str]:
        """The values as the form shows them (labels for the drop-downs, Yes/No for the tick box)."""
        out = {}
        for key, _label, kind in cls.FIELDS:
            value = values.get(key)
            if kind == "check":
                out[key] = "Yes" if value else "No"
            elif kind == "phase":
                out[key] = PHASES.get(str(value), str(value))
            elif kind == "month":
                out[key] = dict(MONTHS).get(int(value or 0), str(value))
            else:
                out[key] = str(value or "").strip()
        return out

    def load(self) -> None:
        with self.view.ctx.session() as s:
            school = self.view.ctx.school(s)
            values = self.school_values(school)
            self.version = school.version
        for key, value in values.items():
            w = self.widgets[key]
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                w.setCurrentIndex(max(0, w.findData(value)))
            else:
                w.setText(str(value))
        self.validate()

    def values(self) -> dict[str, Any]:
        out = {}
        for key, w in self.widgets.items():
            if isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QComboBox):
                out[key] = w.currentData()
            else:
                out[key] = w.text()
        return out

    def validate(self) -> bool:
        ok = True
        for key, value in self.values().items():
            message = ""
            try:
                SETTING_PARSERS[key](value)
            except ValidationError as exc:
                message = reason_for(exc)
                ok = False
            self.errors[key].setText(message)
            self.errors[key].setVisible(bool(message))
        self.save_button.setEnabled(ok)
        return ok

    def save(self) -> None:
        from ...services.schools import update_school_settings

        if not self.validate():
            return
        values = self.values()
        ctx = self.view.ctx

        def action(s: Any, version: int | None) -> int:
            update_school_settings(s, ctx.school(s), values, expected_version=version)
            return 1

        compare = values_compare({key: label for key, label, _k in self.FIELDS},
                                 lambda school: self.display(self.school_values(school)), self.display(values))
        if ctx.save(self, "Change school settings", (School, ctx.school_id), self.version, action, compare):
            ctx.reload_school()
            self.view.window_.statusBar().showMessage("School settings saved.", 5000)


class TermsForm(QWidget):
    def __init__(self, view: SettingsView) -> None:
        super().__init__()
        self.view = view
        layout = QVBoxLayout(self)
        self.intro = muted("")
        layout.addWidget(self.intro)
        self.editor = TermDatesEditor()
        self.editor.edited.connect(self.validate)
        layout.addWidget(self.editor)
        self.error = FieldError()  # wraps: a long reason stays inside the tab
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.delete_button = QPushButton("Use the usual dates")
        self.delete_button.setToolTip("Forget this year's own term dates; the usual dates apply again")
        self.delete_button.setAccessibleName("Delete this year's term dates")
        self.delete_button.clicked.connect(self.delete)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        self.save_button = QPushButton("Save term dates")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self._build_closures(layout)
        layout.addWidget(section_title("Years with their own term dates"))
        layout.addWidget(muted("Double-click a year to edit its dates."))
        self.saved = QTableWidget(0, 4)
        self.saved.setAccessibleName("Years with their own term dates")
        self.saved.setHorizontalHeaderLabels(["Year", "Autumn", "Spring", "Summer"])
        self.saved.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.saved.verticalHeader().setVisible(False)
        self.saved.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.saved.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.saved.cellDoubleClicked.connect(self._year_chosen)
        layout.addWidget(self.saved, 1)
        self.versions: dict[str, int] = {}  # term -> version of the year's own dates as shown

    # ---- non-teaching days (INSET and other closures) ----
    def _build_closures(self, layout: QVBoxLayout) -> None:
        self.closures_title = section_title("Non-teaching days")
        layout.addWidget(self.closures_title)
        self.bank_holidays = muted("")
        layout.addWidget(self.bank_holidays)
        self.closures = QTableWidget(0, 2)
        self.closures.setAccessibleName("Non-teaching days")
        self.closures.setHorizontalHeaderLabels(["Date", "Reason"])
        self.closures.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.closures.horizontalHeader().setMinimumSectionSize(110)  # the bold title whole, and a date, with no rows yet
        self.closures.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.closures.verticalHeader().setVisible(False)
        self.closures.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.closures.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.closures.setMaximumHeight(150)
        self.closures.itemSelectionChanged.connect(self._closure_chosen)
        delete_key = QAction("Delete non-teaching day", self.closures)
        delete_key.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        delete_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.triggered.connect(self.delete_closure)
        self.closures.addAction(delete_key)
        layout.addWidget(self.closures)
        row = QHBoxLayout()
        self.closure_date = QLineEdit()
        self.closure_date.setPlaceholderText("dd/mm/yyyy")
        self.closure_date.setAccessibleName("Non-teaching day date")
        self.closure_reason = QLineEdit()
        self.closure_reason.setPlaceholderText("INSET day")
        self.closure_reason.setAccessibleName("Non-teaching day reason")
        self.closure_date.textChanged.connect(lambda _t: self.check_closure())
        self.closure_date.returnPressed.connect(self.add_closure)
        self.closure_reason.returnPressed.connect(self.add_closure)
        self.add_closure_button = QPushButton("Add non-teaching day")
        self.add_closure_button.clicked.connect(self.add_closure)
        self.delete_closure_button = QPushButton("Delete non-teaching day")
        self.delete_closure_button.setToolTip("Take the chosen day off the list: the school is open that day (Delete)")
        self.delete_closure_button.clicked.connect(self.delete_closure)
        row.addWidget(QLabel("Date:"))
        row.addWidget(self.closure_date)
        row.addWidget(QLabel("Reason:"))
        row.addWidget(self.closure_reason, 1)
        row.addWidget(self.add_closure_button)
        row.addWidget(self.delete_closure_button)
        layout.addLayout(row)
        self.closure_error = QLabel("")
        self.closure_error.setObjectName("fieldError")
        self.closure_error.setWordWrap(True)
        self.closure_error.setVisible(False)
        layout.addWidget(self.closure_error)

    def load_closures(self) -> None:
        from ...services.non_teaching_days import days_outside_terms, format_day, list_non_teaching_days

        ctx = self.view.ctx
        year = ctx.year
        self.closures_title.setText(f"Non-teaching days in {year.label}")
        with ctx.session() as s:
            school = ctx.school(s)
            rows = [(d.id, d.version, d.date, d.reason) for d in list_non_teaching_days(s, school, year)]
            # Term dates moved since: a day now in the holidays changes nothing, and the list says so.
            stranded = {d.id for d in days_outside_terms(s, school, year)}
        self.closures.setRowCount(len(rows))
        for i, (ident, version, day, reason) in enumerate(rows):
            shown = reason + (" — now in the holidays between terms, so it changes nothing" if ident in stranded else "")
            for c, text in enumerate((format_day(day), shown)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, (ident, version, format_date(day), reason))
                self.closures.setItem(i, c, item)
        holidays = []
        day = year.start
        while day <= year.end:
            name = bank_holiday(day)
            if name is not None and day.weekday() < 5:
                holidays.append(f"{day:%d/%m/%Y} {name}")
            day += dt.timedelta(days=1)
        self.bank_holidays.setText(
            "INSET days and other closures inside term. Cover leaves them out, as it leaves out weekends, the "
            "holidays between terms and England's bank holidays"
            + (f" ({len(holidays)} on weekdays this year, known already: point here to see them)." if holidays else "."))
        self.bank_holidays.setToolTip("England's bank holidays on weekdays in " + year.label + ":\n"
                                      + "\n".join(holidays))
        self.delete_closure_button.setEnabled(False)
        self.check_closure()

    def _closure_chosen(self) -> None:
        self.delete_closure_button.setEnabled(self._chosen_closure() is not None)

    def _chosen_closure(self) -> tuple[int, int, str, str] | None:
        rows = self.closures.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.closures.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def check_closure(self, *, full: bool = False) -> bool:
        """The date's problem beside it as it is typed (a date that is no date); on Add, every rule."""
        from ...services.non_teaching_days import clean_non_teaching_day

        text = self.closure_date.text().strip()
        message = ""
        try:
            if full:
                ctx = self.view.ctx
                with ctx.session() as s:
                    clean_non_teaching_day(s, ctx.school(s), {"date": text, "reason": self.closure_reason.text()})
            elif text:
                v.parse_date(text, "Date")
        except ValidationError as exc:
            message = f"{exc.message} {exc.hint}".strip()
        self.closure_error.setText(message)
        self.closure_error.setVisible(bool(message))
        self.add_closure_button.setEnabled(bool(text) and not message)
        return not message

    def add_closure(self) -> None:
        from ...services.non_teaching_days import add_non_teaching_day

        if not self.closure_date.text().strip() or not self.check_closure(full=True):
            return  # the reason is beside the field; what was typed stays
        ctx = self.view.ctx
        day, reason = self.closure_date.text(), self.closure_reason.text()
        if ctx.run(self, "Add non-teaching day", lambda s: add_non_teaching_day(s, ctx.school(s), day, reason).id):
            self.closure_date.clear()
            self.closure_reason.clear()
            self.view.window_.statusBar().showMessage(f"{day.strip()} is a non-teaching day.", 5000)

    def delete_closure(self) -> None:
        from ...models import NonTeachingDay
        from ...services.non_teaching_days import delete_non_teaching_day

        chosen = self._chosen_closure()
        if chosen is None:
            return
        ident, version, day, reason = chosen
        if not Confirm.ask(self, "Delete non-teaching day", f"Take {day} ({reason}) off the non-teaching days?",
                           yes="Delete", detail="Cover and school days count it again. You can undo this."):
            return
        ctx = self.view.ctx

        def action(s: Any) -> int:
            from ...services.concurrency import current_record

            row = current_record(s, NonTeachingDay, ident, f"The non-teaching day {day}")
            delete_non_teaching_day(s, row, expected_version=version)
            return 1

        if ctx.run(self, "Delete non-teaching day", action):
            self.view.window_.statusBar().showMessage(f"{day} is a school day again.", 5000)

    def load(self) -> None:
        from ...services.schools import own_term_dates, term_date_versions

        ctx = self.view.ctx
        self.intro.setText(f"Term dates for {ctx.year.label} (choose another year at the top). Hours are added up "
                           "by term; days in the holidays count towards the term before them.")
        with ctx.session() as s:
            shown = [(t.name, t.start, t.end) for t in terms_for(s, ctx.school(s), ctx.year)]
            self.versions = term_date_versions(s, ctx.school_id, ctx.year)
            years = own_term_dates(s, ctx.school_id)
        self.editor.show_terms(shown)
        self.delete_button.setEnabled(bool(self.versions))
        self.saved.setRowCount(len(years))
        for i, (year, terms) in enumerate(years.items()):
            label = AcademicYear(year, ctx.start_month).label
            dates = {term: f"{format_date(start)} – {format_date(end)}" for term, (start, end) in terms.items()}
            for c, text in enumerate((label, *(dates.get(term, "usual") for term in TERM_ORDER))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, year)
                self.saved.setItem(i, c, item)
        self.validate()
        self.load_closures()

    def _year_chosen(self, row: int, _column: int) -> None:
        item = self.saved.item(row, 0)
        if item is not None:
            self.view.window_.choose_year(AcademicYear(int(item.data(Qt.ItemDataRole.UserRole)),
                                                       self.view.ctx.start_month))

    def delete(self) -> None:
        from ...services.settings_lists import delete_term_dates

        ctx = self.view.ctx
        if not self.versions:
            return
        if not Confirm.ask(self, "Term dates", f"Forget {ctx.year.label}'s own term dates?", yes="Use the usual dates",
                           detail="Hours are then added up by the usual term dates. You can undo this."):
            return
        year = ctx.year.start_year
        versions = dict(self.versions)
        if ctx.run(self, f"Delete term dates for {ctx.year.label}",
                   lambda s: delete_term_dates(s, ctx.school_id, year, expected_versions=versions) or 1):
            self.view.window_.statusBar().showMessage(f"{ctx.year.label} uses the usual term dates again.", 5000)
        else:
            self._show_theirs(versions)

    def terms(self) -> list[TermRow]:
        return self.editor.terms(self.view.ctx.year)  # the same rules as the new-school wizard's

    def validate(self) -> bool:
        return _show_check(self, self.terms)

    def save(self) -> None:
        from ...services.schools import save_term_dates

        if not self.validate():
            return
        ctx = self.view.ctx
        terms = self.terms()
        year = ctx.year
        versions = dict(self.versions)

        def action(s: Any) -> int:
            save_term_dates(s, ctx.school_id, year, terms, expected_versions=versions)
            return 1

        if ctx.run(self, f"Change term dates for {year.label}", action):
            self.view.window_.statusBar().showMessage("Term dates saved.", 5000)
        else:
            self._show_theirs(versions)

    def _show_theirs(self, versions: dict[str, int]) -> None:
        """After a refusal: if somebody else changed the year's dates (the message said who), show theirs."""
        from ...services.schools import term_date_versions

        ctx = self.view.ctx
        with ctx.session() as s:
            if term_date_versions(s, ctx.school_id, ctx.year) != versions:
                self.load()


class PeriodsForm(QWidget):
    def __init__(self, view: SettingsView) -> None:
        super().__init__()
        self.view = view
        layout = QVBoxLayout(self)
        layout.addWidget(muted("The periods of the school day, as cover sheets list them. Times as 08:50."))
        self.editor = PeriodsEditor()
        self.editor.edited.connect(self.validate)
        layout.addWidget(self.editor, 1)
        self.error = FieldError()  # wraps: a long reason stays inside the tab
        layout.addWidget(self.error)
        self.save_button = QPushButton("Save periods")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.editor.buttons.addWidget(self.save_button)
        self.versions: dict[int, int] = {}  # number -> version of each period as loaded

    def load(self) -> None:
        from ...services.schools import period_versions, school_periods

        ctx = self.view.ctx
        with ctx.session() as s:
            periods = school_periods(s, ctx.school_id)
            self.versions = period_versions(s, ctx.school_id)  # as shown: the save is checked against it
        self.editor.show_periods(periods)

    def periods(self) -> list[Period]:
        return self.editor.periods()

    def validate(self) -> bool:
        return _show_check(self, self.periods)

    def save(self) -> None:
        from ...services.schools import period_versions, save_periods

        if not self.validate():
            return
        periods = self.periods()
        ctx = self.view.ctx
        versions = dict(self.versions)

        def action(s: Any) -> int:
            save_periods(s, ctx.school(s), periods, expected_versions=versions)
            return 1

        if not ctx.run(self, "Change periods of the day", action):
            with ctx.session() as s:
                if period_versions(s, ctx.school_id) != versions:
                    self.load()  # somebody else changed them (the message said who): show theirs
            return
        self.view.window_.statusBar().showMessage("Periods saved.", 5000)


class SchemeDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None, scheme: BursaryScheme | None = None) -> None:
        super().__init__("Edit bursary scheme" if scheme else "Add a bursary scheme", parent,
                         ok_text="Save scheme" if scheme else "Add scheme",
                         intro="Bursary rules change: enter the scheme's current amounts and deadline, and the "
                               "dates it runs (a claim is made only under a scheme valid on the course's date)."
                               + (" Claims already raised keep the amount they expected." if scheme else ""))
        x = scheme
        self.version = x.version if x else None
        self.add_line("name", "Name *", x.name if x else "", check=lambda t: v.required_text(t, "Name", max_len=200))
        self.add_line("funder", "Funder", (x.funder or "") if x else "",
                      check=lambda t: v.clean_text(t, "Funder", max_len=200))
        self.add_line("valid_from", "Valid from", format_date(x.valid_from) if x and x.valid_from else "",
                      check=lambda t: v.parse_date(t, "Valid from", required=False),
                      tip="The first course date the scheme pays for (dd/mm/yyyy); empty: no start")
        self.add_line("valid_to", "Valid to", format_date(x.valid_to) if x and x.valid_to else "",
                      check=lambda t: v.parse_date(t, "Valid to", required=False),
                      tip="The last course date it pays for, once the funder says it ends; empty: it runs on")
        self.add_line("eligibility", "Eligibility", (x.eligibility or "") if x else "",
                      check=lambda t: v.clean_text(t, "Eligibility", max_len=500),
                      tip="Who may claim, in the funder's words: state-funded schools, subjects, course length")
        self.add_combo("rule", "Pays", list(BURSARY_RULES.items()), x.rule if x else "per_day")
        self.add_line("amount", "Amount", format_money(x.amount) if x else "£0.00",
                      check=lambda t: v.parse_money(t, "Amount"), tip="Per day or per course, by the rule above")
        self.add_line("implementation_amount", "Implementation sum",
                      format_money(x.implementation_amount) if x else "£0.00",
                      check=lambda t: v.parse_money(t, "Implementation sum"))
        for head in ("fee", "travel", "accommodation", "subsistence", "cover"):
            self.add_check(f"covers_{head}", f"Covers {head}" if head != "cover" else "Covers supply cover",
                           getattr(x, f"covers_{head}") if x else True)
        self.add_line("min_days", "Minimum course days", str(x.min_days) if x else "0",
                      check=lambda t: clean_scheme_values({"min_days": t}))
        self.add_line("claim_deadline_days", "Claim deadline (days after the course)",
                      str(x.claim_deadline_days) if x else "60",
                      check=lambda t: clean_scheme_values({"claim_deadline_days": t}))
        self.add_check("state_funded_only", "State-funded schools only", x.state_funded_only if x else True)
        self.add_check("pays_in_advance", "Pays in advance", x.pays_in_advance if x else False,
                       tip="Tick if the scheme pays before the course: its claims may then be dated before it")
        self.add_line("evidence_required", "Evidence required", (x.evidence_required or "") if x else "",
                      check=lambda t: v.clean_text(t, "Evidence required", max_len=500))
        self.add_text("notes", "Notes", (x.notes or "") if x else "",
                      check=lambda t: v.clean_text(t, "Notes", max_len=v.NOTE_MAX, multiline=True),
                      tip="Where the rules come from, and when they were last checked")
        if x is not None:
            self.add_check("active", "Open for new claims", x.active,
                           tip="Untick when the scheme closes: its claims keep their history")

    def form_check(self, values: dict[str, Any]) -> None:
        clean_scheme_values(values)

    @classmethod
    def ask(cls, parent: QWidget | None, scheme: BursaryScheme | None = None, *,
            save: Callable[[dict[str, Any]], Any] | None = None) -> Any:
        """The values; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(parent, scheme).open_and_save(save)


class NameDialog(FormDialog):
    def __init__(self, title: str, label: str, parent: QWidget | None = None, *, name: str = "",
                 ok_text: str = "Add") -> None:
        super().__init__(title, parent, ok_text=ok_text)
        self.add_line("name", f"{label} *", name, check=lambda x: v.required_text(x, label, max_len=200))
        self.resize(420, 160)

    def answer(self) -> str:
        return str(self.values()["name"])

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, label: str, name: str = "", ok_text: str = "Add", *,
            save: Callable[[str], Any] | None = None) -> Any:
        """The name; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(title, label, parent, name=name, ok_text=ok_text).open_and_save(save)


def _names_model(db: Any, school_id: int, model: Any, title: str, parent: Any) -> ListModel:
    return ListModel(db, NameList(school_id, model, title), parent=parent)


def _show_check(form: Any, check: Any) -> bool:
    """Run a form's check: its message under the form, and Save only while everything is valid."""
    try:
        check()
    except ValidationError as exc:
        form.error.setText(str(exc))
        form.save_button.setEnabled(False)
        return False
    form.error.setText("")
    form.save_button.setEnabled(True)
    return True


class BackupsForm(QWidget):
    """Where automatic backups go, and what is there now."""

    def __init__(self, view: SettingsView) -> None:
        super().__init__()
        self.view = view
        layout = QVBoxLayout(self)
        layout.addWidget(section_title("Backups"))
        layout.addWidget(muted(
            "CPD Desktop backs the file up when you open it (if it changed), every half hour while it is "
            "open and changing, before every upgrade and restore, and when you choose File → Back up now. "
            "Each backup is checked and kept with its SHA-256. Old ones are thinned: the last eight, then "
            "one a day, a week and a month. Choose a folder on another drive to survive a disk failure."))
        row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setReadOnly(True)
        self.folder.setAccessibleName("Backup folder")
        change = QPushButton("Change folder…")
        change.setAccessibleName("Change the backup folder")
        change.clicked.connect(self.choose)
        default = QPushButton("Use the usual folder")
        default.setAccessibleName("Use the usual backup folder")
        default.clicked.connect(self.use_default)
        row.addWidget(QLabel("Folder:"))
        row.addWidget(self.folder, 1)
        row.addWidget(change)
        row.addWidget(default)
        layout.addLayout(row)
        self.summary = muted("")
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def load(self) -> None:
        from ...storage.backups import REASON_LABELS, backup_folder, format_size, list_backups

        db = self.view.ctx.db
        self.folder.setText(str(backup_folder(db)))
        if db.path is None:
            self.summary.setText("This is a trust's server: its host backs it up (pg_dump), not CPD Desktop.")
            return
        found = list_backups(db)
        if found:
            newest = found[0]
            # Date, size and why only: a trust's file holds other schools, whose names are not shown here.
            why = REASON_LABELS.get(newest.reason, newest.reason)
            self.summary.setText(f"{len(found)} backup{'' if len(found) == 1 else 's'} of this file. The newest: "
                                 f"{newest.created:%d/%m/%Y %H:%M} · {format_size(newest.size)}"
                                 + (f" · {why}." if why else "."))
        else:
            self.summary.setText("No backups of this file yet.")

    def choose(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from ...storage.backups import set_backup_folder

        chosen = QFileDialog.getExistingDirectory(self, "Folder for backups", self.folder.text())
        if chosen:
            try:
                set_backup_folder(Path(chosen))
            except Exception as exc:  # noqa: BLE001 - shown to the person: a folder they cannot write
                from ..errors import show_error

                show_error(self, exc)
            self.load()

    def use_default(self) -> None:
        from ...storage.backups import set_backup_folder

        set_backup_folder(None)
        self.load()


class SettingsView(View):
    title = "Settings"
    shows = frozenset({"school", "term_dates", "non_teaching_day", "school_period", "department", "provider", "bursary_scheme"})
    subtitle = "Your school's details, term dates, periods, targets, bursary schemes, departments and providers."

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.tabs = QTabWidget()
        self.school_form = SchoolForm(self)
        self.terms_form = TermsForm(self)
        self.periods_form = PeriodsForm(self)
        self.tabs.addTab(self.school_form, "School and targets")
        self.tabs.addTab(self.terms_form, "Term dates")
        self.tabs.addTab(self.periods_form, "Periods of the day")
        # Current schemes by default; ended ones (greyed, "Ended dd/mm/yyyy") only when asked for.
        self.schemes = ListModel(ctx.db, SchemeList(ctx.school_id, ctx.today), parent=self)
        self.schemes.set_filters({"expired": False}, refresh=False)
        self.show_expired = QCheckBox("Show expired schemes")
        self.show_expired.setToolTip("Show the schemes that have ended too, greyed, with the date each ended")
        self.show_expired.toggled.connect(self._show_expired)
        self.expired_note = muted("")
        self.departments = _names_model(ctx.db, ctx.school_id, Department, "Department", self)
        self.providers = _names_model(ctx.db, ctx.school_id, Provider, "Provider", self)
        self.list_panels: dict[str, TablePanel] = {}
        self.starter_notes: dict[str, QLabel] = {}
        for kind, model, label, noun in (("scheme", self.schemes, "Bursary schemes", "scheme"),
                                         ("department", self.departments, "Departments", "department"),
                                         ("provider", self.providers, "Providers", "provider")):
            page = QWidget()
            pl = QVBoxLayout(page)
            self.starter_notes[label] = muted("")  # the starting lists a new school was given: to check
            self.starter_notes[label].setVisible(False)
            pl.addWidget(self.starter_notes[label])
            panel = TablePanel(f"settings-{kind}s", model, noun=(noun, noun + "s"))
            self.panels.append(panel)
            self.list_panels[kind] = panel
            on_a_row: list[QPushButton] = []
            for text, slot, tip in ((f"Add {noun}…", getattr(self, f"add_{kind}"), f"Add a {noun}"),
                                    ("Edit…", lambda _c=False, k=kind: self.edit_item(k), f"Edit the chosen {noun} (F2)"),
                                    ("Delete", lambda _c=False, k=kind: self.delete_item(k),
                                     f"Delete the chosen {noun} (Delete)")):
                button = QPushButton(text)
                button.setToolTip(tip)
                button.setAccessibleName(f"{text.rstrip('…')} {noun}" if text != f"Add {noun}…" else f"Add {noun}")
                button.clicked.connect(slot)
                panel.filters.addWidget(button)
                if text != f"Add {noun}…":
                    on_a_row.append(button)
            # Edit… and Delete did nothing with no row chosen: greyed, saying so, until one is.
            need_a_row(panel, on_a_row, f"Choose a {noun} in the list first.")
            if kind == "scheme":
                panel.filters.addWidget(self.show_expired)
                pl.addWidget(self.expired_note)
            self.row_action(panel, "Edit…", lambda k=kind: self.edit_item(k), "F2", "edit")
            self.row_action(panel, "Delete", lambda k=kind: self.delete_item(k), Qt.Key.Key_Delete, "delete")
            panel.activated.connect(lambda _i, k=kind: self.edit_item(k))
            pl.addWidget(panel)
            self.tabs.addTab(page, label)
        self.backups_form = BackupsForm(self)
        self.tabs.addTab(self.backups_form, "Backups")
        self.outer.addWidget(self.tabs, 1)

    def reload(self) -> None:
        super().reload()
        self.school_form.load()
        self.terms_form.load()
        self.periods_form.load()
        self.backups_form.load()
        for model in (self.schemes, self.departments, self.providers):
            model.refresh()
        self._show_starting_points()
        self._count_expired()

    def _show_expired(self, shown: bool) -> None:
        self.schemes.set_filters({"expired": None if shown else False})
        self._count_expired()

    def _count_expired(self) -> None:
        """Say how many ended schemes the list leaves out, so that none seems lost."""
        ended = SchemeList(self.ctx.school_id, self.ctx.today).count(self.ctx.db, {"expired": True})
        hidden = 0 if self.show_expired.isChecked() else ended
        one = hidden == 1
        self.expired_note.setText(
            f"{hidden} {'scheme has' if one else 'schemes have'} ended and {'is' if one else 'are'} not shown: "
            f"tick “Show expired schemes” to see {'it' if one else 'them'}." if hidden else "")
        self.expired_note.setVisible(bool(hidden))

    def _show_starting_points(self) -> None:
        from ...services.starter import STARTING_POINT, starting_points

        with self.ctx.session() as s:
            held = starting_points(s, self.ctx.school_id)
        for label, note in self.starter_notes.items():
            names = held.get(label, [])
            rules = (" Their amounts, eligibility and deadlines are examples: check the current rules with the "
                     "funder (Edit… shows the notes) before a claim." if label == "Bursary schemes" else "")
            note.setText(f"{STARTING_POINT}: {', '.join(names)} came with the school's starting lists. Rename, "
                         f"edit or delete any of them.{rules}" if names else "")
            note.setVisible(bool(names))

    def search_box(self) -> Any:
        return None

    def add_scheme(self) -> None:
        from ...services.bursaries import add_scheme

        SchemeDialog.ask(self, save=lambda values: self.ctx.run(
            self, "Add bursary scheme", lambda s: add_scheme(s, self.ctx.school(s), **values).id, refusals=True))

    # ---- editing and deleting the lists ----
    def edit_item(self, kind: str) -> None:
        ident = self.list_panels[kind].current_id()
        if ident is None:
            return
        getattr(self, f"edit_{kind}")(ident)

    def delete_item(self, kind: str) -> None:
        from ...services import settings_lists as lists

        ident = self.list_panels[kind].current_id()
        if ident is None:
            return
        model, delete, noun = {"scheme": (BursaryScheme, lists.delete_scheme, "bursary scheme"),
                               "department": (Department, lists.delete_department, "department"),
                               "provider": (Provider, lists.delete_provider, "provider")}[kind]
        panel = self.list_panels[kind]
        name = panel.model.row_values(panel.model.row_of_id(ident))["name"]
        if not Confirm.ask(self, f"Delete {noun}", f"Delete the {noun} “{name}”?", yes="Delete",
                           detail="Only one nothing refers to can be deleted. You can undo this."):
            return
        if self.ctx.delete(self, f"Delete {noun}", panel.model, model, [ident], delete,
                           lambda row: f"The {noun} “{row.get('name') or ''}”"):
            self.window_.statusBar().showMessage(f"Deleted the {noun} {name}.", 5000)

    def edit_scheme(self, ident: int) -> None:
        from ...services.settings_lists import update_scheme

        with self.ctx.session() as s:
            scheme = s.get(BursaryScheme, ident)
        if scheme is None:
            return
        SchemeDialog.ask(self, scheme, save=lambda values: self.ctx.save(
            self, "Edit bursary scheme", (BursaryScheme, ident), scheme.version,
            lambda s, ver: update_scheme(s, s.get(BursaryScheme, ident), expected_version=ver, **values).id,
            form_compare(lambda current: SchemeDialog(None, current), values), refusals=True))

    def _rename(self, model: Any, ident: int, noun: str, rename: Any) -> None:
        with self.ctx.session() as s:
            row = s.get(model, ident)
        if row is None:
            return
        def save(name: str) -> Any:
            if name == row.name:
                return None
            return self.ctx.save(self, f"Rename {noun}", (model, ident), row.version,
                                 lambda s, ver: rename(s, s.get(model, ident), name, expected_version=ver).id,
                                 values_compare({"name": noun.capitalize()}, lambda current: {"name": current.name},
                                                {"name": name}), refusals=True)

        NameDialog.ask(self, f"Rename {noun}", noun.capitalize(), row.name, ok_text="Rename", save=save)

    def edit_department(self, ident: int) -> None:
        from ...services.settings_lists import rename_department

        self._rename(Department, ident, "department", rename_department)

    def edit_provider(self, ident: int) -> None:
        from ...services.settings_lists import rename_provider

        self._rename(Provider, ident, "provider", rename_provider)

    def add_department(self) -> None:
        from ...services.schools import get_or_create_department

        def add(s: Any, name: str) -> int | None:
            department = get_or_create_department(s, self.ctx.school(s), name)
            return department.id if department is not None else None  # None only for a blank name

        NameDialog.ask(self, "Add a department", "Department", save=lambda name: self.ctx.run(
            self, "Add department", lambda s: add(s, name), refusals=True))

    def add_provider(self) -> None:
        from ...services.catalogue import provider_id

        NameDialog.ask(self, "Add a provider", "Provider", save=lambda name: self.ctx.run(
            self, "Add provider", lambda s: provider_id(s, self.ctx.school(s), name), refusals=True))
