"""A fresh install can import deals at once; a job that can't start fails with its reason."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from crm.imports.models import ImportJob, JobStatus
from crm.models import Role, User
from leads.models import Lead
from pipeline.models import Deal, Pipeline, StageKind
from tests.conftest import Org
from tests.imports.conftest import import_file

pytestmark = pytest.mark.django_db

default_pipeline = importlib.import_module("pipeline.migrations.0003_default_pipeline")

DEALS = "Deal,Stage,Amount,Owner\nFirst deal,Discovery,1200,{owner}\nSecond deal,Won,500,{owner}\n"


def _fresh() -> None:
    """The pipeline data as a fresh `migrate` leaves it (tests may have flushed it)."""
    Deal.objects.all().delete()
    Pipeline.objects.all().delete()
    default_pipeline.create_default_pipeline(apps, None)


def test_migrating_a_fresh_database_creates_a_default_pipeline_with_won_and_lost(
    org: Org,
) -> None:
    _fresh()
    pipeline = Pipeline.objects.get()
    stages = list(pipeline.stages.order_by("position").values_list("name", "kind", "probability"))
    assert stages[0] == ("Qualification", StageKind.OPEN, 10)
    assert stages[-2:] == [("Won", StageKind.WON, 100), ("Lost", StageKind.LOST, 0)]
    assert [p for _, kind, p in stages if kind == StageKind.OPEN] == [10, 20, 40, 60, 80]


def test_the_import_command_imports_deals_on_a_fresh_database(org: Org, tmp_path: Path) -> None:
    _fresh()
    path = tmp_path / "deals.csv"
    path.write_text(DEALS.format(owner=org.admin.email))
    call_command("import", "deals", str(path), "--as", org.admin.email)
    job = ImportJob.objects.get()
    assert (job.status, job.imported) == (JobStatus.DONE, 2)
    assert Deal.objects.get(name="Second deal").stage.kind == StageKind.WON


def test_a_cli_job_that_fails_before_its_first_row_is_marked_failed_with_the_reason(
    org: Org, tmp_path: Path
) -> None:
    Deal.objects.all().delete()
    Pipeline.objects.all().delete()
    path = tmp_path / "deals.csv"
    path.write_text(DEALS.format(owner=org.admin.email))
    with pytest.raises(CommandError, match="no active pipeline"):
        call_command("import", "deals", str(path), "--as", org.admin.email)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert "no active pipeline" in job.error
    assert job.finished_at is not None
    assert job.rows.count() == 0


def test_a_worker_job_that_fails_before_its_first_row_is_marked_failed(org: Org) -> None:
    Deal.objects.all().delete()
    Pipeline.objects.all().delete()
    job = import_file(org.admin, "deals", DEALS.format(owner=org.admin.email))
    assert job.status == JobStatus.FAILED
    assert "no active pipeline" in job.error


def test_anonymous_marketing_leads_with_only_an_email_or_a_phone_are_imported(org: Org) -> None:
    content = "Email,Phone,Campaign\nanon@example.com,,Spring\n,+1 415 555 0100,Spring\n,,Spring\n"
    job = import_file(org.admin, "leads", content)
    assert (job.imported, job.rejected) == (2, 1)
    assert (
        "needs a name, a company, an email, a phone number or an external id"
        in job.rows.get(row_number=3).message
    )
    assert Lead.objects.filter(first_name="", last_name="", company="").count() == 2


def test_createsuperuser_with_an_email_makes_the_first_admin(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-passphrase-42")
    call_command("createsuperuser", "--email", "First@Example.com", "--noinput")
    admin = User.objects.get(email="first@example.com")
    assert (admin.role, admin.is_superuser, admin.is_active) == (Role.ADMIN, True, True)
    assert admin.check_password("a-long-passphrase-42")
