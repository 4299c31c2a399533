"""Custom fields in imports: mapped like built-in fields, made on the fly from an unmapped
column (`--new-field`, "new custom field" on the mapping page), values checked per row."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from crm.imports.models import ImportJob
from crm.models import CustomField
from crm.services.custom_fields import custom_field_create
from leads.models import Lead
from tests.conftest import Org, client_for
from tests.imports.conftest import assert_counts_add_up, import_file

pytestmark = pytest.mark.django_db

# Shaped like X Education's Leads.csv: CRLF, a trailing comma, 'Select' placeholders.
LEADS = (
    "Prospect ID,Lead Source,TotalVisits,What is your current occupation,Do Not Call,\r\n"
    "p-1,Google,5,Unemployed,No,\r\n"
    "p-2,Google,,Student,Yes,\r\n"
    "p-3,Google,2.0,Select,No,\r\n"
    "p-4,Google,lots,Student,No,\r\n"
)


def test_a_defined_custom_field_is_guessed_by_name_and_its_values_typed(org: Org) -> None:
    custom_field_create(
        actor=org.admin, model_label="leads.Lead", name="TotalVisits", type="number"
    )
    job = import_file(org.admin, "leads", LEADS, options={"on_unknown": {"source": "__create__"}})
    assert job.mapping["TotalVisits"] == "custom.totalvisits"
    assert_counts_add_up(job, 4)
    assert (job.imported, job.rejected) == (3, 1)
    assert "TotalVisits" in job.rows.get(row_number=4).message
    assert Lead.objects.get(external_id="p-1").custom == {"totalvisits": 5}
    assert Lead.objects.get(external_id="p-2").custom == {}
    assert Lead.objects.get(external_id="p-3").custom == {"totalvisits": 2}


def test_the_command_makes_new_fields_from_columns_with_their_types(
    org: Org, tmp_path: Path
) -> None:
    path = tmp_path / "Leads.csv"
    path.write_bytes(LEADS.encode())
    out = io.StringIO()
    call_command(
        "import",
        "leads",
        str(path),
        "--as",
        org.admin.email,
        "--create-missing",
        "--new-field",
        "TotalVisits=text",
        "--new-field",
        "What is your current occupation=choice",
        "--new-field",
        "Do Not Call=yes-no",
        stdout=out,
    )
    assert "4 imported" in out.getvalue()
    occupation = CustomField.objects.get(key="what_is_your_current_occupation")
    assert (occupation.name, occupation.type) == ("What is your current occupation", "choice")
    assert occupation.choices == ["Unemployed", "Student"]
    assert Lead.objects.get(external_id="p-2").custom == {
        "what_is_your_current_occupation": "Student",
        "do_not_call": True,
    }
    assert Lead.objects.get(external_id="p-4").custom["totalvisits"] == "lots"


def test_a_dry_run_with_new_fields_leaves_no_field_behind(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "Leads.csv"
    path.write_bytes(LEADS.encode())
    out = io.StringIO()
    call_command(
        "import",
        "leads",
        str(path),
        "--dry-run",
        "--create-missing",
        "--new-field",
        "TotalVisits=number",
        stdout=out,
    )
    assert "3 imported" in out.getvalue()
    assert not CustomField.objects.exists()


def test_new_fields_need_an_admin_and_a_known_type(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "Leads.csv"
    path.write_bytes(LEADS.encode())
    with pytest.raises(CommandError, match="administrators"):
        call_command(
            "import",
            "leads",
            str(path),
            "--as",
            org.manager.email,
            "--new-field",
            "TotalVisits=number",
        )
    with pytest.raises(CommandError, match="not a field type"):
        call_command("import", "leads", str(path), "--new-field", "TotalVisits=float")
    assert not CustomField.objects.exists()


def test_the_mapping_page_offers_a_new_custom_field_for_an_unmapped_column(org: Org) -> None:
    client = client_for(org.admin)
    file = io.BytesIO(LEADS.encode())
    file.name = "Leads.csv"
    client.post("/imports/new/", {"kind": "leads", "file": file})
    job = ImportJob.objects.get()
    page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert "New field: Number" in page
    response = client.post(
        f"/imports/{job.pk}/mapping/",
        {
            "map-0": "external_id",
            "map-2": "__new__:number",
            "map-3": "__new__:choice",
            "unknown-source": "__create__",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job.refresh_from_db()
    assert job.mapping["TotalVisits"] == "custom.totalvisits"
    assert CustomField.objects.get(key="totalvisits").type == "number"
    again = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert "TotalVisits" in again


def test_an_update_merges_custom_values_into_the_existing_record(org: Org) -> None:
    custom_field_create(actor=org.admin, model_label="leads.Lead", name="Visits", type="number")
    custom_field_create(actor=org.admin, model_label="leads.Lead", name="Segment", type="text")
    import_file(org.admin, "leads", "id,Email,Visits,Segment\nA,a@example.com,1,Gold\n")
    job = import_file(org.admin, "leads", "id,Email,Visits\nA,a@example.com,7\n", policy="update")
    assert job.updated == 1
    assert Lead.objects.get().custom == {"visits": 7, "segment": "Gold"}
