"""Demo: the first manager sets a won-revenue challenge for their team this month, and
admins' spend per lead source for the last six months, so the source return has CAC and
CLV to show (idempotent)."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.models import Role, Team, User
from leads.models import LeadSource
from reporting.recognition.challenges import challenge_create
from reporting.recognition.models import Challenge, ChallengeMetric
from reporting.source_return.models import SourceSpend
from reporting.source_return.services import spend_create

NAME = "Month-end push"


@transaction.atomic
def seed(log: Callable[[str], None]) -> None:
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    manager = (
        User.objects.filter(role=Role.MANAGER, is_active=True, managed_teams__isnull=False)
        .order_by("id")
        .first()
    )
    if admin is None or manager is None:
        log("reporting: no admin or manager for the demo challenge; run crm.demo first")
        return
    today = timezone.localdate()
    team = Team.objects.filter(manager=manager).order_by("id").first()
    if team is not None and not Challenge.objects.filter(name=NAME).exists():
        challenge_create(
            actor=manager,
            name=NAME,
            metric=ChallengeMetric.WON_REVENUE,
            target=Decimal(150000),
            team=team,
            starts_on=today.replace(day=1),
            ends_on=(today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
        )
        log(f"reporting: challenge “{NAME}” for {team.name}")
    if SourceSpend.objects.exists():
        log("reporting: demo spend already present")
        return
    month = today.replace(day=1)
    sources = list(LeadSource.objects.order_by("id"))
    for back in range(6):
        for i, source in enumerate(sources):
            spend_create(
                actor=admin,
                source=source,
                month=month,
                marketing=Decimal(2000 + 750 * (i % 4) + 100 * back),
                sales=Decimal(1200 + 300 * (i % 3)),
            )
        month = (month - timedelta(days=1)).replace(day=1)
    log(f"reporting: spend for {len(sources)} sources over 6 months")
