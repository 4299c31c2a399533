"""Admins import quotas from a spreadsheet (kind `quotas`): one row per person, team or the
company and period, every bad row refused with its reason, nothing else touched."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from crm.errors import PermissionDenied
from crm.models import AuditEntry, Notification
from forecasting import services
from forecasting.models import Quota
from tests.conftest import Org, api_client_for
from tests.imports.conftest import assert_counts_add_up, import_file, upload

pytestmark = pytest.mark.django_db

FILE = (
    "rep,team,for,period,quota\n"
    "rep@test.example,,,FY2026-Q1,30000\n"
    'Teammate Person,,,2026-02,"12,500"\n'
    ",East reps,,Q2 FY2026,80000\n"
    ",,company,FY2026-Q1,250000\n"
    "nobody@test.example,,,FY2026-Q1,1000\n"
    ",Atlantis,,FY2026-Q1,1000\n"
    "rep@test.example,,,FY2026-Q2,-5\n"
    "rep@test.example,,,FY2026-Q5,100\n"
    "rep@test.example,,,FY2026,100\n"
    "rep@test.example,East reps,,2026-03,100\n"
    ",,,2026-03,100\n"
)


def _reasons(job: object) -> dict[int, str]:
    return {r.row_number: r.message for r in job.rows.filter(outcome="rejected")}  # type: ignore[attr-defined]


def test_good_rows_become_quotas_and_each_bad_row_says_why(org: Org) -> None:
    org.teammate.first_name, org.teammate.last_name = "Teammate", "Person"
    org.teammate.save()
    job = import_file(org.admin, "quotas", FILE)
    assert_counts_add_up(job, 11)
    assert (job.imported, job.rejected) == (4, 7)
    rep = Quota.objects.get(user=org.rep)
    assert (rep.period_key, rep.amount, rep.period_kind) == (
        "FY2026-Q1",
        Decimal("30000"),
        "quarter",
    )
    assert Quota.objects.get(user=org.teammate).period_key == "2026-02"
    assert Quota.objects.get(user=org.teammate).amount == Decimal("12500")
    assert Quota.objects.get(team=org.east).period_key == "FY2026-Q2"
    assert Quota.objects.get(user=None, team=None).amount == Decimal("250000")
    reasons = _reasons(job)
    assert "nobody active" in reasons[5]
    assert "nobody@test.example" in reasons[5]
    assert "Atlantis" in reasons[6]
    assert "not in the list" in reasons[6]
    assert "negative" in reasons[7]
    assert "fiscal calendar" in reasons[8]
    assert "is a year" in reasons[9]
    assert "not both" in reasons[10]
    assert "company" in reasons[11]
    # Audited like every import, and the people concerned are told.
    assert AuditEntry.objects.filter(action="import", object_id=str(rep.pk)).exists()
    assert Notification.objects.filter(user=org.rep, text__contains="30,000.00").exists()
    assert Notification.objects.filter(user=org.manager).count() == 0  # east has no manager


def test_calendar_quarters_that_are_no_fiscal_quarter_are_refused(org: Org) -> None:
    services.settings_update(actor=org.admin, fiscal_year_start_month=2)
    job = import_file(
        org.admin,
        "quotas",
        "person,period,amount\nrep@test.example,2026 Q1,100\nrep@test.example,Q1 FY2026,100\n",
    )
    reasons = _reasons(job)
    assert "no fiscal quarter" in reasons[1]
    assert "February" in reasons[1]
    quota = Quota.objects.get(user=org.rep)
    assert (quota.period_key, quota.period_start.isoformat()) == ("FY2026-Q1", "2026-02-01")


def test_an_existing_quota_is_skipped_or_replaced_and_the_change_audited(org: Org) -> None:
    services.quota_set(actor=org.admin, period="FY2026-Q1", amount="1000", user=org.rep)
    content = "person,period,amount\nrep@test.example,FY2026-Q1,2000\n"
    skipped = import_file(org.admin, "quotas", content)
    assert (skipped.skipped, skipped.imported) == (1, 0)
    assert Quota.objects.get(user=org.rep).amount == Decimal("1000")
    updated = import_file(org.admin, "quotas", content, policy="update")
    assert updated.updated == 1
    quota = Quota.objects.get(user=org.rep)
    assert quota.amount == Decimal("2000")
    entry = AuditEntry.objects.filter(object_id=str(quota.pk), action="update").latest("id")
    assert entry.changes["amount"] == ["1000.00", "2000.00"]
    assert Notification.objects.filter(user=org.rep, text__contains="to 2,000.00").exists()


def test_only_admins_import_quotas(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        upload(org.manager, "quotas", "person,period,amount\nrep@test.example,2026-01,1\n")


def test_the_command_imports_quotas(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "quotas.csv"
    path.write_text("email,month,target amount\nrep@test.example,2026-04,4000\n")
    call_command("import", "quotas", str(path), "--as", org.admin.email)
    assert Quota.objects.get(user=org.rep).period_key == "2026-04"


def test_the_api_imports_quotas(org: Org) -> None:
    content = b"person,period,amount\nrep@test.example,Mar 2026,700\n"
    response = api_client_for(org.admin).post(
        "/api/v1/imports/",
        {"kind": "quotas", "file": SimpleUploadedFile("q.csv", content, "text/csv")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "quotas"
