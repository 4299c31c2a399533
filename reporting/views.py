"""Dashboards. My day is the home page (routed as `crm:my_day`)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from crm.access import (
    ADMIN,
    AUTHENTICATED,
    AuthenticatedRequest,
    access,
    get_visible_or_404,
    scoped,
)
from crm.forms.relationships import TaskForm
from crm.models import User
from reporting.dashboards import (
    LEADERBOARD_MIN_DEALS,
    Dashboard,
    admin_dashboard,
    manager_dashboard,
    rep_dashboard,
)
from reporting.diagnosis import diagnose, may_diagnose
from reporting.exports import csv_export, xlsx_export
from reporting.forms import ReportFilterForm
from reporting.kpis import KPIS, kpi_table
from reporting.my_day import my_day as my_day_selector
from reporting.my_day import rep_choices
from reporting.quota import quota_block


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


@access(AUTHENTICATED)
def index(request: AuthenticatedRequest) -> HttpResponse:
    """Reports open on the dashboard of the user's role."""
    user = request.user
    target = "admin" if user.is_admin else "manager" if user.is_manager else "rep"
    query = request.GET.urlencode()
    return redirect(reverse(f"reporting:{target}") + (f"?{query}" if query else ""))


def _render(
    request: AuthenticatedRequest, form: ReportFilterForm, dashboard: Dashboard
) -> HttpResponse:
    return render(
        request,
        f"reporting/dashboard_{dashboard.kind}.html",
        {
            "form": form,
            "dashboard": dashboard,
            "charts": dashboard.chart_data(),
            "kpis": KPIS,
            "company_currency": settings.DEFAULT_CURRENCY,
            "leaderboard_min": LEADERBOARD_MIN_DEALS,
            "nav_section": "reporting",
            "querystring": request.GET.urlencode(),
            "quota": quota_block(
                actor=request.user, kind=dashboard.kind, filters=dashboard.filters
            ),
        },
    )


@access(AUTHENTICATED)
def manager(request: AuthenticatedRequest) -> HttpResponse:
    """The team's dashboard: managers (their subtree) and admins (any team)."""
    if request.user.is_rep:
        raise PermissionDenied("The team dashboard is for managers and admins.")
    form = ReportFilterForm(request.GET or None, actor=request.user)
    dashboard = manager_dashboard(actor=request.user, filters=form.filters())
    return _render(request, form, dashboard)


@access(AUTHENTICATED)
def rep(request: AuthenticatedRequest) -> HttpResponse:
    """My numbers: everyone's own figures and leaderboard place."""
    form = ReportFilterForm(request.GET or None, actor=request.user)
    dashboard = rep_dashboard(actor=request.user, filters=form.filters(owner=request.user))
    return _render(request, form, dashboard)


@access(ADMIN)
def company(request: AuthenticatedRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None, actor=request.user)
    dashboard = admin_dashboard(actor=request.user, filters=form.filters())
    return _render(request, form, dashboard)


@access(AUTHENTICATED)
def export(request: AuthenticatedRequest, kpi: str, fmt: str) -> HttpResponseBase:
    """A report table as CSV or Excel (formula-safe), audited."""
    definition = KPIS.get(kpi)
    if definition is None:
        raise Http404("No such report.")
    form = ReportFilterForm(request.GET or None, actor=request.user)
    filters = form.filters(owner=request.user if request.user.is_rep else None)
    group_by = request.GET.get("group_by", "")
    if group_by and group_by not in definition.groupings:
        group_by = ""
    table = kpi_table(actor=request.user, kpi=definition, filters=filters, group_by=group_by)
    writer = xlsx_export if fmt == "xlsx" else csv_export
    return writer(
        actor=request.user,
        table=table,
        query=request.GET.urlencode(),
        filename=f"{kpi}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}",
        base_url=request.build_absolute_uri("/")[:-1],
    )


@access(scoped("crm.User"))
def diagnosis(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The rep's diagnosis block (htmx, on My numbers, the Team dashboard with a rep picked
    and the person page): where their funnel leaks against their team."""
    rep = get_visible_or_404(request, User.objects.select_related("team"), pk=pk)
    if not may_diagnose(request.user, rep):
        raise PermissionDenied("Only the rep, their managers and admins see this.")
    form = ReportFilterForm(request.GET or None, actor=request.user)
    filters = form.filters()
    result = diagnose(actor=request.user, rep=rep, filters=filters)
    return render(
        request,
        "reporting/diagnosis.html",
        {"diagnosis": result, "company_currency": settings.DEFAULT_CURRENCY},
    )
