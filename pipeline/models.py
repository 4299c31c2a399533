"""Pipelines, stages and deals."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Pipeline(models.Model):
    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=4, choices=StageKind.choices, default=StageKind.OPEN)
    probability = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    rotting_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="A deal idle this long in the stage is marked rotting."
    )

    class Meta:
        ordering: ClassVar = ["pipeline", "position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique"),
            models.UniqueConstraint(
                fields=["pipeline"], condition=Q(kind="won"), name="stage_one_won_per_pipeline"
            ),
            models.UniqueConstraint(
                fields=["pipeline"], condition=Q(kind="lost"), name="stage_one_lost_per_pipeline"
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100),
                name="stage_probability_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.name}: {self.name}"


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    BEST_CASE = "best_case", "Best case"
    COMMIT = "commit", "Commit"
    CLOSED = "closed", "Closed"
    OMITTED = "omitted", "Omitted"


class Deal(models.Model):
    visibility_owner_field = "owner"

    name = models.CharField(max_length=200)
    account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    primary_contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals"
    )
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    expected_close_date = models.DateField(null=True, blank=True)
    probability = models.PositiveSmallIntegerField(default=10)
    forecast_category = models.CharField(
        max_length=10, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    source_lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    next_step = models.CharField(max_length=200, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100), name="deal_probability_range"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["stage", "-amount", "id"], name="deal_stage_amount"),
            models.Index(fields=["owner", "stage"], name="deal_owner_stage"),
            models.Index(fields=["pipeline", "expected_close_date"], name="deal_pipeline_close"),
            models.Index(fields=["-created_at", "-id"], name="deal_created"),
            models.Index(fields=["account"], name="deal_account"),
        ]

    def __str__(self) -> str:
        return self.name
