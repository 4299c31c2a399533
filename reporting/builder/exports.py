"""A report's table as spreadsheet rows: the page's exports and the scheduled emails."""

from typing import Any

from .run import Result


def export_rows(result: Result, base_url: str) -> tuple[list[str], list[list[Any]]]:
    header = [*result.group_labels, result.value_label, "count", "list"]
    rows = [
        [*row.labels, row.value, row.count, base_url + row.url if row.url else ""]
        for row in result.rows
    ]
    return header, rows
