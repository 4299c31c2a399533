"""`manage.py forecast_bench [--series DIR] [--deals N] [--repeat N] [--no-series|--no-speed]`:
ETS against the seasonal naive on the monthly series beside the checkout (shared/data/series),
loaded as won deals and rolled back; then the forecast speed figures (snapshot of every rep,
team and company at N deals, the forecast page for a team of 20, the quota grid for
200 reps x 12 months) against the issue's targets, also rolled back."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from bench.forecast_speed import forecast_speed_bench
from bench.forecasting import SERIES, forecast_bench


class Command(BaseCommand):
    help = "Backtest the statistical forecast on the sample series; time the forecast pages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--series", type=Path, default=SERIES, help="Folder of Month,Sales CSVs."
        )
        parser.add_argument(
            "--deals",
            type=int,
            default=500_000,
            help="Deals in the database for the speed figures (added, then rolled back).",
        )
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs per page.")
        parser.add_argument("--no-series", action="store_true", help="Skip the backtests.")
        parser.add_argument("--no-speed", action="store_true", help="Skip the speed figures.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_series"]:
            forecast_bench(options["series"], self.stdout.write)
        if not options["no_speed"]:
            forecast_speed_bench(
                deals=options["deals"], repeat=max(1, options["repeat"]), log=self.stdout.write
            )
