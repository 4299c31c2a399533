"""Forecasting: the fiscal calendar setting and quotas (per rep, per team, for the company)."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ForecastSettings(models.Model):
    """One row (pk 1): the month the fiscal year starts in (1 = January)."""

    fiscal_year_start_month = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "forecast settings"
        verbose_name_plural = "forecast settings"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="forecast_settings_month_1_12",
            ),
            models.CheckConstraint(condition=Q(pk=1), name="forecast_settings_single_row"),
        ]

    def __str__(self) -> str:
        return "Forecast settings"


class QuotaPeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class Quota(models.Model):
    """A revenue target in the company currency for one rep (`user`), one team (`team`) or
    the company (neither), for one month or one fiscal quarter."""

    visibility_owner_field = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    team = models.ForeignKey(
        "crm.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="quotas"
    )
    period_kind = models.CharField(max_length=10, choices=QuotaPeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="First day after the period.")
    period_key = models.CharField(max_length=12)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["period_start", "period_kind", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(user__isnull=False, team__isnull=False),
                name="quota_one_target",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="quota_period_order"
            ),
            models.UniqueConstraint(
                fields=["user", "period_kind", "period_start"],
                condition=Q(user__isnull=False),
                name="quota_unique_user_period",
            ),
            models.UniqueConstraint(
                fields=["team", "period_kind", "period_start"],
                condition=Q(team__isnull=False),
                name="quota_unique_team_period",
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start"],
                condition=Q(user__isnull=True, team__isnull=True),
                name="quota_unique_company_period",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["period_start", "period_end"], name="quota_period")
        ]

    def __str__(self) -> str:
        return f"Quota {self.target_label} {self.period_key}: {self.amount}"

    @property
    def target_kind(self) -> str:
        if self.user_id:
            return "user"
        if self.team_id:
            return "team"
        return "company"

    @property
    def scope_key(self) -> str:
        if self.user_id:
            return f"user:{self.user_id}"
        if self.team_id:
            return f"team:{self.team_id}"
        return "company"

    @property
    def target_label(self) -> str:
        if self.user_id:
            return str(self.user)
        if self.team_id:
            return str(self.team)
        return "company"


class AdjustedCategory(models.TextChoices):
    COMMIT = "commit", "Commit"
    BEST_CASE = "best_case", "Best case"


class ForecastAdjustment(models.Model):
    """A manager's own figure for a rep's (`user`) or a sub-team's (`team`) commit or best
    case in one period. The deals stay as they are; roll-ups use this figure and show the
    original beside it."""

    visibility_owner_field = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="forecast_adjustments",
    )
    team = models.ForeignKey(
        "crm.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="forecast_adjustments",
    )
    period_kind = models.CharField(max_length=10)
    period_start = models.DateField()
    period_key = models.CharField(max_length=12)
    category = models.CharField(max_length=12, choices=AdjustedCategory.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    original_amount = models.DecimalField(
        max_digits=18, decimal_places=2, help_text="The figure when the adjustment was made."
    )
    note = models.TextField()
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["period_start", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="adjustment_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="adjustment_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "period_kind", "period_start", "category"],
                condition=Q(user__isnull=False),
                name="adjustment_unique_user",
            ),
            models.UniqueConstraint(
                fields=["team", "period_kind", "period_start", "category"],
                condition=Q(team__isnull=False),
                name="adjustment_unique_team",
            ),
        ]

    def __str__(self) -> str:
        target = self.user or self.team
        return f"{self.get_category_display()} of {target} for {self.period_key}: {self.amount}"

    @property
    def scope_key(self) -> str:
        return f"user:{self.user_id}" if self.user_id else f"team:{self.team_id}"


class ForecastSnapshot(models.Model):
    """The forecast of one scope (``company``, ``team:<id>``, ``user:<id>``) for one period,
    as it stood in one week (`week` = the Monday, company time zone). Exactly one per slot:
    the unique constraint, with INSERT … ON CONFLICT DO NOTHING, makes a second beat or a
    retried task a no-op."""

    scope = models.CharField(max_length=40)
    period_key = models.CharField(max_length=12)
    period_start = models.DateField()
    period_end = models.DateField()
    week = models.DateField()
    taken_at = models.DateTimeField(default=timezone.now)
    won = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    commit = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    best_case = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    pipeline = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    omitted = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    deal_count = models.PositiveIntegerField(default=0)
    # open deals (commit, best case, pipeline) x their probability, at the time
    weighted = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # the commit after managers' adjustments at the time (null: nobody had adjusted it)
    commit_adjusted = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-week", "scope"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["scope", "period_key", "week"], name="forecast_snapshot_one_per_slot"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["period_key", "week"], name="forecast_snapshot_period")
        ]

    def __str__(self) -> str:
        return f"Forecast {self.scope} {self.period_key} week of {self.week}"


class SnapshotDeal(models.Model):
    """One deal of a period as it stood in a snapshot week: the rows the scope snapshots are
    summed from, and what "forecast changes" compares the deals of today with."""

    period_key = models.CharField(max_length=12)
    week = models.DateField()
    deal_id = models.BigIntegerField()
    owner_id = models.BigIntegerField()
    team_path = models.CharField(max_length=500, blank=True, default="")
    bucket = models.CharField(max_length=12)  # won, commit, best_case, pipeline, omitted
    amount = models.DecimalField(max_digits=18, decimal_places=2)  # company currency
    expected_close_date = models.DateField(null=True, blank=True)
    probability = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["period_key", "week", "deal_id"], name="snapshot_deal_one_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"Deal {self.deal_id} in {self.period_key} week of {self.week}"
