"""Enqueue scoring work by task name after commit (services never import the task module).

`SCORING_QUEUE` (a setting, default Celery's default queue) names the queue; tests point it
at their own worker's queue. Tasks that fan out re-enqueue on the queue they came from.
"""

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from crm.celery import app
from crm.dispatch import send_safely

RESCORE_LEADS = "leads.scoring_rescore_leads"
RESCORE_ALL = "leads.scoring_rescore_all"
TRAIN = "leads.scoring_train"
RECONCILE = "leads.scoring_reconcile"
# One task per this many ids, so a killed worker loses (and redelivers) little work.
IDS_PER_TASK = 2000


def scoring_queue(queue: str | None = None) -> str | None:
    return queue or getattr(settings, "SCORING_QUEUE", None) or None


def send_rescore(ids: Sequence[int], *, queue: str | None = None) -> int:
    """Send rescoring tasks now (callers outside a transaction, e.g. the change event)."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), IDS_PER_TASK):
        send_safely(
            app.send_task,
            RESCORE_LEADS,
            args=[ordered[start : start + IDS_PER_TASK]],
            queue=scoring_queue(queue),
        )
    return len(ordered)


def enqueue_rescore(ids: Sequence[int], *, queue: str | None = None) -> None:
    ids = list(ids)
    transaction.on_commit(lambda: send_rescore(ids, queue=queue))


def enqueue_rescore_all(*, queue: str | None = None) -> None:
    transaction.on_commit(
        lambda: send_safely(app.send_task, RESCORE_ALL, queue=scoring_queue(queue))
    )


def enqueue_train(*, activate: bool, actor_id: int | None, queue: str | None = None) -> None:
    transaction.on_commit(
        lambda: send_safely(
            app.send_task,
            TRAIN,
            kwargs={"activate": activate, "actor_id": actor_id},
            queue=scoring_queue(queue),
        )
    )
