"""Filters of the tasks and activities lists."""

from typing import Any

from django import forms

from crm.forms.relationships import DATE, FILTER_SELECT
from crm.limits import FormDateField
from crm.models import User
from crm.models.activities import ActivityKind, TaskPriority
from crm.selectors.relationships import colleague_choices
from crm.selectors.work import ACTIVITY_SORTS, DUE_CHOICES, TASK_SORTS


class _WhoseForm(forms.Form):
    """Mine, or (for managers and admins) everyone's they may see, narrowed to one person."""

    scope = forms.ChoiceField(choices=[("mine", "Mine")], required=False, widget=FILTER_SELECT)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone", widget=FILTER_SELECT
    )
    q = forms.CharField(required=False, max_length=100, label="Search")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.can_see_team = actor.is_admin or actor.is_manager
        if self.can_see_team:
            team_label = "Everyone's" if actor.is_admin else "My team's"
            self.fields["scope"].choices = [("mine", "Mine"), ("team", team_label)]  # type: ignore[attr-defined]
            self.fields["owner"].queryset = colleague_choices(actor=actor).order_by(  # type: ignore[attr-defined]
                "first_name", "last_name"
            )
        else:
            self.fields.pop("owner")


class TaskListForm(_WhoseForm):
    status = forms.ChoiceField(
        choices=[("open", "Open"), ("done", "Done"), ("any", "Open or done")],
        required=False,
        widget=FILTER_SELECT,
    )
    due = forms.ChoiceField(
        choices=[("", "Any due date"), *DUE_CHOICES], required=False, widget=FILTER_SELECT
    )
    priority = forms.ChoiceField(
        choices=[("", "Any priority"), *TaskPriority.choices], required=False, widget=FILTER_SELECT
    )
    sort = forms.ChoiceField(
        choices=[(key, key) for key in TASK_SORTS], required=False, initial="due"
    )


class ActivityListForm(_WhoseForm):
    kind = forms.ChoiceField(
        choices=[("", "Any kind"), *ActivityKind.choices], required=False, widget=FILTER_SELECT
    )
    occurred_from = FormDateField(required=False, widget=DATE, label="From")
    occurred_to = FormDateField(required=False, widget=DATE, label="Until")
    sort = forms.ChoiceField(
        choices=[(key, key) for key in ACTIVITY_SORTS], required=False, initial="-occurred"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("occurred_from"), data.get("occurred_to")
        if first and last and first > last:
            self.add_error("occurred_to", "The end date is before the start date.")
        return data
