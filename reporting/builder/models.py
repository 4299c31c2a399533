"""Saved reports and the pins that put them on a user's dashboard."""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class SavedReport(models.Model):
    """A report definition under a name (see reporting.builder.definition). Shared with a
    team through a read-only `crm.RecordShare`; every viewer runs it over what they see."""

    visibility_owner_field = "owner"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_reports"
    )
    name = models.CharField(max_length=120)
    source = models.CharField(max_length=10, default="deals")
    measure = models.CharField(max_length=10, default="count")
    field = models.CharField(max_length=60, blank=True, default="")
    group_by = models.CharField(max_length=60, blank=True, default="")
    group_by2 = models.CharField(max_length=60, blank=True, default="")
    chart = models.CharField(max_length=10, default="bar")
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_report_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def as_input(self) -> dict[str, Any]:
        """The definition as `clean_definition` takes it."""
        return {
            "source": self.source,
            "measure": self.measure,
            "field": self.field,
            "group_by": self.group_by,
            "group_by2": self.group_by2,
            "chart": self.chart,
            "filters": dict(self.filters or {}),
        }


class ReportPin(models.Model):
    """A saved report on one user's dashboards."""

    visibility_owner_field = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_pins"
    )
    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="pins")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "report"], name="report_pin_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report} on {self.user}'s dashboard"
