"""Task reminders: find tasks coming due and tell their assignee, exactly once per task.

Two beats (or a retried job) may run this at the same moment. Each run claims its rows
with `SELECT … FOR UPDATE SKIP LOCKED` and stamps `reminder_sent_at` in the same
transaction, so a row is claimed by one run only; emails leave after the commit.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from crm.models import Task
from crm.services.activities import _link_path
from crm.services.notifications import notification_create

log = logging.getLogger(__name__)

REMIND_AHEAD = timedelta(minutes=30)  # tell people half an hour before a task is due
FORGET_AFTER = timedelta(days=1)  # tasks long overdue never got a reminder: don't start now
BATCH = 500


def task_reminders_send(*, now: datetime | None = None) -> int:
    """Claim every task due within REMIND_AHEAD and notify its assignee; return how many."""
    now = now or timezone.now()
    emails: list[tuple[str, str, str]] = []
    with transaction.atomic():
        tasks = list(
            Task.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("owner")
            .filter(
                done_at__isnull=True,
                reminder_sent_at__isnull=True,
                due_at__lte=now + REMIND_AHEAD,
                due_at__gte=now - FORGET_AFTER,
            )
            .order_by("due_at", "id")[:BATCH]
        )
        if not tasks:
            return 0
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(reminder_sent_at=now)
        for task in tasks:
            when = timezone.localtime(task.due_at).strftime("%H:%M on %d %b")
            text = f"Task due {when}: {task.title}"
            notification_create(user=task.owner, text=text, link=_link_path(task))
            if task.owner.email and task.owner.is_active:
                emails.append((task.owner.email, f"Reminder: {task.title}", text))
        transaction.on_commit(lambda: _send(emails))
    return len(tasks)


def _send(emails: list[tuple[str, str, str]]) -> None:
    for address, subject, text in emails:
        try:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
        except OSError:  # the in-app notification is already there; log and go on
            log.warning("reminder email to %s failed", address, exc_info=True)
