"""Reads for custom fields: definitions in form order, and a record's values for display."""

from typing import Any

from crm.models import CustomField, CustomFieldType


def custom_field_list(model_label: str) -> list[CustomField]:
    return list(CustomField.objects.for_model(model_label))


def display_value(field: CustomField, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if field.type == CustomFieldType.BOOLEAN:
        return "Yes" if value else "No"
    if field.type == CustomFieldType.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def custom_rows(model_label: str, values: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(name, shown value) for every definition of the kind, in order; one query."""
    values = values or {}
    return [(f.name, display_value(f, values.get(f.key))) for f in custom_field_list(model_label)]
