"""The whole date column, checked before the preview: in which order its dates are written.

`03/04/2017` is the 3rd of April or March 4th. Instead of guessing row by row (and reading
DD-MM dates with a day up to 12 month first, the others day first), each mapped date column
is read in full: a value with a first number over 12 says *day first*, one with a second
number over 12 says *month first*; a column whose numeric dates could be either, and whose
order the importer hasn't given, stops the import with a question for that column.
"""

from dataclasses import dataclass, field
from pathlib import Path

from crm.imports.models import ImportJob
from crm.imports.parsers import clean_text, numeric_date_parts
from crm.imports.readers import FileInfo, iter_rows
from crm.imports.registry import get_kind

DAY = "day"
MONTH = "month"
ORDERS = (DAY, MONTH)


@dataclass
class DateCheck:
    orders: dict[str, str] = field(default_factory=dict)  # header → day / month
    questions: dict[str, str] = field(default_factory=dict)  # header → what to answer

    @property
    def message(self) -> str:
        return " ".join(self.questions.values())


def _date_columns(job: ImportJob) -> dict[str, int]:
    kind = get_kind(job.kind)
    columns = {}
    for index, header in enumerate(job.headers):
        name = job.mapping.get(header) if header else None
        if name and kind.field(name).type in ("date", "datetime"):
            columns[header] = index
    return columns


def check(job: ImportJob) -> DateCheck:
    """Each mapped date column's order: the importer's answer (`date_order`, or *day first*
    ticked for every column), else what the column's own values prove, else a question."""
    columns = _date_columns(job)
    result = DateCheck()
    if not columns:
        return result
    answers = dict(job.options.get("date_order") or {})
    day_first = bool(job.options.get("day_first"))
    proof: dict[str, dict[str, str]] = {h: {} for h in columns}
    info = FileInfo(job.file_format, job.encoding, job.delimiter, list(job.headers))
    for _, cells in iter_rows(Path(job.file.path), info):
        for header, index in columns.items():
            seen = proof[header]
            if len(seen) == 3:
                continue
            text = clean_text(cells[index]) if index < len(cells) else ""
            parts = numeric_date_parts(text) if text else None
            if parts is None:
                continue
            first, second = parts
            if first > 12 >= second:
                seen.setdefault(DAY, text)
            elif second > 12 >= first:
                seen.setdefault(MONTH, text)
            elif first != second and first <= 12 and second <= 12:
                seen.setdefault("either", text)
    for header, seen in proof.items():
        answer = answers.get(header) or (DAY if day_first else "")
        if answer in ORDERS:
            result.orders[header] = answer
        elif DAY in seen and MONTH in seen:
            result.questions[header] = (
                f"“{header}” has dates written day first ({seen[DAY]}) and month first "
                f"({seen[MONTH]}): say which order the column uses (the rows in the other "
                "are rejected), or fix the file."
            )
        elif DAY in seen:
            result.orders[header] = DAY
        elif MONTH in seen:
            result.orders[header] = MONTH
        elif "either" in seen:
            result.questions[header] = (
                f"“{header}”: is {seen['either']} day first or month first? No date in the "
                "column tells; say which on the mapping page."
            )
    return result


def field_orders(job: ImportJob, orders: dict[str, str]) -> dict[str, bool]:
    """Header orders as the engine reads them: field name → day first."""
    return {
        job.mapping[header]: order == DAY
        for header, order in orders.items()
        if header in job.mapping
    }
