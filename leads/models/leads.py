"""Leads: people and companies not yet qualified into accounts, contacts and deals."""

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Cast, Concat, Lower, Trim
from django.utils import timezone

from crm.models.search import word_parts
from crm.models.soft_delete import SoftDeleteQuerySet


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


OPEN_STATUSES = (LeadStatus.SUSPECT, LeadStatus.MQL, LeadStatus.SQL)


class LeadQuerySet(SoftDeleteQuerySet["Lead"]):
    """`alive()` / `deleted()` from crm.models.soft_delete (merged-away leads are deleted)."""

    def with_email(self, email_normalized: str) -> "LeadQuerySet":
        """Leads with this normalised email. The email index is partial (non-empty emails):
        the extra condition lets PostgreSQL use it instead of scanning every lead."""
        return self.filter(email_normalized=email_normalized).exclude(email="")


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
    temperature_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    temperature_override_at = models.DateTimeField(null=True, blank=True)
    temperature_override_reason = models.CharField(max_length=200, blank=True, default="")
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    # Written by leads.scoring only (never by forms, imports or the API): the combined score,
    # a copy of `leads_leadscore.score` kept here for the list's filters and sorts (its
    # indexes), written only when it changes. Its parts, reasons and generation live in
    # LeadScore (`lead.scoring`).
    score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The deal the conversion opened (or an import linked). It lives here, not on the deal,
    # so the pipeline app never depends on leads; a deal reaches its lead as `source_leads`.
    converted_deal = models.ForeignKey(
        "pipeline.Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_leads",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    assignment_seen_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Kept by PostgreSQL itself, so bulk loads and raw SQL can't leave them stale.
    email_normalized = models.GeneratedField(
        expression=Lower(Trim("email")),
        output_field=models.CharField(max_length=254),
        db_persist=True,
    )
    phone_normalized = models.GeneratedField(
        expression=Func(
            F("phone"), Value("[^0-9]"), Value(""), Value("g"), function="regexp_replace"
        ),
        output_field=models.CharField(max_length=40),
        db_persist=True,
    )
    # The words search looks for (crm.search): names, company and email, by PostgreSQL.
    search_words = models.GeneratedField(
        expression=SearchVector(
            "first_name",
            "last_name",
            "company",
            Cast("email", output_field=models.CharField()),
            word_parts("email"),
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    name_company = models.GeneratedField(
        expression=Lower(
            Concat(
                "first_name",
                Value(" "),
                "last_name",
                Value(" "),
                "company",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = LeadQuerySet.as_manager()

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
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id="") & Q(deleted_at__isnull=True),
                name="lead_external_id_unique",
                violation_error_message="Another record already has this external id.",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="lead_budget_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="lead_score_range"
            ),
        ]
        indexes: ClassVar = [
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="lead_custom_gin"),
            models.Index(
                Lower("external_id"), condition=~Q(external_id=""), name="lead_external_id_lower"
            ),
            models.Index(fields=["owner", "-created_at", "-id"], name="lead_owner_created"),
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_created"),
            models.Index(
                fields=["temperature", "-created_at", "-id"], name="lead_temperature_created"
            ),
            models.Index(fields=["source", "-created_at", "-id"], name="lead_source_created"),
            models.Index(fields=["-created_at", "-id"], name="lead_created"),
            models.Index(F("score").desc(nulls_last=True), F("id").desc(), name="lead_score"),
            models.Index(
                F("source"),
                F("score").desc(nulls_last=True),
                F("id").desc(),
                name="lead_source_score",
            ),
            models.Index(fields=["last_name", "first_name", "id"], name="lead_name"),
            models.Index(fields=["owner", "last_name", "first_name", "id"], name="lead_owner_name"),
            models.Index(
                F("owner"),
                F("score").desc(nulls_last=True),
                F("id").desc(),
                name="lead_owner_score",
            ),
            models.Index(
                fields=["owner", "status", "-created_at", "-id"], name="lead_owner_status_created"
            ),
            models.Index(
                fields=["owner", "temperature", "-created_at", "-id"],
                name="lead_owner_temp_created",
            ),
            models.Index(
                fields=["owner", "-assigned_at"],
                condition=Q(assignment_seen_at__isnull=True, assigned_at__isnull=False),
                name="lead_owner_unseen",
            ),
            models.Index(
                fields=["email_normalized"], condition=~Q(email=""), name="lead_email_norm"
            ),
            models.Index(
                fields=["phone_normalized"], condition=~Q(phone=""), name="lead_phone_norm"
            ),
            GinIndex(fields=["search_words"], name="lead_search_words"),
            GinIndex(
                OpClass(F("name_company"), name="gin_trgm_ops"), name="lead_name_company_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.company or f"Lead {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def score_band(self) -> str:
        """A (75-100), B (50-74), C (25-49), D (0-24); "" when not scored."""
        return band_of(self.score)

    @property
    def score_row(self) -> Any:
        """The lead's LeadScore, or None before its first scoring."""
        try:
            return self.scoring  # type: ignore[attr-defined]
        except ObjectDoesNotExist:
            return None

    @property
    def rule_score(self) -> int | None:
        return self.score_row.rule_score if self.score_row else None

    @property
    def model_score(self) -> int | None:
        return self.score_row.model_score if self.score_row else None

    @property
    def score_reasons(self) -> dict[str, Any] | None:
        """Why it scored what it did (rule hits, the model's labelled factors, top up/down)."""
        from leads.scoring.explain import expand  # scoring's models import this module

        return expand(self.score_row.reasons) if self.score_row else None

    @property
    def score_generation(self) -> int | None:
        return self.score_row.generation if self.score_row else None

    @property
    def scored_at(self) -> datetime | None:
        return self.score_row.scored_at if self.score_row else None


SCORE_BANDS: dict[str, tuple[int, int]] = {
    "A": (75, 100),
    "B": (50, 74),
    "C": (25, 49),
    "D": (0, 24),
}


def band_of(score: int | None) -> str:
    if score is None:
        return ""
    for band, (low, _high) in SCORE_BANDS.items():
        if score >= low:
            return band
    return "D"
