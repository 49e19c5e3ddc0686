"""Cover: for each booking that needs cover, the lessons the teacher misses and what the cover teacher needs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget
from sqlalchemy import String, cast, func, literal, select

from ...models import Booking, CoverLesson, Department, SchoolPeriod, Staff, TimetableLesson
from ...models.enums import WORK_RETURN
from ...services.formatting import format_date
from ..conflict import form_compare
from ..dialogs.cover import CoverLessonDialog
from ..main_window import Confirm
from ..tablemodel import Column, PagedQueryModel
from ..widgets import PageHeader, TablePanel, muted, remember_splitter
from .base import View


def cover_bookings_model(db: Any, school_id: int, parent: Any = None) -> PagedQueryModel:
    lessons = select(func.count()).select_from(CoverLesson).where(CoverLesson.booking_id == Booking.id).scalar_subquery()
    ready = (select(func.count()).select_from(CoverLesson)
             .where(CoverLesson.booking_id == Booking.id, CoverLesson.work_set.is_not(None)).scalar_subquery())
    columns = [
        Column("start_date", "Away from", Booking.start_date, "date", width=85),
        Column("end_date", "to", Booking.end_date, "date", width=85),
        Column("staff", "Teacher", Staff.surname + literal(", ") + Staff.forename, searchable=True, width=140,
               sort_expr=Staff.sort_name),
        Column("title", "Course", Booking.title, searchable=True, width=200),
        Column("lessons", "Lessons", lessons, "int", width=60),
        Column("ready", "Work set", ready, "int", width=70, tooltip="Lessons with the work set filled in"),
    ]
    lessons_at = 1 + 4
    ready_at = 1 + 5

    def style(row: tuple[Any, ...]) -> str | None:
        if not row[lessons_at]:
            return "warn"
        return "good" if row[ready_at] == row[lessons_at] else None

    def query(cols: list[Any]) -> Any:
        return (select(*cols).select_from(Booking).join(Staff, Staff.id == Booking.staff_id)
                .outerjoin(Department, Department.id == Staff.department_id)
                .where(Booking.school_id == school_id, Booking.cover_required.is_(True),
                       Booking.status != "cancelled"))

    return PagedQueryModel(db, columns, query, Booking.id, row_style=style, parent=parent)


def cover_lessons_model(db: Any, school_id: int, parent: Any = None) -> PagedQueryModel:
    period_label = (select(SchoolPeriod.label).where(SchoolPeriod.school_id == school_id,
                                                     SchoolPeriod.number == CoverLesson.period)
                    .scalar_subquery())
    columns = [
        Column("date", "Date", CoverLesson.date, "date", width=85),
        Column("period", "Period", func.coalesce(period_label, literal("P") + cast(CoverLesson.period, String)),
               sort_expr=CoverLesson.period, width=60),
        Column("class_group", "Class", CoverLesson.class_group, searchable=True, width=60),
        Column("subject", "Subject", CoverLesson.subject, searchable=True, width=85),
        Column("room", "Room", CoverLesson.room, width=55),
        Column("work_set", "Work set", CoverLesson.work_set, searchable=True, width=220),
        Column("materials", "Materials", CoverLesson.materials_location, width=150),
        Column("work_return", "Work", CoverLesson.work_return, "choice", WORK_RETURN, width=120),
        Column("technician", "Technician notes", CoverLesson.technician_notes, width=150),
        Column("cover_teacher", "Cover teacher", CoverLesson.cover_teacher, searchable=True, width=110),
    ]
    work_at = 1 + 5

    def style(row: tuple[Any, ...]) -> str | None:
        return None if row[work_at] else "warn"

    def query(cols: list[Any]) -> Any:
        return select(*cols).select_from(CoverLesson).where(CoverLesson.school_id == school_id)

    model = PagedQueryModel(db, columns, query, CoverLesson.id, row_style=style, version_expr=CoverLesson.version,
                            parent=parent)
    model.sort(0)
    return model


class CoverView(View):
    title = "Cover"
    subtitle = ("Lessons each absence misses, from the timetable (week A/B honoured). Amber: lessons still "
                "without work set.")

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.bookings = cover_bookings_model(ctx.db, ctx.school_id, self)
        self.lessons = cover_lessons_model(ctx.db, ctx.school_id, self)
        self.lessons.set_filters([CoverLesson.booking_id == -1], refresh=False)
        self.booking_panel = TablePanel("cover-bookings", self.bookings, placeholder="Search teacher or course…",
                                        noun=("absence", "absences"))
        self.lesson_panel = TablePanel("cover-lessons", self.lessons, placeholder="Search lessons…",
                                       noun=("lesson", "lessons"))
        self.panels += [self.booking_panel, self.lesson_panel]
        self.booking_panel.selection_changed.connect(self._booking_chosen)
        self.lesson_panel.activated.connect(lambda _i: self.edit_lesson())
        self.row_action(self.lesson_panel, "Edit lesson…", self.edit_lesson, "F2", "edit")
        self.row_action(self.lesson_panel, "Delete lesson", self.delete_lesson, Qt.Key.Key_Delete, "delete")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 8, 0, 0)
        self.sheet_header = PageHeader("Choose an absence", "", buttons_below=True)
        self.sheet_header.title.setObjectName("sectionTitle")
        self.fill_button = self.sheet_header.add_button("Fill from timetable", self.fill, icon_name="calendar",
                                                        tip="Add every timetabled lesson the teacher misses")
        self.add_button = self.sheet_header.add_button("Add lesson…", self.add_lesson, icon_name="add")
        self.edit_button = self.sheet_header.add_button("Edit…", self.edit_lesson, icon_name="edit")
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
        for b in (self.fill_button, self.add_button, self.edit_button, self.pdf_button):
            b.setEnabled(on)

    def reload(self) -> None:
        super().reload()
        year = self.ctx.year
        conds: list[Any] = [Booking.start_date.between(year.start, year.end)]
        dept = self.ctx.department_condition()
        if dept is not None:
            conds.append(dept)
        chosen = self.booking_panel.current_id()
        self.bookings.set_filters(conds)
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
        if ident is None:
            self.sheet_header.title.setText("Choose an absence")
            self.sheet_header.subtitle.setText("The lessons to cover appear here.")
            self.lessons.set_filters([CoverLesson.booking_id == -1])
            self._set_enabled(False)
            self.empty_note.setText("")
            return
        with self.ctx.session() as s:
            b = s.get(Booking, ident)
            name, title = b.staff.full_name, b.title
            when = format_date(b.start_date) + (f" to {format_date(b.end_date)}" if b.end_date != b.start_date else "")
            has_timetable = bool(s.scalar(select(func.count()).select_from(TimetableLesson)
                                          .where(TimetableLesson.staff_id == b.staff_id)))
        self.sheet_header.title.setText(f"{name} — {title}")
        self.sheet_header.subtitle.setText(f"Away {when}.")
        self.lessons.set_filters([CoverLesson.booking_id == ident])
        self._set_enabled(True)
        self.fill_button.setEnabled(has_timetable)
        if self.lessons.rowCount() == 0:
            self.empty_note.setText("No lessons on this sheet yet. " + (
                "Press “Fill from timetable” to add the lessons this teacher misses." if has_timetable else
                "There is no timetable for this teacher: import one (File → Import…) or add lessons by hand."))
        else:
            self.empty_note.setText("")

    def _periods(self) -> list[tuple[int, str]]:
        with self.ctx.db.engine.connect() as conn:
            rows = conn.execute(select(SchoolPeriod.number, SchoolPeriod.label, SchoolPeriod.start_time)
                                .where(SchoolPeriod.school_id == self.ctx.school_id).order_by(SchoolPeriod.number)).all()
        return [(r[0], f"{r[1]} ({r[2]:%H:%M})") for r in rows]

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

        CoverLessonDialog.ask(self, booking, lesson, periods, save=save)

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
        if ident is not None:
            export(self, self.ctx, "cover", fmt, booking_id=ident)
