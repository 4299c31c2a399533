"""What we did with whom: activities (call, email, meeting, note) and tasks.

Links are explicit nullable foreign keys (account, contact, lead, deal) with a check that at
least one is set, so a timeline is an index scan and joins stay cheap.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

LINK_FIELDS = ("account", "contact", "lead", "deal")
ANY_LINK = (
    Q(account__isnull=False)
    | Q(contact__isnull=False)
    | Q(lead__isnull=False)
    | Q(deal__isnull=False)
)


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    NOTE = "note", "Note"


class Activity(models.Model):
    visibility_owner_field = "owner"

    kind = models.CharField(max_length=8, choices=ActivityKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    occurred_at = models.DateTimeField(default=timezone.now)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=120, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities"
    )
    account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    deal = models.ForeignKey(
        "pipeline.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        constraints: ClassVar = [
            models.CheckConstraint(condition=ANY_LINK, name="activity_linked"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["account", "-occurred_at", "-id"], name="activity_account"),
            models.Index(fields=["contact", "-occurred_at", "-id"], name="activity_contact"),
            models.Index(fields=["lead", "-occurred_at", "-id"], name="activity_lead"),
            models.Index(fields=["deal", "-occurred_at", "-id"], name="activity_deal"),
            models.Index(fields=["owner", "-occurred_at", "-id"], name="activity_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class TaskPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


class Task(models.Model):
    visibility_owner_field = "owner"

    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True, default="")
    due_at = models.DateTimeField()
    priority = models.CharField(
        max_length=6, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tasks",
        help_text="The assignee.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    deal = models.ForeignKey(
        "pipeline.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["due_at", "id"]
        indexes: ClassVar = [
            models.Index(
                fields=["owner", "due_at"], condition=Q(done_at__isnull=True), name="task_open_due"
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(done_at__isnull=True, reminder_sent_at__isnull=True),
                name="task_reminder_due",
            ),
            models.Index(fields=["account", "due_at"], name="task_account"),
            models.Index(fields=["contact", "due_at"], name="task_contact"),
            models.Index(fields=["lead", "due_at"], name="task_lead"),
            models.Index(fields=["deal", "due_at"], name="task_deal"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
