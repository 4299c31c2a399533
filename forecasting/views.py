"""Forecasting pages: the fiscal year setting and the quota grid (admins)."""

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm.access import ADMIN, AUTHENTICATED, AuthenticatedRequest, access
from crm.errors import DomainError, NotFound
from crm.views.forms import apply_domain_error
from forecasting import periods, selectors, services, snapshots
from forecasting.accuracy import POINTS, SOURCES, accuracy_table
from forecasting.forecast import BUCKET_LABELS, forecast, period_choices
from forecasting.forms import ForecastSettingsForm
from forecasting.scopes import resolve_scope, scope_choices
from forecasting.services import GridCell
from forecasting.statistical.period import for_period


@access(ADMIN)
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    current = selectors.forecast_settings()
    form = ForecastSettingsForm(
        request.POST or None, initial={"fiscal_year_start_month": current.fiscal_year_start_month}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(
                actor=request.user,
                fiscal_year_start_month=form.cleaned_data["fiscal_year_start_month"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Fiscal year saved.")
            return redirect("forecasting:admin_settings")
    start_month = current.fiscal_year_start_month
    year = periods.current(periods.YEAR, start_month)
    return render(
        request,
        "forecasting/admin_settings.html",
        {
            "form": form,
            "year": year,
            "quarters": periods.quarters_of(int(year.key[2:6]), start_month),
            "time_zone": settings.TIME_ZONE,
            "nav_section": "admin",
        },
    )


@access(ADMIN)
def quota_grid(request: AuthenticatedRequest) -> HttpResponse:
    start_month = selectors.fiscal_start_month()
    data = request.POST if request.method == "POST" else request.GET
    try:
        year = periods.parse_period(data.get("year", ""), start_month, field="year")
        if year.kind != periods.YEAR:
            raise DomainError("Choose a fiscal year.")
    except DomainError:
        year = periods.current(periods.YEAR, start_month)
    by = periods.QUARTER if data.get("by") == periods.QUARTER else periods.MONTH
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        cells = []
        for name in request.POST:
            raw = str(request.POST.get(name, ""))
            if name.startswith("q|"):
                _, target, key = ([*name.split("|"), "", ""])[:3]
                typed[f"{target}|{key}"] = raw
                if raw != request.POST.get(f"o|{target}|{key}", ""):
                    cells.append(GridCell(target=target, period=key, raw=raw))
        written, errors = services.quota_grid_save(actor=request.user, cells=cells)
        if not errors:
            messages.success(request, f"{written} quota(s) saved.")
            return redirect(f"{request.path}?year={year.key}&by={by}")
    grid = selectors.quota_grid(fiscal_year=year, by=by)
    rows = [
        {
            "row": row,
            "cells": [
                _cell(row.target, column.key, own, given, delta, typed, errors)
                for column, (own, given, delta) in zip(
                    grid.columns, row.allocation_notes(), strict=True
                )
            ],
        }
        for row in grid.rows
    ]
    this_year = int(year.key[2:6])
    return render(
        request,
        "forecasting/quota_grid.html",
        {
            "grid": grid,
            "rows": rows,
            "by": by,
            "errors": errors,
            "typed": typed,
            "previous_year": f"FY{this_year - 1}",
            "next_year": f"FY{this_year + 1}",
            "currency": settings.DEFAULT_CURRENCY,
            "nav_section": "admin",
        },
        status=400 if errors else 200,
    )


def _plain(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".removesuffix(".00")


def _cell(
    target: str,
    key: str,
    own: Decimal | None,
    given: Decimal | None,
    delta: Decimal | None,
    typed: dict[str, str],
    errors: dict[str, str],
) -> dict[str, Any]:
    name = f"{target}|{key}"
    return {
        "name": name,
        "value": typed.get(name, _plain(own)),
        "original": _plain(own),
        "error": errors.get(name, ""),
        "allocated": given,
        "delta": delta,
    }


@access(AUTHENTICATED)
def forecast_page(request: AuthenticatedRequest) -> HttpResponse:
    """The forecast of a scope (company, team subtree, rep) for a period; a scope the user
    can't see is a 404."""
    start_month = selectors.fiscal_start_month()
    try:
        span = (
            periods.parse_period(request.GET["period"], start_month)
            if request.GET.get("period")
            else periods.current(periods.QUARTER, start_month)
        )
    except DomainError as error:
        messages.error(request, error.message)
        span = periods.current(periods.QUARTER, start_month)
    try:
        scope = resolve_scope(request.user, request.GET.get("scope"))
    except NotFound as error:
        raise Http404(error.message) from error
    result = forecast(request.user, scope, span)
    result.statistical = for_period(
        user=request.user,
        scope=scope.key,
        start=span.start,
        end=span.end,
        today=periods.company_day(),
    )
    chart = {
        "labels": [line.label for line in result.reps],
        "attainment": [
            float(line.attainment) if line.attainment is not None else None for line in result.reps
        ],
        "won": [float(line.closed_won) for line in result.reps],
        "quota": [float(line.quota) if line.quota is not None else None for line in result.reps],
    }
    return render(
        request,
        "forecasting/forecast.html",
        {
            "result": result,
            "total": result.total,
            "scopes": scope_choices(request.user),
            "periods": period_choices(start_month, span),
            "chart": chart,
            "currency": settings.DEFAULT_CURRENCY,
            "nav_section": "forecasting",
        },
    )


@access(AUTHENTICATED)
@require_POST
def adjust(request: AuthenticatedRequest) -> HttpResponse:
    """A manager's adjustment (or its removal, with an empty amount) from the forecast page."""
    back_scope = request.POST.get("back_scope", "")
    period = request.POST.get("period", "")
    back = f"{reverse('forecasting:index')}?{urlencode({'scope': back_scope, 'period': period})}"
    scope = request.POST.get("scope", "")
    category = request.POST.get("category", "")
    amount = request.POST.get("amount", "").strip()
    try:
        if amount:
            services.adjustment_set(
                actor=request.user,
                scope=scope,
                period=period,
                category=category,
                amount=amount,
                note=request.POST.get("note", ""),
            )
            messages.success(request, "Adjustment saved.")
        else:
            found = (
                selectors.visible_adjustments(request.user)
                .filter(
                    pk=int(request.POST.get("adjustment", "0") or 0)
                    if request.POST.get("adjustment", "").isdigit()
                    else 0
                )
                .first()
            )
            if found is None:
                raise DomainError("Enter an amount to adjust to.", field="amount")
            services.adjustment_delete(actor=request.user, adjustment=found)
            messages.success(request, "Adjustment removed: the figure follows the deals again.")
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from error
        if error.status == 404:
            raise Http404(error.message) from error
        messages.error(request, error.message)
    return redirect(back)


@access(AUTHENTICATED)
def changes_page(request: AuthenticatedRequest) -> HttpResponse:
    """How commit, best case and pipeline moved since a snapshot, deal by deal."""
    start_month = selectors.fiscal_start_month()
    try:
        span = (
            periods.parse_period(request.GET["period"], start_month)
            if request.GET.get("period")
            else periods.current(periods.QUARTER, start_month)
        )
        since = date.fromisoformat(request.GET["since"]) if request.GET.get("since") else None
    except (DomainError, ValueError):
        messages.error(request, "Unknown period or snapshot week; showing the latest.")
        span, since = periods.current(periods.QUARTER, start_month), None
    try:
        scope = resolve_scope(request.user, request.GET.get("scope"))
    except NotFound as error:
        raise Http404(error.message) from error
    result = snapshots.changes(request.user, scope, span, since)
    return render(
        request,
        "forecasting/changes.html",
        {
            "result": result,
            "rows": [
                {
                    "key": b,
                    "label": BUCKET_LABELS[b],
                    "before": result.before[b],
                    "after": result.after[b],
                    "delta": result.delta[b],
                }
                for b in ("commit", "best_case", "pipeline", "won")
            ],
            "waterfall": _waterfall(result),
            "scopes": scope_choices(request.user),
            "periods": period_choices(start_month, span),
            "reasons": snapshots.REASONS,
            "currency": settings.DEFAULT_CURRENCY,
            "nav_section": "forecasting",
        },
    )


def _waterfall(result: snapshots.Changes) -> dict[str, Any]:
    """Commit from the snapshot to now: a floating bar per reason."""
    labels, bars, level = (
        ["Snapshot"],
        [[0.0, float(result.before["commit"])]],
        result.before["commit"],
    )
    for reason, label in snapshots.REASONS.items():
        step = result.by_reason.get(reason, {}).get("commit")
        if step:
            labels.append(label)
            bars.append([float(level), float(level + step)])
            level += step
    labels.append("Now")
    bars.append([0.0, float(result.after["commit"])])
    return {"labels": labels, "bars": bars}


@access(AUTHENTICATED)
@require_POST
def snapshot_now(request: AuthenticatedRequest) -> HttpResponse:
    """Take this week's snapshot now (admins and managers); a slot already taken stays."""
    if not (request.user.is_admin or request.user.is_manager):
        raise PermissionDenied("Only administrators and managers take snapshots.")
    written = services.snapshot_request(actor=request.user)
    messages.success(
        request,
        f"Snapshot taken ({written} figures)."
        if written
        else "This week's snapshot was already taken.",
    )
    return redirect(f"{reverse('forecasting:changes')}?{request.POST.get('back', '')}")


@access(AUTHENTICATED)
def accuracy_section(request: AuthenticatedRequest) -> HttpResponse:
    """The forecast accuracy table of a scope (loaded into the forecast page after it):
    the past periods of the page period's kind."""
    start_month = selectors.fiscal_start_month()
    try:
        span = (
            periods.parse_period(request.GET["period"], start_month)
            if request.GET.get("period")
            else periods.current(periods.QUARTER, start_month)
        )
        scope = resolve_scope(request.user, request.GET.get("scope"))
    except DomainError as error:
        raise Http404(error.message) from error
    table = accuracy_table(actor=request.user, scope=scope, kind=span.kind)
    return render(
        request,
        "forecasting/_accuracy.html",
        {
            "table": table,
            "sources": SOURCES,
            "points": POINTS,
            "average": table.average(),
            "currency": settings.DEFAULT_CURRENCY,
        },
    )
