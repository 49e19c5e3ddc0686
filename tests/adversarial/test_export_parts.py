"""A killed export leaves a hidden part file beside the file it was writing (``.log.host-pid.xxxx.xlsx.part``):
the next export of that file removes it, and leaves alone the part file of an export still running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cpd_desktop.cli import main

KILLED_EXPORT = """
import os, signal, sys
from pathlib import Path
from cpd_desktop.exports.safety import atomic_output
with atomic_output(Path(sys.argv[1])) as tmp:
    tmp.write_bytes(b"half an export " * 10_000)
    os.kill(os.getpid(), signal.SIGKILL)
"""

RUNNING_EXPORT = """
import sys
from pathlib import Path
from cpd_desktop.exports.safety import atomic_output
with atomic_output(Path(sys.argv[1])) as tmp:
    tmp.write_bytes(b"still writing")
    print(tmp.name, flush=True)
    sys.stdin.readline()
"""


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_the_next_export_of_a_file_removes_what_a_killed_one_left(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db, out = tmp_path / "school.sqlite", tmp_path / "exports" / "log.xlsx"
    out.parent.mkdir()
    assert main(["--db", str(db), "init", "--school", "Ashcombe Park Academy"]) == 0
    killed = subprocess.run([sys.executable, "-c", KILLED_EXPORT, str(out)], env=os.environ.copy(), timeout=60)
    assert killed.returncode != 0
    left = parts(out.parent)
    assert len(left) == 1 and left[0].startswith(".log.") and not out.exists()  # the attack: a full-size leftover
    other = out.parent / ".summary.host-1.abcd.xlsx.part"  # another file's: not this export's to judge
    other.write_bytes(b"x")
    running = subprocess.Popen([sys.executable, "-c", RUNNING_EXPORT, str(out)], env=os.environ.copy(),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert running.stdout is not None and running.stdin is not None
        writing = running.stdout.readline().strip()
        capsys.readouterr()
        code = main(["--db", str(db), "export", "activities", "--format", "xlsx", "--output", str(out)])
        assert code == 0, capsys.readouterr().err
        assert out.exists()
        assert parts(out.parent) == sorted([other.name, writing])  # the killed export's part is gone
        running.stdin.write("\n")
        running.stdin.close()
        assert running.wait(timeout=60) == 0
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
        for pipe in (running.stdin, running.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
    assert parts(out.parent) == [other.name]
