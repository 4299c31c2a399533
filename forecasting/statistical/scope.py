"""Which deals a forecast is about: `company`, `team:<id>` (the team and every team below
it) or `user:<id>`, and who may ask for which."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from crm.errors import DomainError, NotFound
from crm.models import Team, User
from crm.models.users import can_own_q
from crm.visibility import subtree_team_ids, subtree_user_ids


@dataclass(frozen=True)
class Scope:
    key: str
    label: str
    # Narrows deals to the scope's owners (None: the whole company).
    owner_filter: Q | None

    def deals(self, queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
        return queryset if self.owner_filter is None else queryset.filter(self.owner_filter)


def parse_scope(user: User, raw: str) -> Scope:
    """`raw` as a Scope the user may see. A malformed value is a 400 on `scope`; a team or
    person that doesn't exist or is outside the user's reach is a 404, like a hidden record.

    Admins see every scope; managers the teams in the subtrees they manage and the people
    in them; reps themselves. Only admins see the company as a whole.
    """
    raw = (raw or "company").strip()
    kind, _, ident = raw.partition(":")
    if kind == "company" and not ident:
        if not user.is_admin:
            raise NotFound("The company forecast is for administrators.", field="scope")
        return Scope("company", "Company", None)
    if kind not in ("team", "user") or not ident.isdigit():
        raise DomainError("Use company, team:<id> or user:<id>.", field="scope")
    pk = int(ident)
    if kind == "team":
        teams = Team.objects.all()
        if not user.is_admin:
            teams = teams.filter(pk__in=subtree_team_ids(user))
        team = teams.filter(pk=pk).first()
        if team is None:
            raise NotFound("No team found.", field="scope")
        return Scope(f"team:{team.pk}", team.name, Q(owner__team__path__startswith=team.path))
    people = User.objects.all()
    if not user.is_admin:
        allowed = Q(pk=user.pk)
        if user.is_manager:
            allowed |= Q(pk__in=subtree_user_ids(user))
        people = people.filter(allowed)
    person = people.filter(pk=pk).first()
    if person is None:
        raise NotFound("No person found.", field="scope")
    return Scope(f"user:{person.pk}", person.full_name or person.email, Q(owner_id=person.pk))


def scope_choices(user: User) -> list[tuple[str, str]]:
    """The scopes offered in the page's picker, the widest first."""
    choices: list[tuple[str, str]] = []
    if user.is_admin:
        choices.append(("company", "Company"))
        teams = Team.objects.order_by("path")
    else:
        teams = Team.objects.filter(pk__in=subtree_team_ids(user)).order_by("path")
    choices += [(f"team:{t.pk}", f"Team: {'· ' * t.depth}{t.name}") for t in teams]
    if user.is_admin:
        people = User.objects.filter(can_own_q())
    elif user.is_manager:
        people = User.objects.filter(Q(pk=user.pk) | Q(pk__in=subtree_user_ids(user)))
    else:
        people = User.objects.filter(pk=user.pk)
    choices += [
        (f"user:{p.pk}", p.full_name or p.email)
        for p in people.order_by("first_name", "last_name", "email")
    ]
    return choices
