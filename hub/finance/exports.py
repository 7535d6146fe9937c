"""Every finance table as CSV or XLSX.

A table is a title, column headers and rows of cells; money cells stay ``Decimal``
all the way: CSV writes them as plain text to the cent (no thousands separators,
so spreadsheets and BI loaders parse them), XLSX writes them as numbers with a
two-decimal format (openpyxl stores Decimal exactly as written). CSV starts with
a UTF-8 byte-order mark so Excel opens Chinese names correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | Decimal | date | datetime | None
MONEY_FORMAT = "#,##0.00"
FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportTable:
    """What an export holds: a sheet title, headers and rows (plus notes such as assumptions)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    notes: Sequence[str] = ()


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_csv(table: ExportTable) -> bytes:
    """The table as UTF-8 CSV (with BOM); notes follow the rows, one per line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_text(cell) for cell in row])
    for note in table.notes:
        writer.writerow([note])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: ExportTable) -> bytes:
    """The table as an XLSX workbook with one sheet; money cells formatted to the cent."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_title(table.title)
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_value(cell) for cell in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
    if table.notes:
        sheet.append([])
        for note in table.notes:
            sheet.append([note])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.headers, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(str(header)) + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Cell) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no zones; callers pass local times
    return value


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return (cleaned or "Sheet")[:31]


def render(table: ExportTable, fmt: str) -> bytes:
    """``to_csv`` or ``to_xlsx`` by name."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "xlsx":
        return to_xlsx(table)
    raise ValueError(f"unknown export format {fmt!r}; expected csv or xlsx")
