"""A large, realistic data set in seconds: people in Python, leads and deals in SQL.

Leads are one `INSERT ... SELECT generate_series` per batch, drawing names, companies,
sources, statuses, temperatures and owners from skewed distributions with PostgreSQL's
seeded random(), so `--seed` makes the same data every time.
"""

import random
from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from crm.models import Role, Team, User
from leads.models import LeadSource

FIRST = ["Ava", "Noah", "Mia", "Liam", "Zoe", "Ethan", "Isla", "Lucas", "Maya", "Omar", "Priya",
         "Jonas", "Sofia", "Mateo", "Aiko", "Lena", "Tom", "Nora", "Ravi", "Chloe", "Ivan",
         "Fatima", "Diego", "Hana", "Leo", "Emma", "Kofi", "Sara", "Yusuf", "Elena"]  # fmt: skip
LAST = ["Martin", "Okafor", "Schmidt", "Rossi", "Tanaka", "Silva", "Dubois", "Novak", "Haddad",
        "Kowalski", "Iyer", "Berg", "Smith", "Garcia", "Müller", "Nguyen", "Kim", "Jensen",
        "Costa", "Moreau", "Ahmed", "Larsen", "Popescu", "Fischer", "Brown", "Lopez", "Sato",
        "Wright", "Khan", "Meyer"]  # fmt: skip
COMPANY_A = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
             "Soylent", "Tyrell", "Cyberdyne", "Wonka", "Gringotts", "Monarch", "Aperture",
             "Nakatomi", "Oscorp", "Pied Piper", "Massive", "Blue Sun"]  # fmt: skip
COMPANY_B = ["Labs", "Systems", "Foods", "Logistics", "Health", "Capital", "Media", "Robotics",
             "Energy", "Retail", "Software", "Analytics"]  # fmt: skip
INDUSTRIES = ["Software", "Manufacturing", "Retail", "Healthcare", "Finance", "Logistics",
              "Education", "Media"]  # fmt: skip
COUNTRIES = [("United States", "AMER"), ("Canada", "AMER"), ("Brazil", "AMER"),
             ("Germany", "EMEA"), ("France", "EMEA"), ("United Kingdom", "EMEA"),
             ("Netherlands", "EMEA"), ("India", "APAC"), ("Japan", "APAC"),
             ("Australia", "APAC")]  # fmt: skip

LEADS_SQL = """
WITH r AS (
    SELECT g, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6,
           random() r7, power(random(), 0.7) age
    FROM generate_series(%(start)s, %(stop)s) g
)
INSERT INTO leads_lead (
    first_name, last_name, email, phone, company, title, website, industry, employee_count,
    country, region, source_id, campaign, owner_id, status, disqualified_reason, timeframe,
    temperature, temperature_overridden, temperature_override_reason, budget, notes, score,
    last_activity_at, created_at, updated_at, assigned_at
)
SELECT
    (%(first)s::text[])[1 + floor(r1 * %(n_first)s)::int],
    (%(last)s::text[])[1 + floor(r2 * %(n_last)s)::int],
    'lead' || g || '@' || lower(replace((%(ca)s::text[])[1 + floor(r3 * %(n_ca)s)::int], ' ', ''))
        || '-' || (g %% 997) || '.example',
    CASE WHEN r4 < 0.7 THEN '+1 555 ' || lpad((g %% 10000000)::text, 7, '0') ELSE '' END,
    (%(ca)s::text[])[1 + floor(r3 * %(n_ca)s)::int] || ' '
        || (%(cb)s::text[])[1 + floor(r5 * %(n_cb)s)::int],
    CASE WHEN r6 < 0.3 THEN 'Head of Operations' WHEN r6 < 0.6 THEN 'CTO' ELSE 'Manager' END,
    '',
    (%(industries)s::text[])[1 + floor(r7 * %(n_ind)s)::int],
    (10 * power(10, r5 * 3.5))::int,
    (%(countries)s::text[])[1 + floor(r6 * %(n_countries)s)::int],
    (%(regions)s::text[])[1 + floor(r6 * %(n_countries)s)::int],
    (%(sources)s::bigint[])[1 + floor(power(r4, 1.6) * %(n_sources)s)::int],
    '',
    (%(owners)s::bigint[])[1 + floor(power(r1, 1.2) * %(n_owners)s)::int],
    CASE WHEN r7 < 0.45 THEN 'suspect' WHEN r7 < 0.68 THEN 'mql' WHEN r7 < 0.80 THEN 'sql'
         WHEN r7 < 0.88 THEN 'converted' ELSE 'disqualified' END,
    CASE WHEN r7 >= 0.88 THEN 'No budget' ELSE '' END,
    CASE WHEN r2 < 0.12 THEN 'immediate' WHEN r2 < 0.35 THEN 'within_2_months'
         WHEN r2 < 0.55 THEN 'later' WHEN r2 < 0.80 THEN 'none' ELSE 'unknown' END,
    CASE WHEN r2 < 0.12 THEN 'hot' WHEN r2 < 0.35 THEN 'warm' ELSE 'cold' END,
    false, '',
    CASE WHEN r3 < 0.4 THEN round((1000 + r5 * 99000)::numeric, -2) END,
    '',
    CASE WHEN r6 < 0.8 THEN floor(r1 * 101)::int END,
    CASE WHEN r5 < 0.6 THEN %(now)s - (age * 540 * 0.5) * interval '1 day' END,
    %(now)s - (age * 540) * interval '1 day',
    %(now)s - (age * 540) * interval '1 day',
    %(now)s - (age * 540) * interval '1 day'
FROM r
"""


def ensure_reps(count: int, log: Callable[[str], None]) -> list[int]:
    """`count` reps named bench-rep-N in 20 teams under managers; returns the rep ids."""
    existing = list(
        User.objects.filter(email__startswith="bench-rep-")
        .order_by("id")
        .values_list("id", flat=True)
    )
    if len(existing) >= count:
        return existing[:count]
    password = make_password("bench12345")
    with transaction.atomic():
        root, _ = Team.objects.get_or_create(name="Bench sales")
        if not root.path:
            root.path = f"/{root.pk}/"
            root.save(update_fields=["path"])
        teams = []
        for i in range(20):
            team, _ = Team.objects.get_or_create(
                name=f"Bench team {i + 1}", defaults={"parent": root}
            )
            if not team.path:
                team.path = f"{root.path}{team.pk}/"
                team.save(update_fields=["path"])
            manager, _ = User.objects.get_or_create(
                email=f"bench-manager-{i + 1}@example.com",
                defaults={
                    "password": password,
                    "role": Role.MANAGER,
                    "team": team,
                    "first_name": "Manager",
                    "last_name": str(i + 1),
                },
            )
            if team.manager_id is None:
                team.manager = manager
                team.save(update_fields=["manager"])
            teams.append(team)
        User.objects.bulk_create(
            [
                User(
                    email=f"bench-rep-{n + 1}@example.com",
                    password=password,
                    role=Role.REP,
                    team=teams[n % len(teams)],
                    first_name=FIRST[n % len(FIRST)],
                    last_name=f"{LAST[n % len(LAST)]} {n + 1}",
                )
                for n in range(len(existing), count)
            ]
        )
    log(f"reps: {count} in 20 teams")
    return list(
        User.objects.filter(email__startswith="bench-rep-")
        .order_by("id")
        .values_list("id", flat=True)
    )[:count]


SECONDARY_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes
WHERE tablename = 'leads_lead' AND indexdef NOT LIKE 'CREATE UNIQUE%%'
"""


def generate_leads(
    *, count: int, owners: list[int], seed: int, log: Callable[[str], None], batch: int = 250_000
) -> None:
    """Big loads drop the secondary indexes and rebuild them once at the end (much faster
    than maintaining 20 indexes, two of them trigram GIN, row by row)."""
    sources = list(LeadSource.objects.order_by("position", "id").values_list("id", flat=True))
    rng = random.Random(seed)
    rng.shuffle(owners)
    with connection.cursor() as cursor:
        indexes: list[tuple[str, str]] = []
        if count >= 100_000:
            cursor.execute(SECONDARY_INDEXES)
            indexes = list(cursor.fetchall())
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        try:
            _insert(
                cursor, count=count, owners=owners, sources=sources, seed=seed, log=log, batch=batch
            )
        finally:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in indexes:
                started = timezone.now()
                cursor.execute(definition)
                log(f"index {name}: {(timezone.now() - started).total_seconds():.1f} s")
        cursor.execute("ANALYZE leads_lead")


def _insert(
    cursor: Any,
    *,
    count: int,
    owners: list[int],
    sources: list[int],
    seed: int,
    log: Callable[[str], None],
    batch: int,
) -> None:
    cursor.execute("SELECT coalesce(max(id), 0) FROM leads_lead")
    offset = cursor.fetchone()[0]
    cursor.execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0)])
    now = timezone.now()
    done = 0
    while done < count:
        size = min(batch, count - done)
        params = {
            "start": offset + done + 1,
            "stop": offset + done + size,
            "first": FIRST, "n_first": len(FIRST),
            "last": LAST, "n_last": len(LAST),
            "ca": COMPANY_A, "n_ca": len(COMPANY_A),
            "cb": COMPANY_B, "n_cb": len(COMPANY_B),
            "industries": INDUSTRIES, "n_ind": len(INDUSTRIES),
            "countries": [c for c, _ in COUNTRIES], "regions": [r for _, r in COUNTRIES],
            "n_countries": len(COUNTRIES),
            "sources": sources, "n_sources": len(sources),
            "owners": owners, "n_owners": len(owners),
            "now": now,
        }  # fmt: skip
        cursor.execute(LEADS_SQL, params)
        done += size
        log(f"leads: {done:,} / {count:,}")


DEALS_SQL = """
INSERT INTO pipeline_deal (
    name, account_id, primary_contact_id, owner_id, pipeline_id, stage_id, amount, currency,
    expected_close_date, probability, forecast_category, next_step, version,
    stage_changed_at, closed_at, created_at, updated_at, amount_follows_line_items, close_note
)
SELECT 'Deal ' || g, NULL, NULL,
    (%(owners)s::bigint[])[1 + floor(random() * %(n_owners)s)::int],
    %(pipeline)s,
    (%(stages)s::bigint[])[1 + floor(random() * %(n_stages)s)::int],
    round((500 + power(random(), 2) * 200000)::numeric, 0), %(currency)s,
    (%(now)s + (random() * 270 - 90) * interval '1 day')::date, 30, 'pipeline', '', 1,
    %(now)s - random() * interval '90 days', NULL,
    %(now)s - random() * interval '540 days', %(now)s, false, ''
FROM generate_series(1, %(count)s) g
"""


def generate_deals(*, count: int, owners: list[int], log: Callable[[str], None]) -> None:
    """Open deals spread over the first active pipeline's open stages (bench data only)."""
    if count <= 0:
        return
    from django.conf import settings

    from pipeline.models import Pipeline

    pipeline = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
    if pipeline is None:
        log("deals: skipped (no pipeline yet; run seed_demo first)")
        return
    stages = list(pipeline.stages.filter(kind="open").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            DEALS_SQL,
            {
                "owners": owners,
                "n_owners": len(owners),
                "pipeline": pipeline.pk,
                "stages": stages,
                "n_stages": len(stages),
                "currency": settings.DEFAULT_CURRENCY,
                "now": timezone.now(),
                "count": count,
            },
        )
        cursor.execute("ANALYZE pipeline_deal")
    log(f"deals: {count:,} in {pipeline.name}")


def ensure_bench_people(log: Callable[[str], None]) -> None:
    """A manager over every bench team (the company view) and an admin, for the bench's
    "manager over everyone" and "admin" rows; idempotent."""
    password = make_password("bench12345")
    with transaction.atomic():
        root = Team.objects.filter(name="Bench sales").first()
        if root is not None and root.manager_id is None:
            director, _ = User.objects.get_or_create(
                email="bench-director@example.com",
                defaults={
                    "password": password,
                    "role": Role.MANAGER,
                    "team": root,
                    "first_name": "Bench",
                    "last_name": "Director",
                },
            )
            root.manager = director
            root.save(update_fields=["manager"])
        if not User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            User.objects.create(
                email="bench-admin@example.com",
                password=password,
                role=Role.ADMIN,
                first_name="Bench",
                last_name="Admin",
            )
    log("people: a manager over every bench team, an admin")


ACCOUNTS = 20_000


def ensure_accounts(*, owners: list[int], log: Callable[[str], None]) -> None:
    """20,000 bench accounts, and a fifth of the deals linked to them (account pages)."""
    from crm.models import Account

    have = Account.objects.filter(name__startswith="Bench account ").count()
    if have >= ACCOUNTS:
        return
    rng = random.Random(7)
    Account.objects.bulk_create(
        (
            Account(
                name=f"Bench account {n + 1}",
                owner_id=owners[rng.randrange(len(owners))],
                industry=INDUSTRIES[n % len(INDUSTRIES)],
                country=COUNTRIES[n % len(COUNTRIES)][0],
            )
            for n in range(have, ACCOUNTS)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE pipeline_deal d SET account_id = a.id
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM crm_account
                  WHERE name LIKE 'Bench account %%') a
            WHERE d.account_id IS NULL AND d.id %% 5 = 0 AND a.n = 1 + (d.id / 5) %% %s
            """,
            [ACCOUNTS],
        )
        linked = cursor.rowcount
        cursor.execute("ANALYZE crm_account; ANALYZE pipeline_deal")
    log(f"accounts: {ACCOUNTS:,}, {linked:,} deals linked to them")
