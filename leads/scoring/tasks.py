"""Celery tasks for scoring: thin, idempotent (recomputing a score writes the same value), safe
under acks_late; a lost task is healed by the reconciler, which finds stale leads."""

import logging
from typing import Any

from celery import shared_task

from crm.celery import app
from leads.scoring import batches, training
from leads.scoring.engine import score_leads
from leads.scoring.queue import IDS_PER_TASK, send_rescore

log = logging.getLogger(__name__)

RANGE = "leads.scoring_rescore_range"


def _queue_of(task: Any) -> str | None:
    info = getattr(task.request, "delivery_info", None) or {}
    return info.get("routing_key") or None


@shared_task(
    name="leads.scoring_rescore_leads",
    bind=True,
    acks_late=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def scoring_rescore_leads_task(self: Any, lead_ids: list[int]) -> int:
    """Rescore these leads (gone ones are skipped)."""
    return score_leads(lead_ids)


@shared_task(
    name="leads.scoring_rescore_range",
    bind=True,
    acks_late=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def scoring_rescore_range_task(self: Any, low: int, high: int) -> int:
    return batches.score_range(low, high)


@shared_task(
    name="leads.scoring_rescore_all",
    bind=True,
    acks_late=True,
    time_limit=30 * 60,
    soft_time_limit=25 * 60,
)
def scoring_rescore_all_task(self: Any) -> int:
    """Fan out one range task per IDS_PER_TASK live leads, on the queue this task came from."""
    ranges = batches.id_ranges(IDS_PER_TASK)
    queue = _queue_of(self)
    for low, high in ranges:
        app.send_task(RANGE, args=[low, high], queue=queue)
    log.info("scoring: %s range tasks queued", len(ranges))
    return len(ranges)


@shared_task(
    name="leads.scoring_reconcile",
    bind=True,
    acks_late=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def scoring_reconcile_task(self: Any, limit: int = 20000) -> int:
    """Queue the leads whose score is missing or stale, so a lost task heals itself."""
    ids = batches.stale_ids(limit)
    if ids:
        send_rescore(ids, queue=_queue_of(self))
        log.info("scoring: reconciler queued %s stale leads", len(ids))
    return len(ids)


@shared_task(
    name="leads.scoring_train",
    bind=True,
    acks_late=True,
    time_limit=60 * 60,
    soft_time_limit=55 * 60,
)
def scoring_train_task(self: Any, activate: bool = True, actor_id: int | None = None) -> int:
    """Train a version; activated (and every lead rescored) unless worse than the active one.
    Redelivered after a crash it trains again: versions are history, nothing is lost."""
    return training.train_and_maybe_activate(
        activate=activate, actor_id=actor_id, queue=_queue_of(self)
    ).pk


@shared_task(
    name="leads.scoring_nightly",
    bind=True,
    acks_late=True,
    time_limit=60 * 60,
    soft_time_limit=55 * 60,
)
def scoring_nightly_task(self: Any) -> int:
    """Nightly: retrain (activating when allowed and not worse), then rescore every lead."""
    settings = training.scoring_settings()
    version = training.train_and_maybe_activate(
        activate=settings.auto_activate, queue=_queue_of(self)
    )
    if settings.active_model_id == training.scoring_settings().active_model_id:
        # Activation already queued a rescore; otherwise rescore for decay and engagement.
        app.send_task("leads.scoring_rescore_all", queue=_queue_of(self))
    return version.pk
