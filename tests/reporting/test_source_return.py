"""CAC, churn and CLV per source recomputed in Python from generated customers."""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import AuditEntry, User
from leads.models import LeadSource
from pipeline.models import Currency, Deal, DealType, StageKind
from reporting.kpis import ReportFilters
from reporting.recognition.settings import reporting_settings_update
from reporting.source_return import services
from reporting.source_return.selectors import source_return, spend_months
from tests.conftest import Org, client_for
from tests.crm.factories import AccountFactory
from tests.leads.factories import LeadFactory, LeadSourceFactory
from tests.pipeline.factories import DealFactory, make_currency, make_pipeline
from tests.reporting.data import EUR_RATE, company_amount

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


@dataclass
class Customers:
    sources: list[LeadSource]
    deals: list[Deal] = field(default_factory=list)  # live
    lead_source: dict[int, int | None] = field(default_factory=dict)  # deal id -> source


def _generate(owners: list[User], seed: int = 3) -> Customers:
    rng = random.Random(seed)
    if not Currency.objects.filter(code="EUR").exists():
        make_currency("EUR", str(EUR_RATE))
    pipeline = make_pipeline("Customers")
    won = pipeline.stages.get(kind=StageKind.WON)
    lost = pipeline.stages.get(kind=StageKind.LOST)
    sources = [LeadSourceFactory(name=f"Channel {i}", slug=f"channel-{i}") for i in range(3)]
    data = Customers(sources)
    now = timezone.now()
    for owner in owners:
        for _ in range(8):
            account = AccountFactory(owner=owner)
            first_close = now - timedelta(days=rng.randint(5, 300))
            source = rng.choice([*sources, None])
            first = DealFactory(
                owner=owner,
                account=account,
                pipeline=pipeline,
                stage=won,
                amount=Decimal(rng.randint(1000, 40000)),
                currency=rng.choice(["USD", "EUR"]),
                created_at=first_close - timedelta(days=30),
                closed_at=first_close,
            )
            data.deals.append(first)
            data.lead_source[first.pk] = source.pk if source else None
            LeadFactory(owner=owner, source=source, status="converted", converted_deal=first)
            for r in range(rng.randint(0, 3)):  # renewals after the first win
                closed = first_close + timedelta(days=60 * (r + 1))
                if closed > now:
                    break
                renewal = DealFactory(
                    owner=owner,
                    account=account,
                    pipeline=pipeline,
                    stage=rng.choice([won, won, lost]),
                    deal_type=DealType.RENEWAL,
                    amount=Decimal(rng.randint(500, 20000)),
                    created_at=closed - timedelta(days=20),
                    closed_at=closed,
                )
                data.deals.append(renewal)
                data.lead_source[renewal.pk] = None
        DealFactory(  # deleted: counts nowhere
            owner=owner,
            account=AccountFactory(owner=owner),
            pipeline=pipeline,
            stage=won,
            amount=Decimal(99999),
            closed_at=now - timedelta(days=3),
            deleted_at=now,
        )
    return data


def _expected(data: Customers, filters: ReportFilters, owners: set[int]) -> dict:
    deals = [d for d in data.deals if d.owner_id in owners]
    won = sorted(
        (d for d in deals if d.stage.kind == StageKind.WON), key=lambda d: (d.closed_at, d.pk)
    )
    first: dict[int, Deal] = {}
    for deal in won:
        first.setdefault(deal.account_id, deal)  # type: ignore[arg-type]
    acquired = {acc: data.lead_source[d.pk] for acc, d in first.items()}
    closed = [d for d in deals if filters.start <= d.closed_at < filters.end]  # type: ignore[operator]
    rows: dict[int | None, dict] = {}
    for deal in closed:
        row = rows.setdefault(
            acquired.get(deal.account_id),  # type: ignore[arg-type]
            {"new": 0, "revenue": Decimal(0), "accounts": set(), "rw": 0, "rl": 0},
        )
        if deal.stage.kind == StageKind.WON:
            row["revenue"] += company_amount(deal)
            row["accounts"].add(deal.account_id)
            if first[deal.account_id].pk == deal.pk:  # type: ignore[index]
                row["new"] += 1
        if deal.deal_type == DealType.RENEWAL:
            row["rw" if deal.stage.kind == StageKind.WON else "rl"] += 1
    return rows


def test_cac_churn_and_clv_per_source_match_an_independent_computation(org: Org) -> None:
    data = _generate([org.rep, org.teammate, org.stranger])
    reporting_settings_update(actor=org.admin, gross_margin_percent=Decimal("60"))
    filters = ReportFilters.default(days=180)
    months = spend_months(filters)
    spend = {s.pk: Decimal(0) for s in data.sources}
    for i, month in enumerate(months):
        for source in data.sources[:2]:
            entered = services.spend_create(
                actor=org.admin,
                source=source,
                month=month,
                marketing=Decimal(1000 + i),
                sales=Decimal(500),
            )
            spend[source.pk] += entered.total
    outside = filters.date_from.replace(day=1) - timedelta(days=40)
    services.spend_create(
        actor=org.admin, source=data.sources[0], month=outside, marketing=Decimal(10**6)
    )

    result = source_return(actor=org.admin, filters=filters)

    expected = _expected(data, filters, {org.rep.pk, org.teammate.pk, org.stranger.pk})
    assert {row.source_id for row in result.rows} == set(expected) | {
        s.pk for s in data.sources[:2]
    }
    total_rw = sum(r["rw"] for r in expected.values())
    total_rl = sum(r["rl"] for r in expected.values())
    company_churn = total_rl / (total_rw + total_rl) if total_rw + total_rl else None
    for row in result.rows:
        want = expected.get(
            row.source_id, {"new": 0, "revenue": Decimal(0), "accounts": set(), "rw": 0, "rl": 0}
        )
        assert row.new_customers == want["new"], row.label
        assert row.won_revenue == want["revenue"].quantize(CENT), row.label
        assert row.accounts == len(want["accounts"]), row.label
        assert (row.renewals_won, row.renewals_lost) == (want["rw"], want["rl"]), row.label
        assert row.spend == spend.get(row.source_id or 0, Decimal(0)), row.label
        cac = (
            spend.get(row.source_id or 0, Decimal(0)) / want["new"]
            if want["new"] and row.source_id
            else None
        )
        assert row.cac == (cac.quantize(CENT) if cac is not None else None), row.label
        churn = want["rl"] / (want["rw"] + want["rl"]) if want["rw"] + want["rl"] else company_churn
        assert row.churn == (pytest.approx(churn) if churn is not None else None), row.label
        if want["accounts"] and churn:
            arpa = (want["revenue"] / len(want["accounts"])).quantize(CENT)
            clv = (arpa * Decimal("0.6") / Decimal(str(churn))).quantize(CENT)
            assert row.clv == clv, row.label
    assert result.total.new_customers == sum(r["new"] for r in expected.values())
    assert result.total.own_churn == (pytest.approx(company_churn) if company_churn else None)


def test_each_figure_drills_to_the_deals_it_counts(org: Org) -> None:
    data = _generate([org.rep, org.teammate])
    filters = ReportFilters.default(days=365)
    result = source_return(actor=org.admin, filters=filters)
    client = client_for(org.admin)
    assert data.deals
    for row in result.rows:
        for kind, figure in (
            ("new_customers", row.new_customers),
            ("renewals_won", row.renewals_won),
            ("renewals_lost", row.renewals_lost),
        ):
            assert client.get(row.urls[kind]).context["count"] == figure, (row.label, kind)
        page = client.get(row.urls["won"])
        assert Decimal(page.context["total"]).quantize(CENT) == row.won_revenue


def test_a_manager_gets_figures_over_their_subtree_only(org: Org) -> None:
    data = _generate([org.rep, org.stranger])
    filters = ReportFilters.default(days=365)
    result = source_return(actor=org.manager, filters=filters)
    expected = _expected(data, filters, {org.rep.pk})
    assert result.total.new_customers == sum(r["new"] for r in expected.values())
    assert client_for(org.manager).get("/api/v1/reports/source-return/").status_code == 403


def test_admins_enter_spend_through_the_page_and_the_api_audited(org: Org) -> None:
    source = LeadSourceFactory(name="Fairs", slug="fairs")
    api = client_for(org.admin)
    body = {"source": source.pk, "month": "2026-03-15", "marketing": "1200", "sales": "300"}
    created = api.post("/api/v1/reports/spend/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["month"] == "2026-03-01"
    again = api.post("/api/v1/reports/spend/", body, content_type="application/json")
    assert again.status_code == 409
    pk = created.json()["id"]
    changed = api.patch(
        f"/api/v1/reports/spend/{pk}/", {"sales": "400"}, content_type="application/json"
    )
    assert changed.json()["sales"] == "400.00"
    assert AuditEntry.objects.filter(object_id=pk, action="update").exists()
    assert client_for(org.manager).get("/api/v1/reports/spend/").status_code == 403
    page = api.post(
        "/reports/spend/",
        {"source": source.pk, "month": "2026-04", "marketing": "10", "sales": "0"},
    )
    assert page.status_code == 302
    assert api.get("/reports/spend/").status_code == 200
    assert client_for(org.manager).get("/reports/spend/").status_code == 403
    assert api.delete(f"/api/v1/reports/spend/{pk}/").status_code == 204


def test_the_company_dashboard_loads_source_return_after_the_page(org: Org) -> None:
    _generate([org.rep])
    client = client_for(org.admin)
    assert 'id="source-return-slot"' in client.get("/reports/company/").content.decode()
    block = client.get("/reports/source-return/")
    assert block.status_code == 200
    assert 'id="source-return-table"' in block.content.decode()
    answer = client.get("/api/v1/reports/source-return/").json()
    assert {"rows", "total", "margin_percent"} <= set(answer)


def test_deals_carry_a_type_and_renewal_pipelines_default_to_renewals(org: Org) -> None:
    deal = DealFactory(owner=org.rep)
    assert deal.deal_type == DealType.NEW_BUSINESS
    api = client_for(org.rep)
    answer = api.get(f"/api/v1/deals/{deal.pk}/")
    assert answer.json()["deal_type"] == "new_business"


def test_the_demo_sets_a_challenge_and_six_months_of_spend_once(org: Org) -> None:
    from reporting.recognition import demo
    from reporting.recognition.models import Challenge
    from reporting.source_return.models import SourceSpend

    for i in range(2):
        LeadSourceFactory(name=f"Demo {i}", slug=f"demo-{i}")
    demo.seed(lambda _: None)
    demo.seed(lambda _: None)  # idempotent
    assert Challenge.objects.filter(owner=org.manager).count() == 1
    # Every source (the built-in ones too) gets six months of spend, once.
    assert SourceSpend.objects.count() == 6 * LeadSource.objects.count()
