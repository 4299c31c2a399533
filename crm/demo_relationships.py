"""Demo accounts, contacts, activities and tasks spread over the last 18 months.

Seeded random, bulk inserts, skipped when demo accounts already exist.
"""

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.models import Account, Activity, Contact, Role, Task, User
from crm.models.accounts import ChannelPreference, EmailConsent, Relationship, Segment
from crm.models.activities import ActivityKind, TaskPriority

ACCOUNTS = 300
CONTACTS_PER_ACCOUNT = (1, 3)
ACTIVITIES = 4000
TASKS = 2000
DAYS = 548  # about 18 months

PREFIXES = [
    "North",
    "Blue",
    "Bright",
    "Iron",
    "Silver",
    "Green",
    "Red",
    "Swift",
    "Clear",
    "Prime",
    "Urban",
    "Pacific",
    "Alpine",
    "Atlas",
    "Nova",
    "Delta",
    "Summit",
    "Harbor",
    "Vertex",
    "Echo",
]
SUFFIXES = [
    "Systems",
    "Logistics",
    "Foods",
    "Health",
    "Labs",
    "Energy",
    "Retail",
    "Finance",
    "Media",
    "Robotics",
    "Textiles",
    "Motors",
    "Pharma",
    "Software",
    "Partners",
]
INDUSTRIES = [
    "Software",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Finance",
    "Logistics",
    "Energy",
    "Media",
    "Education",
    "Hospitality",
]
COUNTRIES = [
    ("Germany", "EMEA"),
    ("France", "EMEA"),
    ("United Kingdom", "EMEA"),
    ("United States", "Americas"),
    ("Canada", "Americas"),
    ("Brazil", "Americas"),
    ("Japan", "APAC"),
    ("India", "APAC"),
    ("Australia", "APAC"),
    ("Spain", "EMEA"),
]
FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jamal",
    "Kira",
    "Leo",
    "Mona",
    "Nils",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Yara",
    "Zane",
    "John",
    "Maria",
    "Katarina",
    "Tomasz",
    "Aiko",
]
LAST = [
    "Smith",
    "Müller",
    "Garcia",
    "Nakamura",
    "Kowalski",
    "Rossi",
    "Johnson",
    "Dubois",
    "Andersen",
    "Novak",
    "Okafor",
    "Fernandes",
    "Lindqvist",
    "Haddad",
    "Costa",
    "Brennan",
    "Schneider",
    "Ivanova",
    "Patel",
    "Moreau",
    "Nowakowski",
    "Jensen",
    "Silva",
    "Weber",
]
TITLES = [
    "CEO",
    "CTO",
    "Head of Procurement",
    "Operations Manager",
    "IT Director",
    "Buyer",
    "CFO",
    "VP Sales",
    "Office Manager",
    "Project Lead",
]
SUBJECTS = {
    ActivityKind.CALL: ["Discovery call", "Follow-up call", "Pricing questions", "Check-in call"],
    ActivityKind.EMAIL: ["Sent proposal", "Shared case study", "Answered security questions"],
    ActivityKind.MEETING: ["Demo", "On-site workshop", "Quarterly review", "Kick-off meeting"],
    ActivityKind.NOTE: ["Budget approved next quarter", "Champion changed roles", "Met at fair"],
}
OUTCOMES = ["Interested", "Call back next week", "Sent info", "No answer", "Booked demo", ""]
TASK_TITLES = [
    "Send follow-up",
    "Prepare proposal",
    "Call back",
    "Book demo",
    "Update pricing",
    "Check contract status",
    "Introduce solutions engineer",
    "Renewal reminder",
]


@transaction.atomic
def seed(log: Callable[[str], None]) -> None:
    if Account.objects.count() >= ACCOUNTS:
        log("relationships: demo accounts already present, skipping")
        return
    rng = random.Random(20240501)  # noqa: S311 - demo data, not security
    owners = list(User.objects.filter(role__in=[Role.REP, Role.MANAGER], is_active=True))
    if not owners:
        log("relationships: no reps to own demo records, skipping")
        return
    now = timezone.now()

    def past(days: int = DAYS) -> timedelta:
        return timedelta(days=rng.uniform(0, days))

    accounts: list[Account] = []
    for i in range(ACCOUNTS):
        name = f"{rng.choice(PREFIXES)} {rng.choice(SUFFIXES)}"
        country, region = rng.choice(COUNTRIES)
        relationship = rng.choices(
            [
                Relationship.PROSPECT,
                Relationship.CUSTOMER,
                Relationship.PARTNER,
                Relationship.FORMER,
            ],
            weights=[5, 4, 1, 1],
        )[0]
        created = now - past()
        accounts.append(
            Account(
                name=f"{name} {i + 1}" if i >= len(PREFIXES) * len(SUFFIXES) // 2 else name,
                domain=f"{name.lower().replace(' ', '')}{i + 1}.example.com",
                website=f"https://{name.lower().replace(' ', '')}{i + 1}.example.com",
                industry=rng.choice(INDUSTRIES),
                employee_count=rng.choice([8, 25, 60, 150, 400, 1200, 5000]),
                annual_revenue=Decimal(rng.randrange(200_000, 90_000_000, 10_000)),
                region=region,
                country=country,
                owner=rng.choice(owners),
                segment=rng.choices(list(Segment), weights=[1, 5, 2])[0],
                relationship=relationship,
                customer_since=min(created + timedelta(days=30), now).date()
                if relationship == Relationship.CUSTOMER
                else None,
                created_at=created,
            )
        )
    Account.objects.bulk_create(accounts)
    contacts: list[Contact] = []
    for account in accounts:
        for _ in range(rng.randint(*CONTACTS_PER_ACCOUNT)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            consent = rng.choices(list(EmailConsent), weights=[3, 5, 1])[0]
            contacts.append(
                Contact(
                    first_name=first,
                    last_name=last,
                    title=rng.choice(TITLES),
                    email=f"{first}.{last}{len(contacts)}@{account.domain}".lower(),
                    phone=f"+49 30 {rng.randint(1000000, 9999999)}",
                    account=account,
                    owner=account.owner,
                    preferred_channel=rng.choice(list(ChannelPreference)),
                    email_consent=consent,
                    consent_changed_at=None
                    if consent == EmailConsent.UNKNOWN
                    else account.created_at,
                    consent_source="" if consent == EmailConsent.UNKNOWN else "Web form",
                    created_at=min(account.created_at + timedelta(days=rng.uniform(0, 20)), now),
                )
            )
    Contact.objects.bulk_create(contacts)
    activities: list[Activity] = []
    for i in range(ACTIVITIES):
        contact = rng.choice(contacts)
        kind = rng.choices(list(ActivityKind), weights=[5, 4, 2, 1])[0]
        # A few meetings today so My day has something to show.
        when = now.replace(hour=9 + i % 8, minute=0) if i < 12 else now - past()
        if i < 12:
            kind = ActivityKind.MEETING
        activities.append(
            Activity(
                kind=kind,
                subject=rng.choice(SUBJECTS[kind]),
                occurred_at=when,
                duration_minutes=rng.choice([5, 15, 30, 45, 60]) if kind != "note" else None,
                outcome=rng.choice(OUTCOMES),
                owner=contact.owner,
                account=contact.account,
                contact=contact,
                created_at=min(when, now),  # a meeting later today was booked already
            )
        )
    Activity.objects.bulk_create(activities)
    tasks: list[Task] = []
    for i in range(TASKS):
        contact = rng.choice(contacts)
        due = now + timedelta(days=rng.uniform(-DAYS, 30))
        upcoming = due > now - timedelta(days=3) or i % 25 == 0
        tasks.append(
            Task(
                title=rng.choice(TASK_TITLES),
                due_at=due,
                priority=rng.choices(list(TaskPriority), weights=[2, 5, 2])[0],
                owner=contact.owner,
                created_by=contact.owner,
                account=contact.account,
                contact=contact,
                done_at=None if upcoming else due,
                reminder_sent_at=due if due < now else None,
                created_at=min(due - timedelta(days=7), now),
            )
        )
    Task.objects.bulk_create(tasks)
    log(
        f"relationships: {len(accounts)} accounts, {len(contacts)} contacts, "
        f"{len(activities)} activities, {len(tasks)} tasks"
    )
