"""Writing spreadsheets users open in Excel, LibreOffice or Google Sheets, safely.

A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is run as a formula by
spreadsheet programs (CSV/formula injection, OWASP). `safe_cell` prefixes such text with a
single quote so it is shown, never evaluated. Numbers, dates and booleans pass unchanged.
"""

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write in a cell: plain types as they are, formula-like text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Iterable[Any]]) -> int:
    """Write `header` and `rows` as escaped CSV; return the number of data rows written."""
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count
