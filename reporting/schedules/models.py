"""Scheduled reports: a user's subscription to a saved report or a dashboard, and the run
log, one row per (subscription, slot): the database, not the code, keeps it once."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reporting.builder.models import SavedReport


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly (Monday)"
    MONTHLY = "monthly", "Monthly (the 1st)"


class DashboardKind(models.TextChoices):
    REP = "rep", "My numbers"
    MANAGER = "manager", "Team dashboard"
    ADMIN = "admin", "Company dashboard"


class ReportSubscription(models.Model):
    visibility_owner_field = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    report = models.ForeignKey(
        SavedReport, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    dashboard = models.CharField(
        max_length=10, choices=DashboardKind.choices, blank=True, default=""
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    skip_if_empty = models.BooleanField(
        default=True, help_text="Send nothing when the report has no rows."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(report__isnull=False) & Q(dashboard=""))
                | (Q(report__isnull=True) & ~Q(dashboard="")),
                name="subscription_report_xor_dashboard",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["frequency", "is_active"], name="subscription_due"),
        ]

    def __str__(self) -> str:
        what = self.report.name if self.report_id and self.report else self.get_dashboard_display()
        return f"{what}, {self.get_frequency_display().lower()}"


class RunOutcome(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (empty)"
    FAILED = "failed", "Failed"


class ReportRun(models.Model):
    """One slot of one subscription: claimed by INSERT … ON CONFLICT DO NOTHING, so two
    beats, a retried task or two workers at once send it once."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="runs"
    )
    slot = models.DateField(help_text="The week's Monday or the month's 1st (company time zone).")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=RunOutcome.choices, default=RunOutcome.SENDING
    )
    recipients = models.JSONField(default=list, blank=True)
    rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering: ClassVar = ["-slot", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["subscription", "slot"], name="report_run_one_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.slot}: {self.outcome}"
