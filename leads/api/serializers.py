"""API shapes for leads: one output serializer, one input serializer per write."""

from decimal import Decimal

from rest_framework import serializers

from crm.limits import ApiDateField, ApiIntegerField
from crm.models import Account, User
from leads.models import Lead, LeadSource, LeadStatus, LeadTransition, Temperature, Timeframe


class LeadSourceSerializer(serializers.ModelSerializer[LeadSource]):
    class Meta:
        model = LeadSource
        fields = ("id", "name", "slug", "is_active", "position")


class LeadOutputSerializer(serializers.ModelSerializer[Lead]):
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    source_name = serializers.CharField(
        source="source.name", read_only=True, default=None, allow_null=True
    )
    score_band = serializers.CharField(
        read_only=True, help_text="A (75-100), B (50-74), C (25-49), D (0-24); empty: not scored."
    )
    score_reasons = serializers.JSONField(
        read_only=True,
        help_text="Why: rule hits with points, the model's factors (log-odds), top up/down.",
    )
    rule_score = serializers.IntegerField(read_only=True, allow_null=True)
    model_score = serializers.IntegerField(read_only=True, allow_null=True)
    scored_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Lead
        fields = (
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "company",
            "title",
            "website",
            "industry",
            "employee_count",
            "country",
            "region",
            "source",
            "source_name",
            "campaign",
            "owner",
            "owner_name",
            "status",
            "disqualified_reason",
            "timeframe",
            "temperature",
            "temperature_overridden",
            "temperature_override_reason",
            "budget",
            "notes",
            "score",
            "score_band",
            "score_reasons",
            "rule_score",
            "model_score",
            "scored_at",
            "last_activity_at",
            "assigned_at",
            "converted_at",
            "converted_account",
            "converted_contact",
            "converted_deal",
            "external_id",
            "custom",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class LeadWriteSerializer(serializers.Serializer[Lead]):
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    website = serializers.CharField(max_length=253, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    employee_count = ApiIntegerField(min_value=0, required=False, allow_null=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=LeadSource.objects.all(), required=False, allow_null=True
    )
    campaign = serializers.CharField(max_length=120, required=False, allow_blank=True)
    timeframe = serializers.ChoiceField(choices=Timeframe.choices, required=False)
    budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    custom = serializers.DictField(
        required=False, help_text="Custom field values by key (see /api/v1/custom-fields/)."
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class LeadCreateSerializer(LeadWriteSerializer):
    assign_by_rules = serializers.BooleanField(required=False, default=False)


class TransitionInputSerializer(serializers.Serializer[Lead]):
    to_status = serializers.ChoiceField(choices=LeadStatus.choices)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TransitionOutputSerializer(serializers.ModelSerializer[LeadTransition]):
    class Meta:
        model = LeadTransition
        fields = ("id", "from_status", "to_status", "actor", "at", "reason")


class TemperatureInputSerializer(serializers.Serializer[Lead]):
    temperature = serializers.ChoiceField(choices=Temperature.choices, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ConvertAccountSerializer(serializers.Serializer[Account]):
    name = serializers.CharField(max_length=200, required=False)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ConvertContactSerializer(serializers.Serializer[Lead]):
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)


class ConvertDealSerializer(serializers.Serializer[Lead]):
    pipeline = ApiIntegerField()
    stage = ApiIntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, default=Decimal(0)
    )
    expected_close_date = ApiDateField(required=False, allow_null=True)


class ConvertInputSerializer(serializers.Serializer[Lead]):
    account_id = ApiIntegerField(required=False, allow_null=True)
    account = ConvertAccountSerializer(required=False)
    contact = ConvertContactSerializer(required=False)
    deal = ConvertDealSerializer(required=False, allow_null=True)


class ConvertOutputSerializer(serializers.Serializer[Lead]):
    lead = LeadOutputSerializer()
    account_id = ApiIntegerField()
    contact_id = ApiIntegerField()
    deal_id = ApiIntegerField(allow_null=True)


class MergeInputSerializer(serializers.Serializer[Lead]):
    other = ApiIntegerField(help_text="The lead merged into this one (it goes away).")
    choices = serializers.DictField(
        child=serializers.ChoiceField(choices=["winner", "loser"]), required=False, default=dict
    )


class MergeOutputSerializer(serializers.Serializer[Lead]):
    merge_id = ApiIntegerField()
    lead = LeadOutputSerializer()


class BulkAssignInputSerializer(serializers.Serializer[Lead]):
    ids = serializers.ListField(child=ApiIntegerField(), min_length=1, max_length=500)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class CandidateSerializer(serializers.Serializer[Lead]):
    kind = serializers.CharField()
    id = ApiIntegerField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    detail = serializers.CharField()
    reason = serializers.CharField()
    similarity = serializers.FloatField()
    visible = serializers.BooleanField()
    url = serializers.CharField()


class CandidateListSerializer(serializers.Serializer[Lead]):
    results = CandidateSerializer(many=True)


class DuplicateQuerySerializer(serializers.Serializer[Lead]):
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    first_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    company = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class WebToLeadInputSerializer(serializers.Serializer[Lead]):
    form = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=40
    )
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    website = serializers.CharField(max_length=253, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    employee_count = ApiIntegerField(min_value=0, required=False, allow_null=True)
    timeframe = serializers.ChoiceField(choices=Timeframe.choices, required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    nickname = serializers.CharField(
        required=False, allow_blank=True, help_text="Honeypot: leave empty."
    )
