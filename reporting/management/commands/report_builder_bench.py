"""`manage.py report_builder_bench [--deals 500000] [--runs 5]`: time report-builder charts.

Tops the deal table up to --deals with the bench generator (reps from `manage.py bench`),
then runs a few definitions over **all** deals (period: any time) as an admin and as a
manager of a team of bench reps, and prints p50/p95 in ms and the queries per run. The
issue's target: a report-builder chart over all deals under 1 s.
"""

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from bench.generate import ensure_reps, generate_deals
from crm.models import Role, Team, User
from pipeline.models import Deal
from reporting.builder.definition import clean_definition
from reporting.builder.run import run_report

DEFINITIONS = {
    "count by stage x owner": {"group_by": "stage", "group_by2": "owner"},
    "sum of amount by owner": {"measure": "sum", "field": "amount", "group_by": "owner"},
    "median amount by stage x month": {
        "measure": "median",
        "field": "amount",
        "group_by": "stage",
        "group_by2": "month",
    },
    "average probability by team": {"measure": "avg", "field": "probability", "group_by": "team"},
}
TARGET_MS = 1000


class Command(BaseCommand):
    help = "Time report-builder charts over all deals (p50/p95, queries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deals", type=int, default=500_000)
        parser.add_argument("--reps", type=int, default=200)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        owners = ensure_reps(options["reps"], self.stdout.write)
        missing = options["deals"] - Deal.objects.count()
        if missing > 0:
            generate_deals(count=missing, owners=owners, log=self.stdout.write)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        admin = User.objects.filter(is_active=True, role=Role.ADMIN).first()
        if admin is None:
            admin = User.objects.create(
                email="bench-admin@example.com",
                first_name="Bench",
                last_name="Admin",
                role=Role.ADMIN,
            )
        manager = (
            User.objects.filter(pk__in=Team.objects.values("manager_id"), role=Role.MANAGER)
            .order_by("id")
            .first()
        )
        viewers = [("admin", admin), ("manager", manager)]
        self.stdout.write(f"{'report':34} {'as':8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} rows")
        slow = []
        for name, values in DEFINITIONS.items():
            definition = clean_definition({"source": "deals", "period": "all", **values})
            for role, viewer in viewers:
                if viewer is None:
                    continue
                timings, queries, rows = [], 0, 0
                run_report(actor=viewer, definition=definition)  # warm-up
                for _ in range(options["runs"]):
                    viewer = User.objects.get(pk=viewer.pk)  # no per-request caches carried over
                    reset_queries()
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        result = run_report(actor=viewer, definition=definition)
                        timings.append((time.perf_counter() - started) * 1000)
                    queries, rows = len(captured.captured_queries), len(result.rows)
                p50 = statistics.median(timings)
                p95 = sorted(timings)[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
                if p95 > TARGET_MS:
                    slow.append(f"{name} as {role}")
                self.stdout.write(f"{name:34} {role:8} {p50:8.0f} {p95:8.0f} {queries:8} {rows}")
        total = Deal.objects.count()
        verdict = "all under 1 s" if not slow else "over 1 s: " + ", ".join(slow)
        self.stdout.write(f"{total:,} deals; target {TARGET_MS} ms p95: {verdict}")
