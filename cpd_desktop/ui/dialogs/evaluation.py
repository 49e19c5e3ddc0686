"""Record evaluation: one activity's evaluation stages in one dialog, each with its due date and whether it
is done, and the questions of its Guskey levels (End: what was learnt and confidence after; In the
classroom: what the teacher now does differently, what helped or hindered, the evidence seen; For pupils:
what changed and how it was measured, for which groups, confidence later), with the date each was done.

Opened from the CPD log (Record evaluation…, Ctrl+Shift+E), a person's page and the Impact view's overdue
stages. The save is one undoable step, checked against the versions read; a refused save keeps the dialog
open with what was typed and the reason beside the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from ...errors import ValidationError
from ...services import validation as v
from ...services.formatting import format_date
from ...services.stages import (
    EVIDENCE_KINDS,
    SHORT_FIELDS,
    STAGE_FIELDS,
    Evaluation,
    StageEntry,
    evaluation_of,
    field_name,
    save_evaluation,
)
from ..forms import Field, FormDialog

CONFIDENCE = [("", "— Not given —"), ("1", "1 – not at all confident"), ("2", "2 – a little"), ("3", "3 – fairly"),
              ("4", "4 – confident"), ("5", "5 – very confident")]
LINES = {"how_measured", *SHORT_FIELDS}  # one line each; the others are a few lines of text
PLACEHOLDERS = {
    "learnt": "The ideas or techniques taken away",
    "does_differently": "What the teacher now does in lessons",
    "helped_hindered": "e.g. technician time helped; the timetable left no time to rehearse",
    "pupil_change": "What pupils now do, know or achieve",
    "how_measured": "e.g. mock questions compared with last year's",
    "pupil_groups": "e.g. disadvantaged, girls in physics, Year 10",
}


def _ticked(text: str | None) -> set[str]:
    """The kinds of evidence a stored text names (the first word of each kind, any case)."""
    said = (text or "").casefold()
    return {kind for kind in EVIDENCE_KINDS if kind.split()[0].rstrip("'s").casefold() in said}


def _date_check(name: str) -> Callable[[Any], Any]:
    return lambda text: v.parse_date(text, name, required=False)


class StageEvaluationDialog(FormDialog):
    def __init__(self, ctx: Any, evaluation: Evaluation, parent: QWidget | None = None) -> None:
        intro = f"{evaluation.title} — {evaluation.person}, {evaluation.when}."
        if evaluation.intended_outcome:
            intro += f" Intended outcome: {evaluation.intended_outcome}"
        super().__init__("Record evaluation", parent, ok_text="Save evaluation", intro=intro)
        self.evaluation = evaluation
        self.versions = {e.stage: e.version for e in evaluation.stages}
        self.refusal_names: dict[str, str] = {}  # a refusal's field name (lower case) -> the field's key
        self.headings: dict[str, QLabel] = {}
        for entry in evaluation.stages:
            self._add_stage(entry, ctx.today)
        self.resize(620, min(700, self.sizeHint().height()))  # an End-only activity needs a short dialog

    def _named(self, key: str, stage: str, label: str) -> None:
        name = field_name(stage, label)
        self.refusal_names[name.lower()] = key
        widget = self.fields[key].widget
        widget.setAccessibleName(name)  # each stage has a "Date done": a screen reader says whose

    def _add_stage(self, entry: StageEntry, today: Any) -> None:
        stage = entry.stage
        state = entry.state(today)
        heading = QLabel(f"<b>{entry.title}</b> · {state}")
        heading.setObjectName("overdueHeading" if state.startswith("Overdue") else "stageHeading")
        heading.setAccessibleName(f"{entry.title}: {state}")
        self.headings[stage] = heading
        self.add_row("", heading)
        done_key = f"{stage}.done_on"
        self.add_line(done_key, "Date done", format_date(entry.done_on) if entry.done_on else "",
                      check=_date_check(field_name(stage, "Date done")), placeholder="dd/mm/yyyy")
        self._named(done_key, stage, "Date done")
        for key, label in STAGE_FIELDS[stage]:
            fkey = f"{stage}.{key}"
            value = entry.values.get(key)
            if key == "confidence":
                self.add_combo(fkey, label, CONFIDENCE, "" if value is None else str(value),
                               tip="From 1 (not at all confident) to 5 (very confident)")
            elif key == "evidence":
                self._add_evidence(fkey, label, value)
            elif key in LINES:
                self.add_line(fkey, label, value or "", placeholder=PLACEHOLDERS.get(key, ""))
            else:
                self.add_text(fkey, label, value or "", placeholder=PLACEHOLDERS.get(key, "")).setFixedHeight(52)
            self._named(fkey, stage, label)

    def _add_evidence(self, key: str, label: str, stored: str | None) -> None:
        """Three boxes (observation, planning, pupils' work); a stored text is kept while they are unchanged."""
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        first = _ticked(stored)
        boxes = []
        for kind in EVIDENCE_KINDS:
            box = QCheckBox(kind)
            box.setChecked(kind in first)
            box.setAccessibleName(f"Evidence: {kind}")
            box.toggled.connect(lambda _on: self.revalidate())
            line.addWidget(box)
            boxes.append(box)
        line.addStretch(1)

        def getter() -> str | None:
            chosen = {b.text() for b in boxes if b.isChecked()}
            if chosen == first and stored:
                return stored
            return ", ".join(k for k in EVIDENCE_KINDS if k in chosen) or None

        self._add(key, label, row, None, getter, "What was seen: observation, planning, pupils' work")

    def _field_for(self, exc: ValidationError) -> Field | None:
        key = self.refusal_names.get(exc.field.strip().lower())
        return self.fields[key] if key is not None else super()._field_for(exc)

    def answer(self) -> dict[str, dict[str, Any]]:
        """Stage -> {"done_on": "dd/mm/yyyy", field: value} for every stage shown."""
        out: dict[str, dict[str, Any]] = {}
        for key, value in self.values().items():
            stage, _dot, name = key.partition(".")
            out.setdefault(stage, {})[name] = value
        return out


def record_evaluation(parent: QWidget | None, ctx: Any, activity_id: int) -> bool:
    """Open Record evaluation for the activity ``activity_id`` and save it as one undoable step; True once saved."""
    from ..prompts import Inform

    with ctx.session() as s:
        evaluation = evaluation_of(s, ctx.school(s), activity_id)
    if evaluation is None:
        return False
    if not evaluation.stages:
        Inform.ask(parent, "Record evaluation", f"“{evaluation.title}” has no evaluation stages.",
                   "It is CPD history from before the school chased evaluations.")
        return False
    dialog = StageEvaluationDialog(ctx, evaluation, parent)
    versions = dict(dialog.versions)

    def save(answers: dict[str, dict[str, Any]]) -> Any:
        return ctx.run(parent, "Record evaluation",
                       lambda s: save_evaluation(s, ctx.school(s), activity_id, answers, versions, ctx.today),
                       refusals=True)

    return dialog.open_and_save(save) is not None
