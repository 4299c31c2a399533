"""Scheduled reports page (/reports/subscriptions/): subscribe, pause, stop, the run log."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from crm.access import AUTHENTICATED, AuthenticatedRequest, access, get_visible_or_404, scoped
from crm.errors import DomainError
from crm.models import User
from crm.views.forms import apply_domain_error
from reporting.builder.models import SavedReport
from reporting.builder.services import visible_reports

from . import services
from .models import DashboardKind, Frequency, ReportSubscription


class SubscriptionForm(forms.Form):
    report = forms.ModelChoiceField(
        queryset=SavedReport.objects.none(), required=False, empty_label="—", label="Saved report"
    )
    dashboard = forms.ChoiceField(required=False, label="or a dashboard")
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.WEEKLY)
    skip_if_empty = forms.BooleanField(
        required=False, initial=True, label="Skip the email when there is nothing to show"
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = visible_reports(actor).order_by("name", "id")  # type: ignore[attr-defined]
        self.fields["dashboard"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (value, label)
            for value, label in DashboardKind.choices
            if services.may_see_dashboard(actor, value)
        ]
        for name, field in self.fields.items():
            if name == "skip_if_empty":
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-select form-select-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("report")) == bool(data.get("dashboard")):
            self.add_error("report", "Choose one saved report or one dashboard.")
        return data


@access(AUTHENTICATED)
def subscriptions(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = SubscriptionForm(request.POST, actor=user)
        if form.is_valid():
            try:
                services.subscription_create(
                    actor=user,
                    report=form.cleaned_data["report"],
                    dashboard=form.cleaned_data["dashboard"],
                    frequency=form.cleaned_data["frequency"],
                    skip_if_empty=form.cleaned_data["skip_if_empty"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, "Subscribed: the first email goes out at the next run.")
                return redirect("reporting:subscriptions")
    else:
        initial: dict[str, Any] = {"frequency": Frequency.WEEKLY, "skip_if_empty": True}
        if request.GET.get("report", "").isdigit():
            initial["report"] = int(request.GET["report"])
        if request.GET.get("dashboard") in DashboardKind.values:
            initial["dashboard"] = request.GET["dashboard"]
        form = SubscriptionForm(initial=initial, actor=user)
    mine = services.with_last_run(
        services.visible_subscriptions(user).filter(user=user).order_by("created_at", "id")
    )
    return render(
        request,
        "reporting/schedules/subscriptions.html",
        {
            "form": form,
            "subscriptions": list(mine),
            "runs": services.recent_runs(user),
            "nav_section": "reporting",
        },
    )


@access(scoped("reporting.ReportSubscription"))
def subscription_action(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """POST `action=pause|resume|delete`."""
    subscription = get_visible_or_404(request, ReportSubscription.objects.all(), pk=pk)
    if request.method != "POST":
        return redirect("reporting:subscriptions")
    action = request.POST.get("action")
    try:
        if action == "delete":
            services.subscription_delete(actor=request.user, subscription=subscription)
            messages.success(request, "Subscription stopped.")
        elif action in ("pause", "resume"):
            services.subscription_update(
                actor=request.user, subscription=subscription, is_active=action == "resume"
            )
            messages.success(request, "Subscription paused." if action == "pause" else "Resumed.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("reporting:subscriptions")
