"""`manage.py scoring_bench [--leads 50000] [--skip-training] [--x-education PATH]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bench.scoring import X_EDUCATION, batch_rate, training_time, x_education


class Command(BaseCommand):
    help = "Lead-scoring quality (X Education, when present) and batch scoring / training speed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=50_000, help="Leads to batch-score.")
        parser.add_argument("--skip-training", action="store_true")
        parser.add_argument("--x-education", type=Path, default=X_EDUCATION)

    def handle(self, *args: Any, **options: Any) -> None:
        log = self.stdout.write
        x_education(options["x_education"], log)
        if not options["skip_training"]:
            training_time(log)  # first, so its peak memory is its own
        batch_rate(options["leads"], log)
