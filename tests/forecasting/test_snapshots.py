"""Snapshots: exactly one per slot even with two runs at once; "forecast changes" explains
every cent, deal by deal."""

import threading
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from forecasting import periods
from forecasting.models import ForecastSnapshot, SnapshotDeal
from forecasting.snapshots import changes, snapshot_take
from pipeline.models import Deal, StageKind
from tests.conftest import Org, client_for
from tests.forecasting.factories import open_deal, pipeline, won_deal
from tests.pipeline.factories import make_currency

Q1 = periods.parse_period("FY2026-Q1", 1)
MONDAY = date(2026, 2, 2)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_leave_exactly_one_snapshot_per_slot(org: Org) -> None:
    pipe = pipeline()
    for n in range(5):
        open_deal(pipe, org.rep, f"{100 + n}", date(2026, 2, 10), "commit")
    won_deal(pipe, org.teammate, "50", date(2026, 1, 10))
    barrier = threading.Barrier(2)
    written: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            written.append(snapshot_take(today=MONDAY, spans=[Q1]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(written)[0] == 0  # the second run found the slot taken
    scopes = list(ForecastSnapshot.objects.values_list("scope", flat=True))
    assert len(scopes) == len(set(scopes))
    assert "company" in scopes
    assert f"team:{org.sales.pk}" in scopes
    assert f"user:{org.rep.pk}" in scopes
    assert SnapshotDeal.objects.count() == 6
    company = ForecastSnapshot.objects.get(scope="company")
    assert (company.commit, company.won, company.deal_count) == (
        Decimal("510.00"),
        Decimal("50.00"),
        6,
    )
    sales = ForecastSnapshot.objects.get(scope=f"team:{org.sales.pk}")
    assert sales.commit == Decimal("510.00")  # East's reps roll up into Sales
    assert snapshot_take(today=MONDAY, spans=[Q1]) == 0  # a retried task too


@pytest.mark.django_db
def test_changes_explain_every_cent_deal_by_deal(org: Org) -> None:
    make_currency("EUR", "1.10")
    pipe = pipeline()
    kept = open_deal(pipe, org.rep, "1000", date(2026, 2, 1), "commit")
    grows = open_deal(pipe, org.rep, "333.33", date(2026, 2, 1), "commit")
    Deal.objects.filter(pk=grows.pk).update(currency="EUR")  # 366.66 in USD
    pushed = open_deal(pipe, org.rep, "250", date(2026, 3, 1), "commit")
    pulled = open_deal(pipe, org.teammate, "120", date(2026, 5, 1), "best_case")
    to_win = open_deal(pipe, org.teammate, "410.10", date(2026, 3, 3), "commit")
    to_lose = open_deal(pipe, org.teammate, "75.25", date(2026, 3, 3), "best_case")
    promoted = open_deal(pipe, org.rep, "60", date(2026, 3, 3), "pipeline")
    open_deal(pipe, org.stranger, "9999", date(2026, 2, 1), "commit")  # another team
    assert snapshot_take(today=MONDAY, spans=[Q1]) > 0

    won = pipe.stages.get(kind=StageKind.WON)
    lost = pipe.stages.get(kind=StageKind.LOST)
    Deal.objects.filter(pk=grows.pk).update(amount=Decimal("400.01"))
    Deal.objects.filter(pk=pushed.pk).update(expected_close_date=date(2026, 4, 15))
    Deal.objects.filter(pk=pulled.pk).update(expected_close_date=date(2026, 3, 20))
    Deal.objects.filter(pk=to_win.pk).update(
        stage=won,
        closed_at=datetime.combine(date(2026, 2, 20), time(9), ZoneInfo(settings.TIME_ZONE)),
    )
    Deal.objects.filter(pk=to_lose.pk).update(
        stage=lost, closed_at=datetime(2026, 2, 21, tzinfo=ZoneInfo("UTC"))
    )
    Deal.objects.filter(pk=promoted.pk).update(forecast_category="commit")
    new = open_deal(pipe, org.teammate, "0.07", date(2026, 2, 27), "best_case")

    result = changes(org.manager, f"team:{org.sales.pk}", Q1)
    assert result.snapshot is not None
    assert result.reconciles
    reasons = {change.deal_id: change.reason for change in result.deals}
    assert reasons == {
        grows.pk: "amount",
        pushed.pk: "pushed_out",
        pulled.pk: "pulled_in",
        to_win.pk: "won",
        to_lose.pk: "lost",
        promoted.pk: "category",
        new.pk: "new",
    }
    assert kept.pk not in reasons
    # commit: 1000 + 366.66 + 250 + 410.10 = 2026.76 then; 1000 + 440.01 + 60 = 1500.01 now
    assert result.before["commit"] == Decimal("2026.76")
    assert result.after["commit"] == Decimal("1500.01")
    assert result.delta["commit"] == Decimal("-526.75")
    assert sum(result.by_reason[r].get("commit", 0) for r in result.by_reason) == Decimal("-526.75")
    assert result.after["won"] == Decimal("410.10")
    assert result.delta["best_case"] == Decimal("120") - Decimal("75.25") + Decimal("0.07")


@pytest.mark.django_db
def test_the_changes_page_shows_the_waterfall_and_hides_other_scopes(org: Org) -> None:
    open_deal(pipeline(), org.rep, "10", date(2026, 2, 1), "commit")
    snapshot_take(today=MONDAY, spans=[Q1])
    page = client_for(org.manager).get(
        f"/forecast/changes/?scope=team:{org.sales.pk}&period=FY2026-Q1"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="waterfall-chart"' in html
    assert 'data-reconciles="yes"' in html
    assert (
        client_for(org.manager).get(f"/forecast/changes/?scope=team:{org.west.pk}").status_code
        == 404
    )
    assert client_for(org.rep).post("/forecast/snapshots/take/").status_code == 403
