"""The rejected-rows report and exports never hand a spreadsheet a live formula."""

import csv
import io

import pytest
from openpyxl import load_workbook

from crm.exports import safe_cell
from crm.imports import exporting, selectors
from crm.models import Account
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory
from tests.imports.conftest import import_file

pytestmark = pytest.mark.django_db


def test_safe_cell_escapes_formula_prefixes_and_leaves_numbers() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1-555") == "'+1-555"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell(-5) == -5
    assert safe_cell("Plain") == "Plain"


def test_rejected_rows_download_with_an_error_column_and_escaped_formulas(org: Org) -> None:
    job = import_file(
        org.rep,
        "accounts",
        'Account,Employees\n"=HYPERLINK(""http://evil"",""x"")",3\nGood,2\n-bad,lots\n',
    )
    assert (job.imported, job.rejected) == (1, 2)
    text = "".join(selectors.rejected_rows_csv(job)).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Account", "Employees", "error", "row"]
    assert rows[1][0].startswith("'=HYPERLINK")
    assert "formula" in rows[1][2]
    assert rows[2][0] == "'-bad"
    assert "Employees" in rows[2][2]
    response = client_for(org.rep).get(f"/imports/{job.pk}/rejected.csv")
    assert response.status_code == 200
    assert b"'=HYPERLINK" in b"".join(response.streaming_content)


def _export(org: Org, file_format: str) -> bytes:
    AccountFactory(owner=org.rep, name="=cmd|' /C calc'!A0")
    AccountFactory(owner=org.stranger, name="Hidden Co")
    job = exporting.export_job_create(
        actor=org.rep, kind="accounts", query="", file_format=file_format
    )
    done = exporting.run_export(job.pk)
    assert done is not None
    assert done.status == "done"
    assert done.rows_done == 1
    return done.file.open("rb").read()


def test_a_csv_export_holds_only_visible_rows_with_formulas_escaped(org: Org) -> None:
    text = _export(org, "csv").decode("utf-8-sig")
    assert "Hidden Co" not in text
    assert "'=cmd" in text


def test_an_xlsx_export_stores_formula_like_text_as_text(org: Org) -> None:
    book = load_workbook(io.BytesIO(_export(org, "xlsx")))
    sheet = book.active
    assert sheet.cell(row=2, column=1).value == "'=cmd|' /C calc'!A0"
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert sheet.max_row == 2


def test_an_export_follows_the_lists_filters(org: Org) -> None:
    AccountFactory(owner=org.rep, name="Alpha")
    AccountFactory(owner=org.rep, name="Beta")
    job = exporting.export_job_create(
        actor=org.rep, kind="accounts", query="q=alp", file_format="csv"
    )
    done = exporting.run_export(job.pk)
    assert done is not None
    text = done.file.open("rb").read().decode("utf-8-sig")
    assert "Alpha" in text
    assert "Beta" not in text
    assert Account.objects.count() == 2
