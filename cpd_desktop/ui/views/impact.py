"""Impact: evaluation stages done and overdue, confidence before → after → later, sustained hours, priorities,
programmes, and retention and the department's indicators shown beside the CPD (not as its effect).

Every figure comes from ``services.impact`` (the rules the reports and the governors' export use). Click a
person to list their evaluation stages, overdue first. The Charts tab draws the same figures
(``services.impact_charts``); a click on a bar lists the records it counts in the table under it. The
Programmes tab adds and edits programmes, with the EEF mechanisms each uses.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...services import impact, impact_charts, mechanisms, objectives
from ...services.formatting import format_date, format_hours, plural
from ...services.lists.choices import staff_ids_by_code
from ...services.years import AcademicYear
from ..charts import BarChart
from ..dialogs.programme import ProgrammeDialog
from ..tablemodel import RowsModel
from ..widgets import muted, rows_table, section_title
from .base import View

PEOPLE = ["Name", "Hours", "Sustained hours", "Stages due", "Done", "Overdue", "Confidence before",
          "Confidence after", "Confidence later"]
# each date says which it is: the activity's own, the day the stage is due by, the day it was done
STAGES = ["Activity", "Activity date", "Stage", "Due by", "Date done", "State", "Confidence"]
PRIORITIES = ["Priority", "Activities", "People", "Hours", "Evaluated", "Objectives serving it"]
PROGRAMMES = ["Programme", "Sustained", "People", "Hours", "Confidence before", "Confidence after",
              "Confidence later", "EEF mechanisms"]
RETENTION = ["Year", "Teachers at start", "Stayed", "Left", "Retention", "Mean hours (stayed)", "Mean hours (left)"]
INDICATORS = ["Year", "Indicator", "Group", "Value", "Unit"]


def _one(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}"


class ImpactView(View):
    title = "Impact"
    shows = frozenset({"priority", "programme", "evaluation_stage", "indicator", "activity", "staff", "department",
                       "course", "school", "objective"})
    subtitle = ("Evaluation in stages, confidence before, after and later, sustained CPD and priorities; "
                "retention and the department's indicators beside them, for the academic year chosen at the top. "
                "Click a person to see their stages.")

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.findings.setAccessibleName("Findings")
        self.findings.setTextFormat(Qt.TextFormat.PlainText)
        self.findings.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        self.people_model = self._model(PEOPLE, set(range(1, len(PEOPLE))))
        self.people = self._table(self.people_model, "Evaluation by person")
        self.people.clicked.connect(self._person_clicked)
        self.people.activated.connect(self._person_clicked)
        self.stages_model = self._model(STAGES, {6})
        self.stages = self._table(self.stages_model, "Evaluation stages of the person")
        self.stages.activated.connect(self._record_evaluation)  # Enter or a double click: Record evaluation…
        self.stages_title = section_title("Evaluation stages")
        self.stages_note = muted("Click a person above to list their stages, overdue first.")
        person_page = QWidget()
        pl = QVBoxLayout(person_page)
        pl.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.findings)
        split.addWidget(self.people)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.stages_title)
        ll.addWidget(self.stages_note)
        ll.addWidget(self.stages, 1)
        split.addWidget(lower)
        split.setSizes([80, 300, 200])
        pl.addWidget(split)

        self.priorities_model = self._model(PRIORITIES, {1, 2, 3, 4, 5})
        self.programmes_model = self._model(PROGRAMMES, {2, 3, 4, 5, 6})
        self.retention_model = self._model(RETENTION, {1, 2, 3, 4, 5, 6})
        self.indicators_model = self._model(INDICATORS, {3})
        outcomes = QWidget()
        ol = QVBoxLayout(outcomes)
        ol.setContentsMargins(0, 0, 0, 0)
        self.side_by_side = QLabel(impact.SIDE_BY_SIDE)
        self.side_by_side.setAccessibleName("About these figures")
        self.side_by_side.setStyleSheet("font-weight: 600;")
        ol.addWidget(self.side_by_side)
        ol.addWidget(section_title("Retention of teachers"))
        ol.addWidget(self._table(self.retention_model, "Retention"), 1)
        ol.addWidget(section_title("Department indicators"))
        self.indicators_note = muted("")
        ol.addWidget(self.indicators_note)
        ol.addWidget(self._table(self.indicators_model, "Department indicators"), 1)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Impact figures")
        self.tabs.addTab(person_page, "People")
        self.tabs.addTab(self._charts_page(), "Charts")
        self.tabs.addTab(self._table(self.priorities_model, "By priority"), "Priorities")
        self.tabs.addTab(self._programmes_page(), "Programmes")
        self.tabs.addTab(outcomes, "Retention and indicators")
        self.outer.addWidget(self.tabs, 1)
        self.staff_ids: list[int] = []
        self.charts: list[impact_charts.Chart] = []

    def _charts_page(self) -> QWidget:
        """A list of charts beside the chosen chart; under it, the records of the bar last clicked."""
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.chart_list = QListWidget()
        self.chart_list.setAccessibleName("Charts")
        self.chart_list.setMaximumWidth(260)
        self.chart_list.setWordWrap(True)
        self.chart_list.currentRowChanged.connect(self._show_chart)
        layout.addWidget(self.chart_list)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        self.chart = BarChart()
        self.chart.bar_clicked.connect(self._bar_clicked)
        tl.addWidget(self.chart, 1)
        self.chart_notes = muted("")
        self.chart_notes.setAccessibleName("About this chart")
        tl.addWidget(self.chart_notes)
        self.chart_caution = QLabel(impact.SIDE_BY_SIDE)
        self.chart_caution.setAccessibleName("Shown side by side")
        self.chart_caution.setStyleSheet("font-weight: 600;")
        self.chart_caution.setWordWrap(True)
        tl.addWidget(self.chart_caution)
        right.addWidget(top)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        self.records_title = section_title("Click a bar to list its records")
        ll.addWidget(self.records_title)
        self.records_model = RowsModel([""], self)
        ll.addWidget(self._table(self.records_model, "Records of the bar"), 1)
        right.addWidget(lower)
        right.setSizes([300, 200])
        layout.addWidget(right, 1)
        return page

    def _programmes_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        for text, act in (("New programme…", self.add_programme), ("Edit programme…", self.edit_programme)):
            button = QPushButton(text)
            button.setAccessibleName(text.rstrip("…"))
            button.clicked.connect(lambda _c=False, a=act: a())
            buttons.addWidget(button)
        buttons.addWidget(muted("Double-click a programme to edit it and tick the EEF mechanisms it uses."), 1)
        layout.addLayout(buttons)
        self.programmes_table = self._table(self.programmes_model, "By programme")
        self.programmes_table.activated.connect(lambda _i: self.edit_programme())
        self.programmes_table.doubleClicked.connect(lambda _i: self.edit_programme())
        layout.addWidget(self.programmes_table, 1)
        return page

    def _model(self, headings: list[str], right: set[int]) -> RowsModel:
        model = RowsModel(headings, self)
        model.align_right = right
        return model

    @staticmethod
    def _table(model: RowsModel, name: str) -> QTableView:
        return rows_table(model, name)

    def _chosen(self) -> AcademicYear | None:
        """The window's academic year (the year chosen at the top, as every view uses)."""
        year = getattr(self.ctx, "year", None)
        return year if isinstance(year, AcademicYear) else None

    def reload(self) -> None:
        super().reload()
        year = self._chosen()
        if year is None:
            return
        with self.ctx.session() as s:
            data = impact.impact_data(s, self.ctx.school(s), year, self.ctx.today)
            self.staff_ids = self._staff_ids(s, [p["staff_code"] for p in data.people])
            programmes = mechanisms.programmes_overview(s, self.ctx.school(s), year)
            serving = objectives.objectives_by_priority(s, self.ctx.school(s), year)
            self.charts = impact_charts.impact_charts(s, self.ctx.school(s), year, self.ctx.today)
        self.findings.setText("\n".join(data.findings))
        self.findings.setMinimumHeight(self.findings.fontMetrics().lineSpacing() * len(data.findings) + 6)
        self.people_model.set_rows([[p["name"], format_hours(p["hours"]), format_hours(p["sustained_hours"]),
                                     str(p["stages_due"]), str(p["stages_done"]), str(p["stages_overdue"]),
                                     _one(p["confidence_before"]), _one(p["confidence_after"]),
                                     _one(p["confidence_later"])] for p in data.people], self.staff_ids)
        self.priorities_model.set_rows([[r["priority"], str(r["activities"]), str(r["people"]), format_hours(r["hours"]),
                                         "–" if r["evaluated_share"] is None else f"{r['evaluated_share']:.0f}%",
                                         str(serving.get(r["priority"], 0))] for r in data.priorities], [])
        self.programmes_model.set_rows([self._programme_row(r) for r in programmes], [r["id"] for r in programmes])
        self.retention_model.set_rows([[r["year"], str(r["teachers_at_start"]), str(r["stayed"]), str(r["left"]),
                                        "not yet known" if r["retention_rate"] is None
                                        else f"{r['retention_rate']:.0%}", _one(r["mean_hours_stayed"]),
                                        _one(r["mean_hours_left"])] for r in data.retention], [])
        self.indicators_model.set_rows([[r["year"], r["indicator"], r["group"],
                                         f"{r['value']:,.2f}".rstrip("0").rstrip("."), r["unit"]]
                                        for r in data.indicators], [])
        self.indicators_note.setText("" if data.indicators else "No indicators yet: File › Import (Department "
                                     "indicators), or `cpd-desktop import indicators FILE`.")
        self.stages_model.set_rows([], [])
        self.stages_title.setText("Evaluation stages")
        chosen = max(0, self.chart_list.currentRow())
        self.chart_list.blockSignals(True)
        self.chart_list.clear()
        self.chart_list.addItems([c.title for c in self.charts])
        self.chart_list.blockSignals(False)
        self.chart_list.setCurrentRow(min(chosen, len(self.charts) - 1))

    @staticmethod
    def _programme_row(r: dict[str, Any]) -> list[str]:
        f = r["figures"]
        if f is None:  # no activity in the year
            return [r["programme"], "–", "0", "0", "–", "–", "–", r["groups"]]
        return [r["programme"], "Yes" if f["sustained"] else "No", str(f["people"]), format_hours(f["hours"]),
                _one(f["confidence_before"]), _one(f["confidence_after"]), _one(f["confidence_later"]), r["groups"]]

    # ---- charts ----
    def _show_chart(self, row: int) -> None:
        if not 0 <= row < len(self.charts):
            return
        chart = self.charts[row]
        self.chart.set_chart(chart)
        self.chart_notes.setText(" ".join(chart.notes))
        self.chart_caution.setVisible(chart.side_by_side)
        self.records_title.setText("Click a bar to list its records")
        self.records_model.headings = [""]
        self.records_model.set_rows([], [])

    def _bar_clicked(self, category: int, series: int) -> None:
        year = self._chosen()
        row = self.chart_list.currentRow()
        if year is None or not 0 <= row < len(self.charts):
            return
        with self.ctx.session() as s:
            found = impact_charts.chart_records(s, self.ctx.school(s), year, self.ctx.today, self.charts[row],
                                                category, series)
        self.records_title.setText(found.title)
        self.records_model.headings = found.headings
        self.records_model.set_rows(found.rows, [])

    # ---- programmes ----
    def _chosen_programme(self) -> int | None:
        index = self.programmes_table.currentIndex()
        ids = self.programmes_model.keys
        return ids[index.row()] if index.isValid() and 0 <= index.row() < len(ids) else None

    def add_programme(self) -> None:
        def save(values: dict[str, Any]) -> Any:
            return self.ctx.run(self, "Add programme", lambda s: mechanisms.save_programme(
                s, self.ctx.school(s), None, **values), refusals=True)

        ProgrammeDialog.ask(self, save=save)

    def edit_programme(self) -> None:
        ident = self._chosen_programme()
        if ident is None:
            self.window_.statusBar().showMessage("Choose a programme in the list first.", 5000)
            return
        with self.ctx.session() as s:
            details = mechanisms.programme_details(s, self.ctx.school(s), ident)
        if details is None:
            return

        def save(values: dict[str, Any]) -> Any:
            return self.ctx.run(self, "Edit programme", lambda s: mechanisms.save_programme(
                s, self.ctx.school(s), ident, expected_version=details.version, **values), refusals=True)

        ProgrammeDialog.ask(self, details, save=save)

    def _staff_ids(self, session: Any, codes: list[str]) -> list[int]:
        ids = staff_ids_by_code(session, self.ctx.school_id)
        return [ids[c] for c in codes]

    def _record_evaluation(self, index: QModelIndex) -> None:
        """Record evaluation… for the activity of the chosen stage (its stages, due dates and questions)."""
        from ..dialogs.evaluation import record_evaluation

        if 0 <= index.row() < len(self.stages_model.keys):
            record_evaluation(self, self.ctx, self.stages_model.keys[index.row()])

    def _person_clicked(self, index: QModelIndex) -> None:
        year = self._chosen()
        if year is None or not 0 <= index.row() < len(self.staff_ids):
            return
        name = self.people_model.rows[index.row()][0]
        with self.ctx.session() as s:
            rows = impact.stages_of(s, self.ctx.school(s), self.staff_ids[index.row()], year, self.ctx.today)
        overdue = sum(1 for r in rows if r["state"] == "Overdue")
        self.stages_title.setText(f"Evaluation stages: {name}, {year.label}")
        self.stages_note.setText(f"{plural(len(rows), 'stage')}, {overdue} overdue")
        self.stages_model.set_rows([[r["title"], format_date(r["date"]), r["stage"], format_date(r["due"]),
                                     format_date(r["done_on"]) if r["done_on"] else "", r["state"],
                                     "" if r["confidence"] is None else str(r["confidence"])] for r in rows],
                                   [r["activity_id"] for r in rows])
