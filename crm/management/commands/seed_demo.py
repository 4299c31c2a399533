"""Load demo data once; running it again adds nothing.

Each app may ship a `demo.py` with `seed(log)`; they run in dependency order.
"""

import importlib
from typing import Any

from django.core.management.base import BaseCommand

SEEDERS = [
    "crm.demo",
    "leads.demo",
    "pipeline.demo",
    "leads.demo_conversions",
    "forecasting.demo",
    "reporting.demo",
]


class Command(BaseCommand):
    help = "Load demo data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for module_name in SEEDERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            module.seed(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
