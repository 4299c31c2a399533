"""The spend form (shape only; the service decides)."""

from typing import Any

from django import forms

from crm.limits import FormDateField
from leads.models import LeadSource

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(FormDateField):
    """A month (2026-03, or any day of it)."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]


class SpendForm(forms.Form):
    source = forms.ModelChoiceField(queryset=LeadSource.objects.all(), label="Lead source")
    month = MonthField(widget=MONTH)
    marketing = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0, initial=0)
    sales = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0, initial=0)
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
