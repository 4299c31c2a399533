"""Values mapped everywhere: file values mapped to CRM values on every list and choice field
(page, API options, `--map-value`), constants for every row (`--set`, "the same for every
row"), and value maps remembered with the column mapping for the next file of the layout."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from crm.errors import DomainError
from crm.imports import services
from crm.imports.models import SavedMapping
from leads.models import Lead, LeadStatus
from pipeline.models import Deal, StageKind
from tests.conftest import Org, client_for
from tests.imports.conftest import assert_counts_add_up, import_file, upload
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db

CONVERTED = "Prospect ID,Email,Converted\nP1,a@x.example,1\nP2,b@x.example,0\nP3,c@x.example,\n"


def test_a_zero_one_column_becomes_the_lead_status_through_a_value_map(org: Org) -> None:
    job = import_file(
        org.admin,
        "leads",
        CONVERTED,
        mapping={"Prospect ID": "external_id", "Email": "email", "Converted": "status"},
        options={"value_maps": {"status": {"1": "converted", "0": "suspect"}}},
    )
    assert_counts_add_up(job, 3)
    assert job.imported == 3
    statuses = dict(Lead.objects.values_list("external_id", "status"))
    assert statuses == {
        "P1": LeadStatus.CONVERTED,
        "P2": LeadStatus.SUSPECT,
        "P3": LeadStatus.SUSPECT,
    }


def test_a_map_to_a_value_that_is_not_a_choice_is_refused_before_the_run(org: Org) -> None:
    with pytest.raises(DomainError, match="Status"):
        upload(
            org.admin,
            "leads",
            CONVERTED,
            mapping={"Email": "email", "Converted": "status"},
            options={"value_maps": {"status": {"1": "won big"}}},
        )


def test_the_command_maps_values_and_sets_a_constant(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "olist.csv"
    path.write_text(
        "mql_id,first_contact_date,won_date\nM1,2018-01-01,2018-03-01\nM2,2018-01-02,2018-03-05\n"
    )
    out = io.StringIO()
    call_command(
        "import",
        "deals",
        str(path),
        "--as",
        org.admin.email,
        "--map",
        "mql_id=external_id",
        "--map",
        "won_date=closed_at",
        "--map",
        "first_contact_date=created_at",
        "--set",
        "stage=Won",
        "--set",
        "Amount=100",
        "--map-value",
        "owner:jdoe=" + org.rep.email,
        stdout=out,
    )
    assert "2 imported" in out.getvalue()
    deals = Deal.objects.all()
    assert deals.count() == 2
    assert {d.stage.kind for d in deals} == {StageKind.WON}
    assert {d.amount for d in deals} == {100}
    assert deals.get(external_id="M1").closed_at.date().isoformat() == "2018-03-01"


def test_command_value_maps_name_list_values_and_owners(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("name,stage,agent\nD1,Engaging,jdoe\nD2,Prospecting,jdoe\n")
    call_command(
        "import",
        "deals",
        str(path),
        "--as",
        org.admin.email,
        "--map",
        "agent=owner",
        "--map-value",
        "stage:Engaging=Discovery",
        "--map-value",
        "stage:prospecting=qualification",
        "--map-value",
        f"owner:JDoe={org.rep.full_name}",
        stdout=io.StringIO(),
    )
    d1, d2 = Deal.objects.get(name="D1"), Deal.objects.get(name="D2")
    assert (d1.stage.name, d2.stage.name) == ("Discovery", "Qualification")
    assert d1.owner == d2.owner == org.rep


def test_a_value_map_to_a_missing_list_value_stops_the_command(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("name,stage\nD1,Engaging\n")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="there is no “Nope”"):
        call_command(
            "import", "deals", str(path), "--as", org.admin.email,
            "--map-value", "stage:Engaging=Nope", stdout=io.StringIO(),
        )  # fmt: skip


def test_a_constant_and_a_column_for_the_same_field_is_refused(org: Org) -> None:
    with pytest.raises(DomainError, match="choose one"):
        upload(
            org.admin,
            "leads",
            CONVERTED,
            mapping={"Email": "email", "Converted": "status"},
            options={"constants": {"status": "suspect"}},
        )


def test_value_maps_are_remembered_for_the_same_layout(org: Org) -> None:
    pipeline = make_pipeline(open_stages=2)
    step = pipeline.stages.get(name="Step 2")
    content = "name,stage\nD1,Engaging\n"
    job = upload(org.admin, "deals", content)
    options = {"pipeline": str(pipeline.pk), "value_maps": {"stage": {"engaging": str(step.pk)}}}
    services.import_job_configure(actor=org.admin, job=job, mapping=job.mapping, options=options)
    saved = SavedMapping.objects.get(kind="deals", fingerprint=job.fingerprint)
    assert saved.options["value_maps"] == options["value_maps"]
    again = import_file(org.admin, "deals", "name,stage\nD2,ENGAGING\n")
    assert again.imported == 1
    assert Deal.objects.get(name="D2").stage == step


def test_the_mapping_page_maps_choice_values_and_sets_constants(org: Org) -> None:
    job = upload(org.admin, "leads", CONVERTED)
    client = client_for(org.admin)
    headers = job.headers
    data = {
        f"map-{headers.index('Prospect ID')}": "external_id",
        f"map-{headers.index('Email')}": "email",
        f"map-{headers.index('Converted')}": "status",
        "refresh": "1",
    }
    client.post(f"/imports/{job.pk}/mapping/", data)
    page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert "Status: values to map" in page
    assert 'name="key-status" value="1"' in page
    response = client.post(
        f"/imports/{job.pk}/mapping/",
        {
            **{k: v for k, v in data.items() if k != "refresh"},
            "key-status": ["1", "0"],
            "value-status": ["converted", "suspect"],
            "set-field": ["country", ""],
            "set-value": ["Brazil", ""],
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.options["value_maps"] == {"status": {"1": "converted", "0": "suspect"}}
    assert job.options["constants"] == {"country": "Brazil"}
    page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert 'value="Brazil"' in page
