"""A file opened for one kind of import: its rows read, its header row found, its columns matched to fields.

The import wizard opens a source once and keeps it for its pages (the mapping, the check, the import);
the command line and ``run_import`` open one for the single run and let its cells go as they are parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import CpdError
from .fields import Kind, find_header_row, get_kind, resolve_mapping
from .readers import Table, read_table


@dataclass
class Source:
    """A file read for one kind of import: its header row found and its columns matched to fields."""

    table: Table
    kind: Kind
    header_index: int
    mapping: dict[str, int]

    @cached_property
    def headers(self) -> list[str]:
        cells_ = self.table.rows[self.header_index][1] if self.table.rows else []
        return ["" if c is None else str(c).strip() for c in cells_]

    @property
    def header_row(self) -> int:
        """The header's row number in the file (1 for the first line)."""
        return self.table.rows[self.header_index][0] if self.table.rows else 1

    @property
    def data_rows(self) -> list[tuple[int, list[Any]]]:
        return self.table.rows[self.header_index + 1:]

    def release_data_rows(self) -> None:
        """Let go of the rows below the header (their cells are parsed); the header row stays."""
        del self.table.rows[self.header_index + 1:]

    def header_of(self, key: str) -> str:
        col = self.mapping.get(key)
        if col is None:
            return self.kind.field(key).label
        return self.headers[col] or f"Column {col + 1}"

    def mapped_headers(self) -> dict[str, str]:
        return {key: self.header_of(key) for key in self.mapping}

    def unused_headers(self) -> list[str]:
        used = set(self.mapping.values())
        return [h for i, h in enumerate(self.headers) if h and i not in used]


def open_source(path: str | Path, kind: str | Kind, *, sheet: str | None = None, header_row: int | None = None,
                mapping: dict[str, Any] | None = None, table: Table | None = None) -> Source:
    """Read the file, find its header row (or take ``header_row``) and match its columns."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    table = table if table is not None else read_table(path, sheet=sheet)
    if not table.rows:
        raise CpdError(f"{table.path.name} is empty.", hint="Choose the file that holds the rows to import.")
    if header_row is None:
        index = find_header_row(kind, table.rows)
    else:
        index = next((i for i, (number, _) in enumerate(table.rows) if number >= header_row), -1)
        if index < 0:
            raise CpdError(f"{table.path.name} has nothing on row {header_row} or below.")
    source = Source(table=table, kind=kind, header_index=index, mapping={})
    source.mapping = resolve_mapping(kind, source.headers, mapping)
    return source
