"""Writes on users and teams. Admin-only; every change is audited."""

from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from rest_framework.authtoken.models import Token

from crm.errors import Conflict, DomainError, PermissionDenied
from crm.events import update_and_announce
from crm.models import Role, Team, User
from crm.models.audit import AuditAction
from crm.services.audit import audit, audit_update, diff, snapshot

USER_FIELDS = ("email", "first_name", "last_name", "role", "team_id", "title", "phone")
SECRET_FIELDS = {"password"}


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can manage users and teams.")


def _email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    qs = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def user_create(
    *,
    actor: User,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.REP,
    team: Team | None = None,
    title: str = "",
    phone: str = "",
    password: str | None = None,
) -> User:
    _require_admin(actor)
    email = email.strip().lower()
    if _email_taken(email):
        raise Conflict("A user with this email already exists.", field="email")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                first_name=first_name,
                last_name=last_name,
                role=role,
                team=team,
                title=title,
                phone=phone,
                is_staff=role == Role.ADMIN,
            )
    except IntegrityError as exc:  # a concurrent create of the same email
        raise Conflict("A user with this email already exists.", field="email") from exc
    audit(
        actor=actor,
        obj=user,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(user, USER_FIELDS)),
    )
    return user


@transaction.atomic
def person_draft(*, name: str, role: str = Role.REP, team_id: int | None = None) -> User:
    """The unsaved person `person_create` saves: split name, no email, can't sign in."""
    first, _, last = name.strip().rpartition(" ")
    if not (first or last):
        raise DomainError("A person needs a name or an email.", field="name")
    user = User(
        first_name=first[:80], last_name=last[:80], role=role, team_id=team_id, is_active=False
    )
    user.set_unusable_password()
    return user


def person_create(
    *, actor: User, name: str, role: str = Role.REP, team_id: int | None = None
) -> User:
    """A person without an email (from an import): an inactive user who can own records and
    shows in reports, but can't sign in until an admin adds an email and activates them."""
    _require_admin(actor)
    user = person_draft(name=name, role=role, team_id=team_id)
    user.save()
    audit(
        actor=actor,
        obj=user,
        action=AuditAction.CREATE,
        changes={**diff({}, snapshot(user, USER_FIELDS)), "via": "import, no email"},
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    _require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, USER_FIELDS)
    if "email" in data:
        data["email"] = str(data["email"]).strip().lower()
        if not data["email"] and user.email:
            raise DomainError("A user who signs in needs an email address.", field="email")
        if data["email"] and _email_taken(data["email"], exclude_pk=user.pk):
            raise Conflict("A user with this email already exists.", field="email")
    if user.pk == actor.pk and data.get("role", user.role) != Role.ADMIN:
        raise DomainError("You can't remove your own administrator role.", field="role")
    for key, value in data.items():
        if key.removesuffix("_id") not in {f.removesuffix("_id") for f in USER_FIELDS}:
            raise DomainError(f"Unknown field {key}.", field=key)
        setattr(user, key, value)
    user.is_staff = user.is_admin
    user.save()
    audit_update(actor=actor, obj=user, before=before, fields=USER_FIELDS)
    return user


def owned_models() -> list[Any]:
    """Every model whose rows belong to a user (they declare visibility_owner_field)."""
    return [m for m in apps.get_models() if getattr(m, "visibility_owner_field", None)]


def owned_record_counts(user: User) -> dict[str, int]:
    counts = {}
    for model in owned_models():
        field = model.visibility_owner_field
        count = model._default_manager.filter(**{field: user}).count()
        if count:
            counts[str(model._meta.verbose_name_plural)] = count
    return counts


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reassign_to: User | None = None) -> dict[str, int]:
    """Deactivate `user`; their records stay, optionally moving to `reassign_to`."""
    _require_admin(actor)
    if user.pk == actor.pk:
        raise DomainError("You can't deactivate yourself.")
    if reassign_to is not None and (not reassign_to.is_active or reassign_to.pk == user.pk):
        raise DomainError("Reassign to an active, different user.", field="reassign_to")
    moved = user_reassign_records(actor=actor, user=user, to=reassign_to) if reassign_to else {}
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    _end_credentials(user)
    Team.objects.filter(manager=user).update(manager=None)
    audit(
        actor=actor,
        obj=user,
        action=AuditAction.DEACTIVATE,
        changes={
            "reassigned_to": reassign_to.pk if reassign_to else None,
            "moved": moved,
            "sessions_and_token": "ended",
        },
    )
    return moved


@transaction.atomic
def user_activate(*, actor: User, user: User) -> User:
    _require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.email:
        raise DomainError("Add an email address before activating this person.", field="email")
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    _end_credentials(user)
    audit(
        actor=actor, obj=user, action=AuditAction.ACTIVATE, changes={"sessions_and_token": "ended"}
    )
    return user


def _end_credentials(user: User) -> None:
    """End every session and delete the API token of `user` (on deactivation and reactivation).

    A reactivated user signs in again and makes a new token on their profile; nothing from
    before the deactivation (a stolen cookie, a token in an old script) comes back to life.
    """
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])
    Token.objects.filter(user=user).delete()


@transaction.atomic
def user_reassign_records(*, actor: User, user: User, to: User) -> dict[str, int]:
    """Move every record owned by `user` to `to`, one UPDATE per model."""
    _require_admin(actor)
    if not to.is_active:
        raise DomainError("Records can only go to an active user.", field="reassign_to")
    moved = {}
    for model in owned_models():
        field = model.visibility_owner_field
        count = update_and_announce(
            model._default_manager.filter(**{field: user}), actor=actor, **{field: to}
        )
        if count:
            moved[str(model._meta.verbose_name_plural)] = count
    audit(actor=actor, obj=user, action=AuditAction.ASSIGN, changes={"to": to.pk, "moved": moved})
    return moved


def _path_for(team: Team) -> str:
    parent_path = team.parent.path if team.parent_id and team.parent else "/"
    return f"{parent_path}{team.pk}/"


def _rebase_subtree(old_path: str, new_path: str) -> None:
    """Rewrite the paths of every descendant in one UPDATE."""
    Team.objects.filter(path__startswith=old_path).exclude(path=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
    )


@transaction.atomic
def team_create(
    *, actor: User, name: str, parent: Team | None = None, manager: User | None = None
) -> Team:
    _require_admin(actor)
    name = name.strip()
    if not name:
        raise DomainError("A team needs a name.", field="name")
    if Team.objects.filter(name__iexact=name).exists():
        raise Conflict("A team with this name already exists.", field="name")
    team = Team.objects.create(name=name, parent=parent, manager=manager)
    team.path = _path_for(team)
    team.save(update_fields=["path"])
    audit(actor=actor, obj=team, action=AuditAction.CREATE, changes=diff({}, snapshot(team)))
    return team


@transaction.atomic
def team_update(*, actor: User, team: Team, data: dict[str, Any]) -> Team:
    _require_admin(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = snapshot(team)
    if "name" in data:
        name = str(data["name"]).strip()
        if not name:
            raise DomainError("A team needs a name.", field="name")
        if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
            raise Conflict("A team with this name already exists.", field="name")
        team.name = name
    if "manager" in data:
        team.manager = data["manager"]
    if "parent" in data:
        parent: Team | None = data["parent"]
        if parent is not None and parent.path.startswith(team.path):
            raise DomainError("A team can't sit under itself or its own sub-team.", field="parent")
        team.parent = parent
    old_path = team.path
    team.path = _path_for(team)
    team.save()
    if team.path != old_path:
        _rebase_subtree(old_path, team.path)
    audit_update(actor=actor, obj=team, before=before)
    return team


@transaction.atomic
def team_delete(*, actor: User, team: Team) -> None:
    _require_admin(actor)
    if team.children.exists() or team.members.exists():
        raise Conflict("Move this team's members and sub-teams before deleting it.")
    audit(actor=actor, obj=team, action=AuditAction.DELETE, changes=snapshot(team))
    team.delete()
