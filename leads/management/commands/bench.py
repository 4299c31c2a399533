"""`manage.py bench [--leads 1000000] [--deals 500000] [--runs 30] [--skip-generate]`.

Tops the lead table up to --leads with generate_data (if it holds fewer), then times the
lead list, search and My day as a rep, a manager and an admin (bench/runner.py)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from bench.generate import ensure_reps, generate_deals, generate_leads
from bench.runner import run, table
from leads.models import Lead
from pipeline.models import Deal


class Command(BaseCommand):
    help = "Generate the large data set if needed and print p50/p95 and queries per page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=1_000_000)
        parser.add_argument("--deals", type=int, default=500_000)
        parser.add_argument("--reps", type=int, default=200)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--skip-generate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["skip_generate"]:
            have = Lead.objects.count()
            owners = ensure_reps(options["reps"], self.stdout.write)
            if have < options["leads"]:
                started = time.perf_counter()
                generate_leads(
                    count=options["leads"] - have,
                    owners=owners,
                    seed=options["seed"],
                    log=self.stdout.write,
                )
                missing = options["deals"] - Deal.objects.count()
                generate_deals(count=max(missing, 0), owners=owners, log=self.stdout.write)
                self.stdout.write(f"generated in {time.perf_counter() - started:.0f} s\n")
        # Plans depend on fresh statistics; a server with autovacuum off never gathers them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(table(run(runs=options["runs"], log=self.stdout.write)))
