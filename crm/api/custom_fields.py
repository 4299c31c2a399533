"""Custom field definitions: everyone signed in reads them (forms, lists and clients need
them); administrators add, change and remove them."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from crm.access import AUTHENTICATED
from crm.api.base import ServiceWritesMixin
from crm.api.views import AdminWrites
from crm.limits import ApiIntegerField
from crm.models import CustomField, CustomFieldModel, CustomFieldType, User
from crm.services import custom_fields


class CustomFieldSerializer(serializers.ModelSerializer[CustomField]):
    class Meta:
        model = CustomField
        fields = (
            "id",
            "model_label",
            "key",
            "name",
            "type",
            "choices",
            "required",
            "help_text",
            "filterable",
            "sortable",
            "position",
            "created_at",
        )
        read_only_fields = fields


class CustomFieldInputSerializer(serializers.Serializer[CustomField]):
    model_label = serializers.ChoiceField(choices=CustomFieldModel.choices)
    name = serializers.CharField(max_length=100)
    key = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text="Default: from the name."
    )
    type = serializers.ChoiceField(choices=CustomFieldType.choices)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    required = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]
    help_text = serializers.CharField(  # type: ignore[assignment]
        max_length=200, required=False, allow_blank=True
    )
    filterable = serializers.BooleanField(required=False, default=False)
    sortable = serializers.BooleanField(required=False, default=False)
    position = ApiIntegerField(min_value=0, required=False)


class CustomFieldUpdateSerializer(serializers.Serializer[CustomField]):
    name = serializers.CharField(max_length=100, required=False)
    type = serializers.ChoiceField(choices=CustomFieldType.choices, required=False)
    choices = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    required = serializers.BooleanField(required=False)  # type: ignore[assignment]
    help_text = serializers.CharField(  # type: ignore[assignment]
        max_length=200, required=False, allow_blank=True
    )
    filterable = serializers.BooleanField(required=False)
    sortable = serializers.BooleanField(required=False)
    position = ApiIntegerField(min_value=0, required=False)


class CustomFieldViewSet(ServiceWritesMixin, viewsets.ModelViewSet[CustomField]):
    """`?model_label=leads.Lead` narrows to one kind of record."""

    access = AUTHENTICATED
    permission_classes = [IsAuthenticated, AdminWrites]
    serializer_class = CustomFieldSerializer
    input_serializer_class = CustomFieldInputSerializer
    update_serializer_class = CustomFieldUpdateSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[CustomField]:
        fields = CustomField.objects.order_by("model_label", "position", "id")
        label = self.request.query_params.get("model_label")
        return fields.filter(model_label=label) if label else fields

    def service_create(self, user: User, data: dict[str, Any]) -> CustomField:
        return custom_fields.custom_field_create(actor=user, **data)

    def service_update(self, user: User, obj: CustomField, data: dict[str, Any]) -> CustomField:
        return custom_fields.custom_field_update(actor=user, field=obj, data=data)

    def service_delete(self, user: User, obj: CustomField) -> None:
        custom_fields.custom_field_delete(actor=user, field=obj)
