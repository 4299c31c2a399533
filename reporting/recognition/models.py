"""Recognition's own rows: the reporting settings (who sees which leaderboard, the minimum
number of deals before someone is ranked, the streak length, the gross margin) and team
challenges. Badges are not stored: they are computed from the deals and quotas on read."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Board(models.TextChoices):
    REVENUE = "revenue", "Won revenue"
    ATTAINMENT = "attainment", "Quota attainment"
    ACTIVITY = "activity", "Activity"
    IMPROVEMENT = "improvement", "Improvement"


class BoardAudience(models.TextChoices):
    EVERYONE = "everyone", "Everyone (the whole company)"
    MANAGERS = "managers", "Managers and admins only"
    TEAM = "team", "Each team sees its own board"


class ReportingSettings(models.Model):
    """One row (pk 1), read as its defaults until an admin first saves it."""

    leaderboard_min_deals = models.PositiveSmallIntegerField(default=2)
    revenue_audience = models.CharField(
        max_length=10, choices=BoardAudience.choices, default=BoardAudience.EVERYONE
    )
    attainment_audience = models.CharField(
        max_length=10, choices=BoardAudience.choices, default=BoardAudience.EVERYONE
    )
    activity_audience = models.CharField(
        max_length=10, choices=BoardAudience.choices, default=BoardAudience.EVERYONE
    )
    improvement_audience = models.CharField(
        max_length=10, choices=BoardAudience.choices, default=BoardAudience.EVERYONE
    )
    streak_weeks = models.PositiveSmallIntegerField(default=4)
    gross_margin_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("70.00")
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "reporting settings"
        verbose_name_plural = "reporting settings"
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(pk=1), name="reporting_settings_single_row"),
            models.CheckConstraint(
                condition=Q(gross_margin_percent__gt=0, gross_margin_percent__lte=100),
                name="reporting_settings_margin_range",
            ),
            models.CheckConstraint(
                condition=Q(streak_weeks__gte=2, streak_weeks__lte=52),
                name="reporting_settings_streak_range",
            ),
        ]

    def __str__(self) -> str:
        return "Reporting settings"

    def audience(self, board: str) -> str:
        return str(getattr(self, f"{board}_audience"))


class ChallengeMetric(models.TextChoices):
    WON_REVENUE = "won_revenue", "Won revenue"
    DEALS_WON = "deals_won", "Deals won"
    ACTIVITIES = "activities", "Activities (calls, emails, meetings, tasks done)"
    CALLS = "calls", "Calls"
    MEETINGS = "meetings", "Meetings"


class Challenge(models.Model):
    """A team goal: reach `target` of `metric` between `starts_on` and `ends_on` (inclusive,
    company time zone), counting the records of everyone in the team and its sub-teams.
    `owner` is who set it (a manager over the team or an admin); the team's members see it
    through read-only shares with the team and each of its sub-teams."""

    visibility_owner_field = "owner"

    name = models.CharField(max_length=120)
    metric = models.CharField(max_length=20, choices=ChallengeMetric.choices)
    target = models.DecimalField(max_digits=16, decimal_places=2)
    team = models.ForeignKey("crm.Team", on_delete=models.CASCADE, related_name="challenges")
    starts_on = models.DateField()
    ends_on = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenges_set"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-ends_on", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(target__gt=0), name="challenge_target_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="challenge_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name
