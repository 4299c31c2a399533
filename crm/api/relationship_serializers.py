"""Serializers for accounts, contacts, activities, tasks and shares: one output shape per
model, one input serializer per write. Input serializers check shape; services decide."""

from typing import Any

from rest_framework import serializers

from crm.limits import ApiDateField, ApiDateTimeField, ApiIntegerField
from crm.models import Account, Activity, Contact, RecordShare, Task, Team, User
from crm.models.accounts import ChannelPreference, EmailConsent, Relationship, Segment
from crm.models.activities import ActivityKind, TaskPriority
from crm.models.sharing import ShareAccess
from crm.services.accounts import ContactsPlan
from crm.validators import validate_phone


class AccountOutputSerializer(serializers.ModelSerializer[Account]):
    class Meta:
        model = Account
        fields = (
            "id",
            "name",
            "domain",
            "website",
            "industry",
            "employee_count",
            "annual_revenue",
            "region",
            "country",
            "address",
            "parent",
            "owner",
            "segment",
            "relationship",
            "customer_since",
            "churned_at",
            "external_id",
            "custom",
            "created_at",
            "updated_at",
            "deleted_at",
        )
        read_only_fields = fields


def _users() -> Any:
    return User.objects.filter(is_active=True)


class AccountInputSerializer(serializers.Serializer[Account]):
    name = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    employee_count = ApiIntegerField(min_value=0, required=False, allow_null=True)
    annual_revenue = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    parent = ApiIntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    owner = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False, allow_null=True)
    segment = serializers.ChoiceField(choices=Segment.choices, required=False)
    relationship = serializers.ChoiceField(choices=Relationship.choices, required=False)
    customer_since = ApiDateField(required=False, allow_null=True)
    churned_at = ApiDateField(required=False, allow_null=True)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    custom = serializers.DictField(
        required=False, help_text="Custom field values by key (see /api/v1/custom-fields/)."
    )


class AccountDeleteSerializer(serializers.Serializer[Account]):
    contacts = serializers.ChoiceField(
        choices=[c for c, _ in ContactsPlan.CHOICES], required=False, allow_null=True
    )
    move_to = ApiIntegerField(required=False, allow_null=True)


class ContactOutputSerializer(serializers.ModelSerializer[Contact]):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = (
            "id",
            "first_name",
            "last_name",
            "full_name",
            "title",
            "email",
            "phone",
            "account",
            "owner",
            "preferred_channel",
            "email_consent",
            "consent_changed_at",
            "consent_source",
            "notes",
            "external_id",
            "custom",
            "created_at",
            "updated_at",
            "erased_at",
        )
        read_only_fields = fields


class ContactInputSerializer(serializers.Serializer[Contact]):
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, validators=[validate_phone]
    )
    account = ApiIntegerField(required=False, allow_null=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False, allow_null=True)
    preferred_channel = serializers.ChoiceField(choices=ChannelPreference.choices, required=False)
    email_consent = serializers.ChoiceField(choices=EmailConsent.choices, required=False)
    consent_source = serializers.CharField(max_length=120, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    custom = serializers.DictField(
        required=False, help_text="Custom field values by key (see /api/v1/custom-fields/)."
    )


class ActivityOutputSerializer(serializers.ModelSerializer[Activity]):
    class Meta:
        model = Activity
        fields = (
            "id",
            "kind",
            "subject",
            "body",
            "occurred_at",
            "duration_minutes",
            "outcome",
            "owner",
            "account",
            "contact",
            "lead",
            "deal",
            "created_at",
        )
        read_only_fields = fields


class LinkInputMixin(serializers.Serializer[Any]):
    account = ApiIntegerField(required=False, allow_null=True)
    contact = ApiIntegerField(required=False, allow_null=True)
    lead = ApiIntegerField(required=False, allow_null=True)
    deal = ApiIntegerField(required=False, allow_null=True)


class ActivityInputSerializer(LinkInputMixin):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True)
    occurred_at = ApiDateTimeField(required=False, allow_null=True)
    duration_minutes = ApiIntegerField(
        min_value=0, max_value=24 * 60, required=False, allow_null=True
    )
    outcome = serializers.CharField(max_length=120, required=False, allow_blank=True)


class ActivityUpdateSerializer(serializers.Serializer[Activity]):
    kind = serializers.ChoiceField(choices=ActivityKind.choices, required=False)
    subject = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(required=False, allow_blank=True)
    occurred_at = ApiDateTimeField(required=False)
    duration_minutes = ApiIntegerField(
        min_value=0, max_value=24 * 60, required=False, allow_null=True
    )
    outcome = serializers.CharField(max_length=120, required=False, allow_blank=True)


class TaskOutputSerializer(serializers.ModelSerializer[Task]):
    done = serializers.BooleanField(source="is_done", read_only=True)

    class Meta:
        model = Task
        fields = (
            "id",
            "title",
            "notes",
            "due_at",
            "priority",
            "owner",
            "created_by",
            "account",
            "contact",
            "lead",
            "deal",
            "done",
            "done_at",
            "reminder_sent_at",
            "created_at",
        )
        read_only_fields = fields


class TaskInputSerializer(LinkInputMixin):
    title = serializers.CharField(max_length=200)
    due_at = ApiDateTimeField()
    priority = serializers.ChoiceField(choices=TaskPriority.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False, allow_null=True)


class TaskUpdateSerializer(serializers.Serializer[Task]):
    title = serializers.CharField(max_length=200, required=False)
    due_at = ApiDateTimeField(required=False)
    priority = serializers.ChoiceField(choices=TaskPriority.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False)
    done = serializers.BooleanField(required=False)


class ShareOutputSerializer(serializers.ModelSerializer[RecordShare]):
    class Meta:
        model = RecordShare
        fields = ("id", "user", "team", "access", "created_by", "created_at")
        read_only_fields = fields


class ShareInputSerializer(serializers.Serializer[RecordShare]):
    user = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False, allow_null=True)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    access = serializers.ChoiceField(choices=ShareAccess.choices, default=ShareAccess.READ)


class TaskCompleteSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=ApiIntegerField(min_value=1), allow_empty=False, max_length=500
    )


class TaskCompleteResultSerializer(serializers.Serializer[Any]):
    done = serializers.IntegerField(help_text="Tasks ticked done now.")
    skipped = serializers.IntegerField(
        help_text="Already done, unknown, hidden from you or not yours to change."
    )
