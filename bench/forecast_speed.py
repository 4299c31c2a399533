"""Forecast speed bench (issue 16's targets), inside a transaction that is rolled back:

- the weekly snapshot of every rep, team and the company (current month and quarter) with
  `deals` deals in the database: target < 10 s at 500,000;
- the forecast page for a team of 20 reps, server time (Django test client, warm caches):
  target < 300 ms;
- the quota grid for 200 reps x 12 months: target < 500 ms.

Reps and deals come from `bench.generate` (200 reps in 20 teams; open deals over the first
pipeline's stages, their forecast categories then spread, a fifth of them won).
"""

import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test import Client

from bench.generate import ensure_reps, generate_deals
from crm.models import Role, Team, User
from forecasting import periods
from forecasting.models import Quota
from forecasting.selectors import fiscal_start_month
from forecasting.snapshots import snapshot_take

TARGETS = {"snapshot": 10.0, "forecast_page": 0.300, "quota_grid": 0.500}
SPREAD_SQL = """
UPDATE pipeline_deal d SET
    forecast_category = (ARRAY['commit', 'best_case', 'pipeline', 'omitted'])[1 + (d.id %% 4)],
    probability = 10 + (d.id %% 9) * 10
WHERE d.owner_id = ANY(%(owners)s)
"""
WIN_SQL = """
UPDATE pipeline_deal d SET stage_id = %(won)s, closed_at = d.stage_changed_at
WHERE d.owner_id = ANY(%(owners)s) AND d.id %% 5 = 0
"""


class _Rollback(Exception):
    pass


def _timed(run: Callable[[], Any], repeat: int) -> list[float]:
    run()  # warm: caches, the statistical fit, the first plan
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def _line(name: str, seconds: float, target: float, extra: str = "") -> str:
    verdict = "ok" if seconds < target else "OVER"
    return (
        f"  {name:<40} {seconds * 1000:>10.1f} ms   target < {target * 1000:,.0f} ms"
        f"   {verdict}{extra}"
    )


def forecast_speed_bench(
    *, deals: int, repeat: int, log: Callable[[str], None]
) -> dict[str, float]:
    figures: dict[str, float] = {}
    try:
        with transaction.atomic():
            figures = _run(deals, repeat, log)
            raise _Rollback
    except _Rollback:
        pass
    return figures


def _run(deals: int, repeat: int, log: Callable[[str], None]) -> dict[str, float]:
    from pipeline.models import Pipeline, StageKind

    owners = ensure_reps(200, log)
    existing = _count("SELECT count(*) FROM pipeline_deal")
    generate_deals(count=max(0, deals - existing), owners=owners, log=log)
    pipeline = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
    won = pipeline.stages.filter(kind=StageKind.WON).first() if pipeline else None
    with connection.cursor() as cursor:
        cursor.execute(SPREAD_SQL, {"owners": owners})
        if won is not None:
            cursor.execute(WIN_SQL, {"owners": owners, "won": won.pk})
        cursor.execute("ANALYZE pipeline_deal")
    total_deals = _count("SELECT count(*) FROM pipeline_deal")
    log(f"deals in the database: {total_deals:,}")

    # 1. The snapshot of every rep, team and the company.
    started = time.perf_counter()
    written = snapshot_take(today=periods.company_day())
    figures = {"snapshot": time.perf_counter() - started}
    log(f"snapshot rows written: {written:,}")

    # 2. The forecast page for a team of 20 reps (with its manager).
    root = Team.objects.get(name="Bench sales")
    manager = User.objects.create_user(
        email="forecast-bench-manager@bench.invalid", role=Role.MANAGER
    )
    team = Team.objects.create(name="Forecast bench 20", parent=root, manager=manager)
    if not team.path:
        team.path = f"{root.path}{team.pk}/"
        team.save(update_fields=["path"])
    User.objects.filter(pk__in=owners[:20]).update(team=team)
    manager.team = team
    manager.save(update_fields=["team"])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    span = periods.current(periods.QUARTER, fiscal_start_month())
    url = f"/forecast/?scope=team:{team.pk}&period={span.key}"
    page = _timed(lambda: _get(client, url), repeat)
    figures["forecast_page"] = statistics.median(page)

    # 3. The quota grid, 200 reps x 12 months.
    year = periods.current(periods.YEAR, fiscal_start_month())
    months = periods.months_of(year)
    Quota.objects.bulk_create(
        [
            Quota(
                user_id=pk,
                period_kind="month",
                period_start=m.start,
                period_end=m.end,
                period_key=m.key,
                amount=Decimal(10000 + i),
            )
            for i, pk in enumerate(owners)
            for m in months
        ],
        ignore_conflicts=True,
    )
    admin = User.objects.create_user(email="forecast-bench-admin@bench.invalid", role=Role.ADMIN)
    admin_client = Client(HTTP_HOST="127.0.0.1")
    admin_client.force_login(admin)
    grid_url = f"/forecast/manage/quotas/?year={year.key}&by=month"
    grid = _timed(lambda: _get(admin_client, grid_url), repeat)
    figures["quota_grid"] = statistics.median(grid)

    log("")
    log(f"Forecast speed ({total_deals:,} deals, 200 reps; median of {repeat} runs):")
    log(_line("snapshot, every rep/team/company", figures["snapshot"], TARGETS["snapshot"],
              f"   ({written:,} scope rows, current month and quarter)"))  # fmt: skip
    log(_line("forecast page, team of 20", figures["forecast_page"], TARGETS["forecast_page"]))
    log(_line("quota grid, 200 reps x 12 months", figures["quota_grid"], TARGETS["quota_grid"]))
    return figures


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])
