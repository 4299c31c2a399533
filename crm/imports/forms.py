from typing import Any

from django import forms

from crm.imports.models import DedupePolicy, FileFormat
from crm.imports.registry import all_kinds


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds")
    file = forms.FileField(
        label="File",
        help_text="CSV (any delimiter and encoding) or Excel .xlsx; the first row names the "
        "columns.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)  # noqa: S101 - narrows the type
        kind_field.choices = [(k.name, k.label) for k in all_kinds()]


class PreviewForm(forms.Form):
    policy = forms.ChoiceField(
        label="When a row matches an existing record",
        choices=DedupePolicy.choices,
        initial=DedupePolicy.SKIP,
        widget=forms.RadioSelect,
    )


class ExportForm(forms.Form):
    kind = forms.CharField(max_length=30)
    file_format = forms.ChoiceField(choices=FileFormat.choices, initial=FileFormat.CSV)
    query = forms.CharField(max_length=2000, required=False)
