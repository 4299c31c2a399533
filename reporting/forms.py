"""The report filter bar: period (with presets) and scope. It checks shape; the KPIs scope."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from crm.limits import FormDateField
from crm.models import Team, User
from leads.models import LeadSource
from pipeline.models import Pipeline
from reporting.kpis import ReportFilters
from reporting.my_day import rep_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 3 * 366
PRESETS = [
    ("90d", "Last 90 days"),
    ("30d", "Last 30 days"),
    ("month", "This month"),
    ("quarter", "This quarter"),
    ("year", "This year"),
    ("custom", "Custom dates"),
]
DEFAULT_PRESET = "90d"


def preset_period(preset: str, today: date) -> tuple[date, date]:
    if preset == "30d":
        return today - timedelta(days=29), today
    if preset == "month":
        return today.replace(day=1), today
    if preset == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    if preset == "year":
        return today.replace(month=1, day=1), today
    return today - timedelta(days=89), today


def team_choices(actor: User) -> Any:
    """Admins: every team; managers: the subtrees of the teams they manage; reps: none."""
    if actor.is_admin:
        return Team.objects.all()
    if actor.is_rep:
        return Team.objects.none()
    paths = list(actor.managed_teams.values_list("path", flat=True))  # type: ignore[attr-defined]
    if not paths:
        return Team.objects.none()
    scope = Q()
    for path in paths:
        scope |= Q(path__startswith=path)
    return Team.objects.filter(scope)


def small_controls(form: forms.Form) -> None:
    """The small Bootstrap controls of a filter bar, on every field of `form`."""
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = f"{css} {css}-sm"


class ScopeFilterForm(forms.Form):
    """The team, rep and pipeline filters shared by the report filter bar and the report
    builder: a rep gets neither team nor rep; others choose among what they may see."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="All teams"
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="All reps", label="Rep"
    )
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.all(), required=False, empty_label="All pipelines"
    )

    def limit_scope(self, actor: User) -> None:
        if actor.is_rep:
            del self.fields["team"]
            del self.fields["owner"]
        else:
            self.fields["team"].queryset = team_choices(actor)  # type: ignore[attr-defined]
            self.fields["owner"].queryset = rep_choices(actor=actor).order_by(  # type: ignore[attr-defined]
                "first_name", "last_name", "id"
            )


class ReportFilterForm(ScopeFilterForm):
    field_order = ["period", "date_from", "date_to", "team", "owner", "pipeline", "source"]

    period = forms.ChoiceField(choices=PRESETS, required=False, label="Period")
    date_from = FormDateField(required=False, widget=DATE, label="From")
    date_to = FormDateField(required=False, widget=DATE, label="To")
    source = forms.ModelChoiceField(
        queryset=LeadSource.objects.all(), required=False, empty_label="All sources"
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        small_controls(self)
        self.limit_scope(actor)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", "The end of the period is before its start.")
            elif (end - start).days >= MAX_DAYS:
                self.add_error("date_to", "Choose a period of at most three years.")
        return data

    def filters(self, *, owner: User | None = None) -> ReportFilters:
        """The filters asked for; an invalid form falls back to the defaults."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        preset = data.get("period") or DEFAULT_PRESET
        start, end = preset_period(preset, today)
        if data.get("date_from") or data.get("date_to"):
            start = data.get("date_from") or min(start, data["date_to"])
            end = data.get("date_to") or max(today, start)
        chosen_owner = data.get("owner")
        return ReportFilters(
            date_from=start,
            date_to=end,
            team=data.get("team"),
            owner=owner.pk if owner is not None else (chosen_owner.pk if chosen_owner else None),
            pipeline=data["pipeline"].pk if data.get("pipeline") else None,
            source=data["source"].pk if data.get("source") else None,
        )
