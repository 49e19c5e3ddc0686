"""Edit dialogs that validate as you type, using the services' own validators.

Each field has a check (a service validator such as ``parse_date``); a bad value shows why in
red next to the field and keeps OK disabled, so nothing invalid reaches the database. A dialog
subclass may add ``form_check`` for rules between fields (an end date after the start).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..errors import CpdError, ValidationError
from . import settings


@dataclass
class Field:
    key: str
    label: str
    widget: QWidget
    error: QLabel
    check: Callable[[Any], Any] | None
    getter: Callable[[], Any]


class FormDialog(QDialog):
    """A dialog of labelled fields with live validation; ``values()`` gives the raw values."""

    changed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None, *, intro: str = "",
                 ok_text: str = "Save") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setModal(True)
        self.fields: dict[str, Field] = {}
        outer = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            label.setObjectName("muted")
            outer.addWidget(label)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)
        self.form_error = QLabel("")
        self.form_error.setObjectName("fieldError")
        self.form_error.setWordWrap(True)
        outer.addWidget(self.form_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.resize(520, 480)
        self._name = type(self).__name__
        settings.restore_geometry(f"dialog/{self._name}", self)

    def done(self, result: int) -> None:
        settings.save_geometry(f"dialog/{self._name}", self)
        super().done(result)

    # ---- building ----
    def _add(self, key: str, label: str, widget: QWidget, check: Callable[[Any], Any] | None,
             getter: Callable[[], Any], tip: str = "") -> None:
        error = QLabel("")
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.setVisible(False)
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        widget.setAccessibleName(label.rstrip(" *"))
        if tip:
            widget.setToolTip(tip)
            widget.setAccessibleDescription(tip)
        text = QLabel(label + ":")
        text.setBuddy(widget)
        self.form.addRow(text, holder)
        self.fields[key] = Field(key, label, widget, error, check, getter)

    def add_line(self, key: str, label: str, text: Any = "", *, check: Callable[[Any], Any] | None = None,
                 placeholder: str = "", tip: str = "") -> QLineEdit:
        edit = QLineEdit("" if text is None else str(text))
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(lambda _t: self.revalidate())
        self._add(key, label, edit, check, edit.text, tip)
        return edit

    def add_text(self, key: str, label: str, text: Any = "", *, check: Callable[[Any], Any] | None = None,
                 placeholder: str = "", tip: str = "") -> QPlainTextEdit:
        edit = QPlainTextEdit("" if text is None else str(text))
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(70)
        edit.textChanged.connect(self.revalidate)
        self._add(key, label, edit, check, edit.toPlainText, tip)
        return edit

    def add_combo(self, key: str, label: str, choices: list[tuple[Any, str]], current: Any = None, *,
                  tip: str = "", editable: bool = False) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(editable)
        # Long course titles must not widen the dialog past the screen: the list shows them whole.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(24)
        for code, text in choices:
            combo.addItem(text, code)
        if current is not None:
            i = combo.findData(current)
            if i >= 0:
                combo.setCurrentIndex(i)
            elif editable:
                combo.setEditText(str(current))
        combo.currentIndexChanged.connect(lambda _i: self.revalidate())
        if editable:
            combo.editTextChanged.connect(lambda _t: self.revalidate())

            def getter() -> Any:
                text = combo.currentText().strip()
                i = combo.findText(text)
                return combo.itemData(i) if i >= 0 and combo.itemData(i) is not None else text
        else:
            def getter() -> Any:
                return combo.currentData()
        self._add(key, label, combo, None, getter, tip)
        return combo

    def add_check(self, key: str, label: str, checked: bool = False, *, tip: str = "") -> QCheckBox:
        box = QCheckBox()
        box.setChecked(bool(checked))
        box.toggled.connect(lambda _c: self.revalidate())
        self._add(key, label, box, None, box.isChecked, tip)
        box.setText(label)
        return box

    def add_row(self, label: str, widget: QWidget) -> None:
        self.form.addRow(label, widget)

    # ---- comparing (two people editing one record) ----
    def load_values(self, values: dict[str, Any]) -> None:
        """Put values (as ``values()`` gives them) into the fields; keys the form lacks are ignored."""
        for key, value in values.items():
            f = self.fields.get(key)
            if f is None:
                continue
            w = f.widget
            if isinstance(w, QLineEdit):
                w.setText("" if value is None else str(value))
            elif isinstance(w, QPlainTextEdit):
                w.setPlainText("" if value is None else str(value))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                i = w.findData(value)
                if i < 0 and value is not None:
                    i = w.findText(str(value))
                if i >= 0:
                    w.setCurrentIndex(i)
                elif w.isEditable():
                    w.setEditText("" if value is None else str(value))

    def display_rows(self) -> list[tuple[str, str, str]]:
        """(key, label, text) of every field as the person reads it."""
        out = []
        for key, f in self.fields.items():
            w = f.widget
            if isinstance(w, QLineEdit):
                text = w.text().strip()
            elif isinstance(w, QPlainTextEdit):
                text = w.toPlainText().strip()
            elif isinstance(w, QCheckBox):
                text = "Yes" if w.isChecked() else "No"
            elif isinstance(w, QComboBox):
                text = w.currentText().strip()
            else:
                text = ""
            out.append((key, f.label.rstrip(" *"), text))
        return out

    # ---- validating ----
    def values(self) -> dict[str, Any]:
        return {key: f.getter() for key, f in self.fields.items()}

    def form_check(self, values: dict[str, Any]) -> None:
        """Rules between fields; raise ``ValidationError`` naming the field."""

    def _field_for(self, exc: ValidationError) -> Field | None:
        name = exc.field.strip().lower()
        for f in self.fields.values():
            if f.label.rstrip(" *").lower() == name or f.key == name:
                return f
        return None

    def errors(self) -> dict[str, str]:
        values = self.values()
        out: dict[str, str] = {}
        for key, f in self.fields.items():
            if f.check is None:
                continue
            try:
                f.check(values[key])
            except ValidationError as exc:
                out[key] = f"{exc.message} {exc.hint}".strip()
            except CpdError as exc:
                out[key] = str(exc)
        if not out:
            try:
                self.form_check(values)
            except ValidationError as exc:
                target = self._field_for(exc)
                out[target.key if target else ""] = f"{exc.message} {exc.hint}".strip()
            except CpdError as exc:
                out[""] = str(exc)
        return out

    def revalidate(self) -> bool:
        errors = self.errors()
        for key, f in self.fields.items():
            message = errors.get(key, "")
            f.error.setText(message)
            f.error.setVisible(bool(message))
            f.widget.setProperty("invalid", bool(message))
            f.widget.style().unpolish(f.widget)
            f.widget.style().polish(f.widget)
        self.form_error.setText(errors.get("", ""))
        self.ok_button.setEnabled(not errors)
        self.changed.emit()
        return not errors

    def error_text(self, key: str) -> str:
        return self.fields[key].error.text()

    def _try_accept(self) -> None:
        if self.revalidate():
            self.accept()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        self.revalidate()
        super().showEvent(event)
