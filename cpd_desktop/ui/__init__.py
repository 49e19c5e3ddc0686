"""The desktop window: the only package that imports PySide6.

``app.main`` starts it; ``main_window.MainWindow`` holds the sidebar and the views; ``views/``
has one module per page, ``dialogs/`` the edit dialogs; ``tablemodel`` the thin table models (a core list's pages);
``undo`` the undo commands; ``workers`` the background jobs; ``settings`` the QSettings file.
"""
