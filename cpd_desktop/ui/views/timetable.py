"""Timetable: one teacher's lessons as a grid of days × periods (week A and week B in a two-week timetable),
added, edited and deleted in place, replaced from a file after a preview, each lesson marked with the
bookings needing cover that take the teacher away from it in the week chosen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...models import TimetableLesson
from ...models.enums import WEEKDAYS
from ...services import timetable as tt
from ...services.lists.choices import staff_with_timetable
from .. import settings
from ..conflict import form_compare
from ..dialogs.lesson import LessonDialog
from ..errors import show_error
from ..prompts import Confirm
from .base import View

LESSON_ROLE = Qt.ItemDataRole.UserRole + 1
COVER_COLOUR = QColor("#fff4ce")


def _period_heading(label: str) -> str:
    """'P1 (08:50–09:50)' as two lines: the grid's row headings stay narrow."""
    return label.replace(" (", "\n").rstrip(")")


class TimetableGridModel(QAbstractTableModel):
    """One week of a teacher's timetable: rows are the school's periods, columns the days."""

    def __init__(self, week: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.week = week
        self.grid: tt.TimetableGrid | None = None

    def set_grid(self, grid: tt.TimetableGrid | None) -> None:
        self.beginResetModel()
        self.grid = grid
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.periods)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.days)

    def slot(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, int, int] | None:
        if self.grid is None or not index.isValid():
            return None
        return self.week, self.grid.days[index.column()], self.grid.periods[index.row()].number

    def lesson(self, index: QModelIndex | QPersistentModelIndex) -> tt.Lesson | None:
        slot = self.slot(index)
        return self.grid.cells.get(slot) if slot is not None and self.grid is not None else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        slot = self.slot(index)
        if slot is None or self.grid is None:
            return None
        lesson = self.grid.cells.get(slot)
        if role == Qt.ItemDataRole.DisplayRole:
            if lesson is None:
                return ""
            return "\n".join([lesson.text, *lesson.covers])
        if role == Qt.ItemDataRole.AccessibleTextRole:
            where = tt.slot_text(*slot, two_week=self.grid.two_week)
            if lesson is None:
                return f"{where}: free"
            return f"{where}: " + ", ".join(lesson.text.splitlines()) + "".join(f". {c}" for c in lesson.covers)
        if role == Qt.ItemDataRole.ToolTipRole and lesson is not None:
            extra = " (every week)" if self.grid.two_week and lesson.week == "every" else ""
            return "\n".join([lesson.text.replace("\n", " · ") + extra, *lesson.covers])
        if role == Qt.ItemDataRole.BackgroundRole and lesson is not None and lesson.covers:
            return COVER_COLOUR
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == LESSON_ROLE:
            return lesson.id if lesson is not None else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.grid is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self.grid.days):
                return None
            day = self.grid.days[section]
            name = WEEKDAYS[day]
            if self.grid.monday is not None and (self.grid.week_shown in (None, self.week)):
                date = self.grid.monday + dt.timedelta(days=day - 1)
                return f"{name} {date:%d/%m}"
            return name
        if not 0 <= section < len(self.grid.periods):
            return None
        return _period_heading(self.grid.periods[section].label)


class ReplacePreview(QDialog):
    """What replacing a teacher's timetable from a file would add, remove and change; Apply or Cancel."""

    def __init__(self, plan: tt.Replacement, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = f"Replace {plan.teacher}'s timetable"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        head = QLabel(f"From {plan.file_name}: {plan.rows} {'row' if plan.rows == 1 else 'rows'} for "
                      f"{plan.teacher}. {plan.summary}." + ("" if not plan.is_empty else
                                                            " The timetable already matches the file."))
        head.setWordWrap(True)
        layout.addWidget(head)
        self.changes = QListWidget()
        self.changes.setAccessibleName("Changes")
        self.changes.setWordWrap(True)
        self.changes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # what the file brings first; the lessons it drops (often the longest list) after
        for prefix, items in (("Added", plan.added), ("Changed", plan.changed), ("Removed", plan.removed)):
            for change in items:
                self.changes.addItem(f"{prefix}: {change.describe(two_week=plan.two_week)}")
        layout.addWidget(self.changes, 1)
        if plan.removed:
            gone = QLabel(f"{len(plan.removed)} {'lesson' if len(plan.removed) == 1 else 'lessons'} of {plan.teacher} "
                          f"not in the file will be removed from the timetable.")
            gone.setWordWrap(True)
            gone.setStyleSheet("color: #8a5300;")
            layout.addWidget(gone)
        note = QLabel("Lessons of other teachers in the file are left alone. You can undo this (Ctrl+Z).")
        note.setObjectName("muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(not plan.is_empty)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 420)

    @classmethod
    def ask(cls, parent: QWidget | None, plan: tt.Replacement) -> bool:
        return bool(cls(plan, parent).exec())


class TimetableView(View):
    title = "Timetable"
    shows = frozenset({"timetable_lesson", "staff", "department", "school_period", "school"})
    subtitle = ("A teacher's lessons by day and period. Insert adds, F2 or a double-click edits, Delete removes. "
                "Amber: a booking needing cover takes them away that day.")

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.grid: tt.TimetableGrid | None = None
        self.add_button = self.header.add_button("Add lesson…", self.add_lesson, icon_name="add",
                                                 tip="Add a lesson in the chosen period (Insert)")
        self.edit_button = self.header.add_button("Edit lesson…", self.edit_lesson, icon_name="edit",
                                                  tip="Edit the chosen lesson (F2)")
        self.delete_button = self.header.add_button("Delete lesson", self.delete_lesson, icon_name="delete",
                                                    tip="Delete the chosen lesson (Delete)")
        self.replace_button = self.header.add_button(
            "Replace from file…", self.replace_from_file, icon_name="import",
            tip="Replace this teacher's lessons with theirs in a timetable file, after a preview")

        bar = QHBoxLayout()
        teacher_label = QLabel("Teacher:")
        self.teacher_combo = QComboBox()
        self.teacher_combo.setAccessibleName("Teacher")
        self.teacher_combo.setMinimumContentsLength(28)
        self.teacher_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        teacher_label.setBuddy(self.teacher_combo)
        week_label = QLabel("Week of:")
        self.week_edit = QDateEdit()
        self.week_edit.setAccessibleName("Week of")
        self.week_edit.setDisplayFormat("dd/MM/yyyy")
        self.week_edit.setCalendarPopup(True)
        self.week_edit.setToolTip("Lessons that week show the bookings needing cover that take the teacher away")
        week_label.setBuddy(self.week_edit)
        self.previous_week = QPushButton("◀")
        self.previous_week.setAccessibleName("Previous week")
        self.previous_week.setToolTip("Previous week")
        self.next_week = QPushButton("▶")
        self.next_week.setAccessibleName("Next week")
        self.next_week.setToolTip("Next week")
        for b in (self.previous_week, self.next_week):
            b.setFixedWidth(34)
        self.week_note = QLabel("")
        self.week_note.setObjectName("muted")
        bar.addWidget(teacher_label)
        bar.addWidget(self.teacher_combo)
        bar.addSpacing(16)
        bar.addWidget(week_label)
        bar.addWidget(self.previous_week)
        bar.addWidget(self.week_edit)
        bar.addWidget(self.next_week)
        bar.addWidget(self.week_note, 1)
        self.outer.addLayout(bar)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Weeks")
        self.tables: dict[str, QTableView] = {}
        self.models: dict[str, TimetableGridModel] = {}
        for week in ("A", "B", "every"):
            model = TimetableGridModel(week, self)
            table = QTableView()
            table.setModel(model)
            table.setAccessibleName(f"{tt.week_label(week)} lessons" if week != "every" else "Lessons")
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setWordWrap(True)
            table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.verticalHeader().setMinimumSectionSize(66)
            table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
            table.viewport().installEventFilter(self)  # a double-click, on a lesson or a free period
            for text, key, slot in (("Add lesson…", Qt.Key.Key_Insert, self.add_lesson),
                                    ("Edit lesson…", Qt.Key.Key_F2, self.edit_lesson),
                                    ("Delete lesson", Qt.Key.Key_Delete, self.delete_lesson)):
                action = QAction(text, table)
                action.setShortcut(QKeySequence(key))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                action.triggered.connect(lambda _c=False, s=slot: s())
                table.addAction(action)
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            table.selectionModel().currentChanged.connect(lambda *_a: self._update_buttons())
            self.tables[week] = table
            self.models[week] = model
        self.tabs.currentChanged.connect(lambda _i: self._update_buttons())
        self.empty_note = QLabel("")
        self.empty_note.setObjectName("muted")
        self.empty_note.setWordWrap(True)
        self.outer.addWidget(self.empty_note)
        self.outer.addWidget(self.tabs, 1)
        self._weeks_shown: list[str] = []

        self.week_edit.setDate(QDate(*self._monday(ctx.today).timetuple()[:3]))
        self.teacher_combo.currentIndexChanged.connect(lambda _i: self._teacher_chosen())
        self.week_edit.dateChanged.connect(lambda _d: self._week_chosen())
        self.previous_week.clicked.connect(lambda _c=False: self._step_week(-7))
        self.next_week.clicked.connect(lambda _c=False: self._step_week(7))

    # ---- choosing ----
    @staticmethod
    def _monday(day: dt.date) -> dt.date:
        return tt.monday_of(day)

    def _chosen_week(self) -> dt.date:
        d = self.week_edit.date()
        return self._monday(dt.date(d.year(), d.month(), d.day()))

    def _step_week(self, days: int) -> None:
        self.week_edit.setDate(self.week_edit.date().addDays(days))

    def _week_chosen(self) -> None:
        monday = self._chosen_week()
        if self.week_edit.date() != QDate(monday.year, monday.month, monday.day):
            self.week_edit.setDate(QDate(monday.year, monday.month, monday.day))  # always the Monday
            return
        self._load_grid(follow_week=True)

    def teacher_id(self) -> int | None:
        data = self.teacher_combo.currentData()
        return int(data) if data is not None else None

    def _teacher_chosen(self) -> None:
        ident = self.teacher_id()
        if ident is not None:
            settings.set_value("timetable/teacher", ident)
        self._load_grid(follow_week=True)

    def reload(self) -> None:
        super().reload()
        with self.ctx.session() as s:
            people = tt.teachers(s, self.ctx.school(s), department=self.ctx.department)
            with_lessons = staff_with_timetable(s, self.ctx.school_id)
        current = self.teacher_id()
        if current is None:
            remembered = settings.value("timetable/teacher")
            try:
                current = int(remembered) if isinstance(remembered, int | str) else None
            except (TypeError, ValueError):
                current = None
        ids = [i for i, _n in people]
        if current not in ids:
            current = next((i for i in ids if i in with_lessons), ids[0] if ids else None)
        self.teacher_combo.blockSignals(True)
        self.teacher_combo.clear()
        for ident, name in people:
            self.teacher_combo.addItem(name, ident)
        if current is not None:
            self.teacher_combo.setCurrentIndex(self.teacher_combo.findData(current))
        self.teacher_combo.blockSignals(False)
        self._load_grid(follow_week=not self._weeks_shown)  # first shown: the tab of the week chosen

    def _load_grid(self, *, follow_week: bool = False) -> None:
        ident = self.teacher_id()
        table = self.current_table()
        here = table.currentIndex() if table is not None else QModelIndex()
        at = (here.row(), here.column()) if here.isValid() else (0, 0)
        if ident is None:
            self.grid = None
        else:
            try:
                with self.ctx.session() as s:
                    self.grid = tt.timetable_grid(s, self.ctx.school(s), ident, week_of_day=self._chosen_week())
            except Exception as exc:  # noqa: BLE001 - the person was deleted meanwhile: say so, show nothing
                show_error(self, exc)
                self.grid = None
        grid = self.grid
        weeks = grid.weeks if grid is not None else ["every"]
        if weeks != self._weeks_shown:
            self.tabs.blockSignals(True)
            while self.tabs.count():
                self.tabs.removeTab(0)
            for week in weeks:
                self.tabs.addTab(self.tables[week], tt.week_label(week) if week != "every" else "Lessons")
            self.tabs.tabBar().setVisible(len(weeks) > 1)
            self.tabs.blockSignals(False)
            self._weeks_shown = list(weeks)
        for week, model in self.models.items():
            model.set_grid(grid if week in weeks else None)
        if grid is not None and grid.week_shown and follow_week:
            self.tabs.setCurrentIndex(weeks.index(grid.week_shown))
        table = self.current_table()
        if table is not None and grid is not None and table.model().rowCount():
            row = min(at[0], table.model().rowCount() - 1)
            col = min(at[1], table.model().columnCount() - 1)
            table.setCurrentIndex(table.model().index(row, col))
        if grid is None:
            self.week_note.setText("")
            self.empty_note.setText("There is nobody on the staff list yet: add staff first (Staff → Add…)."
                                    if self.teacher_combo.count() == 0 else "")
        else:
            self.week_note.setText(f"(timetable week {grid.week_shown})" if grid.week_shown else "")
            self.empty_note.setText(
                "" if grid.lesson_count else
                f"No lessons for {grid.teacher} yet: press Insert (or double-click a period) to add one, "
                "or Replace from file… to take them from the school's timetable export.")
            self.empty_note.setVisible(not grid.lesson_count)
        self._update_buttons()

    def current_table(self) -> QTableView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, QTableView) else None

    def _current(self) -> tuple[tuple[str, int, int] | None, tt.Lesson | None]:
        table = self.current_table()
        if table is None:
            return None, None
        model = table.model()
        assert isinstance(model, TimetableGridModel)
        index = table.currentIndex()
        return model.slot(index), model.lesson(index)

    def _update_buttons(self) -> None:
        slot, lesson = self._current()
        has_teacher = self.grid is not None
        self.add_button.setEnabled(has_teacher and slot is not None)
        self.edit_button.setEnabled(lesson is not None)
        self.delete_button.setEnabled(lesson is not None)
        self.replace_button.setEnabled(has_teacher)

    def _periods(self) -> list[tuple[int, str]]:
        return [(p.number, p.label) for p in self.grid.periods] if self.grid is not None else []

    def _select(self, week: str, weekday: int, period: int) -> None:
        """Put the cursor on a lesson's cell (in its own week's tab)."""
        if self.grid is None:
            return
        week = week if week in self.grid.weeks else (self.current_week() or week)
        if week not in self.grid.weeks:
            return
        self.tabs.setCurrentIndex(self.grid.weeks.index(week))
        table = self.tables[week]
        rows = [p.number for p in self.grid.periods]
        if weekday in self.grid.days and period in rows:
            table.setCurrentIndex(table.model().index(rows.index(period), self.grid.days.index(weekday)))
        table.setFocus()

    def current_week(self) -> str | None:
        table = self.current_table()
        return next((w for w, t in self.tables.items() if t is table), None)

    # ---- acting ----
    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802
        # The cell under the pointer, even when the grid was reloaded between the two clicks (after a save).
        if event.type() == QEvent.Type.MouseButtonDblClick and event.button() == Qt.MouseButton.LeftButton:
            week = next((w for w, t in self.tables.items() if t.viewport() is obj), None)
            if week is not None:
                table = self.tables[week]
                index = table.indexAt(event.position().toPoint())
                if index.isValid():
                    table.setCurrentIndex(index)
                    self._double_clicked(week, index)
                    return True
        return super().eventFilter(obj, event)

    def _double_clicked(self, week: str, index: QModelIndex) -> None:
        if self.models[week].lesson(index) is not None:
            self.edit_lesson()
        else:
            self.add_lesson()

    def add_lesson(self) -> None:
        slot, _lesson = self._current()
        ident = self.teacher_id()
        if slot is None or ident is None or self.grid is None:
            return
        grid = self.grid

        def save(answer: tuple[dict[str, Any], int | None]) -> Any:
            values, _version = answer
            return self.ctx.run(self, f"Add lesson to {grid.teacher}'s timetable", lambda s: self._added(
                tt.add_lesson(s, self.ctx.school(s), ident, **values)), refusals=True)

        done = LessonDialog.ask(self, grid.teacher, grid.two_week, self._periods(), None, slot, save=save)
        if done:
            self._select(*done)

    @staticmethod
    def _added(lesson: TimetableLesson) -> tuple[str, int, int]:
        return lesson.week, lesson.weekday, lesson.period

    def edit_lesson(self) -> None:
        _slot, lesson = self._current()
        if lesson is None or self.grid is None:
            return
        grid = self.grid
        periods = self._periods()
        ident = lesson.id

        def save(answer: tuple[dict[str, Any], int | None]) -> Any:
            values, version = answer
            return self.ctx.save(
                self, f"Edit lesson on {grid.teacher}'s timetable", (TimetableLesson, ident), version,
                lambda s, v: self._added(tt.update_lesson(s, self.ctx.school(s), ident, expected_version=v,
                                                          **values)),
                form_compare(lambda current: LessonDialog(grid.teacher, grid.two_week, periods, current), values),
                refusals=True)

        done = LessonDialog.ask(self, grid.teacher, grid.two_week, periods, lesson, save=save)
        if done:
            self._select(*done)

    def delete_lesson(self) -> None:
        slot, lesson = self._current()
        if lesson is None or slot is None or self.grid is None:
            return
        where = tt.slot_text(lesson.week, lesson.weekday, lesson.period, two_week=self.grid.two_week)
        what = ", ".join(lesson.text.splitlines())
        if not Confirm.ask(self, "Delete lesson", f"Delete {what} ({where}) from {self.grid.teacher}'s timetable?",
                           yes="Delete", detail="You can undo this (Ctrl+Z)."):
            return
        ident, version = lesson.id, lesson.version
        self.ctx.run(self, f"Delete lesson from {self.grid.teacher}'s timetable",
                     lambda s: tt.delete_lesson(s, self.ctx.school(s), ident, expected_version=version))
        self._select(*slot)

    def replace_from_file(self) -> None:
        from ..import_wizard import FILE_FILTER

        ident = self.teacher_id()
        if ident is None or self.grid is None:
            return
        path, _f = QFileDialog.getOpenFileName(self, f"Choose the timetable file for {self.grid.teacher}",
                                               settings.last_folder("import"), FILE_FILTER)
        if not path:
            return
        settings.set_last_folder("import", path)
        try:
            with self.ctx.session() as s:
                plan = tt.preview_replacement(s, self.ctx.school(s), ident, path)  # reads; writes nothing
        except Exception as exc:  # noqa: BLE001 - shown: show_error tells a file's fault from a bug
            show_error(self, exc)
            return
        if not ReplacePreview.ask(self, plan):
            return
        done = self.ctx.run(self, f"Replace {plan.teacher}'s timetable from {plan.file_name}",
                            lambda s: tt.apply_replacement(s, self.ctx.school(s), plan))
        if done is not None:
            self.window_.statusBar().showMessage(f"{plan.teacher}'s timetable: {plan.summary}.", 8000)
