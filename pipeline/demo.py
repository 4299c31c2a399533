"""Demo pipeline data: two pipelines, catalogues, and ~3,000 deals over two years with
realistic stage progression (history rows), win/loss, amounts and cycle lengths.

Seeded random, bulk inserts, and a no-op when the demo pipelines already hold deals.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.models import Account, Role, User
from crm.services.accounts import account_create
from pipeline.models import (
    Currency,
    Deal,
    ExchangeRate,
    ForecastCategory,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageHistory,
    StageKind,
    WonReason,
)

DEAL_COUNT = 3000
DAYS = 730
# (name, probability, rotting days, forecast category)
NEW_BUSINESS = [
    ("Qualification", 10, 14, ForecastCategory.PIPELINE),
    ("Discovery", 20, 21, ForecastCategory.PIPELINE),
    ("Proposal", 40, 21, ForecastCategory.PIPELINE),
    ("Negotiation", 60, 14, ForecastCategory.BEST_CASE),
    ("Commit", 80, 10, ForecastCategory.COMMIT),
]
RENEWALS = [
    ("Upcoming", 50, 30, ForecastCategory.PIPELINE),
    ("In review", 70, 21, ForecastCategory.BEST_CASE),
    ("Committed", 90, 14, ForecastCategory.COMMIT),
]
LOST = ["Price", "Chose a competitor", "No budget", "No decision", "Bad timing", "Went silent"]
WON = ["Product fit", "Price", "Relationship", "Integrations", "Support quality"]
PRODUCTS = [
    ("Starter plan (annual)", "PLAN-START", "4800"),
    ("Growth plan (annual)", "PLAN-GROW", "14400"),
    ("Enterprise plan (annual)", "PLAN-ENT", "48000"),
    ("Onboarding package", "SVC-ONB", "3500"),
    ("Premium support", "SVC-SUP", "6000"),
    ("Extra seats (10)", "SEAT-10", "2400"),
]
RATES = {"EUR": ("Euro", "1.08"), "GBP": ("Pound sterling", "1.27")}
COMPANIES = ["Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"]


@dataclass
class Plan:
    stages: list[Stage]
    won: Stage
    lost: Stage
    loss_rate: float  # per stage
    mean_days: float  # per stage
    amount_mu: float


def _pipeline(name: str, position: int, stages: Sequence[tuple[str, int, int, str]]) -> Pipeline:
    pipeline, _ = Pipeline.objects.get_or_create(name=name, defaults={"position": position})
    for i, (stage_name, probability, rotting, category) in enumerate(stages):
        Stage.objects.get_or_create(
            pipeline=pipeline,
            name=stage_name,
            is_active=True,
            defaults={
                "position": i,
                "probability": probability,
                "rotting_days": rotting,
                "forecast_category": category,
            },
        )
    Stage.objects.get_or_create(
        pipeline=pipeline,
        kind=StageKind.WON,
        defaults={
            "name": "Won",
            "position": 1000,
            "probability": 100,
            "forecast_category": "closed",
        },
    )
    Stage.objects.get_or_create(
        pipeline=pipeline,
        kind=StageKind.LOST,
        defaults={
            "name": "Lost",
            "position": 1001,
            "probability": 0,
            "forecast_category": "omitted",
        },
    )
    return pipeline


def _catalogues() -> None:
    start = timezone.localdate() - timedelta(days=DAYS + 30)
    for code, (name, rate) in RATES.items():
        currency, _ = Currency.objects.get_or_create(code=code, defaults={"name": name})
        ExchangeRate.objects.get_or_create(
            currency=currency, effective_date=start, defaults={"rate": Decimal(rate)}
        )
    for i, name in enumerate(LOST):
        LostReason.objects.get_or_create(name=name, defaults={"position": i})
    for i, name in enumerate(WON):
        WonReason.objects.get_or_create(name=name, defaults={"position": i})
    for name, sku, price in PRODUCTS:
        Product.objects.get_or_create(
            sku=sku, defaults={"name": name, "list_price": Decimal(price), "currency": "USD"}
        )


def _plan(pipeline: Pipeline, loss_rate: float, mean_days: float, amount_mu: float) -> Plan:
    stages = list(pipeline.stages.filter(kind=StageKind.OPEN, is_active=True).order_by("position"))
    return Plan(
        stages=stages,
        won=pipeline.stages.get(kind=StageKind.WON),
        lost=pipeline.stages.get(kind=StageKind.LOST),
        loss_rate=loss_rate,
        mean_days=mean_days,
        amount_mu=amount_mu,
    )


def _accounts(reps: list[User], admin: User | None) -> dict[int, list[Account]]:
    accounts = list(Account.objects.alive().only("id", "owner_id", "name"))
    if not accounts and admin is not None:
        for i, company in enumerate(COMPANIES * 3):
            owner = reps[i % len(reps)]
            accounts.append(account_create(actor=admin, name=f"{company} {i + 1}", owner=owner))
    by_owner: dict[int, list[Account]] = {}
    for account in accounts:
        by_owner.setdefault(account.owner_id, []).append(account)
    return by_owner


def _when(rng: random.Random, start: datetime, mean_days: float) -> datetime:
    return start + timedelta(days=rng.expovariate(1 / mean_days), hours=rng.randint(0, 9))


@transaction.atomic
def seed(log: Callable[[str], None]) -> None:
    _catalogues()
    new_business = _pipeline("New business", 0, NEW_BUSINESS)
    renewals = _pipeline("Renewals", 1, RENEWALS)
    if Deal.objects.filter(pipeline__in=[new_business, renewals]).exists():
        log("pipeline: demo deals already present")
        return
    reps = list(User.objects.filter(role=Role.REP, is_active=True).order_by("id"))
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    if not reps:
        log("pipeline: no reps to own deals; run crm.demo first")
        return
    accounts = _accounts(reps, admin)
    all_accounts = [a for group in accounts.values() for a in group]
    plans = [_plan(new_business, 0.17, 16, 9.6), _plan(renewals, 0.07, 24, 9.9)]
    lost_reasons = list(LostReason.objects.all())
    won_reasons = list(WonReason.objects.all())
    rng = random.Random(20240101)  # noqa: S311 - demo data, not security
    now = timezone.now()
    deals: list[Deal] = []
    moves: list[list[tuple[Stage | None, Stage, datetime]]] = []
    for i in range(DEAL_COUNT):
        plan = plans[0] if rng.random() < 0.75 else plans[1]
        owner = reps[rng.randrange(len(reps))]
        mine = accounts.get(owner.pk) or all_accounts
        account = mine[rng.randrange(len(mine))] if mine else None
        # More deals recently: the business grows.
        created = now - timedelta(days=DAYS * rng.random() ** 1.4)
        path: list[tuple[Stage | None, Stage, datetime]] = [(None, plan.stages[0], created)]
        at, stage = created, plan.stages[0]
        closed: Stage | None = None
        for step, next_stage in enumerate([*plan.stages[1:], plan.won]):
            at = _when(rng, at, plan.mean_days * (1 + step * 0.15))
            if at > now:
                break
            if rng.random() < plan.loss_rate:
                closed = plan.lost
                path.append((stage, plan.lost, at))
                break
            path.append((stage, next_stage, at))
            stage = next_stage
            if next_stage == plan.won:
                closed = plan.won
        final = path[-1][1]
        kind = "renewal" if plan is plans[1] else "deal"
        amount = Decimal(round(rng.lognormvariate(plan.amount_mu, 0.7), -2)).quantize(Decimal("1"))
        currency = rng.choices(["USD", "EUR", "GBP"], weights=[85, 10, 5])[0]
        close_date: date = (
            path[-1][2].date()
            if closed
            else (created + timedelta(days=plan.mean_days * 7 + rng.uniform(-20, 40))).date()
        )
        deals.append(
            Deal(
                name=f"{account.name if account else 'Prospect'} {kind} {i + 1}",
                account=account,
                owner=owner,
                pipeline=final.pipeline,
                stage=final,
                amount=amount,
                currency=currency,
                expected_close_date=close_date,
                probability=final.probability,
                forecast_category=final.forecast_category,
                deal_type="renewal" if kind == "renewal" else "new_business",
                lost_reason=lost_reasons[rng.randrange(len(lost_reasons))]
                if closed == plan.lost
                else None,
                won_reason=won_reasons[rng.randrange(len(won_reasons))]
                if closed == plan.won
                else None,
                stage_changed_at=path[-1][2],
                closed_at=path[-1][2] if closed else None,
                created_at=created,
                updated_by=owner,
            )
        )
        moves.append(path)
    Deal.objects.bulk_create(deals, batch_size=1000)
    history = []
    for deal, path in zip(deals, moves, strict=True):
        previous_at: datetime | None = None
        for from_stage, to_stage, at in path:
            history.append(
                StageHistory(
                    deal=deal,
                    pipeline_id=deal.pipeline_id,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    moved_by_id=deal.owner_id,
                    moved_at=at,
                    seconds_in_previous_stage=int((at - previous_at).total_seconds())
                    if previous_at
                    else None,
                )
            )
            previous_at = at
    StageHistory.objects.bulk_create(history, batch_size=2000)
    won = sum(1 for d in deals if d.stage.kind == StageKind.WON)
    lost = sum(1 for d in deals if d.stage.kind == StageKind.LOST)
    log(
        f"pipeline: {len(deals)} deals ({won} won, {lost} lost, {len(deals) - won - lost} open), "
        f"{len(history)} stage moves"
    )
