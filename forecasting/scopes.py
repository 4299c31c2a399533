"""Forecast scopes: ``company``, ``team:<id>`` (the team and its subtree) or ``user:<id>``.

Who may see a scope (anything else is a 404, as for a hidden record):
- ``company``: administrators;
- ``team:<id>``: administrators, and managers whose managed subtree holds that team;
- ``user:<id>``: the user, administrators, and managers whose subtree holds that user.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from crm.errors import NotFound
from crm.models import Role, Team, User
from crm.models.users import can_own_q
from crm.visibility import subtree_team_ids, subtree_user_ids

COMPANY = "company"


@dataclass(frozen=True)
class Scope:
    kind: str  # "company", "team" or "user"
    team: Team | None = None
    user: User | None = None

    @property
    def key(self) -> str:
        if self.team is not None:
            return f"team:{self.team.pk}"
        if self.user is not None:
            return f"user:{self.user.pk}"
        return COMPANY

    @property
    def label(self) -> str:
        if self.team is not None:
            return self.team.name
        if self.user is not None:
            return self.user.full_name
        return "Company"

    def owner_q(self, prefix: str = "owner") -> Q:
        """The deals (or rows with an owner) inside the scope."""
        if self.team is not None:
            return Q(**{f"{prefix}__team__path__startswith": self.team.path})
        if self.user is not None:
            return Q(**{f"{prefix}_id": self.user.pk})
        return Q()

    def members(self) -> QuerySet[User, Any]:
        """The people who can own deals (admins aside) listed in the scope, those imported
        without an email included; whoever owns deals in it is listed too."""
        users = User.objects.filter(can_own_q()).exclude(role=Role.ADMIN)
        if self.team is not None:
            return users.filter(team__path__startswith=self.team.path)
        if self.user is not None:
            return users.filter(pk=self.user.pk)
        return users


def can_see_team(actor: User, team: Team) -> bool:
    if actor.is_admin:
        return True
    return actor.is_manager and subtree_team_ids(actor).filter(pk=team.pk).exists()


def can_see_user(actor: User, user: User) -> bool:
    if actor.is_admin or actor.pk == user.pk:
        return True
    return actor.is_manager and subtree_user_ids(actor).filter(pk=user.pk).exists()


def default_scope(actor: User) -> Scope:
    if actor.is_admin:
        return Scope(COMPANY)
    if actor.is_manager:
        team = Team.objects.filter(manager=actor).order_by("path").first()
        if team is not None:
            return Scope("team", team=team)
    return Scope("user", user=actor)


def resolve_scope(actor: User, key: str | None) -> Scope:
    """The scope named by `key` if `actor` may see it; NotFound (404) otherwise."""
    key = (key or "").strip()
    if not key:
        return default_scope(actor)
    if key == COMPANY:
        if actor.is_admin:
            return Scope(COMPANY)
    else:
        kind, _, raw = key.partition(":")
        if raw.isdigit() and kind == "team":
            team = Team.objects.filter(pk=int(raw)).first()
            if team is not None and can_see_team(actor, team):
                return Scope("team", team=team)
        elif raw.isdigit() and kind == "user":
            user = User.objects.filter(can_own_q(), pk=int(raw)).select_related("team").first()
            if user is not None and can_see_user(actor, user):
                return Scope("user", user=user)
        elif kind not in ("team", "user"):
            raise NotFound("Unknown scope: use company, team:<id> or user:<id>.", field="scope")
    raise NotFound("No such scope, or not one you can see.", field="scope")


def scope_choices(actor: User) -> list[tuple[str, str]]:
    """The scopes `actor` may open, for the picker: (key, label), teams indented by depth."""
    choices: list[tuple[str, str]] = []
    if actor.is_admin:
        choices.append((COMPANY, "Company"))
        teams = Team.objects.order_by("path")
        people = User.objects.filter(can_own_q()).exclude(role=Role.ADMIN)
    else:
        teams = Team.objects.filter(pk__in=subtree_team_ids(actor)).order_by("path")
        people = User.objects.filter(can_own_q()).filter(
            Q(pk=actor.pk) | Q(pk__in=subtree_user_ids(actor))
        )
    choices.extend((f"team:{t.pk}", "\u2003" * t.depth + t.name) for t in teams)
    choices.extend(
        (f"user:{u.pk}", u.full_name) for u in people.order_by("first_name", "last_name")
    )
    return choices
