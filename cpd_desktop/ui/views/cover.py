"""Cover: for each booking that needs cover, the lessons the teacher misses and what the cover teacher needs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ...errors import CpdError
from ...models import Booking, CoverLesson
from ...models.enums import WORK_RETURN
from ...services.changes import Changes
from ...services.cover_work import (
    LessonEdit,
    lessons_without_work,
    missing_work_question,
    parse_pasted,
    paste_edits,
    same_as_above,
    same_for_class,
    set_cover_work,
)
from ...services.formatting import format_date
from ...services.lists.cover import CoverBookingList, CoverLessonList, has_timetable
from ..conflict import form_compare, table_compare
from ..dialogs.cover import CoverLessonDialog
from ..errors import show_error
from ..prompts import Confirm
from ..roles import RAW_ROLE
from ..tablemodel import ListModel
from ..widgets import PageHeader, TablePanel, muted, remember_splitter
from .base import View


def cover_bookings_model(db: Any, school_id: int, today: Any = None, parent: Any = None) -> ListModel:
    return ListModel(db, CoverBookingList(school_id, today), parent=parent)


def cover_lessons_model(db: Any, school_id: int, parent: Any = None) -> CoverLessonsModel:
    return CoverLessonsModel(db, CoverLessonList(school_id), parent=parent)


# The grid's columns a person types cover work into, and the lesson's field each one is.
WORK_COLUMNS = {"work_set": "work_set", "materials": "materials_location", "work_return": "work_return",
                "technician": "technician_notes"}

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")


class CoverLessonsModel(ListModel):
    """The sheet's lessons; the cover-work cells are typed into, each edit handed to ``on_edit``
    (lesson id, field, value) -> saved, which saves it through the services."""

    on_edit: Callable[[int, str, Any], bool] | None = None

    def field_at(self, column: int) -> str | None:
        return WORK_COLUMNS.get(self.columns[column].key) if 0 <= column < len(self.columns) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self.field_at(index.column()) is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and self.field_at(index.column()) == "work_return":
            return str(super().data(index, RAW_ROLE) or "none")  # the code: the editor's list shows the labels
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        field = self.field_at(index.column()) if index.isValid() else None
        ident = self.row_id(index.row()) if index.isValid() else None
        if field is None or ident is None or role != Qt.ItemDataRole.EditRole or self.on_edit is None:
            return False
        if str(value or "") == str(self.data(index, Qt.ItemDataRole.EditRole) or ""):
            return False  # nothing changed: no save, no undo step
        return self.on_edit(ident, field, value)


class CoverWorkDelegate(QStyledItemDelegate):
    """Cells edited as in a spreadsheet: a line for text, a list for the work collected; Enter saves the
    cell and moves down to the next lesson."""

    def __init__(self, table: QAbstractItemView) -> None:
        super().__init__(table)
        self.table = table

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        model = index.model()
        title = str(model.headerData(index.column(), Qt.Orientation.Horizontal) or "")
        editor: QWidget
        if isinstance(model, CoverLessonsModel) and model.field_at(index.column()) == "work_return":
            combo = QComboBox(parent)
            for code, label in WORK_RETURN.items():
                combo.addItem(label, code)
            editor = combo
        else:
            editor = QLineEdit(parent)
            editor.setFrame(False)
        editor.setAccessibleName(title)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.KeyPress and isinstance(editor, QWidget)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):  # type: ignore[attr-defined]
            row, column = self.table.currentIndex().row(), self.table.currentIndex().column()
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            model = self.table.model()
            below = model.index(min(row + 1, model.rowCount() - 1), column)
            if below.isValid():
                self.table.setCurrentIndex(below)
            return True
        return super().eventFilter(editor, event)


class CoverView(View):
    title = "Cover"
    shows = frozenset({"cover_lesson", "booking", "course", "provider", "staff", "department", "school_period", "timetable_lesson", "non_teaching_day", "term_dates", "school"})
    subtitle = ("Lessons each absence misses, from the timetable (week A/B honoured). Amber: work still to set "
                "for an absence to come; green: all set.")

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.bookings = cover_bookings_model(ctx.db, ctx.school_id, ctx.today, self)
        self.lessons = cover_lessons_model(ctx.db, ctx.school_id, self)
        self.lessons.set_filters({"booking_id": -1}, refresh=False)
        self.booking_panel = TablePanel("cover-bookings", self.bookings, placeholder="Search teacher or course…",
                                        noun=("absence", "absences"))
        self.lesson_panel = TablePanel("cover-lessons", self.lessons, placeholder="Search lessons…",
                                       noun=("lesson", "lessons"))
        self.panels += [self.booking_panel, self.lesson_panel]
        self.booking_panel.selection_changed.connect(self._booking_chosen)
        # The cover work is typed into the grid: F2, a double-click or just typing edits the cell, Enter saves
        # it and moves down; the lesson's other details open in the Edit lesson form.
        self.lessons.on_edit = self.save_cell
        # The version of each lesson as this person has been shown it by their own doing (see ``_note_versions``).
        self._seen: dict[int, int | None] = {}
        self._mine: set[int] = set()
        self._sheet_of_seen: int | None = None
        self.lessons.refreshed.connect(self._note_versions)
        self.lessons.rowsInserted.connect(lambda *_a: self._note_versions())
        self._undo_index = ctx.undo_stack.index()
        ctx.undo_stack.indexChanged.connect(self._own_step)
        grid = self.lesson_panel.table
        grid.setItemDelegate(CoverWorkDelegate(grid))
        grid.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        grid.installEventFilter(self)
        self.lesson_panel.activated.connect(lambda _i: self._activated())
        self.row_action(self.lesson_panel, "Edit lesson…", self.edit_lesson, None, "edit")
        self.row_action(self.lesson_panel, "Delete lesson", self.delete_lesson, Qt.Key.Key_Delete, "delete")
        self.above_action = self.row_action(self.lesson_panel, "Same as the lesson above", self.fill_above,
                                            "Ctrl+D")
        self.class_action = self.row_action(self.lesson_panel, "Same for this class", self.fill_class)
        self.paste_action = self.row_action(self.lesson_panel, "Paste cover work", self.paste,
                                            QKeySequence.StandardKey.Paste)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 8, 0, 0)
        self.sheet_header = PageHeader("Choose an absence", "", buttons_below=True)
        self.sheet_header.title.setObjectName("sectionTitle")
        self.fill_button = self.sheet_header.add_button("Fill from timetable", self.fill, icon_name="calendar",
                                                        tip="Add every timetabled lesson the teacher misses")
        self.add_button = self.sheet_header.add_button("Add lesson…", self.add_lesson, icon_name="add")
        self.edit_button = self.sheet_header.add_button("Edit…", self.edit_lesson, icon_name="edit")
        self.above_button = self.sheet_header.add_button(
            "Same as above", self.fill_above, tip="Give the chosen lessons the work of the lesson above (Ctrl+D)")
        self.above_button.setAccessibleName("Same as the lesson above")
        self.class_button = self.sheet_header.add_button(
            "Same for this class", self.fill_class,
            tip="Give every lesson of the chosen lesson's class on this sheet the same work")
        self.pdf_button = self.sheet_header.add_button("Release-cover sheet PDF", lambda: self.sheet("pdf"),
                                                       icon_name="export", primary=True)
        self.sheet_header.buttons.addStretch(1)
        rl.addWidget(self.sheet_header)
        self.empty_note = muted("")
        rl.addWidget(self.empty_note)
        rl.addWidget(self.lesson_panel, 1)
        # The absences above their lessons, each as wide as the window: side by side, both tables
        # scrolled sideways on a 1366-pixel screen.
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.booking_panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([190, 520])
        remember_splitter(splitter, "cover-stacked")  # not "cover": that state was side by side
        self.splitter = splitter
        self.outer.addWidget(splitter, 1)
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        for b in (self.fill_button, self.add_button, self.edit_button, self.above_button, self.class_button,
                  self.pdf_button):
            b.setEnabled(on)

    def reload(self) -> None:
        super().reload()
        chosen = self.booking_panel.current_id()
        self.bookings.set_filters({"year": self.ctx.year, "department": self.ctx.department})
        if chosen is None:
            chosen = self._next_absence()
        if chosen is not None:
            self.booking_panel.select_id(chosen)
        self._booking_chosen()

    def _next_absence(self) -> int | None:
        """The first absence from today on (what the cover manager needs next), else the last one."""
        model = self.bookings
        model.fetch_all()
        for row in range(model.rowCount()):
            if model.row_values(row)["end_date"] >= self.ctx.today:
                return model.row_id(row)
        return model.row_id(model.rowCount() - 1)

    def activate(self, payload: Any = None) -> None:
        super().activate(payload)
        if isinstance(payload, dict) and payload.get("booking_id"):
            self.booking_panel.select_id(payload["booking_id"])

    def booking_id(self) -> int | None:
        return self.booking_panel.current_id()

    def _booking_chosen(self) -> None:
        ident = self.booking_id()
        if ident is not None and ident != self._sheet_of_seen:
            # Another sheet: its lessons are shown afresh. (None is no sheet for a moment: a refresh
            # choosing the absence again passes through it and must not forget what was seen.)
            self._seen.clear()
            self._sheet_of_seen = ident
        if ident is None:
            self.sheet_header.title.setText("Choose an absence")
            self.sheet_header.subtitle.setText("The lessons to cover appear here.")
            self.lessons.set_filters({"booking_id": -1})
            self._set_enabled(False)
            self.empty_note.setText("")
            return
        with self.ctx.session() as s:
            b = s.get(Booking, ident)
            name, title = b.staff.full_name, b.title
            when = format_date(b.start_date) + (f" to {format_date(b.end_date)}" if b.end_date != b.start_date else "")
            timetabled = has_timetable(s, b.staff_id)
        self.sheet_header.title.setText(f"{name} — {title}")
        self.sheet_header.subtitle.setText(f"Away {when}.")
        self.lessons.set_filters({"booking_id": ident})
        self._set_enabled(True)
        self.fill_button.setEnabled(timetabled)
        if self.lessons.rowCount() == 0:
            self.empty_note.setText("No lessons on this sheet yet. " + (
                "Press “Fill from timetable” to add the lessons this teacher misses." if timetabled else
                "There is no timetable for this teacher: import one (File → Import…) or add lessons by hand."))
        else:
            self.empty_note.setText("Type the work into the grid: F2 or just start typing, Enter saves and moves "
                                    "down; Ctrl+V pastes a column copied from a spreadsheet.")

    def _periods(self) -> list[tuple[int, str]]:
        from ...services.schools import school_periods

        with self.ctx.session() as s:
            periods = school_periods(s, self.ctx.school_id)
        return [(number, f"{label} ({start:%H:%M})") for number, label, start, _end in periods]

    def fill(self) -> None:
        from ...services.bookings import fill_cover_from_timetable

        ident = self.booking_id()
        if ident is None:
            return
        added = self.ctx.run(self, "Fill cover from timetable",
                             lambda s: len(fill_cover_from_timetable(s, s.get(Booking, ident))))
        if added is not None:
            self.window_.statusBar().showMessage(
                f"Added {added} lesson{'s' if added != 1 else ''} from the timetable." if added
                else "Every timetabled lesson is already on the sheet.", 6000)

    def add_lesson(self) -> None:
        from ...services.bookings import add_cover_lesson

        ident = self.booking_id()
        if ident is None:
            return
        with self.ctx.session() as s:
            booking = s.get(Booking, ident)
            _ = booking.staff.full_name
        new_id = CoverLessonDialog.ask(self, booking, None, self._periods(), save=lambda answer: self.ctx.run(
            self, "Add cover lesson", lambda s: add_cover_lesson(s, s.get(Booking, ident), **answer[0]).id,
            refusals=True))
        if new_id:
            self.lesson_panel.select_id(new_id)

    def edit_lesson(self) -> None:
        from ...services.bookings import update_cover_lesson

        ident = self.lesson_panel.current_id()
        if ident is None:
            return
        with self.ctx.session() as s:
            lesson = s.get(CoverLesson, ident)
            booking = lesson.booking
            _ = booking.staff.full_name
        periods = self._periods()

        def save(answer: tuple[dict[str, Any], int | None]) -> Any:
            values, version = answer
            return self.ctx.save(self, "Edit cover lesson", (CoverLesson, ident), version, lambda s, v: update_cover_lesson(
                s, s.get(CoverLesson, ident), expected_version=v, **values).id,
                form_compare(lambda current: CoverLessonDialog(current.booking, current, periods), values),
                refusals=True)

        # The form reads the lesson afresh: its version is the one the person sees in it.
        CoverLessonDialog.ask(self, booking, lesson, periods,
                              save=lambda answer: self._as_mine([ident], lambda: save(answer)))

    def delete_lesson(self) -> None:
        from ...services.bookings import delete_cover_lesson

        ident = self.lesson_panel.current_id()
        if ident is None:
            return
        if not Confirm.ask(self, "Delete lesson", "Take this lesson off the cover sheet?", yes="Delete",
                           detail="You can undo this."):
            return

        self.ctx.delete(self, "Delete cover lesson", self.lessons, CoverLesson, [ident], delete_cover_lesson,
                        lambda row: f"The {row.get('period') or 'lesson'} lesson on {format_date(row.get('date'))}"
                                    + (f" with {row['class_group']}" if row.get("class_group") else ""))

    def sheet(self, fmt: str) -> None:
        from ..exporting import export

        ident = self.booking_id()
        if ident is None:
            return
        with self.ctx.session() as s:
            missing = lessons_without_work(s, self.ctx.school_id, ident)
        if missing and not Confirm.ask(
                self, "Lessons without work set", missing_work_question(missing), yes="Save anyway", no="Go back",
                detail="The sheet leaves their work blank. Go back to type it into the grid first."):
            return
        export(self, self.ctx, "cover", fmt, booking_id=ident)

    # ---- typing cover work into the grid ----
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        grid = self.lesson_panel.table
        if (obj is grid and event.type() == QEvent.Type.KeyPress and grid.state() != QAbstractItemView.State.EditingState
                and event.key() == Qt.Key.Key_F2):  # type: ignore[attr-defined]
            self._activated()
            return True
        return super().eventFilter(obj, event)

    def _activated(self) -> None:
        """F2 or a double-click: type into a cover-work cell; elsewhere on the row, the lesson's form."""
        grid = self.lesson_panel.table
        index = grid.currentIndex()
        if index.isValid() and self.lessons.field_at(index.column()) is not None:
            grid.edit(index)
        else:
            self.edit_lesson()

    # ---- the versions a change is checked against ----
    # A refresh brings others' changes onto the sheet quietly (the look every 20 seconds, or the reload after
    # one of this person's own saves). Were the grid's versions taken as the ones the person saw, a paste
    # or a fill made just after would be checked against the colleague's version and write over their
    # change unnoticed. So each lesson keeps the version the person's own doing showed them: the sheet as
    # first shown, their own saves, undos and redos, and a refusal they were told of. Somebody else's
    # change moves it on only once the person has been told (their next change to that lesson is refused,
    # naming who changed it, and the sheet shows theirs).
    def _note_versions(self) -> None:
        model = self.lessons
        for row in range(model.rowCount()):
            ident = model.row_id(row)
            if ident is not None and (ident not in self._seen or ident in self._mine):
                self._seen[ident] = model.row_version(ident)

    def _own_step(self, index: int) -> None:
        """An undo or redo done in this window: the lessons it put back are as this person left them."""
        stack = self.ctx.undo_stack
        command = stack.command(index if index < self._undo_index else index - 1)
        self._undo_index = index
        changes = getattr(command, "changes", None)
        if changes is None:
            return
        for change in changes.changes:
            if change.model is CoverLesson and self.lessons.row_of_id(change.ident) >= 0:
                self._seen[change.ident] = self.lessons.row_version(change.ident)

    def _versions(self, ids: list[int]) -> dict[int, int | None]:
        return {i: self._seen.get(i, self.lessons.row_version(i)) for i in ids}

    def _as_mine(self, ids: Iterable[int], action: Callable[[], T]) -> T:
        """Do ``action`` (a save of lessons ``ids``); the refreshes it brings take their versions as seen."""
        self._mine = set(ids)
        try:
            return action()
        finally:
            self._mine = set()

    def save_cell(self, ident: int, field: str, value: Any) -> bool:
        """One cell typed: saved against the version the row showed (somebody else's save in between is shown
        beside it, as for any edit), one undo step."""
        row = self.lessons.row_of_id(ident)
        seen = self.lessons.row_values(row) if row >= 0 else {}
        mine = dict(seen)
        mine[next(k for k, f in WORK_COLUMNS.items() if f == field)] = value
        school_id = self.ctx.school_id
        try:
            done = self._as_mine([ident], lambda: self.ctx.save(
                self, "Type cover work", (CoverLesson, ident), self._versions([ident])[ident],
                lambda s, ver: set_cover_work(s, school_id, [LessonEdit(ident, {field: value}, ver)]) + 1,
                table_compare(self.lessons, mine), refusals=True))
        except CpdError as exc:  # refused (too long, say): said, and the cell opens again with what was typed
            show_error(self, exc)
            QTimer.singleShot(0, lambda: self._edit_again(ident, field, value))
            return False
        return done is not None

    def _edit_again(self, ident: int, field: str, value: Any) -> None:
        row = self.lessons.row_of_id(ident)
        column = next(c for c in range(self.lessons.columnCount()) if self.lessons.field_at(c) == field)
        if row < 0:
            return
        grid = self.lesson_panel.table
        index = self.lessons.index(row, column)
        grid.setCurrentIndex(index)
        grid.edit(index)
        editor = grid.indexWidget(index) or next(
            (w for w in grid.viewport().findChildren(QLineEdit) if w.isVisible()), None)
        if isinstance(editor, QLineEdit):
            editor.setText(str(value))

    def _chosen_lessons(self) -> list[int]:
        ids = self.lesson_panel.selected_ids()
        current = self.lesson_panel.current_id()
        return ids or ([current] if current is not None else [])

    def _fill(self, text: str, action: Callable[[Any], int], what: str, ids: list[int]) -> None:
        changed = self._as_mine(ids, lambda: self.ctx.run(self, text, action))
        if changed is None:
            # Refused (somebody else's change, a lesson gone) and the person told: the sheet as it is now,
            # its versions the ones they have seen.
            self.lessons.fetch_all()
            shown = [i for i in (self.lessons.row_id(r) for r in range(self.lessons.rowCount())) if i is not None]
            self._as_mine(shown, lambda: self.ctx.changed(Changes.of("cover_lesson")))
            return
        self.window_.statusBar().showMessage(
            f"{what}: {changed} lesson{'' if changed == 1 else 's'} changed." if changed
            else f"{what}: the lessons already had that work.", 6000)

    def fill_above(self) -> None:
        booking, ids = self.booking_id(), self._chosen_lessons()
        if booking is None or not ids:
            return
        versions, school_id = self._versions(ids), self.ctx.school_id
        self._fill("Same as the lesson above",
                   lambda s: same_as_above(s, school_id, booking, ids, versions), "Same as the lesson above", ids)

    def fill_class(self) -> None:
        booking, ident = self.booking_id(), self.lesson_panel.current_id()
        if booking is None or ident is None:
            return
        row = self.lessons.row_of_id(ident)
        group = self.lessons.row_values(row).get("class_group") if row >= 0 else None
        self.lessons.fetch_all()
        ids = [i for i in (self.lessons.row_id(r) for r in range(self.lessons.rowCount())) if i is not None]
        versions, school_id = self._versions(ids), self.ctx.school_id
        self._fill("Same for this class", lambda s: same_for_class(s, school_id, booking, ident, versions),
                   f"Same for {group or 'this class'}", ids)

    def paste(self) -> None:
        """Cells copied from a spreadsheet, laid from the chosen cell downward (and rightward), one undo step."""
        from ...errors import ValidationError

        grid = self.lesson_panel.table
        index = grid.currentIndex()
        text = QGuiApplication.clipboard().text()
        if not index.isValid() or not text:
            return
        self.lessons.fetch_all()
        ids = [i for i in (self.lessons.row_id(r) for r in range(self.lessons.rowCount())) if i is not None]
        fields = [self.lessons.field_at(c) for c in range(self.lessons.columnCount())]
        try:
            if fields[index.column()] is None:
                raise ValidationError("Paste", "goes into a cover-work cell: work set, materials, work collected or "
                                      "technician notes.", hint="Click the first cell to fill, then paste.")
            edits = paste_edits(parse_pasted(text), ids, index.row(), fields, index.column(), self._versions(ids))
        except ValidationError as exc:
            show_error(self, exc)
            return
        school_id = self.ctx.school_id
        self._fill("Paste cover work", lambda s: set_cover_work(s, school_id, edits), "Pasted",
                   [e.lesson_id for e in edits])
