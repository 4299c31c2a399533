"""COPY-based inserts give the same rows as bulk_create: ids, NULLs, empty strings, JSON."""

import pytest

from crm.imports.copy import copy_objects, copy_rows
from crm.imports.models import ImportRowResult
from leads.models import Lead
from tests.conftest import Org
from tests.imports.factories import ImportJobFactory

pytestmark = pytest.mark.django_db


def test_copied_records_get_their_ids_and_keep_nulls_apart_from_empty_text(org: Org) -> None:
    leads = [
        Lead(first_name='Zoë "Z"', last_name="", company="Acme, Inc.\nBerlin", owner=org.rep),
        Lead(first_name="李", company="B", email="b@example.com", owner=org.rep),
    ]
    copy_objects(leads)
    assert all(lead.pk for lead in leads)
    first = Lead.objects.get(pk=leads[0].pk)
    assert (first.first_name, first.last_name) == ('Zoë "Z"', "")
    assert first.company == "Acme, Inc.\nBerlin"
    assert first.employee_count is None
    assert first.updated_at is not None
    assert Lead.objects.get(email="b@example.com").first_name == "李"


def test_copied_rows_store_json_and_nulls(org: Org) -> None:
    job = ImportJobFactory.create(created_by=org.rep)
    columns = ("job_id", "row_number", "outcome", "object_id", "message", "data")
    copy_rows(
        ImportRowResult,
        columns,
        [
            (job.pk, 1, "rejected", None, "bad", ["=1+1", "a,b", None]),
            (job.pk, 2, "imported", 7, "", None),
        ],
    )
    rejected, imported = ImportRowResult.objects.filter(job=job).order_by("row_number")
    assert rejected.data == ["=1+1", "a,b", None]
    assert rejected.object_id is None
    assert (imported.object_id, imported.message, imported.data) == (7, "", None)
