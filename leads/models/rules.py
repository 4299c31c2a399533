"""Admin-edited rules: temperature from timeframe and engagement, lead assignment."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from leads.models.leads import LeadSource, Temperature, Timeframe


class TemperatureRule(models.Model):
    """One row per stated buying timeframe: its temperature, and an optional engagement bump."""

    timeframe = models.CharField(max_length=16, choices=Timeframe.choices, unique=True)
    temperature = models.CharField(max_length=4, choices=Temperature.choices)
    engaged_within_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="An activity within this many days warms the lead by one level.",
    )

    class Meta:
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return f"{self.get_timeframe_display()} → {self.get_temperature_display()}"


class AssignmentAction(models.TextChoices):
    USER = "user", "A specific rep"
    ROUND_ROBIN = "round_robin", "Round robin within a team"
    LEAST_LOADED = "least_loaded", "Least-loaded rep within a team"


class AssignmentRule(models.Model):
    """Evaluated in `position` order; the first active rule whose criteria all match wins."""

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    country = models.CharField(max_length=100, blank=True, default="")
    region = models.CharField(max_length=100, blank=True, default="")
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    min_employees = models.PositiveIntegerField(null=True, blank=True)
    max_employees = models.PositiveIntegerField(null=True, blank=True)
    action = models.CharField(max_length=12, choices=AssignmentAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "crm.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Round-robin state; read and written under SELECT ... FOR UPDATE of this row.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(action="user") & Q(user__isnull=False))
                | (Q(action__in=["round_robin", "least_loaded"]) & Q(team__isnull=False)),
                name="assignment_rule_target",
            ),
            models.CheckConstraint(
                condition=Q(min_employees__isnull=True)
                | Q(max_employees__isnull=True)
                | Q(min_employees__lte=models.F("max_employees")),
                name="assignment_rule_employee_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LeadSettings(models.Model):
    """Singleton (pk=1): workspace-wide lead settings."""

    fallback_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Gets leads no assignment rule matches.",
    )
    new_lead_days = models.PositiveIntegerField(
        default=7, help_text="How long a newly assigned lead shows on My day."
    )

    class Meta:
        verbose_name_plural = "lead settings"

    def __str__(self) -> str:
        return "Lead settings"

    @classmethod
    def current(cls) -> "LeadSettings":
        """The stored settings, or the defaults when none were saved yet (reading never
        writes: `lead_settings_update` creates the row)."""
        return cls.objects.select_related("fallback_owner").filter(pk=1).first() or cls(pk=1)
