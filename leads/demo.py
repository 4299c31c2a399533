"""Demo leads: ~5,000 over 18 months across sources, stages and temperatures, some
duplicates waiting to be merged, assignment rules and a website form. Idempotent.

Conversions into the pipeline's deals happen in leads/demo_conversions.py, which
seed_demo runs after pipeline.demo (it needs the pipelines, and pipeline.demo only fills
pipelines that have no deals yet).
"""

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.models import Role, Team, User
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
STATUS_WEIGHTS = {"suspect": 40, "mql": 22, "sql": 13, "disqualified": 15, "converted": 0}
TIMEFRAME_WEIGHTS: dict[str, int] = {Timeframe.IMMEDIATE: 12, Timeframe.WITHIN_2_MONTHS: 23,
                     Timeframe.LATER: 20, Timeframe.NONE: 25, Timeframe.UNKNOWN: 20}  # fmt: skip
TEMPERATURE_OF: dict[str, str] = {
    Timeframe.IMMEDIATE: Temperature.HOT,
    Timeframe.WITHIN_2_MONTHS: Temperature.WARM,
}
DISQUALIFY_REASONS = ["No budget", "Not a fit", "Unreachable", "Chose a competitor", "Student"]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


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
    for i in range(LEAD_COUNT):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)}"
        country, region = rng.choice(COUNTRIES)
        timeframe = _pick(rng, TIMEFRAME_WEIGHTS)
        status = _pick(rng, STATUS_WEIGHTS)
        created = now - timedelta(days=540 * rng.random() ** 0.8, minutes=rng.randint(0, 1440))
        active = created + (now - created) * rng.random() if rng.random() < 0.6 else None
        leads.append(
            Lead(
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{i}@{company.split()[0].lower()}.demo".lower(),
                phone=f"+1 555 {rng.randint(1000000, 9999999)}" if rng.random() < 0.7 else "",
                company=company,
                title=rng.choice(TITLES),
                industry=rng.choice(INDUSTRIES),
                employee_count=int(10 * 10 ** (rng.random() * 3.5)),
                country=country,
                region=region,
                source=sources[_pick(rng, weights)],
                owner=rng.choice(reps),
                status=status,
                disqualified_reason=rng.choice(DISQUALIFY_REASONS)
                if status == "disqualified"
                else "",
                timeframe=timeframe,
                temperature=TEMPERATURE_OF.get(timeframe, Temperature.COLD),
                budget=Decimal(rng.randrange(1000, 100000, 500)) if rng.random() < 0.4 else None,
                score=rng.randint(0, 100) if rng.random() < 0.8 else None,
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
    log(f"leads: {len(saved)} leads ({DUPLICATE_PAIRS} duplicate pairs to merge)")
