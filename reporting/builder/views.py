"""The report builder page (/reports/builder/), saved reports, sharing, pins and exports."""

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crm.access import AUTHENTICATED, AuthenticatedRequest, access, get_visible_or_404, scoped
from crm.errors import DomainError
from crm.exports import list_export
from crm.models import Team
from crm.views.forms import apply_domain_error
from crm.visibility import can_edit
from reporting.exports import xlsx_response

from . import services
from .definition import Definition, DefinitionError, clean_definition
from .exports import export_rows
from .forms import ReportBuilderForm, SaveReportForm, initial_from
from .models import ReportPin, SavedReport
from .run import Result, run_report

DASHBOARDS = ("rep", "manager", "admin")
DEFAULTS = {
    "source": "deals",
    "measure": "count",
    "group_by": "stage",
    "chart": "bar",
    "period": "90d",
    "date_field": "created",
}
KEEP = set(DEFAULTS) | {
    "field",
    "group_by2",
    "date_from",
    "date_to",
    "team",
    "owner",
    "pipeline",
    "source_id",
    "status",
    "stage",
}


def _definition_params(params: Any) -> dict[str, Any]:
    """The definition in a query string, with the defaults for what it leaves out."""
    given = {k: v for k, v in params.items() if k in KEEP or k.startswith("cf_")}
    return {**DEFAULTS, **given} if given else {}


def _page(
    request: AuthenticatedRequest,
    form: ReportBuilderForm,
    result: Result | None,
    *,
    report: SavedReport | None = None,
    save_form: SaveReportForm | None = None,
    error: str = "",
) -> HttpResponse:
    editable = report is None or can_edit(request.user, report)
    pinned = (
        report is not None and ReportPin.objects.filter(user=request.user, report=report).exists()
    )
    shared_team = services.shared_team_id(report) if report is not None else None
    context = {
        "form": form,
        "result": result,
        # A new canvas id per answer: htmx would copy the old canvas's inline style (set
        # by Chart.js) onto a new one of the same id while settling, which CSP refuses.
        "chart_id": f"builder-chart-{secrets.token_hex(4)}",
        "report": report,
        "editable": editable,
        "pinned": pinned,
        "save_form": save_form
        or SaveReportForm(
            initial={"name": report.name if report else "", "team": shared_team}, prefix="save"
        ),
        "shared_team": Team.objects.filter(pk=shared_team).first() if shared_team else None,
        "company_currency": settings.DEFAULT_CURRENCY,
        "error": error,
        "querystring": request.GET.urlencode(),
        "nav_section": "reporting",
    }
    if request.headers.get("HX-Request"):
        return render(request, "reporting/builder/builder.html#workspace", context)
    return render(request, "reporting/builder/builder.html", context)


def _run(request: AuthenticatedRequest, form: ReportBuilderForm) -> Result | None:
    if not form.is_valid():
        return None
    return run_report(actor=request.user, definition=form.definition)


@access(AUTHENTICATED)
def builder(request: AuthenticatedRequest) -> HttpResponse:
    """Pick a measure, groupings, filters and a chart; see it at once; save it."""
    if request.method == "POST":
        form = ReportBuilderForm({**DEFAULTS, **request.POST.dict()}, actor=request.user)
        save_form = SaveReportForm(request.POST, prefix="save")
        if form.is_valid() and save_form.is_valid():
            try:
                report = services.saved_report_create(
                    actor=request.user,
                    name=save_form.cleaned_data["name"],
                    definition=form.definition,
                    team=save_form.cleaned_data["team"],
                )
            except DomainError as error:
                apply_domain_error(save_form, error)  # type: ignore[arg-type]
            else:
                messages.success(request, f"Saved report “{report.name}”.")
                return redirect("reporting:builder_report", pk=report.pk)
        return _page(request, form, _run(request, form), save_form=save_form)
    form = ReportBuilderForm(_definition_params(request.GET) or DEFAULTS, actor=request.user)
    return _page(request, form, _run(request, form))


def _saved_definition(report: SavedReport) -> tuple[Definition | None, str]:
    try:
        return clean_definition(report.as_input()), ""
    except DefinitionError as error:
        return None, f"This report can't run any more: {error.message}"


@access(scoped("reporting.SavedReport"))
def saved(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A saved report: its owner edits it; a team it is shared with sees it read-only (and
    may save a copy). Each viewer sees only the records they may see."""
    report = get_visible_or_404(request, SavedReport.objects.select_related("owner"), pk=pk)
    if request.method == "POST":
        form = ReportBuilderForm({**DEFAULTS, **request.POST.dict()}, actor=request.user)
        save_form = SaveReportForm(request.POST, prefix="save")
        if form.is_valid() and save_form.is_valid():
            copy = request.POST.get("action") == "copy"
            try:
                if copy:
                    report = services.saved_report_create(
                        actor=request.user,
                        name=save_form.cleaned_data["name"],
                        definition=form.definition,
                    )
                else:
                    services.saved_report_update(
                        actor=request.user,
                        report=report,
                        name=save_form.cleaned_data["name"],
                        definition=form.definition,
                    )
                    services.saved_report_share(
                        actor=request.user, report=report, team=save_form.cleaned_data["team"]
                    )
            except DomainError as error:
                apply_domain_error(save_form, error)  # type: ignore[arg-type]
            else:
                messages.success(request, f"Saved report “{report.name}”.")
                return redirect("reporting:builder_report", pk=report.pk)
        return _page(request, form, _run(request, form), report=report, save_form=save_form)
    params = _definition_params(request.GET)
    if params:
        form = ReportBuilderForm(params, actor=request.user)
        return _page(request, form, _run(request, form), report=report)
    definition, problem = _saved_definition(report)
    form = ReportBuilderForm(
        initial_from(definition) if definition else report.as_input(), actor=request.user
    )
    result = run_report(actor=request.user, definition=definition) if definition else None
    return _page(request, form, result, report=report, error=problem)


@access(AUTHENTICATED)
def saved_list(request: AuthenticatedRequest) -> HttpResponse:
    """My reports and those shared with me, with their pins."""
    reports = list(services.visible_reports(request.user).order_by("name", "id"))
    pinned = set(ReportPin.objects.filter(user=request.user).values_list("report_id", flat=True))
    return render(
        request,
        "reporting/builder/saved_list.html",
        {
            "mine": [r for r in reports if r.owner_id == request.user.pk],
            "others": [r for r in reports if r.owner_id != request.user.pk],
            "pinned": pinned,
            "max_pins": services.MAX_PINS,
            "nav_section": "reporting",
        },
    )


@access(scoped("reporting.SavedReport"))
@require_POST
def pin(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Pin the report to my dashboards, or unpin it (`unpin=1`)."""
    report = get_visible_or_404(request, SavedReport.objects.all(), pk=pk)
    try:
        if request.POST.get("unpin"):
            services.report_unpin(actor=request.user, report_id=report.pk)
            messages.success(request, f"“{report.name}” is off your dashboards.")
        else:
            services.report_pin(actor=request.user, report_id=report.pk)
            messages.success(request, f"“{report.name}” is pinned to your dashboards.")
    except DomainError as error:
        messages.error(request, error.message)
    back = request.POST.get("next", "")
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = reverse("reporting:builder_report", args=[pk])
    return redirect(back)


@access(scoped("reporting.SavedReport"))
@require_POST
def delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(request, SavedReport.objects.all(), pk=pk)
    try:
        services.saved_report_delete(actor=request.user, report=report)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reporting:builder_report", pk=pk)
    messages.success(request, f"Deleted report “{report.name}”.")
    return redirect("reporting:saved_list")


@access(AUTHENTICATED)
def pinned(request: AuthenticatedRequest) -> HttpResponse:
    """The pinned-reports block of the dashboards (loaded by htmx after the page)."""
    blocks = []
    for report in services.pinned_reports(request.user):
        definition, error = _saved_definition(report)
        result = run_report(actor=request.user, definition=definition) if definition else None
        blocks.append(
            {
                "report": report,
                "result": result,
                "error": error,
                "chart_id": f"pinned-{report.pk}",
                "table_id": f"pinned-{report.pk}-table",
            }
        )
    dashboard = request.GET.get("dashboard", "")
    return render(
        request,
        "reporting/builder/pinned.html",
        {"blocks": blocks, "dashboard": dashboard if dashboard in DASHBOARDS else ""},
    )


def _export(
    request: AuthenticatedRequest, result: Result, name: str, fmt: str, list_name: str
) -> HttpResponseBase:
    header, rows = export_rows(result, request.build_absolute_uri("/")[:-1])
    filename = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:80] or "report"
    if fmt == "xlsx":
        return xlsx_response(
            actor=request.user,
            list_name=list_name,
            query=request.GET.urlencode(),
            filename=filename,
            title=name,
            header=header,
            rows=iter(rows),
        )
    return list_export(
        actor=request.user,
        list_name=list_name,
        query=request.GET.urlencode(),
        filename=f"{filename}.csv",
        header=header,
        rows=rows,
    )


@access(scoped("reporting.SavedReport"))
def export_saved(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponseBase:
    """A saved report's table as CSV or Excel (formula-safe, audited)."""
    report = get_visible_or_404(request, SavedReport.objects.all(), pk=pk)
    definition, error = _saved_definition(report)
    if definition is None:
        messages.error(request, error)
        return redirect("reporting:builder_report", pk=pk)
    result = run_report(actor=request.user, definition=definition)
    return _export(request, result, report.name, fmt, f"report:saved:{report.pk}")


@access(AUTHENTICATED)
def export_unsaved(request: AuthenticatedRequest, fmt: str) -> HttpResponseBase:
    """The builder's current table (its query string) as CSV or Excel."""
    form = ReportBuilderForm(_definition_params(request.GET) or DEFAULTS, actor=request.user)
    result = _run(request, form)
    if result is None:
        messages.error(request, "Fix the report's definition first.")
        return redirect(reverse("reporting:builder") + "?" + request.GET.urlencode())
    return _export(request, result, "report", fmt, "report:builder")
