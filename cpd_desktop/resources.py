"""The one way to find files under the repository's ``resources/`` folder (fonts, icons, samples)."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The ``resources/`` folder that ships beside the ``cpd_desktop`` package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "resources", here / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("CPD Desktop's resources folder is missing: reinstall the app")


def resource_path(*parts: str) -> Path:
    """Path of one resource, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``."""
    return resources_dir().joinpath(*parts)
