"""Statistical-forecast benchmark: the classic monthly series of shared/data/series loaded as
won deals in a scratch scope (rolled back afterwards), forecast through the product's own
path, and both methods' backtest errors printed."""

import csv
import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from crm.models import Role, Team, User
from forecasting.statistical.months import add_months, start_of_day
from forecasting.statistical.report import statistical_forecast
from pipeline.models import Deal, Pipeline, Stage, StageKind


def _series_dir() -> Path:
    """shared/data/series beside the checkout or one of its parents."""
    relative = Path("shared") / "data" / "series"
    for folder in Path(__file__).resolve().parents[1:]:
        if (folder / relative).is_dir():
            return folder / relative
    return Path(__file__).resolve().parents[2] / relative


SERIES = _series_dir()
COVERAGE_TARGET = (70.0, 90.0)


def read_series(path: Path) -> tuple[dt.date, list[Decimal]]:
    """(first month, values) of a Month,Sales CSV. Months are "YYYY-MM", or "Y-MM" with a
    relative year index (shampoo), which is placed from the year 2001."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row]
    data = rows[1:]  # after the Month,Sales header
    year, _, month = data[0][0].partition("-")
    first = dt.date(int(year) if len(year) == 4 else 2000 + int(year), int(month), 1)
    return first, [Decimal(row[1].strip()) for row in data]


class _Rollback(Exception):
    pass


def _load(name: str, first: dt.date, values: list[Decimal]) -> tuple[User, User]:
    """A scratch admin, rep, team and pipeline, and one won deal per month for the rep."""
    team = Team.objects.create(name=f"Forecast bench {name}")
    admin = User.objects.create_user(
        email=f"forecast-bench-admin-{name}@bench.invalid", role=Role.ADMIN
    )
    rep = User.objects.create_user(
        email=f"forecast-bench-{name}@bench.invalid", role=Role.REP, team=team
    )
    pipeline = Pipeline.objects.create(name=f"Forecast bench {name}")
    won = Stage.objects.create(pipeline=pipeline, name="Won", kind=StageKind.WON, position=1)
    deals = []
    for i, value in enumerate(values):
        closed = start_of_day(add_months(first, i).replace(day=15))
        deals.append(
            Deal(
                name=f"{name} {i}",
                owner=rep,
                pipeline=pipeline,
                stage=won,
                amount=value,
                closed_at=closed,
                created_at=closed - dt.timedelta(days=30),
            )
        )
    Deal.objects.bulk_create(deals, batch_size=1000)
    return admin, rep


def forecast_series_file(path: Path, log: Callable[[str], None]) -> dict[str, Any]:
    first, values = read_series(path)
    name = path.stem
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            admin, rep = _load(name, first, values)
            started = time.perf_counter()
            result = statistical_forecast(
                user=admin,
                scope=f"user:{rep.pk}",
                horizon=12,
                as_of=add_months(first, len(values)),
                use_cache=False,
            )
            result["seconds"] = round(time.perf_counter() - started, 2)
            raise _Rollback
    except _Rollback:
        pass
    log(
        f"{name}: {len(values)} months from {first:%Y-%m}; chosen on all of them: "
        f"{result['method']} ({result['seconds']} s with the backtests)"
    )
    for test in result["backtests"]:
        ets, naive = test["ets"], test["seasonal_naive"]
        beats = "beats" if test["ets_beats_naive"] else "does NOT beat"
        log(f"  {test['description']}, form {test['ets_form']}: ETS {beats} the seasonal naive")
        for label, score in (("ETS", ets), ("seasonal naive", naive)):
            log(
                f"    {label:15} RMSE {score['rmse']:>10,.1f}   MAPE {score['mape']:>6.2f} %   "
                f"80 % coverage {score['coverage_80']:>5.1f} %"
            )
    walk = next((t for t in result["backtests"] if t["name"] == "walk_forward"), None)
    if walk and walk["ets"]["coverage_80"] is not None:
        low, high = COVERAGE_TARGET
        inside = low <= walk["ets"]["coverage_80"] <= high
        verdict = "within" if inside else "OUTSIDE"
        log(f"  walk-forward 80 % coverage {verdict} {low:.0f}-{high:.0f} %")
    return result


def forecast_bench(folder: Path, log: Callable[[str], None]) -> list[dict[str, Any]]:
    if not folder.is_dir():
        log(f"Forecast bench: {folder} not found; skipped.")
        return []
    files = sorted(folder.glob("*.csv"))
    if not files:
        log(f"Forecast bench: no CSV in {folder}; skipped.")
        return []
    return [forecast_series_file(path, log) for path in files]
