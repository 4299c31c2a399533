"""API shapes for notifications, saved views and the audit log."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers

from crm.limits import ApiDateField, ApiIntegerField
from crm.models import AuditEntry, Notification, SavedView, User
from crm.models.audit import AuditAction
from crm.services.saved_views import LIST_KINDS


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ("id", "text", "link", "created_at", "read_at", "is_read")
        read_only_fields = fields

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationQuerySerializer(serializers.Serializer[Any]):
    unread = serializers.BooleanField(
        required=False, default=None, allow_null=True, help_text="true: only unread ones."
    )


class MarkedSerializer(serializers.Serializer[Any]):
    marked = ApiIntegerField(help_text="How many notifications were marked read.")


class SavedViewSerializer(serializers.ModelSerializer[SavedView]):
    class Meta:
        model = SavedView
        fields = ("id", "kind", "name", "querystring", "created_at")
        read_only_fields = fields


class SavedViewInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[(k, k) for k in LIST_KINDS])
    name = serializers.CharField(max_length=80)
    querystring = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The list's filters, e.g. status=new&owner=4 (page positions are dropped).",
    )


class SavedViewQuerySerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[(k, k) for k in LIST_KINDS], required=False)


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    actor_name = serializers.CharField(source="actor.full_name", read_only=True, default=None)
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = (
            "id",
            "created_at",
            "actor",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
        )
        read_only_fields = fields

    def get_object_type(self, obj: AuditEntry) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class AuditQuerySerializer(serializers.Serializer[Any]):
    actor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    object_type = serializers.CharField(
        required=False, max_length=120, help_text="app_label.model, e.g. crm.contact"
    )
    object_id = serializers.CharField(required=False, max_length=64)
    since = ApiDateField(required=False, help_text="On or after this day.")
    until = ApiDateField(required=False, help_text="On or before this day.")

    def validate_object_type(self, value: str) -> ContentType:
        app_label, _, model = value.strip().lower().partition(".")
        found = ContentType.objects.filter(app_label=app_label, model=model).first()
        if found is None:
            raise serializers.ValidationError("Unknown record type; use app_label.model.")
        return found
