"""`manage.py bench [--leads 1000000] [--deals 500000] [--runs 20] [--skip-generate]
[--load-users 20,50] [--load-seconds 30]`.

Migrates, tops the data set up to --leads / --deals (reusing what is there), then times
every hot page as a rep, a manager, the manager over everyone and an admin
(bench/runner.py), writes bench/results.json, and ends with a bounded load run against
gunicorn on loopback (bench/load.py)."""

import os
import platform
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

from bench.generate import (
    ensure_accounts,
    ensure_bench_people,
    ensure_reps,
    generate_deals,
    generate_leads,
)
from bench.load import load_run
from bench.runner import bench_users, run, table, write_json
from leads.models import Lead
from pipeline.models import Deal

RESULTS = "bench/results.json"


class Command(BaseCommand):
    help = "Generate the large data set if needed, print p50/p95 and queries per page, load-test."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=1_000_000)
        parser.add_argument("--deals", type=int, default=500_000)
        parser.add_argument("--reps", type=int, default=200)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--skip-generate", action="store_true")
        parser.add_argument("--load-users", default="20,50", help="'' to skip the load run")
        parser.add_argument("--load-seconds", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        owners = ensure_reps(options["reps"], self.stdout.write)
        if not options["skip_generate"]:
            have = Lead.objects.count()
            started = time.perf_counter()
            if have < options["leads"]:
                generate_leads(
                    count=options["leads"] - have,
                    owners=owners,
                    seed=options["seed"],
                    log=self.stdout.write,
                )
            missing = options["deals"] - Deal.objects.count()
            generate_deals(count=max(missing, 0), owners=owners, log=self.stdout.write)
            self.stdout.write(f"data ready in {time.perf_counter() - started:.0f} s\n")
        ensure_bench_people(self.stdout.write)
        ensure_accounts(owners=owners, log=self.stdout.write)
        # Plans depend on fresh statistics; a server with autovacuum off never gathers them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        results = run(runs=options["runs"], log=self.stdout.write)
        self.stdout.write(table(results))
        load = []
        levels = [int(n) for n in options["load_users"].split(",") if n.strip()]
        if levels:
            self.stdout.write(f"\nload run: {options['load_seconds']:.0f} s per level")
            load = load_run(
                bench_users(),
                levels=levels,
                seconds=options["load_seconds"],
                log=self.stdout.write,
            )
        write_json(
            results,
            RESULTS,
            {
                "when": timezone.now().isoformat(timespec="seconds"),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "load_average": list(os.getloadavg()),
                "leads": Lead.objects.count(),
                "deals": Deal.objects.count(),
                "load": [
                    {
                        "users": r.users,
                        "requests_per_s": round(r.throughput, 1),
                        "requests": len(r.latencies),
                        "errors": r.errors,
                    }
                    for r in load
                ],
            },
        )
        self.stdout.write(f"\nwrote {RESULTS}")
