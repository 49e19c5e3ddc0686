"""Settings: school details and targets, term dates per year, periods of the day, bursary schemes,
departments and providers. Every field validates as you type; Save is an undoable change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from ...errors import ValidationError
from ...models import Department, Provider, SchoolPeriod, TermDates
from ...models.enums import BURSARY_RULES, PHASES
from ...services import validation as v
from ...services.formatting import format_date, format_hours, format_money
from ...services.schools import SETTING_PARSERS
from ...services.years import terms_for
from ..forms import FormDialog
from ..tablemodel import Column, PagedQueryModel
from ..widgets import TablePanel, muted
from .base import View
from .bursaries import schemes_model

MONTHS = [(i, dt.date(2000, i, 1).strftime("%B")) for i in range(1, 13)]


class SchoolForm(QWidget):
    """The school's details and the figures behind targets and costs."""

    FIELDS = [
        ("name", "School name", "line"), ("urn", "URN", "line"), ("phase", "Phase", "phase"),
        ("postcode", "Postcode", "line"), ("state_funded", "State-funded (bursary eligibility)", "check"),
        ("cpd_target_hours", "CPD target (hours a year, full-time)", "line"),
        ("subject_specific_target", "Subject-specific share to aim for (%)", "line"),
        ("supply_day_rate", "Supply cover per day", "line"), ("mileage_rate", "Mileage rate per mile", "line"),
        ("evaluation_due_days", "Evaluation due after (days)", "line"),
        ("week_a_commencing", "A Monday of a week A (two-week timetable)", "line"),
        ("financial_year_start_month", "Financial year starts in", "month"),
        ("leaver_retention_years", "Review leavers' records after (years)", "line"),
    ]

    def __init__(self, view: SettingsView) -> None:
        super().__init__()
        self.view = view
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
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
            err = QLabel("")
            err.setObjectName("fieldError")
            err.setVisible(False)
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.setSpacing(1)
            hl.addWidget(w)
            hl.addWidget(err)
            form.addRow(label + ":", holder)
            self.widgets[key], self.errors[key] = w, err
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = QPushButton("Save school settings")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def load(self) -> None:
        with self.view.ctx.session() as s:
            school = self.view.ctx.school(s)
            values = {
                "name": school.name, "urn": school.urn or "", "phase": school.phase, "postcode": school.postcode or "",
                "state_funded": school.state_funded, "cpd_target_hours": format_hours(school.cpd_target_hours),
                "subject_specific_target": format_hours(school.subject_specific_target),
                "supply_day_rate": format_money(school.supply_day_rate),
                "mileage_rate": format_money(school.mileage_rate), "evaluation_due_days": str(school.evaluation_due_days),
                "week_a_commencing": format_date(school.week_a_commencing),
                "financial_year_start_month": school.financial_year_start_month,
                "leaver_retention_years": str(school.leaver_retention_years),
            }
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
                message = f"{exc.message} {exc.hint}".strip()
                ok = False
            self.errors[key].setText(message)
            self.errors[key].setVisible(bool(message))
        self.save_button.setEnabled(ok)
        return ok

    def save(self) -> None:
        from ...services.schools import apply_settings

        if not self.validate():
            return
        values = self.values()
        ctx = self.view.ctx
        if ctx.run(self, "Change school settings", lambda s: apply_settings(ctx.school(s), values) or s.flush() or 1):
            ctx.reload_school()
            self.view.window_.statusBar().showMessage("School settings saved.", 5000)


class TermsForm(QWidget):
    def __init__(self, view: SettingsView) -> None:
        super().__init__()
        self.view = view
        layout = QVBoxLayout(self)
        self.intro = muted("")
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.edits: dict[str, tuple[QLineEdit, QLineEdit]] = {}
        for term in ("autumn", "spring", "summer"):
            a, b = QLineEdit(), QLineEdit()
            a.setAccessibleName(f"{term.title()} term starts")
            b.setAccessibleName(f"{term.title()} term ends")
            a.textChanged.connect(lambda _t: self.validate())
            b.textChanged.connect(lambda _t: self.validate())
            row = QHBoxLayout()
            row.addWidget(a)
            row.addWidget(QLabel("to"))
            row.addWidget(b)
            form.addRow(f"{term.title()} term:", row)
            self.edits[term] = (a, b)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("fieldError")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = QPushButton("Save term dates")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def load(self) -> None:
        ctx = self.view.ctx
        self.intro.setText(f"Term dates for {ctx.year.label} (choose another year at the top). Hours are added up "
                           "by term; days in the holidays count towards the term before them.")
        with ctx.session() as s:
            for term in terms_for(s, ctx.school(s), ctx.year):
                a, b = self.edits[term.name]
                a.setText(format_date(term.start))
                b.setText(format_date(term.end))
        self.validate()

    def terms(self) -> list[tuple[str, dt.date, dt.date]]:
        out = []
        for term, (a, b) in self.edits.items():
            start = v.parse_date(a.text(), f"{term.title()} term start")
            end = v.parse_date(b.text(), f"{term.title()} term end")
            assert start is not None and end is not None
            v.check_date_order(start, end, field=f"{term.title()} term end")
            if not self.view.ctx.year.contains(start) or not self.view.ctx.year.contains(end):
                raise ValidationError(f"{term.title()} term", f"is not within {self.view.ctx.year.label}.")
            out.append((term, start, end))
        return out

    def validate(self) -> bool:
        try:
            self.terms()
        except ValidationError as exc:
            self.error.setText(str(exc))
            self.save_button.setEnabled(False)
            return False
        self.error.setText("")
        self.save_button.setEnabled(True)
        return True

    def save(self) -> None:
        if not self.validate():
            return
        ctx = self.view.ctx
        terms = self.terms()
        year = ctx.year.start_year

        def action(s: Any) -> int:
            for term, start, end in terms:
                row = s.scalar(select(TermDates).where(TermDates.school_id == ctx.school_id,
                                                       TermDates.academic_year == year, TermDates.term == term))
                if row is None:
                    s.add(TermDates(school_id=ctx.school_id, academic_year=year, term=term, start_date=start,
                                    end_date=end))
                else:
                    row.start_date, row.end_date = start, end
            s.flush()
            return 1

        if ctx.run(self, f"Change term dates for {ctx.year.label}", action):
            self.view.window_.statusBar().showMessage("Term dates saved.", 5000)


class PeriodsForm(QWidget):
    def __init__(self, view: SettingsView) -> None:
        super().__init__()
        self.view = view
        layout = QVBoxLayout(self)
        layout.addWidget(muted("The periods of the school day, as cover sheets list them. Times as 08:50."))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Name", "Starts", "Ends"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName("Periods of the day")
        self.table.itemChanged.connect(lambda _i: self.validate())
        layout.addWidget(self.table, 1)
        self.error = QLabel("")
        self.error.setObjectName("fieldError")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        add = QPushButton("Add a period")
        add.clicked.connect(lambda: self._add(f"P{self.table.rowCount() + 1}", "", ""))
        remove = QPushButton("Remove the last")
        remove.clicked.connect(lambda: (self.table.setRowCount(max(1, self.table.rowCount() - 1)), self.validate()))
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        self.save_button = QPushButton("Save periods")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        layout.addLayout(row)

    def _add(self, label: str, start: str, end: str) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, text in enumerate((label, start, end)):
            self.table.setItem(r, c, QTableWidgetItem(text))

    def load(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        with self.view.ctx.db.engine.connect() as conn:
            for p in conn.execute(select(SchoolPeriod.label, SchoolPeriod.start_time, SchoolPeriod.end_time)
                                  .where(SchoolPeriod.school_id == self.view.ctx.school_id).order_by(SchoolPeriod.number)):
                self._add(p[0], p[1].strftime("%H:%M"), p[2].strftime("%H:%M"))
        self.table.blockSignals(False)
        self.validate()

    def periods(self) -> list[tuple[int, str, dt.time, dt.time]]:
        from ..new_school import PeriodsPage

        return PeriodsPage.periods(self)  # type: ignore[arg-type]

    def validate(self) -> bool:
        try:
            self.periods()
        except ValidationError as exc:
            self.error.setText(str(exc))
            self.save_button.setEnabled(False)
            return False
        self.error.setText("")
        self.save_button.setEnabled(True)
        return True

    def save(self) -> None:
        if not self.validate():
            return
        periods = self.periods()
        ctx = self.view.ctx

        def action(s: Any) -> int:
            existing = {p.number: p for p in s.scalars(select(SchoolPeriod).where(SchoolPeriod.school_id == ctx.school_id))}
            for number, label, start, end in periods:
                p = existing.pop(number, None)
                if p is None:
                    s.add(SchoolPeriod(school_id=ctx.school_id, number=number, label=label, start_time=start,
                                       end_time=end))
                else:
                    p.label, p.start_time, p.end_time = label, start, end
            for p in existing.values():
                s.delete(p)
            s.flush()
            return 1

        if ctx.run(self, "Change periods of the day", action):
            self.view.window_.statusBar().showMessage("Periods saved.", 5000)


class SchemeDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add a bursary scheme", parent, ok_text="Add scheme",
                         intro="Bursary rules change: enter the scheme's current amounts and deadline.")
        self.add_line("name", "Name *", "", check=lambda x: v.required_text(x, "Name", max_len=200))
        self.add_line("funder", "Funder", "", check=lambda x: v.clean_text(x, "Funder", max_len=200))
        self.add_combo("rule", "Pays", list(BURSARY_RULES.items()), "per_day")
        self.add_line("amount", "Amount", "£0.00", check=lambda x: v.parse_money(x, "Amount"),
                      tip="Per day or per course, by the rule above")
        self.add_line("implementation_amount", "Implementation sum", "£0.00",
                      check=lambda x: v.parse_money(x, "Implementation sum"))
        for head in ("fee", "travel", "accommodation", "subsistence", "cover"):
            self.add_check(f"covers_{head}", f"Covers {head}" if head != "cover" else "Covers supply cover", True)
        self.add_line("min_days", "Minimum course days", "0", check=lambda x: v.parse_decimal(x, "Minimum course days"))
        self.add_line("claim_deadline_days", "Claim deadline (days after the course)", "60",
                      check=lambda x: v.parse_decimal(x, "Claim deadline (days after the course)"))
        self.add_check("state_funded_only", "State-funded schools only", True)
        self.add_line("evidence_required", "Evidence required", "",
                      check=lambda x: v.clean_text(x, "Evidence required", max_len=500))

    def form_check(self, values: dict[str, Any]) -> None:
        from ...services.bursaries import clean_scheme_values

        clean_scheme_values(values)

    @classmethod
    def ask(cls, parent: QWidget | None) -> dict[str, Any] | None:
        dialog = cls(parent)
        if dialog.exec():
            return dialog.values()
        return None


class NameDialog(FormDialog):
    def __init__(self, title: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent, ok_text="Add")
        self.add_line("name", f"{label} *", "", check=lambda x: v.required_text(x, label, max_len=200))
        self.resize(420, 160)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, label: str) -> str | None:
        dialog = cls(title, label, parent)
        if dialog.exec():
            return str(dialog.values()["name"])
        return None


def _names_model(db: Any, school_id: int, model: Any, title: str, parent: Any) -> PagedQueryModel:
    columns = [Column("name", title, model.name, searchable=True, width=300)]

    def query(cols: list[Any]) -> Any:
        return select(*cols).select_from(model).where(model.school_id == school_id)

    return PagedQueryModel(db, columns, query, model.id, parent=parent)


class SettingsView(View):
    title = "Settings"
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
        self.schemes = schemes_model(ctx.db, ctx.school_id, self)
        self.departments = _names_model(ctx.db, ctx.school_id, Department, "Department", self)
        self.providers = _names_model(ctx.db, ctx.school_id, Provider, "Provider", self)
        for model, name, label, slot in ((self.schemes, "settings-schemes", "Bursary schemes", self.add_scheme),
                                         (self.departments, "settings-departments", "Departments", self.add_department),
                                         (self.providers, "settings-providers", "Providers", self.add_provider)):
            page = QWidget()
            pl = QVBoxLayout(page)
            panel = TablePanel(name, model)
            self.panels.append(panel)
            button = QPushButton(f"Add {label[:-1].lower()}…" if label != "Bursary schemes" else "Add scheme…")
            button.clicked.connect(slot)
            panel.filters.addWidget(button)
            pl.addWidget(panel)
            self.tabs.addTab(page, label)
        self.outer.addWidget(self.tabs, 1)

    def reload(self) -> None:
        super().reload()
        self.school_form.load()
        self.terms_form.load()
        self.periods_form.load()
        for model in (self.schemes, self.departments, self.providers):
            model.refresh()

    def search_box(self) -> Any:
        return None

    def add_scheme(self) -> None:
        from ...services.bursaries import add_scheme

        values = SchemeDialog.ask(self)
        if values is not None:
            self.ctx.run(self, "Add bursary scheme", lambda s: add_scheme(s, self.ctx.school(s), **values).id)

    def add_department(self) -> None:
        from ...services.schools import get_or_create_department

        name = NameDialog.ask(self, "Add a department", "Department")
        if name:
            self.ctx.run(self, "Add department",
                         lambda s: get_or_create_department(s, self.ctx.school(s), name).id)

    def add_provider(self) -> None:
        from ...services.catalogue import provider_id

        name = NameDialog.ask(self, "Add a provider", "Provider")
        if name:
            self.ctx.run(self, "Add provider", lambda s: provider_id(s, self.ctx.school(s), name))
