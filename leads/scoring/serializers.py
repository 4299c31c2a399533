"""API shapes for scoring: rules, previews, settings, model versions."""

from typing import Any

from rest_framework import serializers

from crm.limits import ApiIntegerField
from leads.scoring.models import (
    Engagement,
    Operator,
    Outcome,
    ScoringModel,
    ScoringRule,
    ScoringSettings,
)
from leads.scoring.rules import describe


class ScoringRuleSerializer(serializers.ModelSerializer[ScoringRule]):
    condition = serializers.SerializerMethodField()

    class Meta:
        model = ScoringRule
        fields = (
            "id",
            "name",
            "position",
            "is_active",
            "field",
            "operator",
            "value",
            "activity",
            "within_days",
            "min_count",
            "points",
            "decay_days",
            "condition",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_condition(self, rule: ScoringRule) -> str:
        return describe(rule)


class ScoringRuleInputSerializer(serializers.Serializer[ScoringRule]):
    """Shape only; the service checks that the field exists and the value fits it."""

    name = serializers.CharField(max_length=120)
    position = ApiIntegerField(min_value=0, required=False, default=0)
    is_active = serializers.BooleanField(required=False, default=True)
    field = serializers.CharField(
        max_length=80,
        help_text="A lead field (title, industry, employee_count, source, timeframe, …) or "
        "“engagement”.",
    )
    operator = serializers.ChoiceField(choices=Operator.choices, required=False)
    value = serializers.JSONField(
        required=False, allow_null=True, help_text="A list for “in”; one value otherwise."
    )
    activity = serializers.ChoiceField(choices=Engagement.choices, required=False, allow_blank=True)
    within_days = ApiIntegerField(required=False, allow_null=True)
    min_count = ApiIntegerField(required=False, allow_null=True)
    points = ApiIntegerField()
    decay_days = ApiIntegerField(required=False, allow_null=True)


class ScoringRuleUpdateSerializer(ScoringRuleInputSerializer):
    name = serializers.CharField(max_length=120, required=False)
    field = serializers.CharField(max_length=80, required=False)
    points = ApiIntegerField(required=False)


class PreviewInputSerializer(ScoringRuleInputSerializer):
    rule = ApiIntegerField(
        required=False, allow_null=True, help_text="The rule this one replaces (an edit)."
    )
    name = serializers.CharField(max_length=120, required=False, default="Preview")


class PreviewSerializer(serializers.Serializer[Any]):
    rule_text = serializers.CharField()
    leads = ApiIntegerField()
    moved = ApiIntegerField()
    before = serializers.DictField(child=ApiIntegerField())
    after = serializers.DictField(child=ApiIntegerField())
    moves = serializers.DictField(child=serializers.DictField(child=ApiIntegerField()))
    examples = serializers.ListField(child=serializers.DictField())


class ScoringSettingsSerializer(serializers.ModelSerializer[ScoringSettings]):
    class Meta:
        model = ScoringSettings
        fields = (
            "outcome",
            "model_weight",
            "excluded_features",
            "cutoff",
            "auto_activate",
            "generation",
            "active_model",
        )
        read_only_fields = fields


class ScoringSettingsInputSerializer(serializers.Serializer[ScoringSettings]):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    model_weight = ApiIntegerField(min_value=0, max_value=100, required=False)
    excluded_features = serializers.ListField(child=serializers.CharField(), required=False)
    cutoff = ApiIntegerField(min_value=1, max_value=99, required=False)
    auto_activate = serializers.BooleanField(required=False)


class ScoringModelSerializer(serializers.ModelSerializer[ScoringModel]):
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ScoringModel
        fields = (
            "id",
            "status",
            "outcome",
            "trained_at",
            "trained_by",
            "positives",
            "negatives",
            "features",
            "excluded_features",
            "metrics",
            "importance",
            "message",
            "seconds",
            "activated_at",
            "is_active",
        )
        read_only_fields = fields

    def get_is_active(self, version: ScoringModel) -> bool:
        return bool(self.context.get("active_id") == version.pk)


class TrainInputSerializer(serializers.Serializer[Any]):
    activate = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Activate the new version unless it is worse than the active one.",
    )


class TrainQueuedSerializer(serializers.Serializer[Any]):
    queued = serializers.BooleanField()
    positives = ApiIntegerField()
    negatives = ApiIntegerField()
