"""What every workbook shares: write-only sheets with one set of styles, safe text, Excel tables.

Data sheets are openpyxl ``write_only`` sheets: rows stream to disk as they are written, so a
100,000-row sheet costs no more memory than a 100-row one. A write-only sheet's column widths,
frozen header and table must be known before (widths, panes) or at the end (table) of writing,
so ``DataSheet`` measures the rows first and adds the table last.

Every text cell goes through ``safety``: control characters removed, more than 32,767 characters
refused, and text that starts like a formula stored as text with Excel's quote prefix, so that the
only formulas in a workbook are the ones written here with ``formula``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from ...errors import CpdError
from ..safety import EXCEL_CELL_MAX, Ticker, plain_text, risky_for_formula

DATE = "dd/mm/yyyy"
MONEY = '"£"#,##0.00;-"£"#,##0.00'
HOURS = "0.00"
PERCENT = "0%"
INTEGER = "0"
FTE = "0.00"  # as format_fte: the same figure as the PDFs and the window
PER_FTE = "0.0"  # hours per FTE, as format_per_fte

TEXT, DATE_KIND, MONEY_KIND, HOURS_KIND, INT_KIND, PERCENT_KIND, FTE_KIND, PER_FTE_KIND, YESNO = (
    "text", "date", "money", "hours", "int", "percent", "fte", "per_fte", "yesno")
FORMATS = {DATE_KIND: DATE, MONEY_KIND: MONEY, HOURS_KIND: HOURS, INT_KIND: INTEGER, PERCENT_KIND: PERCENT,
           FTE_KIND: FTE, PER_FTE_KIND: PER_FTE}
WIDTHS = {DATE_KIND: 11.5, MONEY_KIND: 12.5, HOURS_KIND: 8, INT_KIND: 8, PERCENT_KIND: 8, FTE_KIND: 6,
          PER_FTE_KIND: 8, YESNO: 6}
MAX_WIDTH = 60
MEASURE_ROWS = 20_000  # widths are measured on at most this many rows (spread through the sheet)

HEADER_FONT = Font(bold=True, color="1F2933")
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
TITLE_FONT = Font(bold=True, size=14, color="1F2933")
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="52606D")


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = TEXT
    width: float | None = None  # fixed width (characters); None: sized to the content


@dataclass(frozen=True)
class Formula:
    """One of our formulas as a data sheet's value (never user text, which is always stored as text)."""

    text: str


def new_workbook(title: str, author: str, subject: str = "") -> Workbook:
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = author
    wb.properties.lastModifiedBy = "CPD Desktop"
    wb.properties.subject = subject
    wb.properties.description = "Produced by CPD Desktop"
    wb.calculation.fullCalcOnLoad = True  # our formulas have no cached values: compute them on opening
    return wb


def new_sheet(wb: Workbook, title: str, *, header_rows: str | None = None) -> Any:
    """A sheet that prints as people expect: A4 landscape, as wide as the page (as many pages long as it
    takes) and, for a table, its header row repeated on every page.

    The fit-to-page flag sits at the top of the sheet's XML, which a write-only sheet writes with its
    first row: it is set here, before any row."""
    ws = wb.create_sheet(title)
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # no limit: long tables run on to more pages rather than shrink
    if header_rows:
        ws.print_title_rows = header_rows
    return ws


class Styles:
    """The workbook's cell styles, made once; cells share them (``cell._style``, as openpyxl's docs copy styles)."""

    def __init__(self, wb: Workbook) -> None:
        ws = wb.create_sheet("_styles")  # a scratch sheet to make style arrays on; removed at once
        self._ws = ws
        self.header = self._make(ws, font=HEADER_FONT, fill=HEADER_FILL,
                                 alignment=Alignment(wrap_text=True, vertical="top"))
        self.title = self._make(ws, font=TITLE_FONT)
        self.bold = self._make(ws, font=BOLD)
        self.note = self._make(ws, font=NOTE_FONT)
        self.quoted = self._make(ws, quote=True)
        self.kinds = {kind: self._make(ws, number_format=fmt) for kind, fmt in FORMATS.items()}
        self.bold_kinds = {kind: self._make(ws, number_format=fmt, font=BOLD) for kind, fmt in FORMATS.items()}
        wb.remove(ws)

    @staticmethod
    def _make(ws: Any, *, number_format: str | None = None, font: Font | None = None,
              fill: PatternFill | None = None, alignment: Alignment | None = None, quote: bool = False) -> Any:
        c = Cell(ws, row=1, column=1)
        if number_format:
            c.number_format = number_format
        if font:
            c.font = font
        if fill:
            c.fill = fill
        if alignment:
            c.alignment = alignment
        if quote:
            c.quotePrefix = True
        return c._style  # type: ignore[attr-defined]  # noqa: SLF001 -- the style array, shared by every cell of that look


def too_long(sheet: str, row: int, header: str, length: int) -> CpdError:
    return CpdError(
        f"{sheet} sheet, row {row}, {header}: the text is {length:,} characters long, and an Excel cell holds "
        f"at most {EXCEL_CELL_MAX:,}. Nothing was written.",
        hint="Shorten that text in CPD Desktop, or export this as a PDF instead.")


class Writer:
    """Turns values into cells of one sheet: typed, styled, and safe."""

    def __init__(self, ws: Any, styles: Styles) -> None:
        self.ws = ws
        self.styles = styles

    def text(self, value: object, style: Any = None, where: tuple[str, int, str] = ("", 0, "")) -> Any:
        text = plain_text(value)
        if len(text) > EXCEL_CELL_MAX:
            raise too_long(where[0] or self.ws.title, where[1], where[2], len(text))
        if style is None and not risky_for_formula(text):
            return text
        cell = WriteOnlyCell(self.ws, text)
        cell.data_type = "s"  # never a formula, whatever it starts with
        cell._style = self.styles.quoted if style is None else style  # type: ignore[attr-defined]  # noqa: SLF001
        if style is not None and risky_for_formula(text):
            cell.quotePrefix = True
        return cell

    def styled(self, value: Any, style: Any) -> Cell:
        cell = WriteOnlyCell(self.ws, value)
        cell._style = style  # type: ignore[attr-defined]  # noqa: SLF001
        return cell

    def formula(self, text: str, kind: str | None = None, bold: bool = False) -> Cell:
        """One of our formulas (never user text), with its number format."""
        assert text.startswith("=")
        cell = WriteOnlyCell(self.ws, text)
        if kind is not None:
            cell._style = (self.styles.bold_kinds if bold else self.styles.kinds)[kind]  # type: ignore[attr-defined]  # noqa: SLF001
        elif bold:
            cell._style = self.styles.bold  # type: ignore[attr-defined]  # noqa: SLF001
        return cell

    def value(self, value: Any, kind: str) -> Any:
        if value is None:
            return None
        if kind == TEXT:
            return self.text(value)
        if kind == YESNO:
            return "yes" if value else "no"
        return self.styled(value, self.styles.kinds[kind])


def measure(columns: Sequence[Col], rows: Sequence[Any], values: Callable[[Any], Sequence[Any]]) -> list[float]:
    """Column widths (in characters) from the header and the content of a sample of rows."""
    widths = [float(min(MAX_WIDTH, max(len(w) for w in c.header.split()) + 2)) for c in columns]
    text_cols = []
    for i, c in enumerate(columns):
        if c.width is not None:
            widths[i] = c.width
        elif c.kind == TEXT:
            text_cols.append(i)
            widths[i] = max(widths[i], min(len(c.header) + 2, 16))
        else:
            widths[i] = max(widths[i], WIDTHS[c.kind])
    if text_cols and rows:
        step = max(1, len(rows) // MEASURE_ROWS)
        longest = [0] * len(columns)
        for r in rows[::step]:
            vals = values(r)
            for i in text_cols:
                v = vals[i]
                if v:
                    n = len(v) if isinstance(v, str) else len(str(v))
                    if n > longest[i]:
                        longest[i] = n
        for i in text_cols:
            widths[i] = min(MAX_WIDTH, max(widths[i], longest[i] + 2))
    return widths


def set_widths(ws: Any, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 1)


def whole_column(sheet: str, column: int) -> str:
    """A whole column of a sheet, e.g. Claims!$R:$R: what a row added below the table is in too."""
    letter = get_column_letter(column)
    return f"{quote_sheetname(sheet)}!${letter}:${letter}"


def col_range(sheet: str, column: int, first: int, last: int) -> str:
    """An absolute range of one column, e.g. 'By person'!$E$2:$E$26 (a blank row when there are none)."""
    letter = get_column_letter(column)
    return f"{quote_sheetname(sheet)}!${letter}${first}:${letter}${max(last, first)}"


class DataSheet:
    """A sheet of rows as an Excel table: header, frozen first row, autofilter, sized columns."""

    def __init__(self, wb: Workbook, styles: Styles, title: str, columns: Sequence[Col], *,
                 table_name: str | None = None) -> None:
        self.wb = wb
        self.ws = new_sheet(wb, title, header_rows="1:1")
        self.title = title
        self.columns = list(columns)
        self.table_name = table_name
        self.w = Writer(self.ws, styles)
        self.rows = 0

    def index(self, header: str) -> int:
        """The 1-based column number of a header."""
        return [c.header for c in self.columns].index(header) + 1

    def range(self, header: str) -> str:
        return col_range(self.title, self.index(header), 2, self.rows + 1)

    def column(self, header: str) -> str:
        return whole_column(self.title, self.index(header))

    def write(self, rows: Sequence[Any], values: Callable[..., Sequence[Any]], ticker: Ticker | None = None, *,
              with_row: bool = False) -> None:
        """Write the rows; ``values(row)`` gives a row's values (``values(row, n)`` with ``with_row``: n is
        its row number, for a formula on the row)."""
        ws, w = self.ws, self.w
        if with_row:
            by_row = values
            values = lambda r: by_row(r, 0)  # noqa: E731 -- widths: formulas are not measured
        widths = measure(self.columns, rows, values)
        set_widths(ws, widths)
        lines = max(_lines(c.header, w) for c, w in zip(self.columns, widths, strict=True))
        if lines > 1:  # a wrapped header gets the height it needs (no program grows the row by itself)
            ws.row_dimensions[1].height = 15 * lines + 1
        if with_row:
            values = by_row
        ws.freeze_panes = "A2"
        headers = [c.header for c in self.columns]
        ws.append([w.text(h, w.styles.header) for h in headers])
        kinds = [c.kind for c in self.columns]
        number_styles = [w.styles.kinds.get(k) for k in kinds]
        quoted = w.styles.quoted
        title = self.title
        append = ws.append
        for n, r in enumerate(rows, 2):
            out: list[Any] = []
            for i, v in enumerate(values(r, n) if with_row else values(r)):
                if v is None or v == "":
                    out.append(None)
                    continue
                kind = kinds[i]
                if isinstance(v, Formula):
                    cell = WriteOnlyCell(ws, v.text)
                    if number_styles[i] is not None:
                        cell._style = number_styles[i]  # type: ignore[attr-defined]  # noqa: SLF001
                    out.append(cell)
                    continue
                if kind == TEXT:
                    if not isinstance(v, str) or "\r" in v or len(v) > EXCEL_CELL_MAX or not v.isprintable():
                        v = plain_text(v)
                        if len(v) > EXCEL_CELL_MAX:
                            raise too_long(title, n, headers[i], len(v))
                    if v[:1] in _RISKY:
                        cell = WriteOnlyCell(ws, v)
                        cell.data_type = "s"
                        cell._style = quoted  # type: ignore[attr-defined]  # noqa: SLF001
                        out.append(cell)
                    else:
                        out.append(v)
                elif kind == YESNO:
                    out.append("yes" if v else "no")
                else:
                    cell = WriteOnlyCell(ws, v)
                    cell._style = number_styles[i]  # type: ignore[attr-defined]  # noqa: SLF001
                    out.append(cell)
            append(out)
            if ticker is not None:
                ticker.step()
        self.rows = len(rows)
        if self.table_name:
            self._add_table(headers)

    def _add_table(self, headers: Sequence[str]) -> None:
        ref = f"A1:{get_column_letter(len(headers))}{max(self.rows, 1) + 1}"
        table = Table(displayName=self.table_name, ref=ref, autoFilter=AutoFilter(ref=ref),
                      tableColumns=[TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)],
                      tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True))
        with warnings.catch_warnings():  # openpyxl warns that write-only tables need their columns: they have them
            warnings.simplefilter("ignore", UserWarning)
            self.ws.add_table(table)


_RISKY = frozenset("=+-@\t\n")


def _lines(text: str, width: float) -> int:
    """How many lines a header takes, wrapped at spaces, in a column ``width`` characters wide (bold)."""
    room = max(1.0, width - 1.5)
    lines, used = 1, 0.0
    for word in text.split():
        need = len(word) * 1.1 + (1 if used else 0)
        if used and used + need > room:
            lines, used = lines + 1, len(word) * 1.1
        else:
            used += need
    return lines


def save(wb: Workbook, path: Path) -> None:
    """Write the workbook's zip (what ``Workbook.save`` does), closing the zip even when writing fails (a
    full disk): openpyxl leaves it open, and Python's later attempt to finish it printed "Exception ignored
    in ZipFile.__del__" after the message. The half-written file itself is removed by ``atomic_output``."""
    import datetime as dt
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    if wb.write_only and not wb.worksheets:
        new_sheet(wb, "Sheet")
    archive = zipfile.ZipFile(str(path), "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        wb.properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        ExcelWriter(wb, archive).save()
    except BaseException:
        with contextlib.suppress(Exception):
            archive.close()  # its directory cannot be written either, but its file is closed all the same
        raise


@contextlib.contextmanager
def building(wb: Workbook) -> Iterator[Workbook]:
    """Write a workbook; if writing fails part-way, close its streamed sheets and remove their temp files.

    (A write-only sheet left open would fail noisily when Python collects it, and leave a temp file.)
    """
    try:
        yield wb
    except BaseException:
        for ws in wb.worksheets:
            with contextlib.suppress(Exception):
                ws.close()
            writer = getattr(ws, "_writer", None)
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.cleanup()
        raise
