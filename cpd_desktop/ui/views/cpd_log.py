"""CPD log: every activity, filtered by person, term, format, subject-specific, provider and evaluation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox

from ...models import Activity, Staff
from ...models.enums import FORMATS, TERMS
from ...services.concurrency import check_version
from ...services.formatting import format_date
from ...services.lists.activities import EVALUATION_FILTERS, ActivityList
from ...services.years import term_buckets, terms_for
from ..conflict import form_compare
from ..dialogs.activity import ActivityDialog, EvaluationDialog
from ..dialogs.lookups import provider_names, staff_choices
from ..prompts import Confirm
from ..tablemodel import ListModel
from ..widgets import TablePanel
from .base import View
from .row_buttons import need_a_row

LONG_NAME = "Wiśniewski-Kowalczyk, Łukasz (LWK)"  # as the Member of staff list names people


def combo_width(combo: QComboBox, text: str) -> int:
    """The width of ``combo`` that shows ``text`` whole beside its arrow, in the app's style."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    metrics = combo.fontMetrics()
    return combo.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option,
                                          QSize(metrics.horizontalAdvance(text), metrics.height()), combo).width()


def activity_model(db: Any, school_id: int, today: Any, parent: Any = None) -> ListModel:
    """The CPD log's model: all of a school's activities, newest first."""
    return ListModel(db, ActivityList(school_id, today), parent=parent)


def add_activity_for(parent: Any, ctx: Any, staff_id: int | None) -> int | None:
    """Add CPD activity… (the person ``staff_id`` chosen in it) saved as one undoable step; the new activity's id,
    or None when cancelled. A refused save keeps the dialog open with what was typed."""
    from ...services.activities import add_activity

    def save(answer: tuple[int, dict[str, Any], int | None]) -> Any:
        chosen, values, _version = answer
        provider = values.pop("provider") or None

        def action(s: Any) -> int:
            return add_activity(s, ctx.school(s), s.get(Staff, chosen), provider=provider, **values).id

        return ctx.run(parent, "Add CPD activity", action, refusals=True)

    new_id = ActivityDialog.ask(parent, ctx, staff_id=staff_id, save=save)
    return int(new_id) if new_id else None


class CpdLogView(View):
    title = "CPD log"
    shows = frozenset({"activity", "staff", "department", "provider", "course", "evaluation_stage"})
    subtitle = ("Every CPD activity in the chosen year. Red rows have an evaluation stage overdue; "
                "the Evaluation column says which.")

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.model = activity_model(ctx.db, ctx.school_id, ctx.today, self)
        self.panel = TablePanel("cpd-log", self.model, placeholder="Search title, person, provider…",
                                noun=("activity", "activities"))
        self.panels.append(self.panel)
        self.staff_filter = self._combo("Member of staff", [(None, "Everyone")])
        self.staff_filter.setMinimumWidth(combo_width(self.staff_filter, LONG_NAME))  # a long name reads whole
        self.term_filter = self._combo("Term", [(None, "All terms"), *TERMS.items()])
        self.format_filter = self._combo("Format", [(None, "All formats"), *FORMATS.items()])
        self.subject_filter = self._combo("Subject-specific", [(None, "Any subject"), (True, "Subject-specific"),
                                                                (False, "Not subject-specific")])
        self.provider_filter = self._combo("Provider", [(None, "All providers")])
        self.evaluation_filter = self._combo("Evaluation", [(None, "Any evaluation"), *EVALUATION_FILTERS.items()])
        self.header.add_button("Add activity…", self.add, icon_name="add", primary=True, shortcut="Insert")
        self.header.add_button("Record for several people…", self.record_many, icon_name="add",
                               tip="One activity, such as an INSET day, for a department, all teachers or people by name")
        need_a_row(self.panel, [
            self.header.add_button("Edit…", self.edit, icon_name="edit", tip="Edit the chosen activity (F2)"),
            self.header.add_button("Record evaluation…", self.record_evaluation, icon_name="evaluate",
                                   tip="Record the chosen activity's evaluation stages: End, In the classroom, "
                                       "For pupils (Ctrl+Shift+E)"),
            self.header.add_button("Evaluate…", self.evaluate, icon_name="evaluate",
                                   tip="A quick note of the chosen activity's impact, as its End stage"),
            self.header.add_button("Delete", self.delete, icon_name="delete",
                                   tip="Delete the chosen activity (Delete)"),
        ], "Choose an activity in the list first.")
        self.row_action(self.panel, "Edit…", self.edit, "F2", "edit")
        self.row_action(self.panel, "Record evaluation…", self.record_evaluation, "Ctrl+Shift+E", "evaluate")
        self.row_action(self.panel, "Evaluate…", self.evaluate, None, "evaluate")
        self.row_action(self.panel, "Delete", self.delete, Qt.Key.Key_Delete, "delete")
        self.panel.activated.connect(lambda _id: self.edit())
        self.outer.addWidget(self.panel, 1)
        self._lists_loaded = False

    def _combo(self, name: str, items: list[tuple[Any, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        for data, text in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.panel.add_filter(combo)
        return combo

    def _load_lists(self) -> None:
        for combo, items in ((self.staff_filter, staff_choices(self.ctx)),
                             (self.provider_filter, [(p, p) for p in provider_names(self.ctx)])):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for data, text in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
            combo.blockSignals(False)
        self._lists_loaded = True

    def list_filters(self) -> dict[str, Any]:
        """The CPD log's named filters as the combo boxes and the chosen year and department set them."""
        ctx = self.ctx
        year = ctx.year
        dates = None
        term = self.term_filter.currentData()
        if term is not None:
            with ctx.session() as s:
                buckets = term_buckets(terms_for(s, ctx.school(s), year), year)
            dates = next(((t.start, t.end) for t in buckets if t.name == term), None)
        return {"year": year, "department": ctx.department, "staff_id": self.staff_filter.currentData(),
                "dates": dates, "format": self.format_filter.currentData(),
                "subject": self.subject_filter.currentData(), "provider": self.provider_filter.currentData(),
                "evaluation": self.evaluation_filter.currentData()}

    def apply_filters(self) -> None:
        self.model.set_filters(self.list_filters())

    def reload(self) -> None:
        super().reload()
        self._load_lists()
        chosen = self.panel.current_id()
        self.apply_filters()
        if chosen is not None:
            self.panel.select_id(chosen)

    def activate(self, payload: Any = None) -> None:
        if isinstance(payload, dict):
            if not self._lists_loaded:
                self._load_lists()
            combos = {"staff_id": self.staff_filter, "evaluation": self.evaluation_filter,
                      "format": self.format_filter, "subject": self.subject_filter, "term": self.term_filter}
            for combo in combos.values():
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
            for key, value in payload.items():
                if key in combos:
                    combos[key].setCurrentIndex(max(0, combos[key].findData(value)))
            for combo in combos.values():
                combo.blockSignals(False)
            self.reload()
            if "activity_id" in payload:
                self.panel.select_id(payload["activity_id"])
            return
        super().activate(payload)

    # ---- actions ----
    def add(self) -> None:
        new_id = add_activity_for(self, self.ctx, self.staff_filter.currentData())
        if new_id:
            self.panel.select_id(new_id)

    def record_many(self) -> None:
        """One activity for several people: one undo step, one audit entry per record, a summary."""
        from ...services.formatting import plural
        from ...services.record import record_for_many
        from ..dialogs.record_many import RecordManyDialog

        def save(dialog: RecordManyDialog) -> Any:
            with self.ctx.session() as s:
                count = len(dialog.plan(s).chosen)
                s.rollback()

            plan = dialog.planner()  # the form is read here: the save runs off the window's thread

            def action(s: Any) -> Any:
                return record_for_many(s, self.ctx.school(s), plan(s))

            return self.ctx.run(self, f"Record CPD for {plural(count, 'person', 'people')}", action, refusals=True)

        result = RecordManyDialog.ask(self, self.ctx, save=save)
        if result is not None:
            self.window_.statusBar().showMessage(f"{result.title}, {format_date(result.date)}: {result.summary()}",
                                                 15000)
            if result.activity_ids:
                self.panel.select_id(result.activity_ids[0])

    def _load(self, ident: int) -> Activity | None:
        with self.ctx.session() as s:
            activity: Activity | None = s.get(Activity, ident)
            if activity is not None:
                _ = activity.staff.full_name, activity.provider
        return activity

    def edit(self) -> None:
        from ...services.activities import update_activity

        ident = self.panel.current_id()
        if ident is None:
            return
        activity = self._load(ident)
        if activity is None:
            return
        def save(answer: tuple[int, dict[str, Any], int | None]) -> Any:
            _staff, values, version = answer
            mine = dict(values)
            provider = values.pop("provider") or None
            return self.ctx.save(self, "Edit CPD activity", (Activity, ident), version, lambda s, v: update_activity(
                s, s.get(Activity, ident), provider=provider, expected_version=v, **values) and None,
                form_compare(lambda current: ActivityDialog(self.ctx, current), mine), refusals=True)

        ActivityDialog.ask(self, self.ctx, activity, save=save)

    def evaluate(self, ident: int | None = None) -> None:
        ident = ident or self.panel.current_id()
        if ident is None:
            return
        evaluate_activity(self, self.ctx, ident)

    def record_evaluation(self) -> None:
        """Record the chosen activity's evaluation stages (the dialog saves; the list follows the notice)."""
        from ..dialogs.evaluation import record_evaluation

        ident = self.panel.current_id()
        if ident is not None:
            record_evaluation(self, self.ctx, ident)

    def delete(self) -> None:
        from ...services.activities import delete_activity

        ids = self.panel.selected_ids()
        if not ids:
            return
        what = "this activity" if len(ids) == 1 else f"these {len(ids)} activities"
        if not Confirm.ask(self, "Delete CPD", f"Delete {what} from the CPD log?", yes="Delete",
                           detail="You can undo this with Edit → Undo."):
            return
        self.ctx.delete(self, "Delete CPD activity" if len(ids) == 1 else f"Delete {len(ids)} CPD activities",
                        self.model, Activity, ids, delete_activity,
                        lambda row: f"The CPD activity “{row.get('title') or 'untitled'}”")


def evaluate_activity(parent: Any, ctx: Any, ident: int) -> bool:
    """Ask for an activity's impact evaluation and record it (undoable)."""
    from ...services.activities import record_evaluation

    with ctx.session() as s:
        activity = s.get(Activity, ident)
        if activity is None:
            return False
        _ = activity.staff.full_name
    def save(values: dict[str, Any]) -> Any:
        def action(s: Any, version: int | None) -> int:
            current = s.get(Activity, ident)
            check_version(current, version)
            return record_evaluation(
                s, current, impact=values["impact"], confidence=values["confidence"],
                pupil_outcomes=values["pupil_outcomes"], follow_up_actions=values["follow_up_actions"],
                evaluated_on=values["evaluated_on"], today=ctx.today).id

        return ctx.save(parent, "Record evaluation", (Activity, ident), activity.version, action,
                        form_compare(lambda current: EvaluationDialog(current, today=ctx.today), values),
                        refusals=True)

    return EvaluationDialog.ask(parent, activity, ctx.today, save=save) is not None
