"""Fiscal periods, quotas (services, constraints, API, grid) and attainment."""

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from crm.errors import Conflict, DomainError, NotFound, PermissionDenied
from crm.models import AuditEntry, Notification
from forecasting import periods, selectors, services
from forecasting.models import Quota
from tests.conftest import Org, client_for
from tests.forecasting.factories import pipeline, quota, won_deal

pytestmark = pytest.mark.django_db


def test_quarters_follow_the_fiscal_year_start() -> None:
    q = periods.period_of(date(2026, 1, 15), periods.QUARTER, 2)
    assert (q.key, q.start, q.end) == ("FY2025-Q4", date(2025, 11, 1), date(2026, 2, 1))
    year = periods.parse_period("FY2026", 2)
    assert (year.start, year.end) == (date(2026, 2, 1), date(2027, 2, 1))
    assert [m.key for m in periods.months_of(periods.parse_period("FY2026-Q1", 4))] == [
        "2026-04",
        "2026-05",
        "2026-06",
    ]


def test_the_company_time_zone_decides_the_day(settings: object) -> None:
    settings.TIME_ZONE = "America/New_York"  # type: ignore[attr-defined]
    late_evening = datetime(2026, 4, 1, 2, 30, tzinfo=ZoneInfo("UTC"))  # 31 March in New York
    assert periods.company_day(late_evening) == date(2026, 3, 31)


@pytest.mark.parametrize("key", ["2026-13", "FY2026-Q5", "Q1", "", "2026/03"])
def test_unknown_periods_are_refused(key: str) -> None:
    with pytest.raises(DomainError):
        periods.parse_period(key, 1)


def test_an_admin_sets_a_quota_audited_and_the_rep_is_notified(org: Org) -> None:
    q = services.quota_set(actor=org.admin, user=org.rep, period="FY2026-Q1", amount="30000")
    services.quota_set(actor=org.admin, user=org.rep, period="FY2026-Q1", amount="35000")
    q.refresh_from_db()
    assert q.amount == Decimal("35000.00")
    assert Quota.objects.count() == 1
    actions = list(
        AuditEntry.objects.filter(object_id=str(q.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    texts = list(Notification.objects.filter(user=org.rep).values_list("text", flat=True))
    assert len(texts) == 2
    assert "35,000.00" in texts[0]


def test_a_team_quota_notifies_the_team_manager(org: Org) -> None:
    services.quota_set(actor=org.admin, team=org.sales, period="2026-02", amount="1000")
    assert Notification.objects.filter(user=org.manager).count() == 1


def test_bad_quotas_are_refused(org: Org) -> None:
    with pytest.raises(DomainError) as negative:
        services.quota_set(actor=org.admin, user=org.rep, period="2026-01", amount="-5")
    assert negative.value.field == "amount"
    with pytest.raises(DomainError) as year:
        services.quota_set(actor=org.admin, user=org.rep, period="FY2026", amount="5")
    assert year.value.field == "period"
    with pytest.raises(PermissionDenied):
        services.quota_set(actor=org.manager, user=org.rep, period="2026-01", amount="5")
    assert Quota.objects.count() == 0


def test_the_database_refuses_negative_and_duplicate_quotas(org: Org) -> None:
    quota("2026-01", "10", user=org.rep)
    with pytest.raises(IntegrityError), transaction.atomic():
        quota("2026-01", "20", user=org.rep)
    with pytest.raises(IntegrityError), transaction.atomic():
        quota("2026-02", "-1", user=org.rep)
    quota("2026-01", "10")  # company
    with pytest.raises(IntegrityError), transaction.atomic():
        quota("2026-01", "10")


def test_a_quarter_sums_its_months_when_no_quarter_quota_is_set(org: Org) -> None:
    quota("2026-01", "100", user=org.rep)
    quota("2026-02", "200", user=org.rep)
    q1 = periods.parse_period("FY2026-Q1", 1)
    assert selectors.quota_for(org.rep, f"user:{org.rep.pk}", q1) == Decimal("300")
    quota("FY2026-Q1", "1000", user=org.rep)
    assert selectors.quota_for(org.rep, f"user:{org.rep.pk}", q1) == Decimal("1000")
    year = periods.parse_period("FY2026", 1)
    assert selectors.quota_for(org.admin, f"user:{org.rep.pk}", year) == Decimal("1000")


def test_attainment_counts_won_deals_of_the_period_in_company_currency(org: Org) -> None:
    from tests.pipeline.factories import make_currency

    make_currency("EUR", "2.00")
    pipe = pipeline()
    quota("FY2026-Q1", "1000", user=org.rep)
    won_deal(pipe, org.rep, "100", date(2026, 1, 10))
    won_deal(pipe, org.rep, "50", date(2026, 2, 10), currency="EUR")
    won_deal(pipe, org.rep, "999", date(2026, 4, 1))  # next quarter
    won_deal(pipe, org.stranger, "999", date(2026, 1, 10))  # someone else
    result = selectors.attainment(
        org.manager, f"user:{org.rep.pk}", periods.parse_period("FY2026-Q1", 1)
    )
    assert result.closed_won == Decimal("200.00")
    assert result.percent == Decimal("20.0")
    assert result.gap == Decimal("800.00")
    team = selectors.attainment(
        org.manager, f"team:{org.sales.pk}", periods.parse_period("FY2026-Q1", 1)
    )
    assert team.closed_won == Decimal("200.00")


def test_a_scope_the_user_cannot_see_is_not_found(org: Org) -> None:
    q1 = periods.parse_period("FY2026-Q1", 1)
    for actor, scope in [
        (org.rep, f"user:{org.teammate.pk}"),
        (org.manager, f"user:{org.stranger.pk}"),
        (org.manager, f"team:{org.west.pk}"),
        (org.manager, "company"),
        (org.rep, "team:999999"),
        (org.rep, "everyone"),
    ]:
        with pytest.raises(NotFound):
            selectors.attainment(actor, scope, q1)


def test_changing_the_fiscal_year_refuses_quarters_that_would_no_longer_fit(org: Org) -> None:
    services.quota_set(actor=org.admin, user=org.rep, period="FY2026-Q2", amount="5")  # Apr-Jun
    with pytest.raises(Conflict):
        services.settings_update(actor=org.admin, fiscal_year_start_month=2)
    services.settings_update(actor=org.admin, fiscal_year_start_month=4)
    assert Quota.objects.get().period_key == "FY2026-Q1"
    assert selectors.fiscal_start_month() == 4


def test_quotas_api_validates_and_answers_400_json(org: Org) -> None:
    client = client_for(org.admin)
    ok = client.post(
        "/api/v1/quotas/",
        {"user": org.rep.pk, "period": "FY2026-Q1", "amount": "12000"},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["scope"] == f"user:{org.rep.pk}"
    for body in (
        {"user": org.rep.pk, "period": "FY2026-Q1", "amount": "-1"},
        {"user": org.rep.pk, "period": "FY2026-Q9", "amount": "1"},
        {"user": org.rep.pk, "period": "FY2026", "amount": "1"},
    ):
        bad = client.post("/api/v1/quotas/", body, content_type="application/json")
        assert bad.status_code == 400, bad.content
        assert "error" in json.dumps(bad.json()).lower() or bad.json()
    denied = client_for(org.manager).post(
        "/api/v1/quotas/",
        {"user": org.rep.pk, "period": "2026-01", "amount": "1"},
        content_type="application/json",
    )
    assert denied.status_code == 403
    assert client_for(org.rep).get("/api/v1/quotas/").json()["results"][0]["amount"] == "12000.00"
    assert client_for(org.stranger).get("/api/v1/quotas/").json()["results"] == []


def test_the_grid_saves_typed_cells_and_shows_allocation(org: Org) -> None:
    client = client_for(org.admin)
    page = client.get("/forecast/manage/quotas/?year=FY2026&by=quarter")
    assert page.status_code == 200
    saved = client.post(
        "/forecast/manage/quotas/",
        {
            "year": "FY2026",
            "by": "quarter",
            f"q|user:{org.rep.pk}|FY2026-Q1": "100",
            f"o|user:{org.rep.pk}|FY2026-Q1": "",
            f"q|user:{org.teammate.pk}|FY2026-Q1": "50",
            f"o|user:{org.teammate.pk}|FY2026-Q1": "",
            f"q|team:{org.east.pk}|FY2026-Q1": "200",
            f"o|team:{org.east.pk}|FY2026-Q1": "",
        },
    )
    assert saved.status_code == 302
    html = client.get("/forecast/manage/quotas/?year=FY2026&by=quarter").content.decode()
    assert "members 150" in html
    assert "50 over" in html


def test_a_bad_grid_cell_saves_nothing_and_says_why(org: Org) -> None:
    response = client_for(org.admin).post(
        "/forecast/manage/quotas/",
        {
            "year": "FY2026",
            f"q|user:{org.rep.pk}|2026-01": "100",
            f"q|user:{org.teammate.pk}|2026-01": "-3",
        },
    )
    assert response.status_code == 400
    assert "can&#x27;t be negative" in response.content.decode()
    assert Quota.objects.count() == 0


def test_my_day_shows_my_quota_and_attainment(org: Org) -> None:
    today = periods.company_day()
    month = periods.period_of(today, periods.MONTH, 1)
    quota(month.key, "400", user=org.rep)
    won_deal(pipeline(), org.rep, "100", today)
    page = client_for(org.rep).get("/").content.decode()
    assert 'data-slot="quota"' in page
    assert "25.0%" in page
