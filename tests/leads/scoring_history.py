"""Generated lead history with a planted signal, for the scoring model's tests."""

import math
import random
from datetime import timedelta

from django.utils import timezone

from crm.models import User
from leads.models import Lead, LeadSource

SIGNAL_SOURCES = {"referral": 1.8, "event": 0.0, "purchased-list": -1.8}
SIGNAL_INDUSTRY = {"Software": 1.5, "Retail": -1.5, "Other": 0.0}
NOISE_REGIONS = ("North", "South", "East", "West")


def planted_history(owner: User, *, leads: int = 800, seed: int = 3) -> list[Lead]:
    """Decided leads whose odds of converting depend on source, industry and company size only;
    `region` is drawn independently of everything (a useless feature)."""
    rng = random.Random(seed)
    sources = {
        slug: LeadSource.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
        for slug in SIGNAL_SOURCES
    }
    now = timezone.now()
    rows = []
    for i in range(leads):
        source = rng.choice(list(SIGNAL_SOURCES))
        industry = rng.choice(list(SIGNAL_INDUSTRY))
        employees = int(10 ** rng.uniform(1, 4))
        z = SIGNAL_SOURCES[source] + SIGNAL_INDUSTRY[industry] + 1.2 * (math.log10(employees) - 2.5)
        converted = rng.random() < 1 / (1 + math.exp(-z))
        created = now - timedelta(days=400 - i * 0.4)
        rows.append(
            Lead(
                first_name="H",
                last_name=str(i),
                email=f"history{seed}-{i}@example.org",
                company=f"Co {i}",
                owner=owner,
                source=sources[source],
                industry=industry,
                employee_count=employees,
                region=rng.choice(NOISE_REGIONS),
                status="converted" if converted else "disqualified",
                converted_at=created + timedelta(days=10) if converted else None,
                created_at=created,
            )
        )
    return Lead.objects.bulk_create(rows)
