"""Every long write killed part-way (SIGKILL: no clean-up runs) leaves the file sound, holding what it held
before or what the finished command would have made; an export is either absent or complete.

The command line runs in a child process with a test-only hook (a Python audit hook and an SQLAlchemy
event, in the child's own start-up script, nothing in the app) that counts the write-side events: each SQL
statement and commit, each file opened for writing, renamed or removed, each SQLite connection. A first
run counts them to the end and gives the finished result; each later run kills the child at a seeded
random event between its first write and its last.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2025, 11, 20)
KILLS = 3  # kills per command, at seeded random events

HOOK = """
    import os, signal, sys
    kill_at = int(os.environ["CPD_TEST_KILL_AT"])
    count = 0
    first_write = 0
    WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def tick(write=True):
        global count, first_write
        count += 1
        if write and not first_write:
            first_write = count
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def audit(event, args):
        if event == "open":
            mode, flags = args[1], args[2]
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (mode is None and flags & WRITES):
                tick()
        elif event in ("os.rename", "os.remove", "os.truncate", "os.link", "os.chmod", "sqlite3.connect",
                       "shutil.copyfile", "shutil.move"):
            tick(event != "sqlite3.connect")

    sys.addaudithook(audit)
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def statement(conn, cursor, sql, *rest):
        tick(not sql.lstrip().upper().startswith(("SELECT", "PRAGMA")))

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", lambda conn: tick())
    import cpd_desktop.cli
    code = cpd_desktop.cli.main(sys.argv[1:])
    print(f"EVENTS {first_write} {count}", file=sys.stderr)
    sys.exit(code)
"""


def cli(data: Path, db: Path, args: list[str], kill_at: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CPD_DESKTOP_DATA": str(data), "CPD_TEST_KILL_AT": str(kill_at),
           "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(HOOK), "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120, cwd=REPO, env=env)


VOLATILE = re.compile(r"^(at|.*_at)$")  # when a thing happened differs between two runs of one command


def digest(path: Path) -> dict[str, str]:
    """A digest of every table's rows (the times of each run left out; the audit trail by what and where)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # (rolls a hot journal back first)
        out = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')
                    if not VOLATILE.match(r[1]) and not (table == "audit_entry" and r[1] in ("summary", "changes"))]
            sha = hashlib.sha256()
            names = ", ".join(f'"{c}"' for c in cols)
            for row in conn.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid'):
                sha.update(repr(row).encode())
            out[table] = sha.hexdigest()
        return out
    finally:
        conn.close()


@dataclass
class Case:
    """One command: how to set up its files, what to run, and what its output must be once killed."""

    args: list[str]
    prepare: Callable[[Path, Path], None] = lambda folder, db: None
    output: str | None = None  # a file the command writes beside the database
    same_file_after: bool = False  # the database is not changed (backup, export)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A school with a believable year of CPD, at the newest schema, and one leaver."""
    from sqlalchemy import select

    from cpd_desktop.models import Staff
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "school.sqlite"
    db = open_database(path, create=True)
    with db.session() as s:
        build_demo(s, seed=3, today=TODAY)
        leaver = s.scalars(select(Staff).order_by(Staff.id)).first()
        assert leaver is not None
        leaver.leaving_date = dt.date(2025, 7, 31)
        leaver.staff_code = "LEAV"
    db.dispose()
    return path


def _activities_csv(folder: Path, db: Path) -> Path:
    conn = sqlite3.connect(db)
    codes = [r[0] for r in conn.execute("SELECT staff_code FROM staff WHERE leaving_date IS NULL")]
    conn.close()
    path = folder / "history.csv"
    day = dt.date(2019, 9, 2)
    path.write_text("Staff code,Date,Title,Hours,Format\n" + "".join(
        f"{codes[i % len(codes)]},{day + dt.timedelta(days=i // len(codes)):%d/%m/%Y},Imported session {i % 7},1.5,"
        "Webinar\n" for i in range(3000)), encoding="utf-8")
    return path


def _prepare_import(folder: Path, db: Path) -> None:
    _activities_csv(folder, db)


def _prepare_undo(folder: Path, db: Path) -> None:
    csv = _activities_csv(folder, db)
    done = cli(folder / "data", db, ["import", "activities", str(csv)])
    assert done.returncode == 0, done.stderr


def _prepare_restore(folder: Path, db: Path) -> None:
    (folder / "data").mkdir(exist_ok=True)
    done = cli(folder / "data", db, ["backup", "--output", str(folder / "earlier.sqlite")])
    assert done.returncode == 0, done.stderr
    _prepare_undo(folder, db)  # the school changes after the backup: restoring takes it back


def _prepare_migrate(folder: Path, db: Path) -> None:
    """The school's file as the first version of CPD Desktop left it: every migration is still to run."""
    from cpd_desktop.services.database import open_database
    from cpd_desktop.storage.migrate import revisions_in_order, upgrade

    current = folder / "current.sqlite"
    db.rename(current)
    sqlite3.connect(db).close()
    old = open_database(db, migrate=False)
    upgrade(old, revisions_in_order()[0])
    old.dispose()
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("ATTACH DATABASE ? AS src", (str(current),))
        for (table,) in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' "
                                     "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'").fetchall():
            have = {r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')}
            src = {r[1] for r in conn.execute(f'PRAGMA src.table_info("{table}")')}
            cols = ", ".join(f'"{c}"' for c in sorted(have & src))
            conn.execute(f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM src."{table}"')
        conn.commit()
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()
    current.unlink()


CASES = {
    "import": Case(["import", "activities", "{folder}/history.csv"], _prepare_import),
    "undo": Case(["import", "undo", "1"], _prepare_undo),
    "backup": Case(["backup", "--output", "{folder}/copy.sqlite"], output="copy.sqlite", same_file_after=True),
    "restore": Case(["restore", "{folder}/earlier.sqlite"], _prepare_restore),
    "migrate": Case(["report", "staff"], _prepare_migrate),
    "anonymise": Case(["anonymise", "--staff", "LEAV"]),
    "export": Case(["export", "activities", "--year", "2024/25", "--format", "xlsx", "--output", "{folder}/log.xlsx"],
                   output="log.xlsx", same_file_after=True),
}


def _workbook(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return [[ws.title, *[list(r) for r in ws.iter_rows(values_only=True)]] for ws in book.worksheets]
    finally:
        book.close()


def _setup(demo: Path, folder: Path, case: Case) -> Path:
    folder.mkdir()
    (folder / "data").mkdir()
    db = folder / "school.sqlite"
    shutil.copyfile(demo, db)
    case.prepare(folder, db)
    return db


def _copy(template: Path, folder: Path) -> Path:
    """The prepared files again, for one more run (preparing takes commands of its own)."""
    shutil.copytree(template.parent, folder)
    return folder / template.name


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_a_killed_command_leaves_the_before_or_the_after(name: str, demo: Path, tmp_path: Path) -> None:
    case = CASES[name]
    template = _setup(demo, tmp_path / "template", case)
    # The finished run: what "after" is, and how many write-side events it takes.
    ref = _copy(template, tmp_path / "ref")
    before = digest(ref)
    args = [a.format(folder=ref.parent) for a in case.args]
    done = cli(ref.parent / "data", ref, args)
    assert done.returncode == 0, done.stderr
    first, total = map(int, re.search(r"EVENTS (\d+) (\d+)", done.stderr).groups())  # type: ignore[union-attr]
    after = digest(ref)
    assert (after == before) == case.same_file_after
    finished_output = _workbook(ref.parent / case.output) if case.output == "log.xlsx" else None
    rng = random.Random(f"{name}-13")
    killed_at = []
    for trial in range(KILLS):
        folder = tmp_path / f"kill{trial}"
        db = _copy(template, folder)
        assert digest(db) == before
        at = rng.randint(max(first, 1), total)
        run = cli(folder / "data", db, [a.format(folder=folder) for a in case.args], kill_at=at)
        assert run.returncode in (-signal.SIGKILL, 0), run.stderr
        killed_at.append((at, run.returncode))
        state = digest(db)
        assert state in (before, after), f"{name} killed at event {at} of {total} left neither before nor after"
        if case.output:
            out = folder / case.output
            if out.exists():  # complete, or not there at all
                if out.suffix == ".xlsx":
                    assert _workbook(out) == finished_output
                else:
                    assert digest(out) == before
        if name == "migrate":  # the app opens it afterwards (finishing the upgrade if it was cut short)
            again = cli(folder / "data", db, ["check"])
            assert again.returncode == 0, again.stdout + again.stderr
            assert digest(db) == after
    assert any(code == -signal.SIGKILL for _at, code in killed_at), killed_at
