"""Administrator forms for scoring rules and settings (the service validates and saves)."""

from typing import Any

from django import forms

from crm.limits import FormIntegerField
from leads.scoring.fields import field_choices
from leads.scoring.models import Engagement, Operator, Outcome, ScoringRule, ScoringSettings


class ScoringRuleForm(forms.Form):
    name = forms.CharField(max_length=120)
    field = forms.ChoiceField(label="Tests", help_text="A lead field, or engagement.")
    operator = forms.ChoiceField(choices=Operator.choices, required=False)
    value = forms.CharField(
        required=False,
        max_length=500,
        help_text="For “is one of”, separate values with commas. Not used for empty / not empty.",
    )
    activity = forms.ChoiceField(
        choices=[("", "—"), *Engagement.choices], required=False, label="Engagement kind"
    )
    within_days = FormIntegerField(required=False, min_value=1, label="In the last … days")
    min_count = FormIntegerField(required=False, min_value=1, label="At least … times")
    points = FormIntegerField(min_value=-100, max_value=100, help_text="-100 to 100, not 0.")
    decay_days = FormIntegerField(
        required=False, min_value=1, label="Half-life (days)", help_text="Optional decay."
    )
    position = FormIntegerField(required=False, min_value=0, initial=0)
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args: Any, rule: ScoringRule | None = None, **kwargs: Any) -> None:
        if rule is not None and not kwargs.get("data") and not args:
            value = rule.value
            kwargs["initial"] = {
                "name": rule.name,
                "field": rule.field,
                "operator": rule.operator,
                "value": ", ".join(map(str, value)) if isinstance(value, list) else value or "",
                "activity": rule.activity,
                "within_days": rule.within_days,
                "min_count": rule.min_count,
                "points": rule.points,
                "decay_days": rule.decay_days,
                "position": rule.position,
                "is_active": rule.is_active,
            }
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = field_choices()  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["position"] = data.get("position") or 0
        return data


class ScoringSettingsForm(forms.ModelForm):
    excluded_features = forms.CharField(
        required=False,
        label="Features the model must not use",
        help_text="Names separated by spaces or commas.",
    )

    class Meta:
        model = ScoringSettings
        fields = ("outcome", "model_weight", "cutoff", "auto_activate")
        widgets = {"outcome": forms.Select(choices=Outcome.choices)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = kwargs.get("instance")
        if instance is not None and not self.is_bound:
            self.initial["excluded_features"] = " ".join(instance.excluded_features)

    def _post_clean(self) -> None:
        pass
