"""The engine: every row ends with one outcome, re-runs create nothing, a crash resumes."""

import pytest

from crm.imports import engine
from crm.imports.models import ImportJob
from crm.models import Account, AuditEntry
from tests.conftest import Org
from tests.imports.conftest import assert_counts_add_up, import_file, run, upload

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "Account,Website,Employees,Revenue,Sector\n"
    'Acme Corporation,acme.example,"1,200","$1,100.04",technology\n'
    "\n"
    "Björk Åkerman AB,bjork.example,50,,medical\n"
    '"Multi\nLine Inc",multiline.example,3,,retail\n'
    '東京商事,tokyo.example,,"€2.000,50",trading\n'
    ",no-name.example,10,,retail\n"
    "Broken Ltd,broken.example,lots,,retail\n"
    "acme corporation,acme.example,9,,technology\n"
)


def test_every_row_of_a_messy_file_ends_with_exactly_one_outcome(org: Org) -> None:
    job = import_file(org.rep, "accounts", ACCOUNTS)
    assert_counts_add_up(job, 7)
    assert (job.imported, job.skipped, job.rejected) == (4, 1, 2)
    names = set(Account.objects.values_list("name", flat=True))
    assert {"Acme Corporation", "Björk Åkerman AB", "Multi\nLine Inc", "東京商事"} == names
    acme = Account.objects.get(domain="acme.example")
    assert acme.employee_count == 1200
    assert str(acme.annual_revenue) == "1100.04"
    assert str(Account.objects.get(name="東京商事").annual_revenue) == "2000.50"
    messages = dict(job.rows.filter(outcome="rejected").values_list("row_number", "message"))
    assert "Missing Account name" in messages[6]
    assert "Employees" in messages[7]


def test_re_running_the_same_file_creates_nothing_new(org: Org) -> None:
    import_file(org.rep, "accounts", ACCOUNTS)
    before = Account.objects.count()
    again = import_file(org.rep, "accounts", ACCOUNTS)
    assert Account.objects.count() == before
    assert again.imported == 0
    assert again.skipped == 5
    assert_counts_add_up(again, 7)


def test_update_policy_changes_the_existing_record_instead_of_adding_one(org: Org) -> None:
    import_file(org.rep, "accounts", ACCOUNTS)
    job = import_file(
        org.rep, "accounts", "Account,Industry\nBjörk Åkerman AB,furniture\n", policy="update"
    )
    assert (job.updated, job.imported) == (1, 0)
    assert Account.objects.get(name="Björk Åkerman AB").industry == "furniture"


def test_a_job_killed_after_two_batches_resumes_without_duplicates(org: Org) -> None:
    lines = ["Account,Website"] + [f"Company {i},c{i}.example" for i in range(25)]
    job = upload(org.rep, "accounts", "\n".join(lines))

    def crash(batch: int) -> None:
        if batch == 2:
            raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        run(org.rep, job, batch_size=5, after_batch=crash)
    job.refresh_from_db()
    assert job.status == "running"
    assert job.rows_done == 10
    assert Account.objects.count() == 10

    engine.run_import(job.pk, batch_size=5)
    job.refresh_from_db()
    assert_counts_add_up(job, 25)
    assert job.imported == 25
    assert Account.objects.count() == 25


def test_a_finished_job_run_again_does_nothing(org: Org) -> None:
    job = import_file(org.rep, "accounts", ACCOUNTS)
    engine.run_import(job.pk)
    job.refresh_from_db()
    assert job.imported == 4
    assert Account.objects.count() == 4


def test_a_cancelled_job_stops_between_batches(org: Org) -> None:
    lines = ["Account"] + [f"Company {i}" for i in range(20)]
    job = upload(org.rep, "accounts", "\n".join(lines))

    def cancel(batch: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)

    job = run(org.rep, job, batch_size=5, after_batch=cancel)
    assert job.status == "cancelled"
    assert job.rows_done == 5
    assert Account.objects.count() == 5


def test_imported_records_are_audited_with_their_job(org: Org) -> None:
    job = import_file(org.rep, "accounts", "Account\nAudited Co\n")
    entry = AuditEntry.objects.get(action="import", object_repr="Audited Co")
    assert entry.changes == {"import_job": job.pk, "row": 1}
    assert entry.actor == org.rep
