"""Demo leads: ~5,000 over 18 months across sources, stages and temperatures, some
duplicates waiting to be merged, assignment rules and a website form. Idempotent.

Conversions into the pipeline's deals happen in leads/demo_conversions.py, which
seed_demo runs after pipeline.demo (it needs the pipelines, and pipeline.demo only fills
pipelines that have no deals yet).
"""

import math
import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.models import Activity, Role, Team, User
from leads.models import (
    AssignmentAction,
    AssignmentRule,
    Lead,
    LeadSettings,
    LeadSource,
    LeadTransition,
    Temperature,
    Timeframe,
    WebForm,
)

LEAD_COUNT = 5000
DUPLICATE_PAIRS = 40
FIRST = ["Ava", "Noah", "Mia", "Liam", "Zoe", "Ethan", "Isla", "Lucas", "Maya", "Omar",
         "Priya", "Jonas", "Sofia", "Mateo", "Aiko", "Lena", "Tom", "Nora", "Ravi", "Chloe",
         "Katherine", "Jonathan", "Fatima", "Diego", "Hana"]  # fmt: skip
LAST = ["Martin", "Okafor", "Schmidt", "Rossi", "Tanaka", "Silva", "Dubois", "Novak",
        "Haddad", "Kowalski", "Iyer", "Berg", "Johnson", "Garcia", "Nguyen", "Jensen", "Costa",
        "Moreau", "Larsen", "Popescu", "Fischer", "Lopez", "Wright", "Khan"]  # fmt: skip
COMPANY = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Tyrell",
           "Wonka", "Monarch", "Aperture", "Nakatomi", "Pied Piper", "Blue Sun", "Northwind",
           "Contoso", "Fabrikam", "Tailspin", "Litware", "Adventure Works"]  # fmt: skip
SUFFIX = ["Labs", "Systems", "Foods", "Logistics", "Health", "Capital", "Robotics", "Energy"]
COUNTRIES = [("United States", "AMER"), ("Canada", "AMER"), ("Germany", "EMEA"),
             ("France", "EMEA"), ("United Kingdom", "EMEA"), ("India", "APAC"),
             ("Japan", "APAC"), ("Australia", "APAC")]  # fmt: skip
TITLES = ["CTO", "Head of Operations", "VP Sales", "IT Manager", "CFO", "Founder"]
INDUSTRIES = ["Software", "Manufacturing", "Retail", "Healthcare", "Finance", "Logistics"]
# weight per source slug: referrals and inbound dominate, purchased lists are few
SOURCE_WEIGHTS = {"inbound-website": 22, "referral": 12, "paid-ads": 10, "webinar": 8,
                  "email-campaign": 8, "social-linkedin": 8, "blog-content": 7, "event": 5,
                  "trade-show": 5, "live-chat": 5, "networking": 4, "existing-customer": 3,
                  "purchased-list": 2, "re-engagement": 1}  # fmt: skip
OPEN_STATUS_WEIGHTS = {"suspect": 60, "mql": 40}
# Leads older than this are mostly decided: qualified (SQL, some converted later) or
# disqualified, with odds that follow the planted propensity below.
DECIDED_AFTER_DAYS = 45
DECIDED_SHARE = 0.55
TIMEFRAME_WEIGHTS: dict[str, int] = {Timeframe.IMMEDIATE: 12, Timeframe.WITHIN_2_MONTHS: 23,
                     Timeframe.LATER: 20, Timeframe.NONE: 25, Timeframe.UNKNOWN: 20}  # fmt: skip
TEMPERATURE_OF: dict[str, str] = {
    Timeframe.IMMEDIATE: Temperature.HOT,
    Timeframe.WITHIN_2_MONTHS: Temperature.WARM,
}
DISQUALIFY_REASONS = ["No budget", "Not a fit", "Unreachable", "Chose a competitor", "Student"]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# The demo history has a real signal for lead scoring to find: the log-odds of qualifying
# rise with these, and nothing else (country, campaign, phone) matters.
SOURCE_EFFECT = {"referral": 1.6, "existing-customer": 1.4, "event": 0.7, "webinar": 0.5,
                 "trade-show": 0.4, "purchased-list": -1.5, "paid-ads": -0.6,
                 "social-linkedin": -0.3}  # fmt: skip
INDUSTRY_EFFECT = {"Software": 0.9, "Finance": 0.5, "Retail": -0.7, "Logistics": -0.2}
TITLE_EFFECT = {"CTO": 0.6, "Founder": 0.7, "CFO": 0.4, "IT Manager": -0.3}
TIMEFRAME_EFFECT: dict[str, float] = {Timeframe.IMMEDIATE: 1.2, Timeframe.WITHIN_2_MONTHS: 0.6,
                                      Timeframe.NONE: -1.0}  # fmt: skip


def propensity(*, source: str, industry: str, title: str, timeframe: str, employees: int) -> float:
    """Probability that the demo lead qualifies (planted signal)."""
    z = -1.1 + SOURCE_EFFECT.get(source, 0.0) + INDUSTRY_EFFECT.get(industry, 0.0)
    z += TITLE_EFFECT.get(title, 0.0) + TIMEFRAME_EFFECT.get(timeframe, 0.0)
    z += 0.45 * (math.log10(max(employees, 1)) - 2.0)
    return 1.0 / (1.0 + math.exp(-z))


def _rules(reps: list[User], log: Callable[[str], None]) -> None:
    if AssignmentRule.objects.exists():
        return
    enterprise = Team.objects.filter(name="Enterprise").first()
    midmarket = Team.objects.filter(name="Mid-market").first()
    if enterprise:
        AssignmentRule.objects.create(
            name="Large companies → Enterprise (round robin)",
            position=1,
            min_employees=1000,
            action=AssignmentAction.ROUND_ROBIN,
            team=enterprise,
        )
    referral = LeadSource.objects.filter(slug="referral").first()
    if referral and reps:
        AssignmentRule.objects.create(
            name="Referrals → the first rep",
            position=2,
            source=referral,
            action=AssignmentAction.USER,
            user=reps[0],
        )
    if midmarket:
        AssignmentRule.objects.create(
            name="Everyone else → Mid-market (least loaded)",
            position=3,
            action=AssignmentAction.LEAST_LOADED,
            team=midmarket,
        )
    manager = User.objects.filter(email="manager1@example.com").first()
    LeadSettings.objects.update_or_create(pk=1, defaults={"fallback_owner": manager})
    WebForm.objects.get_or_create(
        name="Website contact form",
        defaults={"source": LeadSource.objects.filter(slug="inbound-website").first()},
    )
    log("leads: assignment rules, fallback owner and a website form")


@transaction.atomic
def seed(log: Callable[[str], None]) -> None:
    reps = list(User.objects.filter(role=Role.REP, is_active=True).order_by("id"))
    if not reps:
        log("leads: no reps to own leads; run crm.demo first")
        return
    _rules(reps, log)
    if Lead.objects.filter(email__endswith=".demo").exists():
        log("leads: demo leads already present")
        return
    rng = random.Random(20240606)  # noqa: S311 - demo data
    sources = {s.slug: s for s in LeadSource.objects.all()}
    weights = {k: v for k, v in SOURCE_WEIGHTS.items() if k in sources}
    now = timezone.now()
    leads = []
    propensities: list[float] = []
    for i in range(LEAD_COUNT):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)}"
        country, region = rng.choice(COUNTRIES)
        timeframe = _pick(rng, TIMEFRAME_WEIGHTS)
        created = now - timedelta(days=540 * rng.random() ** 0.8, minutes=rng.randint(0, 1440))
        source = _pick(rng, weights)
        title, industry = rng.choice(TITLES), rng.choice(INDUSTRIES)
        employees = int(10 * 10 ** (rng.random() * 3.5))
        p = propensity(
            source=source, industry=industry, title=title, timeframe=timeframe, employees=employees
        )
        old = (now - created).days > DECIDED_AFTER_DAYS
        if old and rng.random() < DECIDED_SHARE:
            status = "sql" if rng.random() < p else "disqualified"
        else:
            status = _pick(rng, OPEN_STATUS_WEIGHTS)
        propensities.append(p)
        active = created + (now - created) * rng.random() if rng.random() < 0.6 else None
        leads.append(
            Lead(
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{i}@{company.split()[0].lower()}.demo".lower(),
                phone=f"+1 555 {rng.randint(1000000, 9999999)}" if rng.random() < 0.7 else "",
                company=company,
                title=title,
                industry=industry,
                employee_count=employees,
                country=country,
                region=region,
                source=sources[source],
                owner=rng.choice(reps),
                status=status,
                disqualified_reason=rng.choice(DISQUALIFY_REASONS)
                if status == "disqualified"
                else "",
                timeframe=timeframe,
                temperature=TEMPERATURE_OF.get(timeframe, Temperature.COLD),
                budget=Decimal(rng.randrange(1000, 100000, 500)) if rng.random() < 0.4 else None,
                last_activity_at=active,
                created_at=created,
            )
        )
    # Duplicates to merge: the same person again with a typo and another address.
    for lead in rng.sample(leads, DUPLICATE_PAIRS):
        twin = Lead(
            **{
                f.attname: getattr(lead, f.attname)
                for f in Lead._meta.concrete_fields
                if not f.primary_key and not f.generated
            }
        )
        twin.last_name = lead.last_name[:-1] + lead.last_name[-1] * 2
        twin.email = "dup." + lead.email
        # The twin came in later, but never after today.
        twin.created_at = min(lead.created_at + timedelta(days=rng.randint(1, 30)), now)
        leads.append(twin)
    saved = Lead.objects.bulk_create(leads, batch_size=1000)
    transitions = []
    for lead in saved:
        if lead.status in ("mql", "sql", "disqualified"):
            transitions.append(
                LeadTransition(
                    lead=lead,
                    from_status="suspect",
                    to_status=lead.status,
                    actor=lead.owner,
                    at=min(lead.created_at + timedelta(days=3), now),
                    reason=lead.disqualified_reason,
                )
            )
    LeadTransition.objects.bulk_create(transitions, batch_size=1000)
    activities = _activities(rng, saved[:LEAD_COUNT], propensities, now)
    log(
        f"leads: {len(saved)} leads ({DUPLICATE_PAIRS} duplicate pairs to merge), "
        f"{activities} activities on them"
    )


def _activities(rng: random.Random, leads: list[Lead], propensities: list[float], now: Any) -> int:
    """Calls, emails and meetings on leads: keener leads get more of them, and decided leads
    get theirs before the decision (three days after creation)."""
    rows = []
    for lead, p in zip(leads, propensities, strict=True):
        count = sum(1 for _ in range(6) if rng.random() < 0.08 + 0.35 * p)
        if lead.status in ("sql", "disqualified"):
            window = timedelta(days=3)
        else:
            window = min(now - lead.created_at, timedelta(days=60))
        for _ in range(count):
            kind = rng.choices(["call", "email", "meeting"], weights=[5, 4, 1 + 3 * p])[0]
            replied = kind == "email" and rng.random() < p
            when = lead.created_at + window * rng.random()
            rows.append(
                Activity(
                    kind=kind,
                    subject={"call": "Intro call", "email": "Follow-up", "meeting": "Demo"}[kind],
                    outcome="Replied" if replied else rng.choice(["", "No answer", "Sent info"]),
                    occurred_at=when,
                    created_at=when,
                    owner=lead.owner,
                    lead=lead,
                )
            )
    Activity.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
