"""A crash inside C code (Qt, SQLite, reportlab) kills the process before any Python handler runs: the window
and every command turn faulthandler on first, so the stacks of that moment are left in the log folder.

Each case is a real crash, in a process of its own: pytest's own faulthandler is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="an abort is reported differently on Windows")

# The entry point runs as far as the part named, which then aborts (SIGABRT, one of faulthandler's signals).
WINDOW = """
import os, sys
import cpd_desktop.ui.app as app

def window_dies(db=None, school=None):
    os.abort()

app.main = window_dies
from cpd_desktop.cli import main
sys.exit(main(sys.argv[1:]))
"""

COMMAND = """
import os, sys
import cpd_desktop.cli.common as common

def command_dies(**kwargs):
    os.abort()

common.Context = command_dies
from cpd_desktop.cli import main
sys.exit(main(sys.argv[1:]))
"""


def crash(script: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    env.update(CPD_DESKTOP_DATA=str(data), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_crash_as_the_window_starts_leaves_its_stacks_in_the_log_folder(tmp_path: Path) -> None:
    done = crash(WINDOW, tmp_path / "data", "--db", str(tmp_path / "school.sqlite"))
    assert done.returncode != 0
    text = (tmp_path / "data" / "logs" / "faults.log").read_text(encoding="utf-8")
    assert "Fatal Python error: Aborted" in text
    assert "window_dies" in text
    assert "Fatal Python error" not in done.stderr  # written to the file, not lost on a console


def test_a_crash_in_a_command_leaves_its_stacks_in_the_log_folder_and_the_next_is_added(tmp_path: Path) -> None:
    for _ in range(2):
        done = crash(COMMAND, tmp_path / "data", "--db", str(tmp_path / "school.sqlite"), "check")
        assert done.returncode != 0
    text = (tmp_path / "data" / "logs" / "faults.log").read_text(encoding="utf-8")
    assert text.count("Fatal Python error: Aborted") == 2
    assert "command_dies" in text


def test_a_fault_log_grown_past_its_limit_starts_afresh(tmp_path: Path) -> None:
    from cpd_desktop.logs import FAULT_LOG_MAX_BYTES

    logs = tmp_path / "data" / "logs"
    logs.mkdir(parents=True)
    (logs / "faults.log").write_text("old\n" * (FAULT_LOG_MAX_BYTES // 4 + 1), encoding="utf-8")
    crash(COMMAND, tmp_path / "data", "--db", str(tmp_path / "school.sqlite"), "check")
    text = (logs / "faults.log").read_text(encoding="utf-8")
    assert not text.startswith("old") and "command_dies" in text


def test_faulthandler_turned_on_elsewhere_is_left_where_it_writes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c",
         "import faulthandler; from cpd_desktop.logs import enable_fault_log; "
         "print(enable_fault_log(), faulthandler.is_enabled())"],
        env={**os.environ, "CPD_DESKTOP_DATA": str(tmp_path)}, capture_output=True, text=True, timeout=60,
        check=True)
    assert done.stdout.split() == ["None", "True"]
    assert not (tmp_path / "logs" / "faults.log").exists()
