"""Every Celery beat entry of the project, in one place (django-celery-beat, in the database).

`ensure_schedule()` creates or updates the PeriodicTask rows; it runs after every `migrate`
(post_migrate, see crm/apps.py) and from `seed_demo`, and is idempotent. Other apps add
their entries to SCHEDULE below (task names are strings: no imports across apps).
"""

from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class Entry:
    name: str  # unique, shown in Django admin
    task: str  # the Celery task name
    every_seconds: int | None = None
    crontab: str | None = None  # "minute hour day_of_month month_of_year day_of_week"


SCHEDULE: list[Entry] = [
    Entry("Task reminders", "crm.task_reminders_send", every_seconds=60),
    Entry(
        "Lead temperatures (nightly)",
        "leads.leads_refresh_temperature",
        crontab="15 2 * * *",
    ),
    Entry("Worker heartbeat (shown by /healthz)", "crm.heartbeat", every_seconds=15),
    # A job whose worker died is queued again within about a minute (crm/imports/services.py).
    Entry("Resume stalled imports", "crm.import_jobs_resume_stalled", every_seconds=15),
    Entry(
        "Lead scores: rescore stale or missing",
        "leads.scoring_reconcile",
        every_seconds=300,
    ),
    Entry(
        "Lead scores: retrain the model and rescore every lead (nightly)",
        "leads.scoring_nightly",
        crontab="45 2 * * *",
    ),
    Entry(
        "Forecast snapshots (weekly, Monday morning)",
        "forecasting.snapshots_take",
        crontab="30 3 * * 1",
    ),
    Entry(
        "Scheduled reports (daily 06:00: each subscription once per week or month)",
        "reporting.subscriptions_send",
        crontab="0 6 * * *",
    ),
]


@transaction.atomic
def ensure_schedule(entries: list[Entry] | None = None) -> int:
    """Create or update the beat rows for `entries` (default SCHEDULE); return how many."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    count = 0
    for entry in entries or SCHEDULE:
        defaults: dict[str, object] = {"task": entry.task, "enabled": True}
        if entry.every_seconds:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=entry.every_seconds, period=IntervalSchedule.SECONDS
            )
            defaults.update(interval=interval, crontab=None)
        elif entry.crontab:
            minute, hour, day_of_month, month_of_year, day_of_week = entry.crontab.split()
            cron, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
            )
            defaults.update(crontab=cron, interval=None)
        PeriodicTask.objects.update_or_create(name=entry.name, defaults=defaults)
        count += 1
    return count
