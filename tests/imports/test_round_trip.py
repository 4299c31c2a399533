"""What the rejected-rows report writes, the importer reads back: fix the rows, upload again."""

import pytest

from crm.imports import selectors
from crm.imports.parsers import strip_formula_guard
from leads.models import Lead
from tests.conftest import Org
from tests.imports.conftest import import_file

pytestmark = pytest.mark.django_db


def test_the_formula_guard_is_read_back_as_the_value_it_protects() -> None:
    assert strip_formula_guard("'+1 617 555 0101") == "+1 617 555 0101"
    assert strip_formula_guard("'-300") == "-300"
    assert strip_formula_guard("'@handle") == "@handle"
    assert strip_formula_guard("O'Brien") == "O'Brien"
    assert strip_formula_guard("'quoted'") == "'quoted'"


def test_fixed_rejected_rows_import_on_the_second_upload(org: Org) -> None:
    source = (
        "First name,Last name,Email,Phone,Company,Budget,Notes\n"
        "Ada,Lovelace,not-an-email,+1 617 555 0101,Analytical,+300,-call back\n"
        "Grace,Hopper,grace@example.org,+1 617 555 0102,Navy,500,\n"
    )
    job = import_file(org.rep, "leads", source)
    assert (job.imported, job.rejected) == (1, 1)
    report = "".join(selectors.rejected_rows_csv(job)).lstrip("\ufeff")
    assert "'+1 617 555 0101" in report  # the guard the spreadsheet needs
    fixed = report.replace("not-an-email", "ada@example.org")
    again = import_file(org.rep, "leads", fixed, name="rejected-fixed.csv")
    assert (again.imported, again.rejected) == (1, 0), list(again.rows.values("message"))
    ada = Lead.objects.get(email="ada@example.org")
    assert (ada.phone, ada.budget, ada.notes) == ("+1 617 555 0101", 300, "-call back")
