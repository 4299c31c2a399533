"""Explicit sharing of one record with a user or a team."""

from typing import ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ShareAccess(models.TextChoices):
    READ = "read", "Can view"
    EDIT = "edit", "Can edit"


class RecordShare(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    user = models.ForeignKey(
        "crm.User", null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    team = models.ForeignKey(
        "crm.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    access = models.CharField(max_length=4, choices=ShareAccess.choices, default=ShareAccess.READ)
    created_by = models.ForeignKey(
        "crm.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, team__isnull=True))
                | (Q(user__isnull=True, team__isnull=False)),
                name="share_user_xor_team",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"],
                condition=Q(user__isnull=False),
                name="share_unique_user",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "team"],
                condition=Q(team__isnull=False),
                name="share_unique_team",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["content_type", "user", "object_id"], name="share_by_user"),
            models.Index(fields=["content_type", "team", "object_id"], name="share_by_team"),
            models.Index(fields=["content_type", "object_id"], name="share_by_object"),
        ]

    def __str__(self) -> str:
        target = self.user or self.team
        return f"{self.content_type.model} #{self.object_id} → {target} ({self.access})"
