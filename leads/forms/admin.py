"""Administrator forms: assignment rules, temperature rules, web forms, settings, sources."""

from typing import Any

from django import forms

from crm.models import Team, User
from leads.models import AssignmentRule, LeadSettings, LeadSource, TemperatureRule, WebForm


class AssignmentRuleForm(forms.ModelForm):
    class Meta:
        model = AssignmentRule
        fields = (
            "name",
            "position",
            "is_active",
            "country",
            "region",
            "source",
            "min_employees",
            "max_employees",
            "action",
            "user",
            "team",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.all()  # type: ignore[attr-defined]
        self.fields["user"].help_text = "For “a specific rep”."
        self.fields["team"].help_text = "For round robin and least-loaded."

    def _post_clean(self) -> None:
        # The service validates and saves; skip the model's full_clean here.
        pass


class TemperatureRuleForm(forms.ModelForm):
    class Meta:
        model = TemperatureRule
        fields = ("temperature", "engaged_within_days")

    def _post_clean(self) -> None:
        pass


class WebFormForm(forms.ModelForm):
    class Meta:
        model = WebForm
        fields = ("name", "source", "campaign", "allowed_origins", "redirect_url", "is_active")
        widgets = {"allowed_origins": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        pass


class LeadSettingsForm(forms.ModelForm):
    class Meta:
        model = LeadSettings
        fields = ("fallback_owner", "new_lead_days")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fallback_owner"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


class LeadSourceForm(forms.ModelForm):
    class Meta:
        model = LeadSource
        fields = ("name", "slug", "position", "is_active")

    def _post_clean(self) -> None:
        pass
