"""Demo people: an admin, 3 managers and 12 reps in a small team tree."""

from collections.abc import Callable

from django.db import transaction

from crm.models import Role, Team, User

DEMO_PASSWORD = "demo12345"  # noqa: S105 - documented demo login, local only
ADMIN_EMAIL = "admin@example.com"

FIRST_NAMES = [
    "Ava",
    "Noah",
    "Mia",
    "Liam",
    "Zoe",
    "Ethan",
    "Isla",
    "Lucas",
    "Maya",
    "Omar",
    "Priya",
    "Jonas",
]
LAST_NAMES = [
    "Martin",
    "Okafor",
    "Schmidt",
    "Rossi",
    "Tanaka",
    "Silva",
    "Dubois",
    "Novak",
    "Haddad",
    "Kowalski",
    "Iyer",
    "Berg",
]
TEAMS = [
    # (name, parent, manager email)
    ("Sales", None, "manager1@example.com"),
    ("Enterprise", "Sales", "manager2@example.com"),
    ("Mid-market", "Sales", "manager3@example.com"),
]
MANAGERS = [
    ("manager1@example.com", "Grace", "Hopper", "Sales", "Head of Sales"),
    ("manager2@example.com", "Marcus", "Webb", "Enterprise", "Enterprise Sales Manager"),
    ("manager3@example.com", "Lena", "Fischer", "Mid-market", "Mid-market Sales Manager"),
]


def _user(email: str, first: str, last: str, role: str, team: Team | None, title: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            role=role,
            team=team,
            title=title,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
    return user


@transaction.atomic
def seed(log: Callable[[str], None]) -> None:
    admin = _user(ADMIN_EMAIL, "Alex", "Admin", Role.ADMIN, None, "CRM administrator")
    teams: dict[str, Team] = {}
    for name, parent, _ in TEAMS:
        team, created = Team.objects.get_or_create(
            name=name, defaults={"parent": teams.get(parent or "")}
        )
        if created or not team.path:
            team.path = f"{teams[parent].path if parent else '/'}{team.pk}/"
            team.save(update_fields=["path"])
        teams[name] = team
    for email, first, last, team_name, title in MANAGERS:
        manager = _user(email, first, last, Role.MANAGER, teams[team_name], title)
        Team.objects.filter(name=team_name, manager__isnull=True).update(manager=manager)
    for i in range(12):
        team = teams["Enterprise"] if i < 6 else teams["Mid-market"]
        _user(
            f"rep{i + 1}@example.com",
            FIRST_NAMES[i],
            LAST_NAMES[i],
            Role.REP,
            team,
            "Account Executive",
        )
    log(f"people: {User.objects.count()} users in {len(teams)} teams (admin {admin.email})")
    from crm import demo_relationships
    from crm.schedule import ensure_schedule

    demo_relationships.seed(log)
    ensure_schedule()
