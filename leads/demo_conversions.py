"""Demo conversions: some SQL leads become accounts, contacts and deals in the pipeline,
through the real conversion service. Runs after pipeline.demo (see leads/demo.py)."""

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from crm.errors import DomainError
from crm.models import User
from leads.models import Lead, LeadStatus
from leads.scoring import demo as scoring_demo
from leads.services.conversion import DealSpec, lead_convert
from pipeline.models import Pipeline

CONVERSIONS = 250


def seed(log: Callable[[str], None]) -> None:
    if Lead.objects.filter(status=LeadStatus.CONVERTED, email__endswith=".demo").exists():
        log("leads: demo conversions already present")
        return
    pipeline = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
    if pipeline is None:
        log("leads: no pipeline; conversions skipped")
        return
    rng = random.Random(7)  # noqa: S311 - demo data
    candidates = list(
        Lead.objects.alive()
        .filter(status=LeadStatus.SQL, email__endswith=".demo")
        .exclude(email__startswith="dup.")
        .select_related("owner")
        .order_by("id")
    )
    done = 0
    for lead in rng.sample(candidates, min(CONVERSIONS, len(candidates))):
        owner: User = lead.owner
        try:
            lead_convert(
                actor=owner,
                lead=lead,
                account_data={"website": ""},
                deal=DealSpec(
                    pipeline=pipeline,
                    name=f"{lead.company} - first order",
                    amount=Decimal(rng.randrange(2000, 80000, 500)),
                ),
            )
        except DomainError as exc:  # e.g. two demo leads at one company domain
            log(f"leads: skipped converting {lead.pk}: {exc}")
            continue
        done += 1
        # Demo history: the conversion happened a few days after qualification, not today.
        when = lead.created_at + timedelta(days=rng.uniform(3, 30))
        Lead.objects.filter(pk=lead.pk).update(converted_at=when)
    log(f"leads: {done} converted into {pipeline.name} deals")
    scoring_demo.seed(log)
