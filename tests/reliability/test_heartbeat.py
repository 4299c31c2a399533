"""Worker and beat heartbeats in /healthz, and beat surviving a database outage (issue 13)."""

import pytest
from django.db import connection, connections
from django.test import Client

from crm import heartbeat
from crm.beat import RETRY_SECONDS, ResilientDatabaseScheduler
from crm.celery import app
from crm.schedule import SCHEDULE
from crm.tasks import heartbeat_task


@pytest.fixture(autouse=True)
def _no_heartbeats_yet() -> None:
    from django.core.cache import cache

    for process in heartbeat.PROCESSES:
        cache.delete(f"heartbeat:{process}")


@pytest.mark.django_db
def test_healthz_shows_worker_and_beat_unknown_then_alive() -> None:
    body = Client().get("/healthz").json()
    assert body["worker"]["status"] == "unknown"
    assert body["beat"]["status"] == "unknown"
    heartbeat_task()
    body = Client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["age_seconds"] < 5
    assert "crm.heartbeat" in {entry.task for entry in SCHEDULE}


@pytest.mark.django_db
def test_a_stale_heartbeat_is_reported_stale() -> None:
    import time

    from django.core.cache import cache

    cache.set("heartbeat:beat", {"at": time.time() - 600})
    assert heartbeat.report()["beat"]["status"] == "stale"


@pytest.mark.django_db(transaction=True)
def test_beat_survives_its_database_connection_being_killed() -> None:
    scheduler = ResilientDatabaseScheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    scheduler.tick()
    assert heartbeat.report()["beat"]["status"] == "ok"

    # A real fault: the server ends beat's connection, as a PostgreSQL restart would.
    pid = connection.cursor().connection.info.backend_pid
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()

    from django.core.cache import cache

    cache.delete("heartbeat:beat")
    scheduler._last_full_sync = scheduler._last_full_sync.replace(year=2000)  # force a read
    for _ in range(3):
        assert 0 <= scheduler.tick() <= max(RETRY_SECONDS, heartbeat.HEARTBEAT_SECONDS)
    assert heartbeat.report()["beat"]["status"] == "ok"  # still ticking, database back
    scheduler.sync()  # now, while the test database exists (not at interpreter exit)
    scheduler._dirty.clear()
