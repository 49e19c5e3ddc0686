"""The app's idea of the newest schema matches the migrations it ships."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cpd_desktop.storage.migrate import head_revision
from cpd_desktop.storage.schema import HEAD_REVISION


def test_head_revision_constant_matches_the_newest_migration() -> None:
    assert HEAD_REVISION == head_revision()


def test_opening_an_up_to_date_file_does_not_load_alembic(tmp_path: Path) -> None:
    path = tmp_path / "school.sqlite"
    code = ("import sys; from cpd_desktop.services.database import open_database; "
            f"open_database({str(path)!r}, create=True).dispose(); "
            "[sys.modules.pop(m) for m in list(sys.modules) if m.startswith(('alembic', 'cpd_desktop.storage.migrate'))]; "
            f"open_database({str(path)!r}).dispose(); "
            "print(any(m.startswith('alembic') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
