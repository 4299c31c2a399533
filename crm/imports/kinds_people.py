"""The people and teams import (kind `users`, administrators only).

Each row is a person: name, email, role, team, the team's manager and the team's parent.
Teams the file names are created on the way (the "create" choice for unknown teams); a
manager who isn't a user yet is added as a person when the importer chose to create unknown
people. A person without an email becomes an inactive user who owns records and shows in
reports but can't sign in until an admin adds an email and activates them.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from crm.errors import DomainError
from crm.imports.context import CREATE, CREATE_PERSON, ImportContext
from crm.imports.lookups import NameLookup
from crm.imports.parsers import normalise_key
from crm.imports.registry import Field, ImportKind, RowError, register
from crm.models import Role, Team, User
from crm.services.people import team_update


class TeamLookup(NameLookup):
    """A team named in a cell; new names become teams (administrators)."""

    def __init__(self, *, name: str, label: str) -> None:
        super().__init__(Team, name=name, label=label)

    def can_create(self, ctx: ImportContext) -> bool:
        return ctx.actor.is_admin

    def create(self, name: str, ctx: ImportContext) -> int:
        from crm.services.people import team_create

        return int(team_create(actor=ctx.actor, name=name[:120]).pk)


TEAMS = TeamLookup(name="team", label="Team")


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.strip().rpartition(" ")
    return first[:80], last[:80]


@dataclass(frozen=True)
class EmailKey:
    """Rows are the same person when their emails are; the name only finds a person who
    has no email yet."""

    email: str
    name: str = field(default="", compare=False, hash=False)


class UserImport(ImportKind):
    name = "users"
    label = "People and teams"
    model = User
    admin_only = True
    dedupe_help = "Same email; without one, same name."
    fields = (
        Field(
            "name",
            "Name",
            max_length=161,
            aliases=("full name", "sales agent", "agent", "rep", "person", "employee", "user"),
        ),
        Field("email", "Email", type="email", aliases=("email address", "e-mail", "login")),
        Field("role", "Role", type="choice", choices=tuple(Role.choices), aliases=("user role",)),
        Field("title", "Job title", max_length=120, aliases=("position",)),
        Field("phone", "Phone", max_length=40, aliases=("telephone", "mobile")),
        Field(
            "team",
            "Team",
            type="lookup",
            lookup=TEAMS,
            aliases=("team name", "group", "office", "sales team"),
        ),
        Field(
            "manager",
            "Team manager",
            max_length=254,
            aliases=("manager", "team manager", "reports to", "supervisor"),
        ),
        Field(
            "parent_team",
            "Parent team",
            type="lookup",
            lookup=TeamLookup(name="parent_team", label="Parent team"),
            aliases=("parent team", "regional office", "region", "division"),
        ),
    )

    def attribute(self, field_name: str) -> str:
        # `parent_team` is no column of a user: it rides on the record (as a list value to
        # create, it gets its id there) until `_link_teams` puts it on the team.
        return {"team": "team_id"}.get(field_name, field_name)

    def _person(self, text: str, team_id: int | None, ctx: ImportContext) -> User | None:
        """The manager a row names: a user, a person an earlier row of the file adds (None:
        resolved once that row is written), or a new person when the importer chose so."""
        user = ctx.known_user(text)
        if user is not None:
            return user
        if normalise_key(text) in ctx.memo.setdefault("people_in_file", set()):
            return None
        if ctx.unknown_owner == CREATE_PERSON:
            # In the team they manage once it exists (a team to create gets its id later).
            known_team = team_id if team_id and team_id > 0 else None
            return ctx.person_for(text, role=Role.MANAGER, team_id=known_team)
        raise RowError(
            f"Team manager: nobody is called “{text}”: add them in an earlier row, or choose "
            "to create people who aren't users."
        )

    def _manager_team(self, manager: str, ctx: ImportContext) -> int:
        """The team of a row that names a manager but no team (Maven's `sales_teams.csv`:
        agent, manager, office): the manager's own team, “<Manager>'s team”, created with
        the other teams the file names when the importer chose to create them."""
        name = f"{manager.strip()}'s team"[:120]
        key = normalise_key(name)
        cache = ctx.lookup_cache.setdefault("team", {})
        if key not in cache:
            cache.update(TEAMS.resolve({key: name}, ctx))
        if key not in cache:
            if ctx.on_unknown.get("team") != CREATE:
                raise RowError(
                    f"Team: none given. Name the team in a Team column, or choose to create "
                    f"teams and the person joins “{name}”."
                )
            cache[key] = ctx.pending_value("team", key, name, TEAMS)
        return cache[key]

    def build(self, values: dict[str, Any], ctx: ImportContext) -> User:
        if not ctx.actor.is_admin:
            raise RowError("Only administrators import people.")
        name, email = str(values.get("name") or ""), str(values.get("email") or "")
        if not name and not email:
            raise RowError("A person needs a name or an email.")
        if values.get("manager") and not values.get("team"):
            values["team"] = self._manager_team(str(values["manager"]), ctx)
        first, last = _split(name)
        user = User(
            email=email,
            first_name=first,
            last_name=last,
            role=values.get("role") or Role.REP,
            team_id=values.get("team"),
            title=values.get("title", ""),
            phone=values.get("phone", ""),
            is_active=bool(email),
        )
        user.is_staff = user.is_admin
        user.set_unusable_password()
        if values.get("manager"):
            if not values.get("team"):
                raise RowError("Team manager: name the team they manage in the Team column.")
            self._person(str(values["manager"]), values["team"], ctx)
        seen: set[str] = ctx.memo.setdefault("people_in_file", set())
        seen.update(normalise_key(t) for t in (name, email) if t)
        user._import_manager = values.get("manager")  # type: ignore[attr-defined]
        user.parent_team = values.get("parent_team")  # type: ignore[attr-defined]
        return user

    def dedupe_key(self, record: Any, values: dict[str, Any]) -> Hashable | None:
        name = normalise_key(f"{record.first_name} {record.last_name}")
        if record.email:
            return EmailKey(record.email.lower(), name)
        return ("name", name)

    def find_existing(self, keys: list[Hashable], ctx: ImportContext) -> dict[Hashable, Any]:
        """Same email; a row without one, or whose email no user has, matches a person of
        the same name who has no email yet (a manager added earlier as a person)."""
        by_email: dict[str, User] = {}
        by_name: dict[str, User] = {}
        no_email: dict[str, User] = {}
        for user in User.objects.order_by("id"):  # a few hundred people: compared in Python
            name = normalise_key(f"{user.first_name} {user.last_name}")
            if user.email:
                by_email.setdefault(user.email.lower(), user)
            else:
                no_email.setdefault(name, user)
            by_name.setdefault(name, user)
        found: dict[Hashable, Any] = {}
        for key in keys:
            if isinstance(key, EmailKey):
                match = by_email.get(key.email) or no_email.get(key.name)
            elif isinstance(key, tuple):
                match = by_name.get(key[1])
            else:
                match = None
            if match is not None:
                found[key] = match
        return found

    def apply_update(self, existing: Any, values: dict[str, Any], ctx: ImportContext) -> None:
        data = {k: v for k, v in values.items() if k in ("role", "title", "phone", "team")}
        if values.get("email") and not existing.email:
            data["email"] = values["email"]  # a person imported without one gets it
            if existing.__dict__.get("_import_filling"):
                # Added by this file as someone's manager; their own row has an email.
                existing.is_active = True
        super().apply_update(existing, data, ctx)
        existing.is_staff = existing.is_admin
        existing._import_manager = values.get("manager")
        existing.parent_team = values.get("parent_team")

    def create(self, records: list[Any], ctx: ImportContext) -> None:
        super().create(records, ctx)
        for user in records:
            ctx.remember_user(user)

    def after_create(self, records: list[Any], ctx: ImportContext) -> None:
        self._link_teams(records, ctx)

    def update(self, records: list[Any], fields: set[str], ctx: ImportContext) -> None:
        written = {"email", "role", "title", "phone", "team_id", "is_staff", "is_active"}
        super().update(records, (fields & written) | {"is_staff", "is_active"}, ctx)
        self._link_teams(records, ctx)

    def _link_teams(self, records: list[Any], ctx: ImportContext) -> None:
        """Each team named with a manager or a parent gets them (one audited update per
        team, through the people service, which keeps the team tree's paths right)."""
        wanted: dict[int, dict[str, Any]] = {}
        for user in records:
            team_id = ctx.real_id(user.team_id)
            manager = getattr(user, "_import_manager", None)
            parent_id = ctx.real_id(getattr(user, "parent_team", None))
            if not team_id:
                continue
            data = wanted.setdefault(team_id, {})
            if manager:
                person = ctx.known_user(str(manager))
                if person is not None:
                    data["manager"] = person
            if parent_id and parent_id != team_id:
                data["parent"] = parent_id
        if not wanted:
            return
        parents = [d["parent"] for d in wanted.values() if d.get("parent")]
        teams = Team.objects.in_bulk([*wanted, *parents])
        for team_id, data in wanted.items():
            team = teams[team_id]
            changes: dict[str, Any] = {}
            if "manager" in data and team.manager_id != data["manager"].pk:
                changes["manager"] = data["manager"]
                if data["manager"].team_id is None:  # a manager added as a person
                    User.objects.filter(pk=data["manager"].pk).update(team_id=team_id)
                    data["manager"].team_id = team_id
            if "parent" in data and team.parent_id != data["parent"]:
                changes["parent"] = teams[data["parent"]]
            if changes:
                try:
                    with transaction.atomic():
                        team_update(actor=ctx.actor, team=team, data=changes)
                except DomainError:
                    # A parent that would put the team under itself: the people stay
                    # imported, the tree as it was.
                    continue


register(UserImport())
