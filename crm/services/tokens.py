"""A user's personal API token: regenerated or revoked by its owner, audited."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit


@transaction.atomic
def token_regenerate(*, actor: User) -> Token:
    """Replace the actor's token; the old key stops working at once."""
    Token.objects.filter(user=actor).delete()
    token = Token.objects.create(user=actor)
    audit(
        actor=actor,
        obj=actor,
        action=AuditAction.UPDATE,
        changes={"api_token": ["", "regenerated"]},
    )
    return token


@transaction.atomic
def token_revoke(*, actor: User) -> None:
    """Delete the actor's token (no-op, and no audit row, when there is none)."""
    deleted, _ = Token.objects.filter(user=actor).delete()
    if deleted:
        audit(
            actor=actor,
            obj=actor,
            action=AuditAction.UPDATE,
            changes={"api_token": ["", "revoked"]},
        )
