"""Forms for custom fields: the admins' definition form, and the value fields every record
form (lead, account, contact, deal) adds for the definitions of its kind."""

from typing import Any

from django import forms

from crm.limits import FormDateField, FormIntegerField
from crm.models import CustomField, CustomFieldModel, CustomFieldType

PREFIX = "custom__"


class CustomFieldForm(forms.Form):
    model_label = forms.ChoiceField(choices=CustomFieldModel.choices, label="On")
    name = forms.CharField(max_length=100)
    key = forms.CharField(
        max_length=50,
        required=False,
        help_text="Its name in the API, exports and imports. Empty: made from the name.",
    )
    type = forms.ChoiceField(choices=CustomFieldType.choices)
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="For choice fields: one choice per line.",
    )
    required = forms.BooleanField(required=False)
    help_text = forms.CharField(max_length=200, required=False)
    filterable = forms.BooleanField(
        required=False, help_text="Offer it as a list filter (indexed in the background)."
    )
    sortable = forms.BooleanField(
        required=False, help_text="Offer it as a list column to sort on (indexed)."
    )
    position = FormIntegerField(min_value=0, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["model_label"]
            del self.fields["key"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = [line.strip() for line in data.get("choices", "").splitlines()]
        if data.get("position") is None:
            data.pop("position", None)
        return data


def _value_field(definition: CustomField) -> forms.Field:
    common: dict[str, Any] = {
        "label": definition.name,
        "required": False,  # the service enforces `required` (also for API and imports)
        "help_text": definition.help_text,
    }
    kind = definition.type
    if kind == CustomFieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind in (CustomFieldType.NUMBER, CustomFieldType.MONEY):
        return forms.DecimalField(max_digits=17, decimal_places=4, **common)
    if kind == CustomFieldType.DATE:
        return FormDateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == CustomFieldType.BOOLEAN:
        return forms.NullBooleanField(
            widget=forms.Select(choices=[("", "—"), ("true", "Yes"), ("false", "No")]),
            **common,
        )
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—"), *[(c, c) for c in definition.choices]], **common
        )
    if kind == CustomFieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in definition.choices],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    return forms.CharField(max_length=1000, **common)


def add_custom_fields(
    form: forms.BaseForm, model_label: str, values: dict[str, Any] | None
) -> None:
    """Add a form field per definition (`custom__<key>`), filled from the record's values."""
    for definition in CustomField.objects.for_model(model_label):
        name = PREFIX + definition.key
        form.fields[name] = _value_field(definition)
        if values and definition.key in values and not form.is_bound:
            form.initial[name] = values[definition.key]


def custom_values(form: forms.BaseForm) -> dict[str, Any]:
    """The posted custom values, key → value (None clears), for the service."""
    return {
        name.removeprefix(PREFIX): value
        for name, value in form.cleaned_data.items()
        if name.startswith(PREFIX)
    }


def split_custom(data: dict[str, Any]) -> dict[str, Any]:
    """Move the `custom__…` entries of cleaned data into `data["custom"]` (in place)."""
    custom = {k.removeprefix(PREFIX): data.pop(k) for k in list(data) if k.startswith(PREFIX)}
    if custom:
        data["custom"] = custom
    return data
