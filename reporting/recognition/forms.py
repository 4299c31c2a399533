"""Forms for challenges and the reporting settings (shape only; the services decide)."""

from typing import Any

from django import forms

from crm.models import Team, User
from reporting.forms import team_choices

from .models import Board, BoardAudience, ChallengeMetric, ReportingSettings

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class ChallengeForm(forms.Form):
    name = forms.CharField(max_length=120)
    metric = forms.ChoiceField(choices=ChallengeMetric.choices, label="Counts")
    target = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    starts_on = forms.DateField(widget=DATE, label="Starts")
    ends_on = forms.DateField(widget=DATE, label="Ends")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_choices(actor).order_by("path")  # type: ignore[attr-defined]
        _style(self)


class ReportingSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ReportingSettings
        fields = (
            "leaderboard_min_deals",
            "revenue_audience",
            "attainment_audience",
            "activity_audience",
            "improvement_audience",
            "streak_weeks",
            "gross_margin_percent",
        )
        labels = {
            "leaderboard_min_deals": "Deals won before someone is ranked",
            "streak_weeks": "Weeks in a row with a won deal for a streak badge",
            "gross_margin_percent": "Gross margin % (for CLV)",
            **{
                f"{board}_audience": f"Who sees the {label.lower()} board"
                for board, label in Board.choices
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for board in Board.values:
            self.fields[f"{board}_audience"].choices = BoardAudience.choices  # type: ignore[attr-defined]
        _style(self)
