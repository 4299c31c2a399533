"""Generated sales data for the reporting tests, with the facts kept in plain Python so each
test can compute the KPIs on its own and compare with the SQL."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from crm.models import User
from leads.models import Lead, LeadSource, LeadStatus, LeadTransition
from pipeline.models import Currency, Deal, Pipeline, Stage, StageHistory, StageKind
from tests.leads.factories import LeadFactory, LeadSourceFactory
from tests.pipeline.factories import DealFactory, make_currency, make_pipeline, open_stages

EUR_RATE = Decimal("1.10")


@dataclass
class Generated:
    pipeline: Pipeline
    stages: list[Stage]
    won: Stage
    lost: Stage
    sources: list[LeadSource]
    deals: list[Deal] = field(default_factory=list)  # live ones only
    deleted_deals: list[Deal] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)  # live ones only
    passed: dict[int, set[str]] = field(default_factory=dict)  # lead id -> statuses passed


def company_amount(deal: Deal) -> Decimal:
    return deal.amount * (EUR_RATE if deal.currency == "EUR" else Decimal(1))


def generate(owners: list[User], *, seed: int = 7, per_owner: int = 12) -> Generated:
    rng = random.Random(seed)
    if not Currency.objects.filter(code="EUR").exists():
        make_currency("EUR", str(EUR_RATE))
    pipeline = Pipeline.objects.filter(name="Reporting").first() or make_pipeline("Reporting")
    stages = open_stages(pipeline)
    won = pipeline.stages.get(kind=StageKind.WON)
    lost = pipeline.stages.get(kind=StageKind.LOST)
    sources = [LeadSourceFactory(name=f"Src {i}", slug=f"src-{i}") for i in range(3)]
    data = Generated(pipeline, stages, won, lost, sources)
    now = timezone.now()
    for owner in owners:
        for _ in range(per_owner):
            created = now - timedelta(days=rng.randint(1, 200), hours=rng.randint(0, 23))
            outcome = rng.choice(["open", "won", "won", "lost"])
            stage = rng.choice(stages) if outcome == "open" else (won if outcome == "won" else lost)
            closed = None
            if outcome != "open":
                closed = min(created + timedelta(days=rng.randint(0, 120), hours=3), now)
            deal = DealFactory(
                owner=owner,
                stage=stage,
                pipeline=pipeline,
                amount=Decimal(rng.randint(100, 90000)) / Decimal(4),
                currency=rng.choice(["USD", "USD", "EUR"]),
                created_at=created,
                closed_at=closed,
                stage_changed_at=closed or created,
            )
            data.deals.append(deal)
            _history(rng, deal, stages, created)
            _lead(rng, data, owner, deal, created)
        gone = DealFactory(
            owner=owner,
            stage=won,
            pipeline=pipeline,
            amount=Decimal("99999"),
            created_at=now - timedelta(days=5),
            closed_at=now - timedelta(days=1),
            deleted_at=now,
        )
        data.deleted_deals.append(gone)
        LeadFactory(owner=owner, deleted_at=now, created_at=now - timedelta(days=2))
        for _ in range(per_owner):
            _lead(rng, data, owner, None, now - timedelta(days=rng.randint(0, 150)))
    return data


def _history(rng: random.Random, deal: Deal, stages: list[Stage], created: datetime) -> None:
    moved = created
    previous = None
    for stage in stages[: rng.randint(1, len(stages))]:
        seconds = rng.randint(3600, 86400 * 30)
        moved = moved + timedelta(seconds=seconds)
        StageHistory.objects.create(
            deal=deal,
            pipeline=deal.pipeline,
            from_stage=previous,
            to_stage=stage,
            moved_at=moved,
            seconds_in_previous_stage=seconds if previous else None,
        )
        previous = stage


def _lead(
    rng: random.Random, data: Generated, owner: User, deal: Deal | None, created: datetime
) -> None:
    if deal is not None and rng.random() < 0.3:
        return  # not every deal came from a lead
    status = LeadStatus.CONVERTED if deal else rng.choice(list(LeadStatus.values))
    lead = LeadFactory.create(
        owner=owner,
        source=rng.choice([*data.sources, None]),
        status=status,
        converted_deal=deal,
        created_at=created,
    )
    passed = {status}
    if status == LeadStatus.DISQUALIFIED and rng.random() < 0.5:
        # Qualified once, then dropped: still counts at the MQL step.
        LeadTransition.objects.create(lead=lead, from_status="suspect", to_status="mql", at=created)
        passed.add(LeadStatus.MQL)
    data.leads.append(lead)
    data.passed[lead.pk] = passed
