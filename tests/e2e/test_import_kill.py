"""An import killed mid-way (SIGKILL: no clean-up runs) leaves the database sound and exactly as before."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cpd_desktop.services.database import open_database
from cpd_desktop.services.schools import create_school
from cpd_desktop.services.staff import add_staff

ROWS = 80_000
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _table_digest(path: Path) -> dict[str, str]:
    """A digest of every table's rows, to compare the database before and after."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for table in tables:
            digest = hashlib.sha256()
            for row in con.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
            out[table] = digest.hexdigest()
        return out
    finally:
        con.close()


@pytest.mark.slow
def test_sigkill_mid_import_leaves_the_database_unchanged(tmp_path: Path) -> None:
    db_path = tmp_path / "school.sqlite"
    db = open_database(db_path, create=True)
    with db.session() as s:
        school = create_school(s, "Kill Test Academy")
        codes = [f"T{i:02d}" for i in range(40)]
        for code in codes:
            add_staff(s, school, forename="Chloë", surname=f"Ó Dálaigh {code}", staff_code=code)
    db.dispose()
    big = tmp_path / "history.csv"
    start = dt.date(2019, 9, 2)
    with big.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Staff Code", "Date", "Title", "Provider", "Hours", "Format"])
        for i in range(ROWS):
            writer.writerow([codes[i % 40], (start + dt.timedelta(days=i // 40)).strftime("%d/%m/%Y"),
                             f"Course {i % 97}", f"Provider {i % 13}", "1.5", "Webinar"])
    before = _table_digest(db_path)
    size_before = db_path.stat().st_size
    journal = db_path.with_name(db_path.name + "-journal")

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-m", "cpd_desktop", "--db", str(db_path), "import", "activities",
                             str(big)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Wait until the import is writing: its rollback journal exists and the file has begun to grow
        # (pages spilled from the cache), which is the moment a kill is most dangerous.
        deadline = time.monotonic() + 120
        saw_journal = False
        while time.monotonic() < deadline and proc.poll() is None:
            if journal.exists():
                saw_journal = True
                if db_path.stat().st_size > size_before:
                    break
            time.sleep(0.002)
        assert proc.poll() is None, "the import finished before it could be killed: make the file bigger"
        assert saw_journal
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    # Opening the file again rolls the hot journal back: every table is as it was.
    check = subprocess.run([sys.executable, "-m", "cpd_desktop", "--db", str(db_path), "check"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert not journal.exists()
    assert _table_digest(db_path) == before
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM activity").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0
    finally:
        con.close()
    # And the recovered file takes an import as usual.
    small = tmp_path / "small.csv"
    small.write_text("\n".join(big.read_text(encoding="utf-8").splitlines()[:101]) + "\n", encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "cpd_desktop", "--db", str(db_path), "import", "activities",
                            str(small)], env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "100 new" in again.stdout
