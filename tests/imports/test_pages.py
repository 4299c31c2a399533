"""The pages: upload → mapping → preview → run, history visibility, API and command."""

import io
import json

import pytest
from django.core.management import call_command

from crm.imports import engine, services
from crm.imports.models import ImportJob, SavedMapping
from crm.models import Account, Contact
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory
from tests.imports.conftest import assert_counts_add_up, upload
from tests.imports.factories import ImportJobFactory

pytestmark = pytest.mark.django_db

CONTACTS = (
    "Nom,Prénom,Courriel,Société\n"
    "Dupont,Zoé,zoe@example.com,Acme\n"
    "Martin,Léo,leo@example.com,Nouvelle SA\n"
)


def test_a_manager_uploads_maps_previews_and_runs_an_import(
    org: Org, django_capture_on_commit_callbacks
) -> None:
    AccountFactory(owner=org.manager, name="Acme")
    client = client_for(org.manager)
    page = client.get("/imports/new/")
    assert page.status_code == 200
    response = client.post(
        "/imports/new/",
        {"kind": "contacts", "file": _file(CONTACTS)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/mapping/"
    mapping_page = client.get(f"/imports/{job.pk}/mapping/")
    assert mapping_page.status_code == 200
    assert "Nouvelle SA" in mapping_page.content.decode()  # an account not in the CRM yet
    response = client.post(
        f"/imports/{job.pk}/mapping/",
        {
            "map-0": "last_name",
            "map-1": "first_name",
            "map-2": "email",
            "map-3": "account",
            "unknown-account": "__create__",
        },
    )
    assert response["Location"] == f"/imports/{job.pk}/preview/"
    preview = client.get(f"/imports/{job.pk}/preview/")
    assert preview.status_code == 200
    assert "zoe@example.com" in preview.content.decode()
    assert not Contact.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/imports/{job.pk}/preview/", {"policy": "skip"})
    assert response["Location"] == f"/imports/{job.pk}/"
    sends = [c for c in callbacks if getattr(c, "func", None) is services._send]
    assert [send.args[0] for send in sends] == [job.pk]  # the Celery task, after commit
    engine.run_import(job.pk)
    job.refresh_from_db()
    assert_counts_add_up(job, 2)
    assert Contact.objects.get(email="leo@example.com").account.name == "Nouvelle SA"
    assert Account.objects.filter(name="Acme").count() == 1
    progress = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"import-progress" in progress.content
    assert b"<html" not in progress.content
    assert SavedMapping.objects.get().mapping["Courriel"] == "email"


def _file(text: str, name: str = "contacts.csv") -> io.BytesIO:
    handle = io.BytesIO(text.encode("utf-8"))
    handle.name = name
    return handle


def test_the_same_layout_gets_its_remembered_mapping(org: Org) -> None:
    first = upload(org.rep, "contacts", CONTACTS, mapping={"Nom": "last_name", "Courriel": "email"})
    assert first.mapping == {"Nom": "last_name", "Courriel": "email"}
    second = upload(org.rep, "contacts", CONTACTS)
    assert second.mapping == {"Nom": "last_name", "Courriel": "email"}


def test_columns_are_guessed_by_name(org: Org) -> None:
    job = upload(
        org.rep, "contacts", "First Name,Last_Name,E-mail,Company,Mobile\nA,B,a@x.io,C,1\n"
    )
    assert job.mapping == {
        "First Name": "first_name",
        "Last_Name": "last_name",
        "E-mail": "email",
        "Company": "account",
        "Mobile": "phone",
    }


def test_an_upload_of_a_bad_file_shows_the_reason_on_the_form(org: Org) -> None:
    response = client_for(org.rep).post(
        "/imports/new/", {"kind": "accounts", "file": _file("Account\n", "header.csv")}
    )
    assert response.status_code == 200
    assert "no data rows" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_history_shows_admins_all_managers_their_subtree_and_reps_their_own(
    org: Org, django_assert_max_num_queries
) -> None:
    mine = ImportJobFactory(created_by=org.rep, original_name="mine.csv")
    theirs = ImportJobFactory(created_by=org.stranger, original_name="theirs.csv")
    mine_name, theirs_name = str(mine.original_name), str(theirs.original_name)
    for _ in range(5):
        ImportJobFactory(created_by=org.teammate)
    rep = client_for(org.rep)
    rep.get("/imports/")
    with django_assert_max_num_queries(10):  # constant: session, user, shell, jobs, exports
        rep_page = rep.get("/imports/").content.decode()
    assert mine_name in rep_page
    assert theirs_name not in rep_page
    manager_page = client_for(org.manager).get("/imports/").content.decode()
    assert mine_name in manager_page
    assert theirs_name not in manager_page
    admin_page = client_for(org.admin).get("/imports/").content.decode()
    assert theirs_name in admin_page
    assert client_for(org.rep).get(f"/imports/{theirs.pk}/").status_code == 404
    assert client_for(org.rep).post(f"/imports/{theirs.pk}/cancel/").status_code == 404


def test_the_api_creates_and_reports_an_import(org: Org) -> None:
    client = client_for(org.rep)
    response = client.post(
        "/api/v1/imports/",
        {
            "kind": "accounts",
            "file": _file("Account,Website\nAPI Co,api.example\n,x\n", "a.csv"),
            "mapping": json.dumps({"Account": "name", "Website": "website"}),
            "start": "false",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "uploaded"
    job = ImportJob.objects.get(pk=body["id"])
    response = client.post(
        "/api/v1/imports/",
        {"kind": "nope", "file": _file("A\n1\n", "a.csv")},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    from crm.imports import services

    services.import_job_start(actor=org.rep, job=job, policy="skip")
    engine.run_import(job.pk)
    status = client.get(f"/api/v1/imports/{job.pk}/").json()
    assert (status["imported"], status["rejected"], status["status"]) == (1, 1, "done")
    report = client.get(f"/api/v1/imports/{job.pk}/report/")
    assert b"Missing Account name" in b"".join(report.streaming_content)
    assert client.post(f"/api/v1/imports/{job.pk}/cancel/").status_code == 409
    listing = client.get("/api/v1/imports/").json()
    assert [row["id"] for row in listing["results"]] == [job.pk]


def test_the_api_refuses_a_file_that_is_not_a_spreadsheet(org: Org) -> None:
    response = client_for(org.rep).post(
        "/api/v1/imports/", {"kind": "accounts", "file": _file("", "empty.csv")}
    )
    assert response.status_code == 400
    assert "empty" in response.json()["error"]["message"]


def test_the_command_imports_and_dry_runs(org: Org, tmp_path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("Company,Site\nCmd Co,cmd.example\nCmd Two,two.example\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import",
        "accounts",
        str(path),
        "--map",
        "Site=website",
        "--dry-run",
        "--as",
        org.rep.email,
        stdout=out,
    )
    assert "2 imported" in out.getvalue()
    assert not Account.objects.exists()
    assert not ImportJob.objects.exists()
    out = io.StringIO()
    call_command(
        "import", "accounts", str(path), "--map", "Site=website", "--as", org.rep.email, stdout=out
    )
    assert "2 imported" in out.getvalue()
    assert Account.objects.get(name="Cmd Co").domain == "cmd.example"
    out = io.StringIO()
    call_command("import", "accounts", str(path), "--as", org.rep.email, stdout=out)
    assert "2 skipped" in out.getvalue()
