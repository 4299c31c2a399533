"""Reading uploaded CSV and XLSX files as a stream of rows (never the whole file in RAM).

`inspect_file` runs once at upload: it refuses what we can't read (empty, binary, old .xls,
header only), detects the encoding and delimiter, and returns the header. `iter_rows`
then yields (row_number, cells) for every data record; row 1 is the first under the header.
"""

import codecs
import csv
import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from crm.errors import DomainError

SNIFF_BYTES = 64 * 1024
CHUNK = 1024 * 1024
DELIMITERS = ",;\t|"
csv.field_size_limit(10 * 1024 * 1024)


class UnreadableFile(DomainError):
    """The upload is not a CSV/XLSX we can read; the message says why and what to do."""


@dataclass(frozen=True)
class FileInfo:
    file_format: str  # "csv" | "xlsx"
    encoding: str
    delimiter: str
    headers: list[str]


def _looks_like_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def detect_encoding(path: Path) -> str:
    """BOMs first; else UTF-8 if the whole file decodes; else Windows-1252; else Latin-1."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def detect_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        # Sniffer gives up on ragged files: take the delimiter most frequent in the header.
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def normalise_headers(raw: list[Any]) -> list[str]:
    """Strip, and make duplicates unique ("Email", "Email (2)"); blank headers stay blank."""
    seen: dict[str, int] = {}
    headers = []
    for cell in raw:
        name = re.sub(r"\s+", " ", str(cell if cell is not None else "")).strip()
        if name:
            key = name.lower()
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                name = f"{name} ({seen[key]})"
        headers.append(name)
    return headers


def fingerprint(kind: str, headers: list[str]) -> str:
    names = "\x1f".join(h.lower() for h in headers if h)
    return hashlib.sha256(f"{kind}\x1e{names}".encode()).hexdigest()


def inspect_file(path: Path, original_name: str) -> FileInfo:
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("The file is empty.", field="file")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            "This is an old Excel (.xls) file. Save it as .xlsx or CSV and upload it again.",
            field="file",
        )
    if _looks_like_zip(head):
        info = FileInfo("xlsx", "", "", [])
        headers = _first_xlsx_row(path)
    else:
        if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in head:
            raise UnreadableFile(
                f"{original_name} is not a CSV or XLSX file. Export your data as CSV "
                "(comma, semicolon or tab separated) or as an Excel .xlsx workbook.",
                field="file",
            )
        encoding = detect_encoding(path)
        sample = head.decode(encoding if encoding != "utf-16" else "utf-16", errors="ignore")
        info = FileInfo("csv", encoding, detect_delimiter(sample.lstrip("\ufeff")), [])
        headers = _first_csv_row(path, info)
    if not any(headers):
        raise UnreadableFile("The file has no header row.", field="file")
    info = FileInfo(info.file_format, info.encoding, info.delimiter, normalise_headers(headers))
    if next(iter_rows(path, info), None) is None:
        raise UnreadableFile("The file has a header row but no data rows.", field="file")
    return info


def _open_text(path: Path, info: FileInfo) -> IO[str]:
    return path.open("r", encoding=info.encoding, newline="")


def _first_csv_row(path: Path, info: FileInfo) -> list[Any]:
    with _open_text(path, info) as handle:
        for row in csv.reader(handle, delimiter=info.delimiter):
            if any(cell.strip() for cell in row):
                return list(row)
    return []


def _first_xlsx_row(path: Path) -> list[Any]:
    for row in _xlsx_rows(path):
        if any(_cell_text(c) for c in row):
            return list(row)
    return []


def _xlsx_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with path.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise UnreadableFile(
                "This file looks like a ZIP archive but not an Excel workbook. Upload a .xlsx "
                "or CSV file.",
                field="file",
            ) from exc
        try:
            sheet = workbook.worksheets[0]
            yield from sheet.iter_rows(values_only=True)
        finally:
            workbook.close()


def _cell_text(value: Any) -> str:
    """Spreadsheet values as text the field parsers understand (dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def iter_rows(path: Path, info: FileInfo) -> Iterator[tuple[int, list[str]]]:
    """(row_number, cells as text) for every non-blank record under the header.

    Row numbers count blank records too, so they match what the user sees in a spreadsheet
    (spreadsheet row = row_number + 1 when the header is on the first line).
    """
    if info.file_format == "xlsx":
        raw: Iterator[Any] = ([_cell_text(c) for c in row] for row in _xlsx_rows(path))
        yield from _number_rows(raw)
        return
    with _open_text(path, info) as handle:
        yield from _number_rows(iter(csv.reader(handle, delimiter=info.delimiter)))


def _number_rows(raw: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    header_seen = False
    number = 0
    for row in raw:
        blank = not any(cell.strip() for cell in row)
        if not header_seen:
            if blank:
                continue
            header_seen = True
            continue
        number += 1
        if blank:
            continue
        yield number, [cell.replace("\x00", "") for cell in row]


def count_rows(path: Path, info: FileInfo) -> int:
    return sum(1 for _ in iter_rows(path, info))


def text_sample(path: Path, info: FileInfo, limit: int) -> list[tuple[int, list[str]]]:
    rows = []
    for item in iter_rows(path, info):
        rows.append(item)
        if len(rows) >= limit:
            break
    return rows
