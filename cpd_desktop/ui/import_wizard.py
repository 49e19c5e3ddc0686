"""File → Import…: the import wizard.

Kind and file → a preview of the file as read (encoding, separator, header row) → the columns
matched to fields, each changeable → a check of every row, which the person can fix in the file
and reload → the import, off the UI thread with progress and Cancel → a summary. The mapping
chosen is remembered for the next file of the same kind. All the work is ``cpd_desktop.imports``;
this module only asks and shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..errors import CpdError
from ..imports import KINDS, ImportCancelled, ImportResult, Source, open_source, run_import
from ..imports.fields import missing_columns
from ..models import School
from ..storage.database import Database
from . import settings
from .workers import Job

PREVIEW_ROWS = 20
NOT_IN_FILE = "(not in the file)"
FILE_FILTER = "Spreadsheets (*.csv *.xlsx *.txt *.tsv);;CSV files (*.csv);;Excel workbooks (*.xlsx);;All files (*)"


def remembered_mapping(kind: str) -> dict[str, str]:
    """The columns the person chose for this kind last time: field key → header text."""
    raw = settings.value(f"imports/mapping_{kind}", "")
    try:
        data = json.loads(str(raw)) if raw else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def remember_mapping(kind: str, mapping: dict[str, str]) -> None:
    settings.set_value(f"imports/mapping_{kind}", json.dumps(mapping, ensure_ascii=False))


class ChooseFile:
    """The open-file dialog; a classmethod so that tests can replace it."""

    @classmethod
    def ask(cls, parent: QWidget | None) -> str | None:
        path, _f = QFileDialog.getOpenFileName(parent, "Choose the file to import", settings.last_folder("import"),
                                               FILE_FILTER)
        if not path:
            return None
        settings.set_last_folder("import", path)
        return path


def _note(text: str = "", *, tone: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if tone == "bad":
        label.setStyleSheet("color: #a4262c;")
    elif tone == "warn":
        label.setStyleSheet("color: #8a5300;")
    elif tone == "good":
        label.setStyleSheet("color: #2e6b30;")
    return label


class ImportWizard(QWizard):
    """``ImportWizard(db, school_id, parent).exec()``; ``import_result`` holds the ImportResult when done."""

    PAGE_KIND, PAGE_PREVIEW, PAGE_MAPPING, PAGE_CHECK, PAGE_IMPORT, PAGE_SUMMARY = range(6)

    def __init__(self, db: Database, school_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.school_id = school_id
        self.source: Source | None = None
        self.mapping: dict[str, str] = {}  # field key → header text, as chosen on the mapping page
        self.check_result: ImportResult | None = None
        self.import_result: ImportResult | None = None
        self.job: Job | None = None
        self._close_when_stopped = False
        self.setWindowTitle("Import")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.kind_page = KindPage(self)
        self.preview_page = PreviewPage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        self.summary_page = SummaryPage(self)
        for number, page in enumerate((self.kind_page, self.preview_page, self.mapping_page, self.check_page,
                                       self.import_page, self.summary_page)):
            self.setPage(number, page)
        self.setMinimumSize(760, 560)
        settings.restore_geometry("import_wizard", self)

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, school_id: int, kind: str | None = None) -> ImportResult | None:
        """Run the wizard (on ``kind`` of records if given); the ImportResult of a finished import, or None."""
        wizard = cls(db, school_id, parent)
        for button in wizard.kind_page.group.buttons():
            if kind is not None and button.property("kind") == kind:
                button.setChecked(True)
        wizard.exec()
        return wizard.import_result if wizard.import_result is not None and wizard.import_result.written else None

    @property
    def kind(self) -> str:
        return self.kind_page.kind()

    def path(self) -> Path:
        return Path(self.kind_page.file_edit.text().strip())

    def load(self, *, sheet: str | None = None, header_row: int | None = None) -> Source:
        """(Re)read the file with the mapping chosen so far, or remembered, or guessed."""
        chosen = dict(self.mapping) or remembered_mapping(self.kind)
        source = open_source(self.path(), self.kind, sheet=sheet, header_row=header_row)
        usable = {k: h for k, h in chosen.items() if k in {f.key for f in source.kind.fields}
                  and (h == "" or h in source.headers)}
        if usable:
            source = open_source(self.path(), self.kind, header_row=source.header_row, mapping=usable,
                                 table=source.table)
        self.source = source
        return source

    def start_job(self, fn: Any, on_done: Any, on_failed: Any, on_progress: Any) -> Job:
        job = Job(fn, self)
        job.succeeded.connect(lambda result: self._job_ended(job, on_done, result))
        job.failed.connect(lambda exc: self._job_ended(job, on_failed, exc))
        job.progressed.connect(on_progress)
        self.job = job
        return job.start()

    def _job_ended(self, job: Job, handler: Any, outcome: Any) -> None:
        """The job has reported: it stops counting as running *before* its page hears the outcome,
        so the page's ``isComplete`` reads final state when it announces itself (an Import button
        enabled on a finished check), and every page announces itself again afterwards."""
        if self.job is not None and self.job is not job:
            return  # a newer check replaced this one (Back, then Next again): its outcome is stale
        self.job = None
        try:
            handler(outcome)
        finally:
            for page_id in self.pageIds():
                self.page(page_id).completeChanged.emit()
            if self._close_when_stopped:
                self._close_when_stopped = False
                super().reject()

    def running(self) -> bool:
        return self.job is not None

    def reject(self) -> None:
        """Cancel: stop the work first (nothing is written), then close."""
        if self.job is not None:
            self.job.cancel()
            self._close_when_stopped = True
            self.import_page.status.setText("Stopping… nothing will be written.")
            self.check_page.status.setText("Stopping…")
            return
        super().reject()

    def done(self, code: int) -> None:
        settings.save_geometry("import_wizard", self)
        super().done(code)

    def import_work(self, *, dry_run: bool, skip_invalid: bool) -> Any:
        db, school_id, source = self.db, self.school_id, self.source
        assert source is not None

        def work(progress: Any, cancelled: Any) -> ImportResult:
            with db.session() as s:
                school = s.get(School, school_id)
                if school is None:
                    raise CpdError("The school is no longer in this database.")
                result = run_import(s, school, source.kind.key, source.table.path, source=source,
                                    dry_run=dry_run, skip_invalid=skip_invalid, progress=progress,
                                    cancelled=cancelled)
                if cancelled():
                    raise ImportCancelled()
                return result

        return work


class KindPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("What are you importing?")
        self.setSubTitle("Choose the kind of records and the file: a CSV (from SIMS, Arbor, Bromcom or Excel) "
                         "or an Excel workbook.")
        layout = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        for key, kind in KINDS.items():
            button = QRadioButton(kind.label)
            button.setObjectName(f"kind_{key}")
            button.setToolTip(kind.help)
            self.group.addButton(button)
            button.setProperty("kind", key)
            layout.addWidget(button)
            hint = _note(kind.help)
            hint.setContentsMargins(24, 0, 0, 6)
            hint.setStyleSheet("color: palette(mid);")
            layout.addWidget(hint)
        self.group.buttons()[0].setChecked(True)
        self.group.buttonToggled.connect(lambda *_: self.completeChanged.emit())
        row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("The file to import")
        self.file_edit.setAccessibleName("File to import")
        self.file_edit.textChanged.connect(self._file_changed)
        browse = QPushButton("Choose file…")
        browse.clicked.connect(self._browse)
        row.addWidget(QLabel("File:"))
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        layout.addSpacing(8)
        layout.addLayout(row)
        self.error = _note(tone="bad")
        layout.addWidget(self.error)
        layout.addStretch(1)

    def kind(self) -> str:
        button = self.group.checkedButton()
        return str(button.property("kind")) if button else "staff"

    def set_kind(self, key: str) -> None:
        for button in self.group.buttons():
            if button.property("kind") == key:
                button.setChecked(True)

    def _file_changed(self) -> None:
        """Another file: the last file's error no longer applies, and Next may now be allowed."""
        self.error.setText("")
        self.completeChanged.emit()

    def _browse(self) -> None:
        path = ChooseFile.ask(self)
        if path:
            self.file_edit.setText(path)

    def isComplete(self) -> bool:  # noqa: N802
        text = self.file_edit.text().strip()
        return bool(text) and Path(text).is_file()

    def validatePage(self) -> bool:  # noqa: N802
        self.wiz.mapping = {}
        try:
            self.wiz.load()
        except CpdError as exc:
            self.error.setText(str(exc))
            return False
        return True


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("The file as read")
        self.setSubTitle("Check the names and symbols look right and the header row is the one with the column "
                         "names. Nothing has been imported yet.")
        layout = QVBoxLayout(self)
        self.detected = _note()
        self.detected.setObjectName("detected")
        layout.addWidget(self.detected)
        self.warnings = _note(tone="warn")
        layout.addWidget(self.warnings)
        controls = QHBoxLayout()
        self.sheet_label = QLabel("Sheet:")
        self.sheet = QComboBox()
        self.sheet.setAccessibleName("Sheet")
        self.sheet.activated.connect(self._sheet_changed)
        self.header_row = QSpinBox()
        self.header_row.setRange(1, 1_000_000)
        self.header_row.setAccessibleName("Header row")
        self.header_row.setKeyboardTracking(False)
        self.header_row.valueChanged.connect(self._header_changed)
        controls.addWidget(self.sheet_label)
        controls.addWidget(self.sheet)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Column names are on row:"))
        controls.addWidget(self.header_row)
        controls.addStretch(1)
        layout.addLayout(controls)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Preview of the file")
        layout.addWidget(self.table, 1)
        self.error = _note(tone="bad")
        layout.addWidget(self.error)
        self._filling = False

    def initializePage(self) -> None:  # noqa: N802
        self.show_source()

    def show_source(self) -> None:
        source = self.wiz.source
        if source is None:
            return
        self._filling = True
        table = source.table
        rows = len(source.data_rows)
        self.detected.setText(
            f"<b>{table.path.name}</b>: {table.describe}; column names on row {source.header_row}; "
            f"{rows} {'row' if rows == 1 else 'rows'} below them.")
        self.warnings.setText("\n".join(table.warnings))
        self.warnings.setVisible(bool(table.warnings))
        many = len(table.sheets) > 1
        self.sheet.setVisible(many)
        self.sheet_label.setVisible(many)
        self.sheet.clear()
        self.sheet.addItems(table.sheets)
        if table.sheet:
            self.sheet.setCurrentText(table.sheet)
        self.header_row.setValue(source.header_row)
        shown = table.rows[:source.header_index + 1 + PREVIEW_ROWS]
        width = max((len(cells) for _n, cells in shown), default=0)
        self.table.clear()
        self.table.setRowCount(len(shown))
        self.table.setColumnCount(width)
        bold = QFont()
        bold.setBold(True)
        for r, (number, cells) in enumerate(shown):
            self.table.setVerticalHeaderItem(r, QTableWidgetItem(str(number)))
            for c, value in enumerate(cells):
                item = QTableWidgetItem(_show(value))
                if r == source.header_index:
                    item.setFont(bold)
                    item.setBackground(self.palette().alternateBase())
                self.table.setItem(r, c, item)
        self.table.setHorizontalHeaderLabels([_column_letter(i) for i in range(width)])
        self.table.resizeColumnsToContents()
        for c in range(width):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 220))
        self._filling = False

    def _reload(self, **kwargs: Any) -> None:
        if self._filling:
            return
        try:
            self.wiz.mapping = {}
            self.wiz.load(**kwargs)
            self.error.setText("")
        except CpdError as exc:
            self.error.setText(str(exc))
            return
        self.show_source()

    def _sheet_changed(self, _index: int) -> None:
        self._reload(sheet=self.sheet.currentText())

    def _header_changed(self, value: int) -> None:
        sheet = self.sheet.currentText() if self.sheet.isVisible() else None
        self._reload(sheet=sheet, header_row=value)


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Match the columns")
        self.setSubTitle("Each field is filled from the file's column of that name. Change any that are wrong; "
                         "fields marked * must come from the file.")
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        scroll.setWidget(self.form_host)
        outer.addWidget(scroll, 1)
        self.unused = _note()
        outer.addWidget(self.unused)
        self.missing = _note(tone="bad")
        outer.addWidget(self.missing)
        self.combos: dict[str, QComboBox] = {}

    def initializePage(self) -> None:  # noqa: N802
        source = self.wiz.source
        assert source is not None
        while self.form.rowCount():
            self.form.removeRow(0)
        self.combos = {}
        headers = source.headers
        who = set(source.kind.staff_fields)
        headed: set[str] = set()
        for f in source.kind.fields:
            # The "who" columns (staff code, email, name...) stand together under a heading that says one of
            # them is required: none is required on its own, so none carries a *.
            group = "who" if f.key in who else "rest"
            if who and group not in headed:
                headed.add(group)
                self.form.addRow(self._heading(
                    "Who each row is about: one of these is required (Forename and Surname together count as one)"
                    if group == "who" else "About the row"))
            combo = QComboBox()
            combo.setObjectName(f"map_{f.key}")
            combo.setAccessibleName(f.label)
            combo.addItem(NOT_IN_FILE, "")
            for i, h in enumerate(headers):
                if h:
                    combo.addItem(h, i)
            col = source.mapping.get(f.key)
            combo.setCurrentIndex(combo.findData(col) if col is not None else 0)
            combo.currentIndexChanged.connect(self._changed)
            label = f"{f.label} *" if f.required else (f"{f.label} (one of these)" if f.key in who else f.label)
            if f.key in who:
                combo.setAccessibleDescription("One of the columns that say who the row is about is required.")
            if f.help:
                combo.setToolTip(f.help)
            self.combos[f.key] = combo
            self.form.addRow(label, combo)
        self._changed()

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def chosen(self) -> dict[str, int]:
        return {key: int(c.currentData()) for key, c in self.combos.items() if c.currentData() != ""}

    def _changed(self, *_args: Any) -> None:
        source = self.wiz.source
        assert source is not None
        chosen = self.chosen()
        used = set(chosen.values())
        unused = [h for i, h in enumerate(source.headers) if h and i not in used]
        self.unused.setText(("Not imported: " + ", ".join(unused)) if unused else "Every column is used.")
        missing = missing_columns(source.kind, chosen)
        twice = {col for col in used if list(chosen.values()).count(col) > 1}
        problems = []
        if missing:
            problems.append("Still needed: " + "; ".join(missing) + ".")
        if twice:
            problems.append("One column is chosen for two fields: " + ", ".join(source.headers[c] for c in twice) + ".")
        self.missing.setText(" ".join(problems))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return not self.missing.text()

    def validatePage(self) -> bool:  # noqa: N802
        source = self.wiz.source
        assert source is not None
        headers = source.headers
        mapping = {key: headers[col] for key, col in self.chosen().items()}
        # Remember "not in the file" too, so a field the person switched off stays off next time.
        remembered = {key: mapping.get(key, "") for key in self.combos}
        self.wiz.mapping = remembered
        source.mapping = self.chosen()
        remember_mapping(source.kind.key, remembered)
        return True


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Checking every row")
        self.setSubTitle("Nothing is written until every row is right, unless you choose to leave out the rows "
                         "with problems.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        layout = QVBoxLayout(self)
        self.status = _note()
        self.status.setObjectName("check_status")
        layout.addWidget(self.status)
        self.progress = QProgressBar()
        layout.addWidget(self.progress)
        self.errors = QListWidget()
        self.errors.setAccessibleName("Problems found")
        self.errors.setAlternatingRowColors(True)
        layout.addWidget(self.errors, 1)
        row = QHBoxLayout()
        self.skip = QCheckBox("Leave out the rows with problems and import the rest")
        self.skip.toggled.connect(lambda *_: self.completeChanged.emit())
        self.reload = QPushButton("Reload the file")
        self.reload.setToolTip("After correcting the file, read it again and check it again.")
        self.reload.clicked.connect(self.reload_file)
        row.addWidget(self.skip, 1)
        row.addWidget(self.reload)
        layout.addLayout(row)
        self.done = False

    def initializePage(self) -> None:  # noqa: N802
        self.run_check()

    def reload_file(self) -> None:
        source = self.wiz.source
        assert source is not None
        try:
            self.wiz.load(sheet=source.table.sheet, header_row=source.header_row)
        except CpdError as exc:
            self.status.setText(str(exc))
            return
        self.run_check()

    def run_check(self) -> None:
        self.done = False
        self.wiz.check_result = None
        self.errors.clear()
        self.skip.setChecked(False)
        self.skip.setVisible(False)
        self.reload.setEnabled(False)
        self.status.setText("Checking…")
        self.status.setStyleSheet("")
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.completeChanged.emit()
        self.wiz.start_job(self.wiz.import_work(dry_run=True, skip_invalid=True), self._checked, self._failed,
                           self._progressed)

    def _progressed(self, done: int, total: int, _text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))

    def _checked(self, result: ImportResult) -> None:
        self.wiz.check_result = result
        self.progress.setVisible(False)
        self.reload.setEnabled(True)
        self.done = True
        source = f"{result.file_name} ({result.source_description})"
        if result.errors:
            bad = result.bad_rows
            self.status.setText(
                f"{source}: {bad} of {result.rows} rows {'has' if bad == 1 else 'have'} problems, listed below. "
                "Correct them in the file, save it, and press Reload the file. The other rows would make "
                f"{result.new} new, {result.updated} updated, {result.unchanged} unchanged.")
            self.status.setStyleSheet("color: #a4262c;")
            self.errors.addItems([str(e) for e in result.errors])
            self.skip.setVisible(True)
        else:
            self.status.setText(f"{source}: all {result.rows} rows are fine. Importing will make {result.counts}.")
            self.status.setStyleSheet("color: #2e6b30;")
        for warning in result.warnings:
            self.errors.insertItem(0, "Warning: " + warning)
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        self.progress.setVisible(False)
        self.reload.setEnabled(True)
        if isinstance(exc, CpdError):
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #a4262c;")
        else:
            from .errors import show_error

            show_error(self, exc)

    def isComplete(self) -> bool:  # noqa: N802
        result = self.wiz.check_result
        if not self.done or result is None or self.wiz.running():
            return False
        if result.errors and not self.skip.isChecked():
            return False
        return result.rows - result.bad_rows > 0


class ImportPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Importing")
        self.setSubTitle("All or nothing: if you stop, nothing is written.")
        layout = QVBoxLayout(self)
        self.status = _note()
        self.status.setObjectName("import_status")
        layout.addWidget(self.status)
        self.progress = QProgressBar()
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        row.addStretch(1)
        self.stop = QPushButton("Stop")
        self.stop.clicked.connect(self._stop)
        row.addWidget(self.stop)
        layout.addLayout(row)
        layout.addStretch(1)
        self.finished = False

    def initializePage(self) -> None:  # noqa: N802
        self.finished = False
        self.wiz.import_result = None
        self.status.setText("Importing…")
        self.progress.setRange(0, 0)
        self.stop.setEnabled(True)
        skip = self.wiz.check_page.skip.isChecked()
        self.wiz.start_job(self.wiz.import_work(dry_run=False, skip_invalid=skip), self._imported, self._failed,
                           self._progressed)

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))
        if text:
            self.status.setText(f"{text}…")

    def _stop(self) -> None:
        if self.wiz.job is not None:
            self.wiz.job.cancel()
            self.status.setText("Stopping… nothing will be written.")
            self.stop.setEnabled(False)

    def _imported(self, result: ImportResult) -> None:
        self.wiz.import_result = result
        self.finished = True
        self.stop.setEnabled(False)
        self.completeChanged.emit()
        self.wiz.next()

    def _failed(self, exc: BaseException) -> None:
        self.stop.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        if isinstance(exc, CpdError):
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #a4262c;")
        else:
            self.status.setText("The import failed; nothing was written.")
            from .errors import show_error

            show_error(self, exc)

    def isComplete(self) -> bool:  # noqa: N802
        return self.finished


class SummaryPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Imported")
        layout = QVBoxLayout(self)
        self.text = _note()
        self.text.setObjectName("summary")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.text, 0, Qt.AlignmentFlag.AlignTop)
        self.skipped = QListWidget()
        self.skipped.setAccessibleName("Rows left out")
        layout.addWidget(self.skipped, 1)
        layout.addStretch(1)
        self.setFinalPage(True)

    def initializePage(self) -> None:  # noqa: N802
        result = self.wiz.import_result
        assert result is not None
        kind = KINDS[result.kind].label
        lines = [f"<p><b>{kind}</b> from <b>{result.file_name}</b>: {result.counts}.</p>"]
        if result.batch_id is not None and (result.new or result.updated):
            lines.append(f"<p>This was import number {result.batch_id}. If it was a mistake, it can be taken back "
                         f"out whole from File → Import history (or with <code>cpd-desktop import undo "
                         f"{result.batch_id}</code>), as long as nothing it brought in has been changed since.</p>")
        if result.skipped == 1:
            lines.append("<p>This row was left out; correct it and import the file again "
                         "(rows already imported are matched, not doubled):</p>")
        elif result.skipped:
            lines.append(f"<p>These {result.skipped} rows were left out; correct them and import the file again "
                         "(rows already imported are matched, not doubled):</p>")
        self.text.setText("".join(lines))
        self.skipped.clear()
        self.skipped.addItems([str(e) for e in result.errors])
        self.skipped.setVisible(bool(result.errors))


def _show(value: Any) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


__all__ = ["ChooseFile", "ImportWizard", "remember_mapping", "remembered_mapping"]
