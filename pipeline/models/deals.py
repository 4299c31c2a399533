"""Deals, their stage history and their line items."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from crm.models.soft_delete import SoftDeleteQuerySet

from .catalog import LostReason, Product, WonReason
from .pipelines import ForecastCategory, Pipeline, Stage


class DealQuerySet(SoftDeleteQuerySet["Deal"]):
    pass


class DealType(models.TextChoices):
    NEW_BUSINESS = "new_business", "New business"
    RENEWAL = "renewal", "Renewal"


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
    amount_follows_line_items = models.BooleanField(
        default=False, help_text="Keep the amount equal to the sum of the line items."
    )
    expected_close_date = models.DateField(null=True, blank=True)
    probability = models.PositiveSmallIntegerField(default=10)
    forecast_category = models.CharField(
        max_length=10, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    next_step = models.CharField(max_length=200, blank=True, default="")
    # Renewals of a customer's contract are what retention and churn count (reporting).
    deal_type = models.CharField(
        max_length=15,
        choices=DealType.choices,
        default=DealType.NEW_BUSINESS,
        db_default=DealType.NEW_BUSINESS,
    )
    lost_reason = models.ForeignKey(
        LostReason, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    won_reason = models.ForeignKey(
        WonReason, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    close_note = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stage_changed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The record's id in the system it came from (another CRM, a marketing tool): unique per
    # kind when set, the first key imports match on.
    external_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    # Values of the admin-defined custom fields, by key (crm.models.custom_fields).
    custom = models.JSONField(
        default=dict, blank=True, db_default=models.Value({}, models.JSONField())
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The words search looks for (crm.search): the deal's name and its account's, kept by
    # pipeline.search from the change event of either (and `manage.py search_words`).
    search_words = SearchVectorField(null=True, blank=True, editable=False)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id="") & Q(deleted_at__isnull=True),
                name="deal_external_id_unique",
                violation_error_message="Another record already has this external id.",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100), name="deal_probability_range"
            ),
        ]
        indexes: ClassVar = [
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="deal_custom_gin"),
            models.Index(
                Lower("external_id"), condition=~Q(external_id=""), name="deal_external_id_lower"
            ),
            models.Index(fields=["stage", "-amount", "id"], name="deal_stage_amount"),
            models.Index(fields=["stage", "-stage_changed_at", "-id"], name="deal_stage_changed"),
            models.Index(fields=["owner", "stage"], name="deal_owner_stage"),
            models.Index(fields=["pipeline", "expected_close_date"], name="deal_pipeline_close"),
            models.Index(fields=["-created_at", "-id"], name="deal_created"),
            models.Index(fields=["account"], name="deal_account"),
            models.Index(fields=["expected_close_date", "id"], name="deal_close_date"),
            models.Index(
                F("expected_close_date").desc(nulls_last=True),
                F("id").desc(),
                name="deal_close_date_desc",
            ),
            models.Index(fields=["name", "id"], name="deal_name"),
            models.Index(fields=["-updated_at", "-id"], name="deal_updated"),
            models.Index(fields=["-amount", "-id"], name="deal_amount"),
            models.Index(fields=["closed_at"], name="deal_closed_at"),
            GinIndex(fields=["search_words"], name="deal_search_words"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_rotting(self) -> bool:
        days = self.stage.rotting_days
        if not days or self.closed_at is not None:
            return False
        return (timezone.now() - self.stage_changed_at).days >= days


class StageHistory(models.Model):
    """One row per stage move, written only by pipeline services.

    `seconds_in_previous_stage` makes time-in-stage a plain AVG in SQL; conversion between
    stages is a GROUP BY on (from_stage, to_stage).
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_history")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)
    seconds_in_previous_stage = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["moved_at", "id"]
        verbose_name = "stage change"
        verbose_name_plural = "stage changes"
        indexes: ClassVar = [
            models.Index(fields=["to_stage", "moved_at"], name="stage_history_to"),
            models.Index(fields=["deal", "moved_at"], name="stage_history_deal"),
            models.Index(fields=["from_stage", "moved_at"], name="stage_history_from"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class DealLineItem(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="line_items")
    quantity = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_item_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="line_item_price_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="line_item_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def total(self) -> Decimal:
        gross = self.quantity * self.unit_price
        return (gross * (Decimal(100) - self.discount_percent) / Decimal(100)).quantize(
            Decimal("0.01")
        )
