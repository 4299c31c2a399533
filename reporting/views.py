"""Dashboards. My day is the home page (routed as `crm:my_day`)."""

from django.http import HttpResponse
from django.shortcuts import render

from crm.access import AUTHENTICATED, AuthenticatedRequest, access
from crm.forms.relationships import TaskForm
from reporting.my_day import my_day as my_day_selector
from reporting.my_day import rep_choices


@access(AUTHENTICATED)
def my_day(request: AuthenticatedRequest) -> HttpResponse:
    rep_id = request.GET.get("rep", "")
    rep = rep_choices(actor=request.user).filter(pk=rep_id).first() if rep_id.isdigit() else None
    day = my_day_selector(actor=request.user, rep=rep)
    return render(
        request,
        "reporting/my_day.html",
        {"day": day, "task_form": TaskForm(actor=request.user), "nav_section": "my_day"},
    )
