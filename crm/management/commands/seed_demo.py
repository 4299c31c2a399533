"""Load demo data once; running it again adds nothing.

The seeders are listed in settings (DEMO_SEEDERS), in dependency order.
"""

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from crm.search import rebuild_words


class Command(BaseCommand):
    help = "Load demo data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for module_name in settings.DEMO_SEEDERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            module.seed(self.stdout.write)
        # Seeders may write in bulk without announcing: learn the words of every record.
        rebuild_words()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
