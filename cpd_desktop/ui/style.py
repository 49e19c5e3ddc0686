"""The app's look: a calm light theme with a dark-blue sidebar, in one style sheet."""

from __future__ import annotations

ACCENT = "#1f4e79"

STYLE_SHEET = """
QMainWindow, QWidget#page { background: #f6f8fb; }
QWidget#navSidebar { background: #1f3a5a; }  /* not #sidebar: the file dialog's own list is called that */
QListWidget#nav { background: transparent; border: none; color: #dbe7f3; outline: 0; font-size: 10.5pt; }
QListWidget#nav::item { padding: 9px 12px; border-radius: 6px; margin: 1px 8px; }
QListWidget#nav::item:selected { background: #2f5f8f; color: white; }
QListWidget#nav::item:hover:!selected { background: #284c72; }
QLabel#brand { color: white; font-size: 13pt; font-weight: 600; padding: 14px 14px 2px 14px; }
QLabel#brandSchool { color: #a9c1da; padding: 0 14px 12px 14px; }
QLabel#demoBadge { background: #f2b53a; color: #3b2a00; border-radius: 8px; padding: 2px 8px; font-weight: 600; }
QWidget#topbar { background: white; border-bottom: 1px solid #e3e8ef; }
QLabel#pageTitle { font-size: 17pt; font-weight: 600; color: #111827; }
QLabel#pageSubtitle, QLabel#muted { color: #6b7280; }
QLabel#sectionTitle { font-size: 11.5pt; font-weight: 600; color: #1f2937; padding-top: 6px; }
QFrame#card { background: white; border: 1px solid #e3e8ef; border-radius: 10px; }
QFrame#card:hover, QFrame#card:focus { border: 1px solid #7aa3cc; }
QFrame#panel { background: white; border: 1px solid #e3e8ef; border-radius: 10px; }
QLabel#cardLabel { color: #6b7280; font-size: 9pt; }
QLabel#cardValue { font-size: 18pt; font-weight: 600; color: #111827; }
QLabel#cardValue[tone="bad"] { color: #b42318; }
QLabel#cardValue[tone="good"] { color: #067647; }
QLabel#cardValue[tone="warn"] { color: #b54708; }
QLabel#cardCaption { color: #6b7280; font-size: 9pt; }
QLabel#fieldError { color: #b42318; }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] { border: 1px solid #d92d20; }
QTableView { background: white; border: 1px solid #e3e8ef; border-radius: 6px; gridline-color: #eef1f5;
             alternate-background-color: #f9fafc; selection-background-color: #d6e6f5; selection-color: #111827; }
QHeaderView::section { background: #f1f4f8; border: none; border-bottom: 1px solid #e3e8ef;
                       padding: 5px 6px; font-weight: 600; color: #374151; }
QPushButton { padding: 5px 12px; border: 1px solid #cfd6e0; border-radius: 6px; background: white; }
QPushButton:hover { background: #f1f5fa; }
QPushButton:disabled { color: #9ca3af; }
QPushButton#primary { background: #1f4e79; color: white; border: 1px solid #1f4e79; }
QPushButton#primary:hover { background: #2a6396; }
QPushButton#primary:disabled { background: #8aa5bf; border-color: #8aa5bf; }
QPushButton#link { border: none; background: transparent; color: #1f4e79; text-align: left; padding: 2px; }
QPushButton#link:hover { text-decoration: underline; }
QLineEdit, QComboBox, QPlainTextEdit, QDateEdit, QSpinBox { padding: 3px 6px; border: 1px solid #cfd6e0;
             border-radius: 5px; background: white; }
QComboBox QAbstractItemView { background: white; color: #111827; border: 1px solid #cfd6e0; outline: 0;
             selection-background-color: #d6e6f5; selection-color: #111827; }
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus { border: 1px solid #1f4e79; }
QTabWidget::pane { border: 1px solid #e3e8ef; border-radius: 6px; background: white; top: -1px; }
QTabBar::tab { padding: 6px 14px; border: 1px solid transparent; }
QTabBar::tab:selected { background: white; border: 1px solid #e3e8ef; border-bottom-color: white;
                        border-top-left-radius: 6px; border-top-right-radius: 6px; font-weight: 600; }
QWidget#welcome { background: #f6f8fb; }
QLabel#welcomeTitle { font-size: 22pt; font-weight: 600; color: #1f3a5a; }
QPushButton#bigChoice { text-align: left; padding: 14px 18px; font-size: 11pt; border-radius: 10px; }
QStatusBar { background: white; border-top: 1px solid #e3e8ef; }
"""
