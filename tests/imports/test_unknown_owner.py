"""Rows whose owner column names nobody in the CRM: rejected by default, or given to the
importer when they chose so (on the page, through the API or on the command line)."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from crm.errors import DomainError
from crm.imports.models import ImportJob
from crm.models import Account
from tests.conftest import Org, client_for
from tests.imports.conftest import assert_counts_add_up, import_file, run, upload

pytestmark = pytest.mark.django_db


def accounts(owner_email: str) -> str:
    return (
        "Company,Owner\n"
        f"Known Co,{owner_email}\n"
        "Ghost Co,Moses Frase\n"
        "Ghost Two,moses@elsewhere.example\n"
    )


def test_rows_with_an_unknown_owner_are_rejected_by_default(org: Org) -> None:
    job = import_file(org.manager, "accounts", accounts(org.rep.email))
    assert_counts_add_up(job, 3)
    assert (job.imported, job.rejected) == (1, 2)
    assert "No active user" in job.rows.get(row_number=2).message
    assert not Account.objects.filter(name__startswith="Ghost").exists()


def test_assign_to_importer_gives_unknown_owners_rows_to_the_importer_with_a_note(
    org: Org,
) -> None:
    job = import_file(
        org.manager, "accounts", accounts(org.rep.email), options={"unknown_owner": "importer"}
    )
    assert_counts_add_up(job, 3)
    assert (job.imported, job.rejected) == (3, 0)
    assert Account.objects.get(name="Known Co").owner == org.rep
    assert Account.objects.get(name="Ghost Co").owner == org.manager
    note = job.rows.get(row_number=2)
    assert note.outcome == "imported"
    assert "“Moses Frase” is not an active user; assigned to the importer" in note.message
    assert job.rows.get(row_number=1).message == ""


def test_a_known_user_outside_the_importers_reach_is_still_rejected(org: Org) -> None:
    job = import_file(
        org.rep, "accounts", accounts(org.stranger.email), options={"unknown_owner": "importer"}
    )
    assert (job.imported, job.rejected) == (2, 1)
    assert "can't assign" in job.rows.get(row_number=1).message


def test_an_odd_unknown_owner_choice_is_refused(org: Org) -> None:
    with pytest.raises(DomainError, match="importer"):
        upload(org.rep, "accounts", accounts(org.rep.email), options={"unknown_owner": "somebody"})


def test_the_mapping_page_offers_the_choice_and_the_report_lists_the_rows(org: Org) -> None:
    client = client_for(org.manager)
    job = upload(org.manager, "accounts", accounts(org.rep.email))
    page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert 'name="unknown_owner" value="reject" checked' in page
    response = client.post(
        f"/imports/{job.pk}/mapping/",
        {"map-0": "name", "map-1": "owner", "unknown_owner": "importer"},
    )
    assert response["Location"] == f"/imports/{job.pk}/preview/"
    job.refresh_from_db()
    assert job.options["unknown_owner"] == "importer"
    preview = client.get(f"/imports/{job.pk}/preview/").content.decode()
    assert "assigned to the importer" in preview
    job = run(org.manager, job)
    report = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Imported with you as owner (2)" in report


def test_the_api_takes_the_choice_in_options(org: Org) -> None:
    handle = io.BytesIO(accounts(org.rep.email).encode())
    handle.name = "accounts.csv"
    response = client_for(org.manager).post(
        "/api/v1/imports/",
        {"kind": "accounts", "file": handle, "options": json.dumps({"unknown_owner": "importer"})},
    )
    assert response.status_code == 201, response.content
    assert response.json()["options"]["unknown_owner"] == "importer"


def test_the_command_takes_unknown_owner_importer(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(accounts(org.rep.email), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import",
        "accounts",
        str(path),
        "--as",
        org.manager.email,
        "--unknown-owner",
        "importer",
        stdout=out,
    )
    assert "3 imported" in out.getvalue()
    assert ImportJob.objects.get().options["unknown_owner"] == "importer"
