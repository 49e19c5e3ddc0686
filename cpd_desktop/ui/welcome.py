"""First run: the welcome page (light to import: it is built before the database opens).

The new-school wizard is in ``new_school``; ``NewSchoolWizard`` is re-exported here lazily.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from . import settings
from .icons import app_icon, icon


class WelcomePage(QWidget):
    """What a person sees when there is no database yet (or the last one cannot be found)."""

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("welcome")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(14)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(72, 72))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(logo)
        title = QLabel("Welcome to CPD Desktop")
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(title)
        blurb = QLabel("Keep your staff's CPD hours, courses, release cover and bursary claims in one place, "
                       "on this computer. Nothing goes online.")
        blurb.setObjectName("muted")
        blurb.setWordWrap(True)
        blurb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(blurb)
        self.create_button = QPushButton("  Create a new school database\n  Your school's name, term dates, periods and targets — about two minutes")
        self.create_button.setObjectName("bigChoice")
        self.create_button.setIcon(icon("add"))
        self.create_button.setAccessibleName("Create a new school database")
        self.create_button.clicked.connect(window.new_school)
        self.demo_button = QPushButton("  Explore with demo data\n  A made-up science department with three years of CPD to try things on")
        self.demo_button.setObjectName("bigChoice")
        self.demo_button.setIcon(icon("dashboard"))
        self.demo_button.setAccessibleName("Explore with demo data")
        self.demo_button.clicked.connect(window.open_demo)
        self.open_button = QPushButton("Open an existing database…")
        self.open_button.setObjectName("link")
        self.open_button.clicked.connect(window.open_dialog)
        for b in (self.create_button, self.demo_button):
            b.setMinimumHeight(72)
            column.addWidget(b)
        column.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignCenter)
        self.recent_box = QVBoxLayout()
        column.addLayout(self.recent_box)
        self.status = QLabel("")
        self.status.setObjectName("muted")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.status)
        holder = QHBoxLayout()
        holder.addStretch(1)
        holder.addLayout(column)
        holder.addStretch(1)
        column_widget_width = 560
        self.create_button.setMinimumWidth(column_widget_width)
        outer.addLayout(holder)
        outer.addStretch(2)
        self.show_choices()

    def show_choices(self) -> None:
        while self.recent_box.count():
            item = self.recent_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        recent = [r for r in settings.recent_databases() if "://" in r or Path(r).exists()][:4]
        if recent:
            label = QLabel("Recent:")
            label.setObjectName("muted")
            self.recent_box.addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
            for target in recent:
                button = QPushButton(target)
                button.setObjectName("link")
                button.clicked.connect(lambda _c=False, t=target: self.window_.open_database(t))
                self.recent_box.addWidget(button, 0, Qt.AlignmentFlag.AlignCenter)
        self.status.setText("")
        for b in (self.create_button, self.demo_button, self.open_button):
            b.setEnabled(True)

    def show_opening(self, target: str) -> None:
        self.status.setText(f"Opening {target}…")
        for b in (self.create_button, self.demo_button, self.open_button):
            b.setEnabled(False)




def __getattr__(name: str) -> Any:
    if name in ("NewSchoolWizard", "suggested_terms"):
        from . import new_school

        return getattr(new_school, name)
    raise AttributeError(name)
