"""What happened to leads: lifecycle transitions and merges (with what undo needs)."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from leads.models.leads import Lead, LeadStatus


class LeadTransition(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=LeadStatus.choices)
    to_status = models.CharField(max_length=12, choices=LeadStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [models.Index(fields=["lead", "-at"], name="lead_transition_lead")]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_status} → {self.to_status}"


class LeadMerge(models.Model):
    """A merge of `loser` into `winner`, with the snapshots an admin's undo restores."""

    winner = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="merges_won")
    loser = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="merges_lost")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    winner_before = models.JSONField(default=dict)
    loser_before = models.JSONField(default=dict)
    moved_activity_ids = models.JSONField(default=list)
    moved_task_ids = models.JSONField(default=list)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Lead {self.loser_id} merged into {self.winner_id}"
