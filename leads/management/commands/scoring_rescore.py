"""`manage.py scoring_rescore [--sync]`: rescore every lead, in batches."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crm.celery import app
from leads.scoring import batches
from leads.scoring.queue import RESCORE_ALL


class Command(BaseCommand):
    help = "Rescore every lead: queue it for the workers, or with --sync do it here and wait."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sync", action="store_true", help="Score in this process and wait.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["sync"]:
            app.send_task(RESCORE_ALL)
            self.stdout.write("Rescoring queued for the workers.")
            return
        started = time.perf_counter()
        done = batches.score_all()
        seconds = time.perf_counter() - started
        rate = done / seconds if seconds else 0.0
        self.stdout.write(f"Scored {done} leads in {seconds:.1f} s ({rate:,.0f} leads/s).")
