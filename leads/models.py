"""Leads: people and companies not yet qualified into accounts, contacts and deals."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class LeadSource(models.Model):
    """Admin-managed list of where leads come from."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class LeadStatus(models.TextChoices):
    SUSPECT = "suspect", "Suspect"
    MQL = "mql", "Marketing qualified (MQL)"
    SQL = "sql", "Sales qualified (SQL)"
    CONVERTED = "converted", "Converted"
    DISQUALIFIED = "disqualified", "Disqualified"


class Timeframe(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate need"
    WITHIN_2_MONTHS = "within_2_months", "Within about two months"
    LATER = "later", "Later this year"
    NONE = "none", "No timeframe"
    UNKNOWN = "unknown", "Unknown"


class Temperature(models.TextChoices):
    HOT = "hot", "Hot"
    WARM = "warm", "Warm"
    COLD = "cold", "Cold"


class Lead(models.Model):
    visibility_owner_field = "owner"

    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    company = models.CharField(max_length=200, blank=True, default="")
    title = models.CharField(max_length=120, blank=True, default="")
    website = models.CharField(max_length=253, blank=True, default="")
    industry = models.CharField(max_length=100, blank=True, default="")
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    country = models.CharField(max_length=100, blank=True, default="")
    region = models.CharField(max_length=100, blank=True, default="")
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    campaign = models.CharField(max_length=120, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leads"
    )
    status = models.CharField(max_length=12, choices=LeadStatus.choices, default=LeadStatus.SUSPECT)
    disqualified_reason = models.CharField(max_length=200, blank=True, default="")
    timeframe = models.CharField(
        max_length=16, choices=Timeframe.choices, default=Timeframe.UNKNOWN
    )
    temperature = models.CharField(
        max_length=4, choices=Temperature.choices, default=Temperature.COLD
    )
    temperature_overridden = models.BooleanField(default=False)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            # A concurrent double-create of the same email ends as one row.
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email="") & Q(deleted_at__isnull=True),
                name="lead_email_unique",
                violation_error_message="A lead with this email already exists.",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="lead_budget_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="lead_score_range"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["owner", "-created_at", "-id"], name="lead_owner_created"),
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_created"),
            models.Index(
                fields=["temperature", "-created_at", "-id"], name="lead_temperature_created"
            ),
            models.Index(fields=["source", "-created_at", "-id"], name="lead_source_created"),
            models.Index(fields=["-created_at", "-id"], name="lead_created"),
            models.Index(fields=["-score", "-id"], name="lead_score"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.company or f"Lead {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
