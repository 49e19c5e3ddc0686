"""Reading a school's file into rows of cells: CSV in the encodings and separators schools really
produce, and Excel workbooks.

A ``Table`` keeps every row with its row number in the file (the first line or sheet row is row 1),
so that a problem is reported where the person will find it. Nothing here knows about the database.

Files are read a piece at a time, never whole, and refused early, in plain words, past clear limits
(``MAX_ROWS``, ``MAX_CELLS``, ``MAX_LINE_CHARS``, ``MAX_FILE_BYTES`` for a CSV and ``MAX_UNPACKED_BYTES``,
``MAX_SHARED_STRINGS`` for a workbook), so that a damaged or hostile file cannot take the computer's
memory. A workbook is checked before openpyxl opens it: the sizes its zip declares, no XML document type
declarations (entity bombs), and how many shared strings it holds. A cell openpyxl cannot read is named
("Sheet1!C5"); the log gets the exception's type and the cell's position, never its text.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import logging
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import CpdError

# Candidate separators in the order we prefer them when the evidence is equal.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SAMPLE_LINES = 30
# Text that UTF-8 read as Windows-1252 (or Latin-1) turns into: 'ZoÃ«', 'Â£', 'â€™'.
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u00a0-\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|â€")

# The limits (stated in the README). A school's largest real file, ten years of CPD history for 150 staff,
# is about 30,000 rows; a whole trust's is well under 200,000.
MAX_ROWS = 200_000  # rows holding something
MAX_CELLS = 5_000_000  # cells read, blank ones between filled ones included
MAX_LINE_CHARS = 131_072  # one line of a CSV file (four full Excel cells)
MAX_FILE_BYTES = 200 * 1024 * 1024  # a CSV file
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a workbook's parts once unzipped, as its zip declares them
MAX_SHARED_STRINGS = 1_000_000  # a workbook's table of distinct texts
MAX_PARTS = 10_000  # files inside a workbook's zip
CHUNK = 1 << 20
HEAD = 1 << 16

log = logging.getLogger(__name__)


@dataclass
class Table:
    """A file read into cells: ``rows`` are (file row number, cells) pairs, blank rows left out."""

    path: Path
    rows: list[tuple[int, list[Any]]]
    encoding: str  # as a person says it: "UTF-8", "UTF-8 with BOM", "Windows-1252", "Excel workbook"
    delimiter: str | None = None  # ",", ";" or "\t" for CSV
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS.get(self.delimiter or "", "")

    @property
    def describe(self) -> str:
        """'UTF-8, semicolon-separated' or 'Excel workbook, sheet Staff'."""
        if self.delimiter is not None:
            return f"{self.encoding}, {self.delimiter_name}-separated"
        return f"{self.encoding}, sheet {self.sheet}" if self.sheet else self.encoding


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a .csv (or .txt/.tsv) or .xlsx file. Raises ``CpdError`` with what to do when it cannot."""
    path = Path(path)
    if not path.exists():
        raise CpdError(f"There is no file at {path}.", hint="Check the name and folder.")
    if path.is_dir():
        raise CpdError(f"{path} is a folder, not a file.")
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD)
            size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    suffix = path.suffix.lower()
    if head[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        if head[:4] != b"PK\x03\x04":
            raise CpdError(f"{path.name} is not an Excel workbook, or it is damaged.",
                           hint="Open it in Excel and save it again as .xlsx or CSV.")
        return _read_xlsx(path, sheet)
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise CpdError(f"{path.name} is in the old Excel 97–2003 format (.xls), which CPD Desktop cannot read.",
                       hint="Open it in Excel and save it as an Excel Workbook (.xlsx) or CSV UTF-8.")
    if sheet:
        raise CpdError(f"{path.name} is a CSV file; it has no sheets.", hint="Leave out the sheet name.")
    if size > MAX_FILE_BYTES:
        raise CpdError(f"{path.name} is {size / 1024 / 1024:,.0f} MB; CPD Desktop reads CSV files of up to "
                       f"{MAX_FILE_BYTES // 1024 // 1024} MB. Is this the right file?",
                       hint=f"Split it into files of at most {MAX_ROWS:,} rows.")
    return _read_csv(path, head)


def _unreadable(path: Path, exc: OSError) -> CpdError:
    return CpdError(f"{path.name} cannot be read: {exc.strerror or type(exc).__name__}.",
                    hint="Close it in Excel if it is open there, and check you may read it.")


# ---- CSV ------------------------------------------------------------------------------------------

def _encoding_of_head(head: bytes) -> tuple[str, str | None]:
    """The encoding the start of a file proves (a byte-order mark, or UTF-16's zero bytes); codec None when
    it is UTF-8 or Windows-1252, which only the whole file can tell apart."""
    if head.startswith(codecs.BOM_UTF8):
        return "UTF-8 with BOM", "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16", "utf-16"  # Excel's "Unicode Text" export
    utf16 = _utf16_without_bom(head)
    if utf16:
        return "UTF-16 (no byte-order mark)", utf16
    return "UTF-8", None


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the zero bytes say so: text in Latin letters saved as UTF-16 has a zero
    byte beside nearly every character, all on the same side (odd positions little-endian, even big-endian)."""
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0:pairs * 2:2].count(0)
    odd = sample[1:pairs * 2:2].count(0)
    if odd >= pairs * 0.4 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.4 and odd <= pairs * 0.05:
        return "utf-16-be"
    return None


def _undecodable(name: str, exc: UnicodeDecodeError, label: str = "") -> CpdError:
    if label.startswith("UTF-16"):
        return CpdError(f"{name} looks like UTF-16 text, but byte {exc.start + 1} does not fit.",
                        hint="In Excel choose File → Save As → 'CSV UTF-8 (Comma delimited)', or save it as .xlsx.")
    return CpdError(f"{name} is not text CPD Desktop can read (byte {exc.start + 1} is neither UTF-8 nor "
                    "Windows-1252).",
                    hint="In Excel choose File → Save As → 'CSV UTF-8 (Comma delimited)', or save it as .xlsx.")


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines into the most consistent number (> 1) of columns."""
    lines = [line for line in text.splitlines()[:SAMPLE_LINES] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delim) if r]
        except csv.Error:  # an over-long or broken line: the full read below says where
            continue
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        width, often = Counter(wide).most_common(1)[0]
        score = (often, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _choose_encoding(path: Path, head: bytes, table_warnings: list[str]) -> tuple[str, str]:
    """(label, codec) for the whole file, read once in pieces: UTF-8 strictly, else Windows-1252. The same
    pass checks every byte decodes and looks for text garbled by an earlier conversion."""
    label, codec = _encoding_of_head(head)
    candidates = [(label, codec)] if codec else [("UTF-8", "utf-8"), ("Windows-1252", "cp1252")]
    for i, (label, codec) in enumerate(candidates):
        decoder = codecs.getincrementaldecoder(codec)("strict")
        garbled = False
        done = 0
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    text = decoder.decode(chunk)
                    done += len(chunk)
                    if not garbled and ("Ã" in text or "Â" in text or "â€" in text):
                        garbled = check_mojibake(table_warnings, text)
                text = decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            if i + 1 < len(candidates):
                continue
            exc.start += done  # position in the file, not in the piece
            raise _undecodable(path.name, exc, label) from None
        except OSError as exc:
            raise _unreadable(path, exc) from exc
        return label, codec
    raise AssertionError("unreachable")


def _lines(stream: IO[str], name: str) -> Iterator[str]:
    """The file's lines, each read with a cap: a line longer than ``MAX_LINE_CHARS`` is refused before the
    rest of it is read (a file with no line breaks would otherwise be read whole into memory)."""
    readline = stream.readline
    cap = MAX_LINE_CHARS + 1
    number = 0
    while line := readline(cap):
        number += 1
        if len(line) == cap and line[-1] not in "\r\n":
            raise CpdError(f"{name}: line {number:,} is longer than {MAX_LINE_CHARS:,} characters; "
                           "is this the right file?",
                           hint="A CSV file has one row of cells on each line. Open it in Excel and save it "
                                "again as CSV UTF-8, or import the .xlsx workbook.")
        yield line


def _read_csv(path: Path, head: bytes) -> Table:
    """The rows of a CSV file, read a line at a time. A first pass over the bytes chooses the encoding; the
    first lines choose the separator. A cell that repeats an earlier one (a staff code, a date, "Yes") is
    kept once, which is most of the cells in a long file."""
    found: list[str] = []
    encoding, codec = _choose_encoding(path, head, found)
    try:
        with path.open("r", encoding=codec, newline="") as stream:
            sample = []
            for line in _lines(stream, path.name):
                sample.append(line)
                if len(sample) >= SAMPLE_LINES:
                    break
            delimiter = sniff_delimiter("".join(sample))
            stream.seek(0)
            table = Table(path=path, rows=[], encoding=encoding, delimiter=delimiter, warnings=found)
            _csv_rows(table, csv.reader(_lines(stream, path.name), delimiter=delimiter))
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    except UnicodeDecodeError as exc:  # the file changed since the first pass
        raise _undecodable(path.name, exc, encoding) from None
    return table


def _csv_rows(table: Table, reader: Any) -> None:
    name = table.path.name
    rows = table.rows
    seen: dict[str, str] = {}
    keep = seen.setdefault
    cells_read = 0
    try:
        for number, cells in enumerate(reader, start=1):
            cells_read += len(cells)
            # The first cell is filled on nearly every row: test it before looking for an all-blank row.
            if cells and (cells[0].strip() or any(c.strip() for c in cells)):
                rows.append((number, list(map(keep, cells, cells))))
                if len(rows) > MAX_ROWS:
                    raise too_big(name, len(rows), cells_read)
            if cells_read > MAX_CELLS:
                raise too_big(name, len(rows), cells_read)
    except csv.Error as exc:
        line = getattr(reader, "line_num", 0)
        if "field larger than field limit" in str(exc):
            raise CpdError(f"{name}: a cell ending on line {line:,} is longer than {csv.field_size_limit():,} "
                           "characters; is this the right file?",
                           hint="A quotation mark may be missing its partner before that line. Open the file "
                                "in Excel and save it again as CSV UTF-8.") from None
        if "NUL" in str(exc):
            raise CpdError(f"{name}: line {line:,} holds zero bytes, which text never does; it is not a CSV "
                           "file, or it is damaged.",
                           hint="Open it in Excel and save it again as CSV UTF-8, or import the .xlsx workbook.") \
                from None
        raise CpdError(f"{name} cannot be read as CSV at line {line:,}.",
                       hint="Open it in Excel and save it again as CSV UTF-8.") from None


def too_big(name: str, rows: int, cells: int) -> CpdError:
    what = f"more than {MAX_ROWS:,} rows" if rows > MAX_ROWS else f"more than {MAX_CELLS:,} cells"
    return CpdError(f"{name} has {what}; CPD Desktop imports at most {MAX_ROWS:,} rows and {MAX_CELLS:,} cells "
                    "at a time. Nothing was imported. Is this the right file?",
                    hint="Split it into smaller files and import each in turn.")


def check_mojibake(warnings: Table | list[str], text: str) -> bool:
    """Warn (never silently pass) when text looks already garbled by a wrong conversion; True if it does."""
    if "Ã" not in text and "Â" not in text and "â€" not in text:
        return False
    match = _MOJIBAKE.search(text)
    if not match:
        return False
    start = max(0, text.rfind("\n", 0, match.start()) + 1)
    end = text.find("\n", match.end())
    snippet = text[start:end if end != -1 else None][:60]
    out = warnings.warnings if isinstance(warnings, Table) else warnings
    out.append(
        f"Some text looks garbled ('{match.group()}' in “{snippet.strip()}”): the file may have been "
        "converted between encodings before. Check the names after importing, or export the file again.")
    return True


# ---- Excel workbooks ------------------------------------------------------------------------------

_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_SHARED_STRINGS_PART = re.compile(rb'PartName="/?([^"]+)"[^>]*sharedStrings\+xml|sharedStrings\+xml"[^>]*'
                                  rb'PartName="/?([^"]+)"')


class _Damaged(Exception):
    """A workbook's part that openpyxl must not be given."""


def _damaged(path: Path, where: str = "") -> CpdError:
    """``where``: 'cell Sheet1!D5' or 'row 5 of Sheet1' when known."""
    if where:
        return CpdError(f"{path.name} is damaged at {where}: CPD Desktop cannot read what is there.",
                        hint="Open it in Excel, type that cell again, and save it as .xlsx (or as CSV UTF-8).")
    return CpdError(f"{path.name} is not an Excel workbook CPD Desktop can read, or it is damaged.",
                    hint="Open it in Excel and save it again as .xlsx (or as CSV UTF-8).")


def _check_package(path: Path, fh: IO[bytes]) -> None:
    """Refuse a workbook whose parts would take too much memory or time to read, or that declares XML
    entities, before openpyxl sees it. The sizes are the zip's own; Python's zipfile stops a part at its
    declared size (and fails its checksum), so a part cannot unpack to more than it declares."""
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged(path) from exc
    with archive:
        infos = archive.infolist()
        unpacked = sum(i.file_size for i in infos)
        if len(infos) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
            raise CpdError(f"{path.name} unpacks to {unpacked / 1024 / 1024:,.0f} MB in {len(infos):,} parts; "
                           f"CPD Desktop reads workbooks of up to {MAX_UNPACKED_BYTES // 1024 // 1024} MB unpacked. "
                           "Is this the right file?",
                           hint=f"Split it into workbooks of at most {MAX_ROWS:,} rows, or save it as CSV UTF-8.")
        names = {i.filename for i in infos}
        shared = {n for n in names if n.lower().endswith("sharedstrings.xml")}
        try:
            for info in infos:  # every part: a workbook's relationships may name an XML part anything
                with archive.open(info) as part:
                    _check_prolog(part, xml=info.filename.lower().endswith((".xml", ".rels", ".vml")))
                if info.filename == "[Content_Types].xml" and info.file_size < (1 << 20):
                    for match in _SHARED_STRINGS_PART.finditer(archive.read(info)):
                        shared.add((match.group(1) or match.group(2)).decode("utf-8", "replace"))
            for name in sorted(shared & names):
                with archive.open(name) as part:
                    if _count_shared_strings(part) > MAX_SHARED_STRINGS:
                        raise CpdError(
                            f"{path.name} holds more than {MAX_SHARED_STRINGS:,} different texts; CPD Desktop "
                            "imports smaller workbooks. Is this the right file?",
                            hint="Split it into smaller workbooks, or save it as CSV UTF-8.")
        except _Damaged as exc:
            log.warning("workbook refused before reading: %s", exc)
            raise CpdError(f"{path.name} holds an XML document type declaration, which Excel never writes: it "
                           "may have been made to attack the program that opens it, so it was not read.",
                           hint="Open it in Excel and save it again as .xlsx, or ask whoever sent it.") from None
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) \
                as exc:
            log.warning("workbook damaged: %s in its zip", type(exc).__name__)
            raise _damaged(path) from None


_PROLOG_TOKEN = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
MAX_PROLOG = 1 << 20


def _check_prolog(part: IO[bytes], *, xml: bool = True) -> None:
    """Raise ``_Damaged`` if an XML part declares a document type (the only place entities are declared,
    and it must come before the first element). XML parts not in UTF-8, or whose first element is not
    within 1 MB, are refused too: Excel never writes them. Other parts (pictures) are looked at only if
    they begin as XML does."""
    buf = part.read(HEAD)
    if buf.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in buf[:4]:
        if xml:
            raise _Damaged("an XML part not in UTF-8")
        return
    if not xml and not buf.lstrip().startswith((b"<", codecs.BOM_UTF8)):
        return
    pos = len(codecs.BOM_UTF8) if buf.startswith(codecs.BOM_UTF8) else 0
    while True:
        match = _PROLOG_TOKEN.match(buf, pos)  # white space, a whole processing instruction or comment
        if match and match.end() < len(buf):
            pos = match.end()
            continue
        rest = buf[pos:pos + 9]
        if rest.upper() == b"<!DOCTYPE":
            raise _Damaged("a document type declaration")
        if len(rest) < 9 or rest.startswith((b"<?", b"<!--")) or match:
            more = part.read(HEAD)  # not yet enough read to tell
            if not more:
                return  # the part ends in its prolog: openpyxl's parser refuses it
            if len(buf) > MAX_PROLOG:
                raise _Damaged("an XML prolog over 1 MB")
            buf += more
            continue
        return  # the first element: no document type can follow


def _count_shared_strings(part: IO[bytes]) -> int:
    """How many shared strings (``<si>``) a part holds, counted in its bytes; stops once past the limit."""
    count = 0
    carry = b""
    while chunk := part.read(CHUNK):
        buf = carry + chunk
        cut = buf.rfind(b"<")
        if cut == -1 or len(buf) - cut > 64:
            cut = len(buf)
        count += len(_SHARED_STRING.findall(buf, 0, cut))
        carry = buf[cut:]
        if count > MAX_SHARED_STRINGS:
            return count
    return count + len(_SHARED_STRING.findall(carry))


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import warnings

    try:
        with path.open("rb") as fh:
            _check_package(path, fh)
            fh.seek(0)
            with warnings.catch_warnings():
                # openpyxl warns about what it works around (no default style, a date out of range, which
                # it reads as '#VALUE!'): nothing a person must act on, and not for the terminal.
                warnings.simplefilter("ignore")
                return _read_sheet(path, fh, sheet)
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def _read_sheet(path: Path, fh: IO[bytes], sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        # From the open file, not the name: a workbook saved as 'staff.csv' still reads.
        book = load_workbook(fh, read_only=True, data_only=True)
    except CpdError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl fails on damaged parts with any exception
        log.warning("workbook damaged: %s while opening it", type(exc).__name__)
        raise _damaged(path) from None
    ws: Any = None
    try:
        names = list(book.sheetnames)
        if not names:
            raise CpdError(f"{path.name} has no sheets.", hint="Open it in Excel and save it again as .xlsx.")
        if sheet is None:
            ws = book.worksheets[0]
        else:
            wanted = {n.strip().lower(): n for n in names}.get(sheet.strip().lower())
            if wanted is None:
                raise CpdError(f"{path.name} has no sheet called {sheet}.",
                               hint="Its sheets are: " + ", ".join(names) + ".")
            ws = book[wanted]
        if not hasattr(ws, "iter_rows"):
            raise CpdError(f"The sheet {ws.title} of {path.name} is a chart, not cells.",
                           hint="Choose the sheet that holds the rows (--sheet NAME).")
        # The size a sheet declares may be anything (A1:XFD1048576): read the cells that are there.
        ws.reset_dimensions()
        rows: list[tuple[int, list[Any]]] = []
        garbled: list[str] = []
        cells_read = 0
        for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            cells_read += len(values)
            cells = [_excel_cell(c) for c in values]
            if any(c not in (None, "") for c in cells):
                rows.append((number, cells))
                if len(garbled) < 1:
                    garbled.extend(c for c in cells if isinstance(c, str) and _MOJIBAKE.search(c))
                if len(rows) > MAX_ROWS:
                    raise too_big(path.name, len(rows), cells_read)
            if cells_read > MAX_CELLS:
                raise too_big(path.name, len(rows), cells_read)
        table = Table(path=path, rows=rows, encoding="Excel workbook", sheet=ws.title, sheets=names)
        if garbled:
            check_mojibake(table, garbled[0])
        return table
    except CpdError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged cell or part: say where, log only what and where
        where = _position(exc, getattr(ws, "title", None))
        log.warning("workbook damaged: %s at %s", type(exc).__name__, where or "an unknown place")
        raise _damaged(path, where) from None
    finally:
        book.close()


def _position(exc: BaseException, sheet: str | None) -> str:
    """'cell Sheet1!C5' (or 'row 5 of Sheet1'): where openpyxl's sheet reader was when it failed, from its
    frames ('' if unknown)."""
    import traceback

    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    where = ""
    name = _quote_sheet(sheet) if sheet else ""
    for frame, _line in traceback.walk_tb(exc.__traceback__):
        reader = frame.f_locals.get("self")
        if isinstance(reader, WorkSheetParser):
            row, col = reader.row_counter, reader.col_counter
            if frame.f_code.co_name == "parse_cell" and 1 <= col <= 16_384 and row >= 1:
                where = f"cell {name}!{get_column_letter(col)}{row}" if name else f"cell {get_column_letter(col)}{row}"
            elif row >= 1:
                where = f"row {row} of {name}" if name else f"row {row}"
    return where


def _quote_sheet(name: str) -> str:
    return name if re.fullmatch(r"\w+", name) else "'" + name.replace("'", "''") + "'"


def _excel_cell(value: Any) -> Any:
    """Excel cells as they read: dates stay dates, whole numbers lose their '.0', text is trimmed."""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value
