from typing import Any

from django import forms

MONTHS = [
    (1, "January"),
    (2, "February"),
    (3, "March"),
    (4, "April"),
    (5, "May"),
    (6, "June"),
    (7, "July"),
    (8, "August"),
    (9, "September"),
    (10, "October"),
    (11, "November"),
    (12, "December"),
]


class ForecastSettingsForm(forms.Form):
    fiscal_year_start_month = forms.TypedChoiceField(
        choices=MONTHS,
        coerce=int,
        label="Fiscal year starts in",
        help_text="Quarters and fiscal years follow from it. FY2026 is the fiscal year that "
        "starts in 2026.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
