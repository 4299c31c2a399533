"""Heartbeats of the background processes, shown by /healthz.

- beat: its scheduler (`crm.beat.ResilientDatabaseScheduler`) writes one on every tick;
- worker: beat sends `crm.heartbeat` every HEARTBEAT_SECONDS and the worker that runs it
  writes one, so a fresh worker heartbeat proves the whole path (beat, broker, worker).

They live in the cache (Redis); with Redis down they are unknown, as /healthz says anyway.
"""

import time
from typing import Any

from django.core.cache import cache

HEARTBEAT_SECONDS = 15
STALE_AFTER_SECONDS = 60  # four missed beats
PROCESSES = ("worker", "beat")


def _key(process: str) -> str:
    return f"heartbeat:{process}"


def record(process: str, **details: Any) -> None:
    cache.set(_key(process), {"at": time.time(), **details}, timeout=24 * 60 * 60)


def report() -> dict[str, dict[str, Any]]:
    """Per process: "ok", "stale" or "unknown", the age of its last heartbeat and details."""
    now = time.time()
    found: dict[str, dict[str, Any]] = {}
    for process in PROCESSES:
        beat = cache.get(_key(process))
        if not isinstance(beat, dict) or "at" not in beat:
            found[process] = {"status": "unknown", "age_seconds": None}
            continue
        age = max(0.0, now - float(beat["at"]))
        details = {k: v for k, v in beat.items() if k != "at"}
        found[process] = {
            "status": "ok" if age <= STALE_AFTER_SECONDS else "stale",
            "age_seconds": round(age, 1),
            **details,
        }
    return found
