"""Several people at once: a save refused because somebody else saved first, and a lost connection.

When two people edit one record, the second save is refused by the services
(``ConcurrentEditError``). ``save_edit`` then reads the record as it is now and shows
``ConflictDialog``: who changed it and when, every field with their value beside yours (the
differences highlighted), and two ways on: **Reload** (discard mine, show theirs) or
**Overwrite** (save mine again, against their version). Nothing is lost without the person
having seen it. A delete (or a cancel) made from a list row is checked the same way against the
version the row showed (``act_on_row``): the dialog then offers **Reload** (delete nothing) or
**Delete anyway**, and a record somebody else already deleted gets a plain message and a refreshed
list. ``ConnectionLost`` asks whether to try a save again after the server connection
dropped; each attempt is one transaction, so a retry never doubles or halves a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..errors import ConcurrentEditError
from ..services.changes import Changes, kind_of
from ..services.concurrency import DONE, current_record, doing_it

# (field label, their value, your value), as the edit form shows them
Row = tuple[str, str, str]
Compare = Callable[[Any, Any], list[Row]]  # (session, the record as saved now) -> rows

DIFFERENT = "#fff4d6"


@dataclass
class Conflict:
    record: str  # what was changed, as the person knows it ("Staff member SAD", "Activity …")
    changed_by: str
    changed_at: str
    rows: list[Row]
    action: str = "save"  # or one of concurrency.DONE ("delete", "mark attended"…): what was asked for, not done

    @property
    def differences(self) -> list[Row]:
        return [r for r in self.rows if r[1] != r[2]]


class ConflictDialog(QDialog):
    """Their version beside yours; Reload or Overwrite. ``ask`` returns "reload" or "overwrite"."""

    def __init__(self, conflict: Conflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changed by somebody else")
        self.setAccessibleName("Changed by somebody else")
        self.setModal(True)
        self.choice = "reload"
        layout = QVBoxLayout(self)
        done = DONE.get(conflict.action)  # None: an edit
        since = "since you opened it" if done is None else "since you looked at it"
        headline = QLabel(f"<b>Changed by {conflict.changed_by} at {conflict.changed_at} {since}.</b>")
        headline.setWordWrap(True)
        headline.setObjectName("conflictHeadline")
        layout.addWidget(headline)
        n = len(conflict.differences)
        fields = "The field that differs is" if n == 1 else f"The {n} fields that differ are"
        if done is None:
            text = (f"{conflict.record}: your change has not been saved. {fields} highlighted. Reload shows "
                    "their version and discards yours; Overwrite saves yours over theirs.")
        else:
            seen = (f"{fields} highlighted." if n else
                    "They changed details this list does not show: reload and open it to see them.")
            text = (f"{conflict.record}: it has not been {done}. {seen} Reload shows their version and leaves "
                    f"it as it is; {conflict.action.capitalize()} anyway {doing_it(conflict.action, s='s')} as "
                    "they left it.")
        detail = QLabel(text)
        detail.setWordWrap(True)
        detail.setObjectName("muted")
        layout.addWidget(detail)
        self.table = QTableWidget(len(conflict.rows), 3)
        self.table.setAccessibleName("Their version and yours")
        self.table.setHorizontalHeaderLabels(["Field", f"Their version ({conflict.changed_by})",
                                              "Yours" if done is None else "As you saw it"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        bold = QFont()
        bold.setBold(True)
        for i, (label, theirs, mine) in enumerate(conflict.rows):
            differs = theirs != mine
            for c, text in enumerate((label, theirs or "—", mine or "—")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if differs:
                    item.setBackground(QBrush(QColor(DIFFERENT)))
                    item.setFont(bold)
                    if c == 0:
                        item.setText(f"● {label}")
                        item.setToolTip(f"{label}: their value and yours differ")
                self.table.setItem(i, c, item)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox()
        if done is None:
            self.reload_button = QPushButton("Reload (discard mine)")
            self.reload_button.setAccessibleName("Reload")
            self.reload_button.setToolTip("Show their version; your change is not saved")
            self.overwrite_button = QPushButton("Overwrite with mine")
            self.overwrite_button.setAccessibleName("Overwrite")
            self.overwrite_button.setToolTip("Save your version over theirs")
        else:
            verb = conflict.action.capitalize()
            self.reload_button = QPushButton(f"Reload (do not {conflict.action})")
            self.reload_button.setAccessibleName("Reload")
            self.reload_button.setToolTip(f"Show their version; nothing is {done}")
            self.overwrite_button = QPushButton(f"{verb} anyway")
            self.overwrite_button.setAccessibleName(f"{verb} anyway")
            self.overwrite_button.setToolTip(f"{doing_it(conflict.action).capitalize()} as they left it")
        buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.overwrite_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.reload_button.clicked.connect(lambda: self._choose("reload"))
        self.overwrite_button.clicked.connect(lambda: self._choose("overwrite"))
        layout.addWidget(buttons)
        self.reload_button.setDefault(True)
        self.resize(720, min(620, 190 + 30 * len(conflict.rows)))

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == "overwrite":
            self.accept()
        else:
            self.reject()

    @classmethod
    def ask(cls, parent: QWidget | None, conflict: Conflict) -> str:
        dialog = cls(conflict, parent)
        dialog.exec()
        choice = dialog.choice
        dialog.deleteLater()
        return choice


class ConnectionLost:
    """The server connection dropped during a save: Retry or Cancel. ``ask`` returns True to retry."""

    @classmethod
    def ask(cls, parent: QWidget | None, action: str) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Connection lost")
        box.setAccessibleName("Connection lost")
        box.setText(f"The connection to the database server was lost, so “{action}” was not saved. "
                    "Nothing was half-written.")
        box.setInformativeText("Check the network, then press Retry to save it again, or Cancel to leave it.")
        retry = box.addButton("Retry", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(retry)
        box.exec()
        return box.clickedButton() is retry


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    local = moment.replace(tzinfo=dt.UTC).astimezone() if moment.tzinfo is None else moment.astimezone()
    return local.strftime("%H:%M on %d/%m/%Y")


def read_conflict(ctx: Any, record: tuple[type, int], exc: ConcurrentEditError,
                  compare: Compare, action: str = "save") -> tuple[Conflict | None, int | None]:
    """The record as saved now, compared with the person's edit, and its version (None: deleted)."""
    model, ident = record
    with ctx.session() as s:
        current = s.get(model, ident)
        if current is None:
            return None, None
        from ..services.audit import describe

        who = exc.changed_by or current.updated_by or "somebody else"
        when = exc.changed_at or _when(current.updated_at)
        rows = compare(s, current)
        return Conflict(describe(current), who, when, rows, action), current.version


def save_edit(ctx: Any, parent: QWidget | None, text: str, record: tuple[type, int], version: int | None,
              action: Callable[[Any, int | None], Any], compare: Compare, *, doing: str = "save",
              refusals: bool = False) -> Any:
    """Run ``action(session, expected_version)``; on a conflict ask Reload or Overwrite.

    ``doing`` is "save" for an edit, or what the action does to the record as seen ("delete", "cancel",
    "mark attended"…: see ``concurrency.DONE``).
    Returns the action's result, or None when the edit was not saved (reloaded, refused, cancelled).
    """
    from .errors import show_error

    done = DONE.get(doing)
    while True:
        try:
            return ctx.run(parent, text, lambda s, v=version: action(s, v), conflicts=True, refusals=refusals)
        except ConcurrentEditError as exc:
            try:
                conflict, version = read_conflict(ctx, record, exc, compare, doing)
            except Exception as again:  # noqa: BLE001 - shown: show_error tells a person's error from a bug
                show_error(parent, again)
                return None
            if conflict is None:
                show_error(parent, ConcurrentEditError(
                    "Somebody else deleted this record since you opened it, so "
                    + ("your change could not be saved." if done is None else f"there is nothing to {doing}."),
                    hint="The view has been refreshed."))
                ctx.changed(Changes.of(kind_of(record[0])))
                return None
            if ConflictDialog.ask(parent, conflict) != "overwrite":
                ctx.changed(Changes.of(kind_of(record[0])))  # show theirs
                status(parent, f"Reloaded: showing {conflict.changed_by}'s version; "
                       + ("your change was not saved." if done is None else f"nothing was {done}."))
                return None
            # Overwrite: save again against the version just shown (a third person's save in the
            # meantime is refused the same way, and shown).


def status(parent: QWidget | None, message: str) -> None:
    window = parent.window() if parent is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(message, 10000)


def form_compare(build: Callable[[Any], Any], mine: dict[str, Any]) -> Compare:
    """Compare through the edit dialog itself: one copy filled from the saved record (theirs), one
    from it with the person's values put in (yours), so both read exactly as the form shows them."""

    def compare(_session: Any, current: Any) -> list[Row]:
        theirs = build(current)
        yours = build(current)
        try:
            yours.load_values(mine)
            their_rows = {key: (label, text) for key, label, text in theirs.display_rows()}
            return [(label, their_rows[key][1], text) for key, label, text in yours.display_rows()
                    if key in their_rows]
        finally:
            theirs.deleteLater()
            yours.deleteLater()

    return compare


def table_compare(table: Any, seen: dict[str, Any]) -> Compare:
    """Compare a list row as the person saw it (``seen``, the table's values) with the record as the
    same list reads it now, column by column."""

    def compare(_session: Any, current: Any) -> list[Row]:
        now = table.fetch_row(current.id) or {}
        return [(c.title, c.format(now.get(c.key)), c.format(seen.get(c.key))) for c in table.columns]

    return compare


def act_on_row(ctx: Any, parent: QWidget | None, text: str, table: Any, model: type, ids: list[int],
               act: Callable[..., Any], what: Callable[[dict[str, Any]], str], *, doing: str = "delete",
               refusals: bool = False) -> Any:
    """Delete, cancel or move on (``doing``) the records ``ids`` shown in ``table``, each against the
    version its row showed.

    ``act(session, record, expected_version=…)`` is the service; ``what(row values)`` names a record
    as the person saw it ("The department “Science”"). One record: if somebody else changed it since,
    the conflict dialog shows their version beside the row as seen (Reload, or do it anyway). Several:
    one change, refused whole with who changed which. A record somebody else deleted gets a plain
    message. When others' changes stopped it, the list is refreshed. Returns the result (None: not done).
    """
    seen = {i: table.row_values(table.row_of_id(i)) if table.row_of_id(i) >= 0 else {} for i in ids}
    versions = {i: table.row_version(i) for i in ids}

    def run(s: Any, ident: int, version: int | None) -> Any:
        return act(s, current_record(s, model, ident, what(seen[ident]), doing=doing), expected_version=version)

    if len(ids) == 1:
        ident = ids[0]
        return save_edit(ctx, parent, text, (model, ident), versions[ident], lambda s, v: run(s, ident, v) or 1,
                         table_compare(table, seen[ident]), doing=doing, refusals=refusals)
    result = ctx.run(parent, text, lambda s: [run(s, i, versions[i]) for i in ids] and len(ids), refusals=refusals)
    if result is None:
        ctx.changed(Changes.of(kind_of(model)))  # show what the others changed, so the person can choose again
    return result


def values_compare(labels: dict[str, str], theirs: Callable[[Any], dict[str, str]],
                   mine: dict[str, str]) -> Compare:
    """Compare plain text values by field (forms that are not ``FormDialog``s)."""

    def compare(_session: Any, current: Any) -> list[Row]:
        now = theirs(current)
        return [(label, now.get(key, ""), mine.get(key, "")) for key, label in labels.items()]

    return compare

