"""Scoring rules, the workspace's scoring settings and stored model versions."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Operator(models.TextChoices):
    IN = "in", "is one of"
    EQ = "eq", "="
    GTE = "gte", "≥"
    LTE = "lte", "≤"
    CONTAINS = "contains", "contains"
    EMPTY = "empty", "is empty"
    NOT_EMPTY = "not_empty", "is not empty"


class Engagement(models.TextChoices):
    CALL = "call", "Calls"
    EMAIL = "email", "Emails"
    MEETING = "meeting", "Meetings"
    NOTE = "note", "Notes"
    EMAIL_REPLIED = "email_replied", "Emails replied"
    MEETING_HELD = "meeting_held", "Meetings held"
    WEB_FORM = "web_form", "Web-form submissions"


ENGAGEMENT_FIELD = "engagement"


class ScoringRule(models.Model):
    """A condition and its points. `field` names a lead field (see leads.scoring.fields) or
    "engagement", which counts the lead's activities of `activity` in the last `within_days`."""

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    field = models.CharField(max_length=80)
    operator = models.CharField(max_length=10, choices=Operator.choices, default=Operator.EQ)
    value = models.JSONField(null=True, blank=True)
    activity = models.CharField(max_length=16, choices=Engagement.choices, blank=True, default="")
    within_days = models.PositiveIntegerField(null=True, blank=True)
    min_count = models.PositiveIntegerField(default=1)
    points = models.SmallIntegerField()
    decay_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Half-life in days: the points halve every this many days since the latest "
        "matching activity (engagement) or since the lead was created.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(points__gte=-100, points__lte=100) & ~Q(points=0),
                name="scoring_rule_points_range",
            ),
            models.CheckConstraint(
                condition=Q(decay_days__isnull=True) | Q(decay_days__gte=1),
                name="scoring_rule_decay_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    CONVERTED = "converted", "Converted leads against disqualified ones"
    WON = "won", "Leads whose deal was won against disqualified leads and lost deals"


class ScoringSettings(models.Model):
    """Singleton (pk=1). `generation` grows whenever what a score depends on changes (rules,
    the active model, the weight): a lead scored under an older generation is stale."""

    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.CONVERTED)
    model_weight = models.PositiveSmallIntegerField(
        default=60,
        help_text="Share of the predictive score in the combined score, in percent (the rest "
        "is the rule score). Without an active model the rule score is the score.",
    )
    excluded_features = models.JSONField(
        default=list, blank=True, help_text="Feature names the model must not use."
    )
    cutoff = models.PositiveSmallIntegerField(
        default=50, help_text="Scores at or above this count as “likely” in precision/recall."
    )
    auto_activate = models.BooleanField(
        default=True,
        help_text="The nightly training activates a new version when it is at least as good as "
        "the active one on the newest leads.",
    )
    generation = models.PositiveIntegerField(default=1)
    active_model = models.ForeignKey(
        "leads.ScoringModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "scoring settings"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(model_weight__lte=100) & Q(cutoff__gte=1) & Q(cutoff__lte=99),
                name="scoring_settings_ranges",
            ),
        ]

    def __str__(self) -> str:
        return "Scoring settings"


class ModelStatus(models.TextChoices):
    READY = "ready", "Ready"
    SKIPPED = "skipped", "Not enough history"
    FAILED = "failed", "Failed"


class ScoringModel(models.Model):
    """One training: its data, features, metrics and (when ready) the fitted pipeline as bytes,
    so every worker loads the same model from the database."""

    status = models.CharField(max_length=8, choices=ModelStatus.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    trained_at = models.DateTimeField(default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    positives = models.PositiveIntegerField(default=0)
    negatives = models.PositiveIntegerField(default=0)
    features = models.JSONField(default=list, blank=True)
    excluded_features = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    importance = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True, default="")
    seconds = models.FloatField(default=0)
    artefact = models.BinaryField(null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"Model v{self.pk} ({self.trained_at:%Y-%m-%d %H:%M})"


class LeadScore(models.Model):
    """A lead's score as last computed: its parts, why, and the generation (rules, model,
    weight) it was computed under. One narrow row per lead, written set-based by the batch
    scorer (`INSERT … ON CONFLICT DO UPDATE`), so rescoring never rewrites the wide lead row
    and its many indexes; only the combined score is copied onto `Lead.score` (for the list's
    filters and sorts), and only when it changes."""

    lead = models.OneToOneField(
        "leads.Lead", primary_key=True, on_delete=models.CASCADE, related_name="scoring"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_score = models.PositiveSmallIntegerField(null=True, blank=True)
    model_score = models.PositiveSmallIntegerField(null=True, blank=True)
    reasons = models.JSONField(null=True, blank=True)
    generation = models.PositiveIntegerField()
    model_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The ScoringModel id that scored it (none: rules alone)."
    )
    scored_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Lead {self.lead_id}: {self.score}"
