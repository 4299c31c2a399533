"""`manage.py generate_data --leads 1000000 --deals 500000 --reps 200 --seed 42`."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bench.generate import ensure_reps, generate_deals, generate_leads
from crm.search import rebuild_words


class Command(BaseCommand):
    help = "Bulk-load a large, realistic, seeded data set (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=1_000_000)
        parser.add_argument("--deals", type=int, default=0)
        parser.add_argument("--reps", type=int, default=200)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        owners = ensure_reps(options["reps"], self.stdout.write)
        generate_leads(
            count=options["leads"], owners=owners, seed=options["seed"], log=self.stdout.write
        )
        generate_deals(count=options["deals"], owners=owners, log=self.stdout.write)
        # The rows went in by COPY without announcing: search learns their words here.
        self.stdout.write(f"Search knows {rebuild_words()} words.")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s."))
