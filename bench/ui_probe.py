"""The script the start-up and table cases run in a fresh subprocess (``python -m bench.ui_probe``).

Modes:

* ``bare``: the floor, a bare PySide6 window with an empty table.
* ``app DB [--school NAME]``: CPD Desktop itself, through ``cpd_desktop.ui.app.main``.
* ``table DB``: the app, then typing in the CPD log's search box and sorting its columns, each
  beside the same work done on a plain Python list of the same rows.

"Usable" is defined here, not in the app: the main window is shown and painted (its first frame:
the same for the bare window) with the database's figures on its first view, and the event loop is idle (a zero-time timer has fired after all that). The figures
are either the dashboard added up once the database is open (``MainWindow.database_opened``, and no
background job left: the file's integrity check, which only writes wait for, excepted), or the
dashboard's first look (``cpd_desktop.firstlook``: the figures kept from the last start of the same
day, shown only when the database's change marker says nothing has been saved since), with the
database layer still loading behind it. The probe prints ``BENCH-USABLE`` and a JSON line then, and
``BENCH`` and a JSON line once every view is ready too (the database open and no background job
left, as above); the parent times from launching the process to each line. The app's shutdown is not
timed. Memory is the process's peak resident set size (``VmHWM``) once every view is ready.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
# BENCH_PROFILE=out.txt profiles the probe with pyinstrument (pip install pyinstrument) up to its report
# (with BENCH_PROFILE_AT=usable, up to the window's first being usable).
_PROFILER: Any = None
if os.environ.get("BENCH_PROFILE"):
    from pyinstrument import Profiler

    _PROFILER = Profiler(interval=0.0005)
    _PROFILER.start()
SEARCH_WORDS = ["practical", "safeguarding", "Łukasz", "zzzz"]  # common, rarer, a name, no match
USABLE: dict[str, Any] = {}  # when the window first showed the database's figures, and how


def _status_mb(key: str) -> float | None:
    try:
        m = re.search(rf"^{key}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    except OSError:
        return None
    return int(m.group(1)) / 1024 if m else None


def _write_profile() -> None:
    _PROFILER.stop()
    Path(os.environ["BENCH_PROFILE"]).write_text(_PROFILER.output_text(show_all=False), encoding="utf-8")


def report(data: dict[str, Any], window: Any = None) -> None:
    """Print the measurement; then close the app properly (not timed), so that it lets go of the file.

    (Leaving at once would leave the database's lock behind, and the next start would take it for
    a crash and check the whole file first.)
    """
    data.setdefault("peak_mb", _status_mb("VmHWM"))
    data.setdefault("usable_seconds", USABLE.get("seconds"))
    data.setdefault("first_look", USABLE.get("first_look"))
    data.setdefault("first_frame_seconds", PAINTED.get("at"))
    data.setdefault("rss_mb", _status_mb("VmRSS"))
    data["in_process_seconds"] = time.perf_counter() - T0
    if _PROFILER is not None and _PROFILER.is_running:
        _write_profile()
    sys.stdout.write("BENCH " + json.dumps(data) + "\n")
    sys.stdout.flush()
    if window is None:
        os._exit(0)
    import threading

    from PySide6.QtWidgets import QApplication

    fallback = threading.Timer(30, lambda: os._exit(0))  # should closing hang, leave anyway
    fallback.daemon = True
    fallback.start()
    window.close()
    QApplication.quit()


def fail(message: str) -> None:
    sys.stdout.write("BENCH " + json.dumps({"error": message}) + "\n")
    sys.stdout.flush()
    os._exit(3)


# ---- the first frame ---------------------------------------------------------------------------

PAINTED: dict[str, Any] = {}  # whether the window has begun its first frame, and when


def watch_first_paint(window: Any) -> None:
    """Note when ``window`` is first painted: both sides count as usable only from their first frame.

    The filter sits on the window alone (one on the whole application would run Python for every event
    of every widget, which costs a window of many widgets more than the bare one). The window is drawn
    while it handles its first update request, so the zero-time timer set after that fires once it is.
    """
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802
            if event.type() in (QEvent.Type.Paint, QEvent.Type.UpdateRequest):
                PAINTED["window"] = True
                PAINTED["at"] = time.perf_counter() - T0
                obj.removeEventFilter(self)
            return False

    window.installEventFilter(FirstPaint(window))


# ---- the floor: a bare window ------------------------------------------------------------------

def bare() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    watch_first_paint(window)
    window.setWindowTitle("Bare window")
    table = QTableView()
    table.setModel(QStandardItemModel(0, 10, table))
    window.setCentralWidget(table)
    window.resize(1200, 800)
    window.show()

    def poll() -> None:
        if PAINTED:
            QTimer.singleShot(0, lambda: report({}))
        else:
            QTimer.singleShot(1, poll)

    QTimer.singleShot(0, poll)
    app.exec()


# ---- the app -------------------------------------------------------------------------------

def when_usable(then: Any) -> None:
    """Say when the window first shows the database's figures (a first look, or the dashboard once the
    database is open); call ``then(window)`` once the database is open, every view ready and the app idle."""
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    state: dict[str, Any] = {"window": None, "opened": False}

    def busy(*, opening_excepted: bool = False) -> bool:
        # Every background job of the app (opening the file, loading a view) is a workers.Job, listed
        # until it has reported back on the UI thread. The integrity check the window starts once the
        # database is open is not waited for: the window can be used meanwhile (writes wait for it).
        # While a first look is shown, the job opening the database is what loads the rest behind it.
        workers = sys.modules.get("cpd_desktop.ui.workers")  # not loaded yet: no job has been started
        if workers is None:
            return False
        running = getattr(workers, "_running", None)
        if running is None:
            return QThreadPool.globalInstance().activeThreadCount() > 0
        window = state["window"]
        # The jobs of the window's database session (``ui.database.DatabaseSession``), or of the window.
        session = getattr(window, "database", None)
        excepted = {id(getattr(session, "verifying", None) or getattr(window, "_verifying", None))}
        if opening_excepted:
            excepted.add(id(getattr(session, "opening", None) or getattr(window, "_opening", None)))
        return any(id(job) not in excepted for job in running)

    def guarded(window: Any) -> None:
        try:
            then(window)
        except Exception as exc:  # noqa: BLE001 - the app's error dialog would wait for a click for ever
            import traceback

            traceback.print_exc()
            fail(f"{type(exc).__name__}: {exc}")

    def first_look(window: Any) -> bool:
        return getattr(window, "_first_look", None) is not None and window.ctx is None

    def usable(window: Any) -> bool:
        if not window.isVisible() or not PAINTED:
            return False
        if state["opened"]:
            return not busy()
        return first_look(window) and not busy(opening_excepted=True)

    def note_usable(window: Any) -> None:
        if "seconds" in USABLE or not usable(window):
            return
        USABLE.update(seconds=time.perf_counter() - T0, first_look=first_look(window),
                      first_frame_seconds=PAINTED.get("at"))
        if _PROFILER is not None and os.environ.get("BENCH_PROFILE_AT") == "usable":
            _write_profile()
        sys.stdout.write("BENCH-USABLE " + json.dumps(USABLE) + "\n")
        sys.stdout.flush()

    def poll() -> None:
        window = state["window"]
        if window is None:
            from cpd_desktop.ui.main_window import MainWindow

            found = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
            if found:
                window = state["window"] = found[0]
                if getattr(window, "ctx", None) is not None:
                    state["opened"] = True
                else:
                    window.database_opened.connect(lambda: state.update(opened=True))
        if window is not None and "seconds" not in USABLE and usable(window):
            QTimer.singleShot(0, lambda: note_usable(window))  # once the event loop has gone round
        if window is not None and state["opened"] and window.isVisible() and not busy():
            def ready() -> None:
                if busy():
                    QTimer.singleShot(1, poll)
                    return
                note_usable(window)
                guarded(window)

            QTimer.singleShot(0, ready)
            return
        QTimer.singleShot(1, poll)

    QTimer.singleShot(0, poll)
    QTimer.singleShot(120_000, lambda: fail("the window was not usable after 120 s"))


def start_app(db: str, school: str | None, then: Any) -> None:
    from cpd_desktop.cli import window_start

    window_start()  # what `cpd-desktop` does before it loads the window (cli._open_window)
    from cpd_desktop.ui.app import make_app
    from cpd_desktop.ui.main_window import MainWindow

    make_app(sys.argv[:1], style_sheet=False)  # what ui.app.main() does first: main() then finds it made
    show = MainWindow.show

    def watched_show(window: Any) -> None:  # the same watch as the bare window's, set as it shows
        watch_first_paint(window)
        show(window)

    MainWindow.show = watched_show  # type: ignore[method-assign]
    when_usable(then)
    from cpd_desktop.ui import app as ui_app

    ui_app.main(db, school)


def app(db: str, school: str | None) -> None:
    start_app(db, school, lambda window: report({"title": window.windowTitle()}, window))


# ---- searching and sorting the CPD log -------------------------------------------------------

def table(db: str, school: str | None) -> None:
    start_app(db, school, lambda window: measure_table(window, db))


def _settle() -> None:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)


def measure_table(window: Any, db: str) -> None:
    view = window.show_view("log")
    if view is None or not hasattr(view, "model"):
        raise RuntimeError("the main window has no CPD log view called 'log'")
    _settle()
    model = view.model
    panel = view.panel
    # The view shows one academic year (about 20,000 rows at school scale); lifting the year
    # filter makes the search and the sort run over every activity of the school.
    model.set_filters([])
    _settle()
    rows = model.count()
    table_view = panel.table
    floor_rows = _plain_rows(db, window.ctx.school_id)
    hay = _haystacks(floor_rows)

    def refreshed(action: Any) -> float:
        start = time.perf_counter()
        action()
        _settle()
        table_view.viewport().repaint()  # the rows a person sees, drawn
        return time.perf_counter() - start

    search: list[float] = []
    floor_search: list[float] = []
    for word in SEARCH_WORDS:
        for i in range(1, len(word) + 1):
            prefix = word[:i]
            # What the search box's pause-in-typing timer does when it fires.
            search.append(refreshed(lambda p=prefix: panel.search.search.emit(p)))
            floor_search.append(_timed(lambda p=prefix: _plain_search(floor_rows, hay, p)))
        search.append(refreshed(lambda: panel.search.search.emit("")))
        floor_search.append(_timed(lambda: _plain_search(floor_rows, hay, "")))
    sort: list[float] = []
    floor_sort: list[float] = []
    header = table_view.horizontalHeader()
    keys = [c.key for c in model.columns]
    for key in ("date", "staff", "title", "hours", "provider"):
        if key not in keys:
            continue
        column = keys.index(key)
        for order in (0, 1):  # ascending, descending: a click on the header
            from PySide6.QtCore import Qt

            qt_order = Qt.SortOrder.AscendingOrder if order == 0 else Qt.SortOrder.DescendingOrder
            sort.append(refreshed(lambda c=column, o=qt_order: header.setSortIndicator(c, o)))
            if (model.sort_column, model.sort_order) != (column, qt_order):
                raise RuntimeError("a click on the CPD log's column header did not sort it")
            floor_sort.append(_timed(lambda k=key, o=order: _plain_sort(floor_rows, k, o == 1)))
    report({"rows": rows, "floor_rows": len(floor_rows), "search": search, "floor_search": floor_search,
            "sort": sort, "floor_sort": floor_sort, "search_words": SEARCH_WORDS,
            "title": window.windowTitle()}, window)


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _plain_rows(db: str, school_id: int) -> list[tuple[Any, ...]]:
    """The CPD log's rows in a Python list, read once: what the floor filters and sorts."""
    import sqlite3

    con = sqlite3.connect(Path(db).absolute().as_uri() + "?mode=ro", uri=True)  # quoted: %, ? and # in a name
    try:
        return con.execute(
            "SELECT a.id, a.date, s.surname || ', ' || s.forename, d.name, a.title, p.name, a.format, a.hours "
            "FROM activity a JOIN staff s ON s.id = a.staff_id LEFT JOIN department d ON d.id = s.department_id "
            "LEFT JOIN provider p ON p.id = a.provider_id WHERE a.school_id = ?", (school_id,)).fetchall()
    finally:
        con.close()


PLAIN_KEYS = {"date": 1, "staff": 2, "title": 4, "provider": 5, "hours": 7}


def _haystacks(rows: list[tuple[Any, ...]]) -> list[str]:
    """The searchable text of each row, folded once (an in-memory index, as a plain list filter would keep)."""
    return [f"{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}".casefold() for r in rows]


def _plain_search(rows: list[tuple[Any, ...]], hay: list[str], text: str) -> list[tuple[Any, ...]]:
    words = text.casefold().split()
    if not words:
        return rows
    return [r for r, h in zip(rows, hay, strict=True) if all(w in h for w in words)]


def _plain_sort(rows: list[tuple[Any, ...]], key: str, descending: bool) -> list[tuple[Any, ...]]:
    i = PLAIN_KEYS[key]
    return sorted(rows, key=lambda r: (r[i] is None, r[i] or ""), reverse=descending)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ui_probe")
    p.add_argument("mode", choices=["bare", "app", "table"])
    p.add_argument("db", nargs="?")
    p.add_argument("--school")
    args = p.parse_args(argv)
    try:
        if args.mode == "bare":
            bare()
        elif args.mode == "app":
            app(args.db, args.school)
        else:
            table(args.db, args.school)
    except Exception as exc:  # noqa: BLE001 - reported to the bench, which shows it as the case's error
        import traceback

        traceback.print_exc()
        fail(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
