"""A real worker is SIGKILLed in the middle of an import; the job resumes in a new worker and
finishes with every row accounted for once and no duplicate records."""

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from crm.imports import services
from crm.imports.models import ImportJob
from crm.imports.tasks import import_run_task
from crm.models import Account
from tests.conftest import Org
from tests.imports.conftest import upload
from tests.workers import start_worker, stop_worker, worker_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 4000


@pytest.fixture
def workers() -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(queue: str) -> subprocess.Popen[bytes]:
        process = start_worker(queue)
        started.append(process)
        return process

    yield start
    for process in started:
        stop_worker(process)


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def _rows_done(job: ImportJob) -> int:
    return ImportJob.objects.values_list("rows_done", flat=True).get(pk=job.pk)


def test_an_import_survives_its_worker_being_killed_mid_job(
    org: Org, workers: Callable[[str], subprocess.Popen[bytes]]
) -> None:
    content = "Company,Website\n" + "".join(f"Kill Co {i},kill{i}.example\n" for i in range(ROWS))
    job = upload(org.manager, "accounts", content)
    services.import_job_start(actor=org.manager, job=job, policy="skip", enqueue=False)
    queue = worker_queue("test-kill")
    first = workers(queue)
    import_run_task.apply_async(args=[job.pk], kwargs={"batch_size": 50}, queue=queue)

    _wait_for(lambda: _rows_done(job) >= 200, 30, "the first batches")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == "running"
    assert 200 <= job.rows_done < ROWS
    assert job.rows.count() == job.rows_done  # outcomes and counters move together

    workers(queue)
    resumed: list[int] = []

    def resume() -> bool:
        # The dead worker's database session (and its lock) goes away shortly after the kill.
        resumed.extend(services.import_jobs_resume_stalled(stale_after=timedelta(0), queue=queue))
        return bool(resumed)

    _wait_for(resume, 15, "the stalled job to be re-queued")
    assert resumed == [job.pk]
    _wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == "done", 60, "the job to finish")
    job.refresh_from_db()
    assert job.imported + job.updated + job.skipped + job.rejected == ROWS
    assert (job.imported, job.rejected) == (ROWS, 0)
    assert job.rows.count() == ROWS
    names = list(Account.objects.filter(name__startswith="Kill Co").values_list("name", flat=True))
    assert len(names) == len(set(names)) == ROWS
