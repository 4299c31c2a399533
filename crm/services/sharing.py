"""Sharing one record with a user or a team, read-only or with edit rights."""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from crm.errors import Conflict, DomainError, NotFound
from crm.models import RecordShare, Team, User
from crm.models.audit import AuditAction
from crm.models.sharing import ShareAccess
from crm.services.audit import audit
from crm.services.ownership import require_edit


def shares_of(obj: models.Model) -> models.QuerySet[RecordShare]:
    return RecordShare.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("user", "team")


@transaction.atomic
def share_create(
    *,
    actor: User,
    obj: models.Model,
    user: User | None = None,
    team: Team | None = None,
    access: str = ShareAccess.READ,
) -> RecordShare:
    """Whoever may edit a record may share it; sharing again changes the access level."""
    require_edit(actor, obj)
    if (user is None) == (team is None):
        raise DomainError("Share with one user or one team.", field="user")
    if access not in ShareAccess.values:
        raise DomainError("Choose read or edit access.", field="access")
    if user is not None and not user.is_active:
        raise DomainError("That user is deactivated.", field="user")
    owner_id = getattr(obj, "owner_id", None)
    if user is not None and user.pk == owner_id:
        raise Conflict("That user already owns this record.", field="user")
    share, created = RecordShare.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        user=user,
        team=team,
        defaults={"access": access, "created_by": actor},
    )
    audit(
        actor=actor,
        obj=obj,
        action=AuditAction.SHARE,
        changes={
            "user": user.pk if user else None,
            "team": team.pk if team else None,
            "access": access,
            "new": created,
        },
    )
    return share


@transaction.atomic
def share_delete(*, actor: User, obj: models.Model, share_id: int) -> None:
    require_edit(actor, obj)
    share = shares_of(obj).filter(pk=share_id).first()
    if share is None:
        raise NotFound("No such share on this record.")
    audit(
        actor=actor,
        obj=obj,
        action=AuditAction.UNSHARE,
        changes={"user": share.user_id, "team": share.team_id, "access": share.access},
    )
    share.delete()
