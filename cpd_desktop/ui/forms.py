"""Edit dialogs that validate as you type, using the services' own validators.

Each field has a check (a service validator such as ``parse_date``); a bad value shows why in
red next to the field and keeps OK disabled, so nothing invalid reaches the database. A dialog
subclass may add ``form_check`` for rules between fields (an end date after the start).

The save itself runs from the dialog (``open(save)``), before it closes: a save the service or the
database refuses (a staff code already in use, a lesson already on the sheet, a locked file)
leaves the dialog open with everything typed, and the reason beside the field concerned, or
above the buttons when no one field is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
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
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..errors import CpdError, ValidationError
from . import settings
from .widgets import FieldError


@dataclass
class Field:
    key: str
    label: str
    widget: QWidget
    error: QLabel
    check: Callable[[Any], Any] | None
    getter: Callable[[], Any]


_UNSET = object()
_W = TypeVar("_W", bound=QWidget)

# A message that goes on from its field's name ("is required.", "has been attended: …") reads as a sentence
# beside the field once the name is put in front: "Intended outcome is required …".
_GOES_ON = frozenset({"is", "are", "has", "have", "contains", "does", "do", "needs", "must", "cannot", "can",
                      "ends", "starts", "goes", "names", "was", "were", "overlaps", "would", "should", "may"})
# A message that opens with one of these words is a sentence of its own, only not capitalised ("none ticked.").
_OPENS = frozenset({"none", "nobody", "no", "the", "this", "that", "a", "an", "there", "it", "only", "every"})


def reason_for(exc: ValidationError) -> str:
    """What a person reads beside the field (or alone): the message as a sentence, and what to do."""
    message = exc.message.strip()
    first = message.split(" ", 1)[0].lower() if message else ""
    if first in _GOES_ON and message[:1].islower():
        message = f"{exc.field.strip()} {message}"
    elif first in _OPENS and message[:1].islower():
        message = message[:1].upper() + message[1:]
    return f"{message} {exc.hint}".strip()


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
        self._visited: set[str] = set()  # fields the person has been in: their errors show
        self._first_values: dict[str, Any] = {}  # as the dialog opened: a changed value shows its error
        self._tried = False  # Save pressed: every error shows
        self._fitted = False
        self._form_errors: set[str] = set()  # keys whose error comes from ``form_check`` (a rule between fields)
        self._placed: QWidget | None = None  # the field the dialog opened in, until the person leaves it
        outer = QVBoxLayout(self)
        self.intro: QLabel | None = None
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            label.setObjectName("muted")
            # its height is its own: a reason appearing in the fields below does not squeeze it (and them up)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            outer.addWidget(label)
            self.intro = label
        self.body = QWidget()
        column = QVBoxLayout(self.body)
        self._column = column
        self.form = QFormLayout()
        column.addLayout(self.form)
        column.addStretch(1)  # the spare room below the fields: a reason appearing moves no field above it
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard goes to the fields, not to what holds them
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)
        self.scroll_area = scroll
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
        self._save: Callable[[Any], Any] | None = None
        self.saved: Any = None  # what the save returned (a new record's id), once it has succeeded
        # Why the last save was refused: (field key, or "" for the whole form; message; the values then).
        self._refusal: tuple[str, str, dict[str, Any]] | None = None
        self._name = type(self).__name__
        settings.restore_geometry(f"dialog/{self._name}", self)

    def done(self, result: int) -> None:
        settings.save_geometry(f"dialog/{self._name}", self)
        super().done(result)

    # ---- building ----
    def _add(self, key: str, label: str, widget: QWidget, check: Callable[[Any], Any] | None,
             getter: Callable[[], Any], tip: str = "") -> None:
        error = FieldError()
        error.setVisible(False)
        widget.setAccessibleName(label.rstrip(" *"))
        if tip:
            widget.setToolTip(tip)
            widget.setAccessibleDescription(tip)
        text = QLabel(label + ":")
        text.setBuddy(widget)
        # The label and its field side by side in the form (one parent): a screen reader then names the
        # field by its label (Qt on Linux names a drop-down list only by a label beside it). The reason
        # a value is refused goes on its own row under the field, hidden while there is none.
        self.form.addRow(text, widget)
        self.form.setWidget(self.form.rowCount(), QFormLayout.ItemRole.FieldRole, error)
        widget.installEventFilter(self)
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
        beside = self.form.labelForField(box)
        if isinstance(beside, QLabel):  # the box says it once, beside itself (a long label made the dialog wide)
            beside.setText("")
        return box

    def add_row(self, label: str, widget: QWidget) -> None:
        self.form.addRow(label, widget)

    # ---- a field's widget as the kind it was added as (``fields[key].widget`` is any widget) ----

    def line_edit(self, key: str) -> QLineEdit:
        return self._widget(key, QLineEdit)

    def text_edit(self, key: str) -> QPlainTextEdit:
        return self._widget(key, QPlainTextEdit)

    def combo_box(self, key: str) -> QComboBox:
        return self._widget(key, QComboBox)

    def check_box(self, key: str) -> QCheckBox:
        return self._widget(key, QCheckBox)

    def _widget(self, key: str, kind: type[_W]) -> _W:
        widget = self.fields[key].widget
        if not isinstance(widget, kind):
            raise TypeError(f"the field {key!r} is a {type(widget).__name__}, not a {kind.__name__}")
        return widget

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
                out[key] = reason_for(exc)
            except CpdError as exc:
                out[key] = str(exc)
        self._form_errors = set()
        if not out:
            try:
                self.form_check(values)
            except ValidationError as exc:
                target = self._field_for(exc)
                key = target.key if target else ""
                text = reason_for(exc)
                # alone above the buttons the message names its field ("Date: …"); beside it, it need not
                out[key] = text if target or text.startswith(exc.field) else f"{exc.field}: {text}"
                self._form_errors.add(key)
            except CpdError as exc:
                out[""] = str(exc)
                self._form_errors.add("")
        return out

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802
        # A field's error shows once the person has been in it and left, not before anything is typed.
        if event.type() == QEvent.Type.FocusOut:
            if obj is self._placed:  # the dialog opened there: leaving it untouched is not a visit
                self._placed = None
                return False
            for key, f in self.fields.items():
                if f.widget is obj and key not in self._visited:
                    self._visited.add(key)
                    self.revalidate()
        return False

    def _error_shown(self, key: str) -> bool:
        """Whether a field's error shows yet. An empty field the person has not reached yet is not red (they
        know to fill it); but a greyed Save always says why: a rule between fields (checked only once every
        field is filled in) shows at once, and so does a value that was there when the dialog opened."""
        if self._tried or key in self._form_errors:
            return True
        f = self.fields.get(key)
        if f is None:
            return bool(self._visited)
        return key in self._visited or self._value_changed(f) or self._prefilled(f)

    def _prefilled(self, f: Field) -> bool:
        first = self._first_values.get(f.key, _UNSET)
        return first is not _UNSET and first not in (None, "")

    def _value_changed(self, f: Field) -> bool:
        first = self._first_values.get(f.key, _UNSET)
        return first is not _UNSET and f.getter() != first

    def revalidate(self) -> bool:
        errors = self.errors()
        if not self._first_values and self.fields:
            self._first_values = {k: f.getter() for k, f in self.fields.items()}
        refusal = self._current_refusal()
        for key, f in self.fields.items():
            message = errors.get(key, "")
            shown = bool(message) and self._error_shown(key)
            if not message and refusal is not None and refusal[0] == key:
                message, shown = refusal[1], True
            f.error.setText(message)
            f.error.setVisible(shown)
            f.widget.setProperty("invalid", shown)
            f.widget.style().unpolish(f.widget)
            f.widget.style().polish(f.widget)
        top = errors.get("", "") if self._error_shown("") else ""
        if not top and refusal is not None and refusal[0] == "":
            top = refusal[1]
        self.form_error.setText(top)
        self.ok_button.setEnabled(not errors)
        # a greyed Save says why when the pointer rests on it, even before the fields' reasons show
        self.ok_button.setToolTip("" if not errors else self._why_not(errors))
        self.changed.emit()
        return not errors

    def _why_not(self, errors: dict[str, str]) -> str:
        key, message = next(iter(errors.items()))
        f = self.fields.get(key)
        where = f"{f.label.rstrip(' *')}: " if f is not None and not message.startswith(f.label.rstrip(" *")) else ""
        return f"Cannot save yet: {where}{message}"

    def error_text(self, key: str) -> str:
        return self.fields[key].error.text()

    # ---- saving ----
    def answer(self) -> Any:
        """What the dialog gives its caller (and its save): by default the raw values."""
        return self.values()

    def open_and_save(self, save: Callable[[Any], Any] | None = None) -> Any:
        """Show the dialog until it is saved or cancelled.

        Without ``save``: the answer (see ``answer``) once the person presses OK, else None.
        With ``save``: ``save(answer)`` runs when OK is pressed, and the dialog closes only if it
        succeeds; the result is what ``save`` returned (None if cancelled). ``save`` raises to refuse
        (``CpdError``: shown in the dialog, beside its field when it names one).
        """
        self._save = save
        if not self.exec():
            return None
        return self.saved if save is not None else self.answer()

    def accept(self) -> None:
        if self._save is not None:
            try:
                self.saved = self._save(self.answer())
            except CpdError as exc:
                self.show_refusal(exc)
                return
            except Exception as exc:  # noqa: BLE001 - a bug: reported as one, and what was typed is still here
                from .errors import show_error

                show_error(self, exc)
                return
        super().accept()

    def show_refusal(self, exc: CpdError) -> None:
        """A refused save: the reason beside the field it names (else above the buttons), shown until the
        person changes that field (or, for the form, anything); nothing typed is lost."""
        from .errors import describe

        target = self._field_for(exc) if isinstance(exc, ValidationError) else None
        if target is not None:
            assert isinstance(exc, ValidationError)
            self._refusal = (target.key, reason_for(exc), self.values())
        else:
            _title, message, hint, _bug = describe(exc)
            self._refusal = ("", f"{message} {hint}".strip(), self.values())
        self.revalidate()
        if target is not None:
            target.widget.setFocus(Qt.FocusReason.OtherFocusReason)
            self._bring_into_view(target)

    def _bring_into_view(self, f: Field) -> None:
        """Scroll the field and the reason under it into sight (the reason last: it is what must be read),
        once the layout has made room for the reason."""
        def scroll() -> None:
            self._column.activate()
            self.scroll_area.ensureWidgetVisible(f.widget, 0, 8)
            self.scroll_area.ensureWidgetVisible(f.error, 0, 8)

        scroll()
        QTimer.singleShot(0, scroll)

    def refusal(self) -> str:
        """The reason the last save was refused, while it still stands ("" if none)."""
        current = self._current_refusal()
        return current[1] if current is not None else ""

    def _current_refusal(self) -> tuple[str, str] | None:
        if self._refusal is None:
            return None
        key, message, then = self._refusal
        now = self.values()
        changed = now.get(key) != then.get(key) if key else now != then
        if changed:  # the person changed what was refused: the next save may well succeed
            self._refusal = None
            return None
        return key, message

    def _try_accept(self) -> None:
        self._tried = True
        if self.revalidate():
            self.accept()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        if not self._fitted:  # what the dialog opens with is what "pre-filled" and "changed" are measured from
            self._first_values = {k: f.getter() for k, f in self.fields.items()}
        self.revalidate()
        if not self._fitted:
            self._fitted = True
            self.fit_to_screen()
            self._order_keys()
        super().showEvent(event)

    def _focus_chain(self) -> list[QWidget]:
        """The inputs of the form top to bottom (a row's own controls left to right)."""
        chain: list[QWidget] = []
        errors = {f.error for f in self.fields.values()}
        for row in range(self.form.rowCount()):
            for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole,
                         QFormLayout.ItemRole.SpanningRole):
                item = self.form.itemAt(row, role)
                widget = item.widget() if item is not None else None
                if widget is None or widget in errors:
                    continue
                for w in [widget, *widget.findChildren(QWidget)]:
                    if (w.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus \
                            and w.window() is self and not isinstance(w.parent(), QComboBox) and w not in chain:
                        chain.append(w)
        return chain

    def _order_keys(self) -> None:
        """Tab goes down the fields, then to Save and Cancel; the dialog opens in its first field that takes
        input (not in the area that scrolls them, nor on Cancel)."""
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        chain = [*self._focus_chain(), self.ok_button, cancel]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        first = next((w for w in chain if w.isEnabled() and not w.isHidden()
                      and not (isinstance(w, QLineEdit | QPlainTextEdit) and w.isReadOnly())), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.TabFocusReason)
            self._placed = first

    def fit_to_screen(self) -> None:
        """As tall as the fields need (no scrolling where the screen has the room) and wide enough for
        every label whole, but never larger than the screen the dialog opens on."""
        screen = self.screen().availableGeometry()
        frame = 40  # the title bar and borders the window manager adds
        layout = self.layout()
        assert layout is not None  # set in __init__
        margins = layout.contentsMargins()
        body = self.body.sizeHint()
        others = sum(w.sizeHint().height() + layout.spacing() for w in (self.intro, self.form_error, self.buttons)
                     if w is not None and not w.isHidden())
        # and room for two lines of errors, so that a reason appearing pushes nothing off the screen
        need_h = body.height() + others + margins.top() + margins.bottom() + 4 + 2 * (self.fontMetrics().height() + 4)
        need_w = self.body.minimumSizeHint().width() + margins.left() + margins.right() \
            + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 4
        self.setMinimumWidth(min(need_w, screen.width()))
        self.resize(min(max(self.width(), need_w), screen.width()),
                    min(max(self.height(), need_h), screen.height() - frame))
