from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_schedule(sender: AppConfig, **kwargs: Any) -> None:
    from crm.schedule import ensure_schedule

    ensure_schedule()


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "CRM core"

    def ready(self) -> None:
        from crm import search, signals  # noqa: F401 - registers signal handlers and providers

        post_migrate.connect(_ensure_schedule, sender=self, dispatch_uid="crm.ensure_schedule")
