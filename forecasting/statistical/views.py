"""`/forecast/statistical/`: the statistical forecast of a scope, charted, with backtests."""

from typing import Any

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from crm.access import AUTHENTICATED, AuthenticatedRequest, access
from crm.errors import DomainError, NotFound

from .report import MAX_HORIZON, statistical_forecast
from .scope import scope_choices


class StatisticalForm(forms.Form):
    scope = forms.ChoiceField(label="Scope")
    as_of = forms.DateField(
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    horizon = forms.IntegerField(label="Months ahead", min_value=1, max_value=MAX_HORIZON)

    def __init__(self, data: Any, *, choices: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]
        self.fields["scope"].widget.attrs["class"] = "form-select"
        for name in ("as_of", "horizon"):
            self.fields[name].widget.attrs["class"] = "form-control"


@access(AUTHENTICATED)
@require_GET
def statistical_page(request: AuthenticatedRequest) -> HttpResponse:
    """A scope the user can't see (not among the choices) is a 404, as over the API."""
    user = request.user
    choices = scope_choices(user)
    data = request.GET.copy()
    defaults = {
        "scope": choices[0][0] if choices else f"user:{user.pk}",
        "as_of": timezone.localdate().isoformat(),
        "horizon": "12",
    }
    for key, value in defaults.items():
        if not data.get(key):
            data[key] = value
    form = StatisticalForm(data, choices=choices)
    body: dict[str, Any] | None = None
    if not form.is_valid():
        if "scope" in form.errors:
            raise Http404("No such scope.")
    else:
        params = form.cleaned_data
        try:
            body = statistical_forecast(
                user=user, scope=params["scope"], horizon=params["horizon"], as_of=params["as_of"]
            )
        except NotFound as error:
            raise Http404(error.message) from error
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(
        request,
        "forecasting/statistical.html",
        {
            "form": form,
            "body": body,
            "chart": _chart(body) if body else None,
            "rows": _rows(body) if body else [],
        },
    )


def _rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    naive = (body["seasonal_naive"] or {}).get("months", [])
    return [
        {"ets": ets, "naive": naive[i] if i < len(naive) else {}, "pipeline": pipeline}
        for i, (ets, pipeline) in enumerate(
            zip(body["months"], body["pipeline"]["months"], strict=False)
        )
    ]


def _chart(body: dict[str, Any]) -> dict[str, Any]:
    """What the chart draws: actuals, then the forecast with its bands and the naive."""
    history = body["history"][-36:]
    months = [m["month"] for m in history] + [m["month"] for m in body["months"]]
    pad = [None] * len(history)
    naive = (body["seasonal_naive"] or {}).get("months", [])

    def ahead(key: str, rows: list[dict[str, Any]]) -> list[Any]:
        return pad + [row[key] for row in rows]

    return {
        "labels": months,
        "currency": body["currency"],
        "actual": [m["value"] for m in history] + [None] * len(body["months"]),
        "forecast": ahead("value", body["months"]),
        "low_80": ahead("low_80", body["months"]),
        "high_80": ahead("high_80", body["months"]),
        "low_95": ahead("low_95", body["months"]),
        "high_95": ahead("high_95", body["months"]),
        "naive": ahead("value", naive),
        "pipeline": ahead("value", body["pipeline"]["months"]),
        "method": body["method"],
    }
