"""API shapes for the administrators' lead settings."""

from typing import Any

from rest_framework import serializers

from crm.limits import ApiIntegerField
from crm.models import Team, User
from leads.models import (
    AssignmentAction,
    AssignmentRule,
    LeadSettings,
    LeadSource,
    Temperature,
    TemperatureRule,
    WebForm,
)


class AssignmentRuleSerializer(serializers.ModelSerializer[AssignmentRule]):
    class Meta:
        model = AssignmentRule
        fields = (
            "id",
            "name",
            "position",
            "is_active",
            "country",
            "region",
            "source",
            "min_employees",
            "max_employees",
            "action",
            "user",
            "team",
        )
        read_only_fields = fields


class AssignmentRuleInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    position = ApiIntegerField(min_value=0, max_value=2_000_000_000, required=False)
    is_active = serializers.BooleanField(required=False)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=LeadSource.objects.all(), required=False, allow_null=True
    )
    min_employees = ApiIntegerField(
        min_value=0, max_value=2_000_000_000, required=False, allow_null=True
    )
    max_employees = ApiIntegerField(
        min_value=0, max_value=2_000_000_000, required=False, allow_null=True
    )
    action = serializers.ChoiceField(choices=AssignmentAction.choices)
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )


class TemperatureRuleSerializer(serializers.ModelSerializer[TemperatureRule]):
    class Meta:
        model = TemperatureRule
        fields = ("id", "timeframe", "temperature", "engaged_within_days")
        read_only_fields = fields


class TemperatureRuleInputSerializer(serializers.Serializer[Any]):
    temperature = serializers.ChoiceField(choices=Temperature.choices)
    engaged_within_days = ApiIntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True, default=None
    )


class WebFormSerializer(serializers.ModelSerializer[WebForm]):
    embed_snippet = serializers.SerializerMethodField(
        help_text="HTML form to paste into a website; posts to the public web-to-lead endpoint."
    )

    class Meta:
        model = WebForm
        fields = (
            "id",
            "name",
            "public_key",
            "allowed_origins",
            "redirect_url",
            "source",
            "campaign",
            "is_active",
            "created_at",
            "embed_snippet",
        )
        read_only_fields = fields

    def get_embed_snippet(self, obj: WebForm) -> str:
        make = self.context.get("snippet")
        return make(obj) if make else ""


class WebFormInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    allowed_origins = serializers.CharField(
        required=False, allow_blank=True, help_text="One origin per line; empty accepts any."
    )
    redirect_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=LeadSource.objects.all(), required=False, allow_null=True
    )
    campaign = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class LeadSourceInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    position = ApiIntegerField(min_value=0, max_value=2_000_000_000, required=False)


class LeadSettingsSerializer(serializers.ModelSerializer[LeadSettings]):
    class Meta:
        model = LeadSettings
        fields = ("fallback_owner", "new_lead_days")
        read_only_fields = fields


class LeadSettingsInputSerializer(serializers.Serializer[Any]):
    fallback_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    new_lead_days = ApiIntegerField(min_value=1, max_value=365, required=False)
