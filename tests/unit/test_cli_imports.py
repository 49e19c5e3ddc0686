"""Each command of ``cpd-desktop`` loads only what it needs: its own module of ``cpd_desktop.cli``, and not
Alembic, the spreadsheet and PDF libraries, the importers or Qt for a report. Every start of a command
pays for what it imports, before it has read a row."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from cpd_desktop.cli import COMMAND_MODULES, COMMANDS, _command_of, build_parser

ROOT = Path(__file__).resolve().parents[2]


def _registered(module: str) -> set[str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    importlib.import_module(module).register(sub)
    return set(sub.choices)


def test_every_command_is_mapped_to_the_module_that_registers_it() -> None:
    for module in COMMAND_MODULES:
        assert _registered(module) == {c for c, m in COMMANDS.items() if m == module}, module
    assert set(COMMANDS.values()) == set(COMMAND_MODULES)


def test_the_command_is_found_past_the_database_and_school_options() -> None:
    assert _command_of(["report", "hours"]) == "report"
    assert _command_of(["--db", "x.sqlite", "--school", "Ash", "import", "staff", "a.csv"]) == "import"
    assert _command_of(["--db=x.sqlite", "backups"]) == "backups"
    # Anything else goes to the whole parser, which says what is wrong or prints the help.
    assert _command_of(["--db", "report"]) is None
    assert _command_of(["--help"]) is None
    assert _command_of(["--sch", "Ash", "report"]) is None
    assert _command_of(["no-such-command"]) is None
    assert _command_of([]) is None


def test_a_command_line_reads_the_same_through_its_own_module_alone() -> None:
    argv = ["--db", "x.sqlite", "report", "hours", "--year", "2025/26", "--format", "csv"]
    assert vars(build_parser("report").parse_args(argv)) == vars(build_parser().parse_args(argv))
    assert build_parser("report").format_usage() == build_parser().format_usage()


def _imported(tmp_path: Path, *args: str) -> set[str]:
    env = {**os.environ, "CPD_DESKTOP_DATA": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    code = textwrap.dedent("""
        import sys
        from cpd_desktop.cli import main
        code = main(sys.argv[1:])
        print("LOADED", code, " ".join(sorted(sys.modules)), file=sys.stderr)
    """)
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=120)
    line = next((ln for ln in result.stderr.splitlines() if ln.startswith("LOADED ")), None)
    assert line is not None, result.stderr[-2000:]
    _, code_text, *modules = line.split()
    assert code_text == "0", result.stderr[-2000:]
    return set(modules)


HEAVY = ("alembic", "openpyxl", "reportlab", "holidays", "PySide6", "shiboken6", "cpd_desktop.imports",
         "cpd_desktop.ui", "cpd_desktop.storage.migrate")


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cpd_desktop.cli import main

    db = tmp_path_factory.mktemp("cli-imports") / "school.sqlite"
    assert main(["--db", str(db), "init", "--school", "Ashcombe Park Academy"]) == 0
    return db


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_report_hours_loads_no_migrations_workbooks_pdfs_importers_or_qt(school: Path, tmp_path: Path,
                                                                         fmt: str) -> None:
    loaded = _imported(tmp_path, "--db", str(school), "report", "hours", "--year", "2025/26", "--format", fmt)
    assert "cpd_desktop.services.reports" in loaded
    assert not sorted(m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY))
    # Only the report's own command module is loaded.
    assert not {m for m in loaded if m.startswith("cpd_desktop.cli.")} - {"cpd_desktop.cli.common",
                                                                           "cpd_desktop.cli.reports"}


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_warm_report_hours_loads_no_sqlalchemy_or_models(school: Path, tmp_path: Path, fmt: str) -> None:
    """Once a report's queries are compiled (its first run), the next reads the file with sqlite3 alone."""
    argv = ("--db", str(school), "report", "hours", "--year", "2025/26", "--format", fmt)
    first = _imported(tmp_path, *argv)  # compiles the statements into the cache in tmp_path/data
    assert "sqlalchemy" in first and "cpd_desktop.services.compiled" in first
    warm = _imported(tmp_path, *argv)
    assert not sorted(m for m in warm if m == "sqlalchemy" or m.startswith(("sqlalchemy.", "cpd_desktop.models")))
    assert "cpd_desktop.storage.fastread" in warm


def test_unlock_loads_no_models_or_services(school: Path, tmp_path: Path) -> None:
    loaded = _imported(tmp_path, "--db", str(school), "unlock")
    assert not {m for m in loaded if m.startswith(("cpd_desktop.models", "cpd_desktop.services", "alembic"))}


def test_a_report_checked_behind_prints_nothing_from_a_damaged_file(school: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The report reads while the file's check runs beside it; the check's verdict still comes first."""
    from cpd_desktop.cli import main
    from cpd_desktop.errors import DatabaseDamagedError
    from cpd_desktop.storage import database, fastread

    assert main(["--db", str(school), "report", "hours", "--year", "2025/26"]) == 0
    assert "CPD hours 2025/26" in capsys.readouterr().out
    checked: list[str] = []

    def damaged(db: database.Database) -> None:
        checked.append(threading.current_thread().name)
        raise DatabaseDamagedError(f"{db.label} is damaged (a page is malformed).")

    def fast_check_fails(reader: fastread.Reader) -> None:
        checked.append("fast " + threading.current_thread().name)

    monkeypatch.setattr(database, "_quick_check", damaged)
    # The report read from the compiled-query cache (warm after the first run) checks the file too: a
    # failed check there hands the command to the usual path, whose check says what is wrong.
    monkeypatch.setattr(fastread.Reader, "_quick_check", fast_check_fails)
    for fmt in ("table", "csv", "json"):
        # The file has changed since the passing check of the first report (as damage written to it has):
        # a passing check is reused only for a file unchanged in every way (storage.verdict).
        os.utime(school)
        assert main(["--db", str(school), "report", "hours", "--year", "2025/26", "--format", fmt]) == 1
        out, err = capsys.readouterr()
        assert out == "" and "is damaged (a page is malformed)" in err
    assert checked == ["fast quick_check", "quick_check"] * 3  # on a thread of its own, once a path
