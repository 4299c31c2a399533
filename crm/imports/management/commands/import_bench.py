"""Benchmark: import N generated lead rows (with duplicates) and print rows/s and peak memory.

    manage.py import_bench --rows 100000 [--keep]

Writes to the configured database; the leads it creates are deleted afterwards unless
--keep. Uses the same engine as the page, the API and `manage.py import`.
"""

import csv
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from crm.imports import engine, services
from crm.imports.models import ImportJob
from crm.imports.registry import get_kind
from crm.models import Role, User


class Command(BaseCommand):
    help = "Time a lead import of generated rows (dedupe on) and report rows/s and peak memory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--duplicates", type=float, default=0.02, help="Share of repeats.")
        parser.add_argument("--keep", action="store_true", help="Keep the imported leads.")
        parser.add_argument(
            "--rules",
            action="store_true",
            help="Leave the owner column out so every lead goes through the assignment rules.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
        if user is None:
            raise CommandError("Needs an active admin user (run seed_demo or createsuperuser).")
        rows: int = options["rows"]
        rng = random.Random(7)
        run = int(time.time())
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench-leads.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                header = ["First name", "Last name", "Email", "Company", "Phone", "Country"]
                writer.writerow([*header, *([] if options["rules"] else ["Owner"])])
                for i in range(rows):
                    n = rng.randrange(i) if i and rng.random() < options["duplicates"] else i
                    cells = [
                        f"Zoë{n}",
                        f"Müller-{n}",
                        f"bench{run}-{n}@example.com",
                        f"Company {n % 5000}",
                        f"+1 555 {n:07d}",
                        "Deutschland",
                    ]
                    writer.writerow([*cells, *([] if options["rules"] else [user.email])])
            with path.open("rb") as upload:
                job = services.import_job_create(
                    actor=user, kind="leads", upload=upload, name=path.name
                )
        start = time.perf_counter()
        services.import_job_start(actor=user, job=job, policy="skip", enqueue=False)
        done = engine.run_import(job.pk)
        elapsed = time.perf_counter() - start
        if done is None:
            raise CommandError("The job was locked by another worker.")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"import_bench: {rows} lead rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s; "
            f"imported {done.imported}, skipped {done.skipped}, rejected {done.rejected}; "
            f"peak RSS {peak_mb:.0f} MB"
        )
        if not options["keep"]:
            self._cleanup(done)

    @transaction.atomic
    def _cleanup(self, job: ImportJob) -> None:
        ids = list(job.rows.exclude(object_id=None).values_list("object_id", flat=True))
        get_kind(job.kind).model._default_manager.filter(pk__in=ids).delete()
        job.file.delete(save=False)
        job.delete()
