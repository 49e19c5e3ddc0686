"""What the File and Help menus do: one small function per action, mixed into ``MainWindow``.

Each loads its dialog only when used, so none of them costs the window's start. Work that takes
time (a demo school, a backup) runs in a job off the UI thread with its progress shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import settings
from .errors import show_error
from .prompts import Inform

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QMenu

    from ..storage.database import Database
    from .context import AppContext

    _Window = QMainWindow
else:
    _Window = object


class FileActions(_Window):
    """File → New, Open, Open recent, Demo, Import, Import history, Export, Back up, Restore, Check and
    repair; Help → User guide, data folder, log file, About."""

    if TYPE_CHECKING:  # what the window provides
        today: Any
        recent_menu: QMenu

        @property
        def ctx(self) -> AppContext | None: ...

        open_database: Callable[..., bool]
        set_database: Callable[[Database, int, str | None], None]
        close_database: Callable[[], None]
        fill_filters: Callable[[], None]

    def new_school(self) -> None:
        from .new_school import NewSchoolWizard

        result = NewSchoolWizard.ask(self)
        if result is None:
            return
        db, school_id, target = result
        self.set_database(db, school_id, target)

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(self, "Open a CPD database", settings.last_folder("database"),
                                                    "CPD databases (*.sqlite *.db *.sqlite3);;All files (*)")
        if path:
            self.open_database(path)

    def fill_recent(self) -> None:
        """File → Open recent lists the databases opened lately (filled as the menu opens)."""
        self.recent_menu.clear()
        recent = settings.recent_databases()
        if not recent:
            act = self.recent_menu.addAction("(no recent databases)")
            act.setEnabled(False)
            return
        for target in recent:
            act = self.recent_menu.addAction(target)
            act.triggered.connect(lambda _c=False, t=target: self.open_database(t))
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("Clear the list", settings.clear_recent)

    def open_demo(self) -> None:
        from ..paths import data_dir
        from .workers import run_with_progress

        path = data_dir() / "demo.sqlite"
        if path.exists():
            self.open_database(str(path))
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        today = self.today

        def build(progress: Any, _cancelled: Any) -> str:
            from ..services.database import open_database
            from ..services.demo import build_demo

            progress(0, 0, "Making a demo school: 25 science staff and three years of CPD…")
            db = open_database(path, create=True)
            try:
                with db.session() as s:
                    build_demo(s, today=today)
            finally:
                db.dispose()
            return str(path)

        def built(target: str) -> None:
            self.open_database(target)

        run_with_progress(self, "Demo data", build, built, label="Making a demo school…")

    def import_dialog(self, kind: str | None = None) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        from ..services.changes import Changes
        from .import_wizard import ImportWizard  # loaded only when used

        ImportWizard.ask(self, ctx.db, ctx.school_id, kind)
        ctx.undo_stack.clear()  # an import is undone from its own batch, not from Edit → Undo
        ctx.changed(Changes.everything())
        self.fill_filters()

    def import_history(self) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        from .dialogs.imports import ImportHistoryDialog

        def undone(_result: Any) -> None:
            from ..services.changes import Changes

            ctx.undo_stack.clear()  # records changed outside Edit → Undo, as after an import
            ctx.changed(Changes.everything())
            self.fill_filters()

        ImportHistoryDialog.ask(self, ctx.db, ctx.school_id, readonly=bool(ctx.db.readonly),
                                on_undone=undone)

    def export_dialog(self) -> None:
        if self.ctx is None:
            return
        from .export_dialog import ExportDialog

        ExportDialog.ask(self, self.ctx)

    def backup_now(self) -> None:
        if self.ctx is None:
            return
        from .workers import run_with_progress

        db = self.ctx.db

        def work(progress: Any, _cancelled: Any) -> Any:
            from ..storage import backups

            progress(0, 0, "Backing up…")
            return backups.backup_database(db, reason="manual")

        def done(backup: Any) -> None:
            self.statusBar().showMessage(f"Backed up to {backup.path}", 8000)
            Inform.ask(self, "Backed up", "The school's record has been backed up.", str(backup.path))

        run_with_progress(self, "Back up", work, done, label="Backing up the school's record…")

    def restore_backup(self) -> None:
        if self.ctx is None or self.ctx.db.path is None:
            return
        from .dialogs.backups import RestoreDialog

        chosen = RestoreDialog.ask(self, self.ctx.db)
        if chosen is None:
            return
        target = str(self.ctx.db.path)
        db = self.ctx.db
        self.close_database()
        try:
            from ..storage.restore import restore_backup

            restore_backup(db, chosen.path, force=chosen.force)
        except Exception as exc:  # noqa: BLE001 - shown; the file is opened again either way
            show_error(self, exc)
        self.open_database(target)

    def check_and_repair(self) -> None:
        if self.ctx is None or self.ctx.db.path is None:
            return
        from .dialogs.backups import check_and_repair

        check_and_repair(self, self.ctx.db)

    # ---- help menu ----
    def user_guide(self) -> None:
        from .dialogs.help import UserGuide

        UserGuide.ask(self)

    def open_data_folder(self) -> None:
        from ..paths import data_dir

        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def open_log_file(self) -> None:
        from ..logs import log_file, setup_logging

        setup_logging()
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file())))

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from .. import __version__

        QMessageBox.about(self, "About CPD Desktop",
                          f"<h3>CPD Desktop {__version__}</h3>"
                          "<p>Staff CPD hours, bookings, release cover and bursary claims for a school, "
                          "kept on this computer.</p><p>Fonts: DejaVu (free licence).</p>")
