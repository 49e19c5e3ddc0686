"""What makes an export safe to open: no formula or markup injection, no control characters,
nothing silently cut, and no half-written file.

- ``cell_text`` cleans user text for a spreadsheet cell and refuses text longer than Excel's
  32,767-character limit (openpyxl would cut it silently); ``risky_for_formula`` says which
  text a spreadsheet could take for a formula (``=``, ``+``, ``-``, ``@``, tab, CR: OWASP
  ASVS 1.2.10). The xlsx writers always store such text as a string with Excel's quote prefix.
- ``csv_text`` does the same for CSV, where the only defence is a leading apostrophe. ``csv_writer`` is
  the one way the app writes CSV (exports and the command line's reports): every text cell goes through
  ``csv_text``; numbers stay numbers (a negative number is not a formula).
- ``markup`` escapes user text for a reportlab ``Paragraph`` so that ``<a href=…>``,
  ``<font size=60 color=white>`` or an unclosed ``<b>`` print literally.
- ``atomic_output`` writes to a temporary file beside the target and renames it into place,
  so that a failed or cancelled export leaves no partial file and never damages an old one. The
  temporary file is private to its owner while it is written; the finished file takes the user's
  usual permissions (their umask), or the permissions of the file it replaces.
  A killed export's part file (``.name.host-pid.xxxx.xlsx.part``) is removed by the next export of that
  file, once its writer no longer runs.
- ``Ticker`` reports progress and honours a cancel request between rows.

Nothing here imports openpyxl or reportlab.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from ..errors import CpdError

EXCEL_CELL_MAX = 32_767

# C0 controls except tab and line feed, DEL, C1 controls, zero-width and bidirectional controls
# (which can make text read differently from what it is), and the byte-order mark.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

ProgressCallback = Callable[[int, int], None]
CancelledCallback = Callable[[], bool]


class ExportCancelled(CpdError):
    """The person stopped the export; no file was written."""

    def __init__(self) -> None:
        super().__init__("The export was cancelled; no file was written.")


def plain_text(value: object) -> str:
    """User text with control characters removed and line endings made ``\\n``."""
    text = "" if value is None else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return text


def risky_for_formula(text: str) -> bool:
    """True when a spreadsheet could read the text as a formula (or strip its first character)."""
    return text.startswith(_FORMULA_START)


def cell_text(value: object, where: str) -> str:
    """Text for one spreadsheet cell; refuses (never cuts) text longer than a cell holds.

    ``where`` names the cell for the message, e.g. "Activities sheet, row 12, Impact".
    """
    text = plain_text(value)
    if len(text) > EXCEL_CELL_MAX:
        raise CpdError(
            f"{where}: the text is {len(text):,} characters long, and an Excel cell holds at most "
            f"{EXCEL_CELL_MAX:,}. Nothing was written.",
            hint="Shorten that text in CPD Desktop, or export this as a PDF instead.")
    return text


def csv_text(value: object) -> str:
    """Text for a CSV cell: a leading apostrophe stops Excel reading ``=``, ``+``, ``-``, ``@`` as a formula."""
    text = plain_text(value)
    return "'" + text if risky_for_formula(text) else text


def csv_cell(value: object) -> object:
    """One CSV cell: text neutralised by ``csv_text``; numbers and dates as they are; None blank."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal | dt.date | dt.time):
        return value
    return csv_text(value)


class CsvWriter:
    """``csv.writer`` whose every row goes through ``csv_cell``: the only CSV writer in CPD Desktop."""

    def __init__(self, fh: TextIO, **options: Any) -> None:
        self._writer = csv.writer(fh, **options)

    def writerow(self, values: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(v) for v in values])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: TextIO, **options: Any) -> CsvWriter:
    return CsvWriter(fh, **options)


_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def markup(value: object) -> str:
    """User text made safe for a reportlab ``Paragraph``: escaped, tabs as spaces, line breaks kept."""
    text = plain_text(value).replace("\t", " ").translate(_MARKUP)
    return text.replace("\n", "<br/>") if "\n" in text else text


def check_output(path: Path, suffixes: tuple[str, ...]) -> Path:
    """The file to write: its folder must exist, its name must end in one of ``suffixes``."""
    path = Path(path).expanduser()
    if path.suffix.lower() not in suffixes:
        raise CpdError(f"{path.name} does not end in {' or '.join(suffixes)}.",
                       hint=f"Name the file with {suffixes[0]} at the end, so that it opens in the right program.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CpdError(f"The folder {folder} does not exist.", hint="Choose a folder that exists.")
    if path.is_dir():
        raise CpdError(f"{path} is a folder.", hint="Give a file name.")
    return path


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    On any failure (or cancel) the temporary file is removed and an existing ``path`` is untouched.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_parts(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.{_writer()}.", suffix=path.suffix + PART_SUFFIX,
                                        dir=folder)
    except OSError as exc:
        raise CpdError(f"Cannot write in {folder}: {exc.strerror or exc}.",
                       hint="Choose a folder you can save files in.") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # make sure the bytes are on disk before the rename
            if hasattr(os, "fchmod"):  # not on Windows, where files have no such modes
                os.fchmod(fh.fileno(), _finished_mode(path))
            os.fsync(fh.fileno())
        try:
            os.replace(tmp, path)
        except PermissionError:
            raise CpdError(f"{path.name} could not be replaced: it may be open in another program.",
                           hint="Close it (in Excel or your PDF viewer) and export again, "
                                "or choose another file name.") from None
        except OSError as exc:
            raise CpdError(f"{path.name} could not be written: {exc.strerror or exc}.") from None
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, CpdError):
            if exc.errno == errno.ENOSPC:
                raise CpdError("The disk is full; nothing was written.",
                               hint="Free some space or choose another drive.") from None
            raise CpdError(f"{path.name} could not be written: {exc.strerror or exc}.") from None
        raise


PART_SUFFIX = ".part"
# A part file whose writer cannot be asked (another computer's, or one named before the writer was in the
# name) is stale once nobody has written to it for this long.
STALE_PART_AGE = dt.timedelta(hours=1)


def _writer() -> str:
    """This computer and process, as a part file's name carries them ("host-pid")."""
    from ..storage.locking import this_host

    host = "".join(c if c.isalnum() else "_" for c in this_host())[:40]
    return f"{host}-{os.getpid()}"


def remove_stale_parts(path: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete the hidden part files (``.name.host-pid.xxxx.xlsx.part``) that killed exports of ``path`` left
    beside it; a part file whose writer still runs is left alone. Returns the files removed."""
    from ..storage.locking import pid_running

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    prefix, suffix = f".{path.stem}.", path.suffix + PART_SUFFIX
    now = now or dt.datetime.now()
    here = _writer().rpartition("-")[0]
    removed = []
    try:
        found = [p for p in folder.iterdir() if p.name.startswith(prefix) and p.name.endswith(suffix)]
    except OSError:
        return []
    for part in found:
        middle = part.name[len(prefix):-len(suffix)].split(".")  # host-pid, xxxx (or xxxx for an older name)
        if len(middle) > 2:  # the part file of another name that starts the same (".name.more.xlsx")
            continue
        host, _, pid = middle[0].rpartition("-") if len(middle) == 2 else ("", "", "")
        if host == here and pid.isdigit():
            stale = int(pid) != os.getpid() and not pid_running(int(pid))
        else:
            try:
                stale = now - dt.datetime.fromtimestamp(part.stat().st_mtime) > STALE_PART_AGE
            except OSError:
                continue
        if stale and part.is_file():
            try:
                part.unlink()
            except OSError:
                continue
            removed.append(part)
    return removed


def _finished_mode(path: Path) -> int:
    """The permissions of a finished export: those of the file it replaces, else what the user's umask
    gives a new file (``mkstemp`` makes every file owner-only, which would hide it from a shared drive's
    colleagues and from a backup run as another user)."""
    import stat

    with contextlib.suppress(OSError):
        return stat.S_IMODE(path.stat().st_mode)
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it (another thread may be creating files meanwhile)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    current = os.umask(0o022)  # elsewhere: read it by setting it, and put it straight back
    os.umask(current)
    return current


class Ticker:
    """Counts work done; every ``every`` steps it calls ``progress(done, total)`` and checks ``cancelled()``."""

    def __init__(self, total: int, progress: ProgressCallback | None = None,
                 cancelled: CancelledCallback | None = None, every: int = 250) -> None:
        self.total = max(total, 1)
        self.done = 0
        self._progress = progress
        self._cancelled = cancelled
        self._every = max(every, 1)
        self._next = self._every

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelled()

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.done >= self._next:
            self._next = self.done + self._every
            self.check()
            if self._progress is not None:
                self._progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        self.check()
        if self._progress is not None:
            self._progress(self.total, self.total)
