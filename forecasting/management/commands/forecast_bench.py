"""`manage.py forecast_bench [--series DIR]`: ETS against the seasonal naive on the monthly
series beside the checkout (shared/data/series), loaded as won deals and rolled back."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from bench.forecasting import SERIES, forecast_bench


class Command(BaseCommand):
    help = "Backtest the statistical forecast on the sample monthly series (when present)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--series", type=Path, default=SERIES, help="Folder of Month,Sales CSVs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        forecast_bench(options["series"], self.stdout.write)
