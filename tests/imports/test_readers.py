"""Reading files: encodings, delimiters, XLSX, and refusing what can't be read."""

import codecs
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from crm.errors import DomainError
from crm.imports.parsers import parse_date, parse_decimal
from crm.models import Account
from tests.conftest import Org
from tests.imports.conftest import assert_counts_add_up, import_file, upload

pytestmark = pytest.mark.django_db

TEXT = "Account;Country\nCafé Müller;Österreich\nŁódź Sp. z o.o.;Polska\n"


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
    ],
)
def test_encodings_are_detected_and_accents_survive(
    org: Org, encoded: bytes, expected: str
) -> None:
    job = import_file(org.rep, "accounts", encoded)
    assert job.encoding == expected
    assert job.delimiter == ";"
    assert_counts_add_up(job, 2)
    assert set(Account.objects.values_list("name", flat=True)) == {
        "Café Müller",
        "Łódź Sp. z o.o.",
    }


def test_a_windows_1252_file_is_read_as_such(org: Org) -> None:
    job = import_file(
        org.rep, "accounts", "Account\tNotes\nCafé “Zoë” \u2013 Ltd\tx\n".encode("cp1252")
    )
    assert job.encoding == "cp1252"
    assert job.delimiter == "\t"
    assert Account.objects.get().name == "Café “Zoë” \u2013 Ltd"


def test_crlf_lines_with_a_trailing_comma_and_placeholders_import_cleanly(org: Org) -> None:
    content = b"Account,Sector,\r\nAcme,Select,\r\nBeta,medical,\r\n"
    job = import_file(org.rep, "accounts", content)
    assert_counts_add_up(job, 2)
    assert Account.objects.get(name="Acme").industry == ""


def test_an_xlsx_workbook_is_read_with_dates_and_numbers(org: Org) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Account", "Employees", "Customer since"])
    sheet.append(["東京商事", 1200, date(2020, 5, 17)])
    sheet.append([None, None, None])
    sheet.append(["Zeta", 3.0, "17/05/2021"])
    out = io.BytesIO()
    book.save(out)
    job = import_file(
        org.rep, "accounts", out.getvalue(), name="accounts.xlsx", options={"day_first": True}
    )
    assert job.file_format == "xlsx"
    assert_counts_add_up(job, 2)
    tokyo = Account.objects.get(name="東京商事")
    assert (tokyo.employee_count, tokyo.customer_since) == (1200, date(2020, 5, 17))
    assert Account.objects.get(name="Zeta").customer_since == date(2021, 5, 17)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Account,Website\n", "no data rows"),
        (b"\n\n   \n", "no header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV or XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel"),
        (b"PK\x03\x04" + b"\x00" * 64, "not an Excel workbook"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(
    org: Org, content: bytes, message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        upload(org.rep, "accounts", content)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,234.50", "1234.50"),
        ("1.234,50 €", "1234.50"),
        ("(300)", "-300"),
        ("1 234", "1234"),
        ("EUR 99", "99"),
        ("1'000.5", "1000.5"),
        ("12,5", "12.5"),
    ],
)
def test_amounts_with_separators_and_currency_symbols_parse(text: str, value: str) -> None:
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "day_first", "value"),
    [
        ("2024-03-05", False, date(2024, 3, 5)),
        ("03/05/2024", False, date(2024, 3, 5)),
        ("03/05/2024", True, date(2024, 5, 3)),
        ("25/12/2024", False, date(2024, 12, 25)),
        ("5 Mar 2024", False, date(2024, 3, 5)),
        ("March 5, 2024", False, date(2024, 3, 5)),
        ("05.03.2024", True, date(2024, 3, 5)),
        ("2024-03-05 14:30", False, date(2024, 3, 5)),
    ],
)
def test_dates_in_common_formats_parse(text: str, day_first: bool, value: date) -> None:
    assert parse_date(text, day_first=day_first) == value


def test_five_percent_malformed_rows_are_reported_and_the_rest_imported(org: Org) -> None:
    lines = ["Account,Employees,Website"]
    for i in range(200):
        if i % 20 == 0:
            lines.append(f"Bad {i},many,bad{i}.example")
        elif i % 20 == 1:
            lines.append(f"Ragged {i},1,r{i}.example,extra,cells")
        else:
            lines.append(f"Good {i},{i},g{i}.example")
    job = import_file(org.rep, "accounts", "\n".join(lines))
    assert_counts_add_up(job, 200)
    assert (job.imported, job.rejected) == (180, 20)
    messages = list(job.rows.filter(outcome="rejected").values_list("message", flat=True))
    assert sum("header has 3" in m for m in messages) == 10
