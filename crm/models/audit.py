"""Append-only audit log. A database trigger (migration 0001) refuses UPDATE and DELETE."""

from typing import Any, ClassVar, NoReturn

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    RESTORE = "restore", "Restored"
    SHARE = "share", "Shared"
    UNSHARE = "unshare", "Unshared"
    MERGE = "merge", "Merged"
    CONVERT = "convert", "Converted"
    MOVE = "move", "Moved"
    ASSIGN = "assign", "Assigned"
    EXPORT = "export", "Exported"
    ERASE = "erase", "Erased"
    IMPORT = "import", "Imported"
    LOGIN = "login", "Logged in"
    DEACTIVATE = "deactivate", "Deactivated"
    ACTIVATE = "activate", "Activated"


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        "crm.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=12, choices=AuditAction.choices)
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["content_type", "object_id", "-created_at"], name="audit_object"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor"),
            models.Index(fields=["action", "-created_at"], name="audit_action"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise PermissionError("The audit log is append-only.")
