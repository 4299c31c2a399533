"""The beat scheduler: django-celery-beat's DatabaseScheduler that survives a database outage
and writes beat's heartbeat (crm.heartbeat).

Without this, one OperationalError in a tick (PostgreSQL restarted, connections killed)
ends the beat process. Here the tick logs it, drops the broken connection and tries again a
few seconds later; due entries run once the database is back.
"""

import logging
import os
import socket
from typing import Any

from django.db import DatabaseError, close_old_connections, connection
from django_celery_beat.schedulers import DatabaseScheduler

from crm import heartbeat

logger = logging.getLogger(__name__)
RETRY_SECONDS = 5.0


class ResilientDatabaseScheduler(DatabaseScheduler):  # type: ignore[misc]
    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            close_old_connections()
            interval = float(super().tick(*args, **kwargs))
        except DatabaseError as exc:
            logger.warning(
                "beat: database unavailable (%s: %s); retrying in %.0fs",
                type(exc).__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                RETRY_SECONDS,
            )
            connection.close()
            return RETRY_SECONDS
        heartbeat.record("beat", pid=os.getpid(), host=socket.gethostname())
        return min(interval, float(heartbeat.HEARTBEAT_SECONDS))
