"""Forecasting pages: the fiscal year setting and the quota grid (admins)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from crm.access import ADMIN, AUTHENTICATED, AuthenticatedRequest, access
from crm.errors import DomainError, NotFound
from crm.views.forms import apply_domain_error
from forecasting import periods, selectors, services
from forecasting.forecast import forecast, period_choices
from forecasting.forms import ForecastSettingsForm
from forecasting.scopes import resolve_scope, scope_choices
from forecasting.services import GridCell


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
