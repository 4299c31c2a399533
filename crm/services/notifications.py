"""In-app notifications: created by services and beat jobs, read by their recipient."""

from django.db import transaction
from django.utils import timezone

from crm.errors import NotFound
from crm.models import Notification, User


def notification_create(*, user: User, text: str, link: str = "") -> Notification:
    """Tell `user` something; `link` is a path inside the app (e.g. "/accounts/4/")."""
    if link and not link.startswith("/"):
        link = ""  # only in-app paths: a notification never sends people elsewhere
    return Notification.objects.create(user=user, text=text[:300], link=link[:500])


@transaction.atomic
def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    notification = (
        Notification.objects.select_for_update().filter(pk=notification_id, user=actor).first()
    )
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_read_for_link(*, actor: User, link: str) -> int:
    """Opening a record answers every unread notification of `actor` that points at it
    (e.g. "New lead assigned to you" once the lead is opened from My day)."""
    return Notification.objects.filter(user=actor, link=link, read_at__isnull=True).update(
        read_at=timezone.now()
    )
