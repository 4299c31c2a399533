"""The beat sweep that re-queues imports whose worker died."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.imports import services
from crm.imports.models import ImportJob
from crm.schedule import SCHEDULE
from tests.conftest import Org
from tests.imports.factories import ImportJobFactory

pytestmark = pytest.mark.django_db


def test_only_active_jobs_without_recent_progress_are_requeued(
    org: Org, django_capture_on_commit_callbacks
) -> None:
    old = timezone.now() - timedelta(minutes=30)
    stalled = ImportJobFactory(created_by=org.rep, status="running", heartbeat_at=old)
    fresh = ImportJobFactory(created_by=org.rep, status="running", heartbeat_at=timezone.now())
    never_started = ImportJobFactory(created_by=org.rep, status="queued", created_at=old)
    ImportJobFactory(created_by=org.rep, status="done", heartbeat_at=old)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resumed = services.import_jobs_resume_stalled()
    assert resumed == [stalled.pk, never_started.pk]
    assert len(callbacks) == 2
    stalled.refresh_from_db()
    assert stalled.heartbeat_at is not None
    assert stalled.heartbeat_at > old  # not queued again by the next sweep
    assert services.import_jobs_resume_stalled() == []
    assert ImportJob.objects.get(pk=fresh.pk).status == "running"


def test_the_sweep_is_on_the_beat_schedule() -> None:
    assert "crm.import_jobs_resume_stalled" in {entry.task for entry in SCHEDULE}


def test_a_running_job_whose_worker_died_is_requeued_within_a_minute(
    org: Org, django_capture_on_commit_callbacks
) -> None:
    quiet = timezone.now() - timedelta(seconds=40)
    dropped = ImportJobFactory(created_by=org.rep, status="running", heartbeat_at=quiet)
    waiting = ImportJobFactory(created_by=org.rep, status="queued", created_at=quiet)
    with django_capture_on_commit_callbacks(execute=False):
        resumed = services.import_jobs_resume_stalled()
    # The queued job may just wait behind another import: it is left alone for now.
    assert resumed == [dropped.pk]
    assert waiting.pk not in resumed
    entry = next(e for e in SCHEDULE if e.task == "crm.import_jobs_resume_stalled")
    assert entry.every_seconds is not None
    assert services.STALL_AFTER.total_seconds() + entry.every_seconds <= 60
