"""Pipelines and their ordered stages (one won and one lost terminal stage each)."""

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


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


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    BEST_CASE = "best_case", "Best case"
    COMMIT = "commit", "Commit"
    CLOSED = "closed", "Closed"
    OMITTED = "omitted", "Omitted"


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
    forecast_category = models.CharField(
        max_length=10,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
        help_text="Deals entering this stage default to this forecast category.",
    )
    # A removed stage that deals passed through stays (archived) so their history keeps it.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["pipeline", "position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["pipeline", "name"],
                condition=Q(is_active=True),
                name="stage_active_name_unique",
                violation_error_message="This pipeline already has a stage with that name.",
            ),
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

    @property
    def is_open(self) -> bool:
        return self.kind == StageKind.OPEN
