"""The kanban board: columns, "load more", closed columns on demand, and moves by drag and
drop or the shared stage menu."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crm.access import AUTHENTICATED, AuthenticatedRequest, access, get_visible_or_404, scoped
from crm.errors import DomainError, StaleVersion
from pipeline import selectors, services
from pipeline.forms import MoveForm
from pipeline.models import Deal, LostReason, Pipeline, Stage
from pipeline.selectors.board import board_column_stats
from pipeline.templatetags.pipeline_tags import company_money

from .common import deal_queryset, filter_querystring, filters_from


def _pipeline(request: AuthenticatedRequest) -> Pipeline | None:
    pipelines = Pipeline.objects.filter(is_active=True)
    chosen = request.GET.get("pipeline", "")
    if chosen.isdigit():
        found = pipelines.filter(pk=int(chosen)).first()
        if found:
            return found
    return pipelines.first()


@access(AUTHENTICATED)
def board(request: AuthenticatedRequest) -> HttpResponse:
    pipeline = _pipeline(request)
    form, filters, _ = filters_from(request, request.GET, board=True)
    columns = (
        selectors.pipeline_board(actor=request.user, pipeline=pipeline, filters=filters)
        if pipeline
        else []
    )
    return render(
        request,
        "pipeline/board.html",
        {
            "pipeline": pipeline,
            "pipelines": Pipeline.objects.filter(is_active=True),
            "columns": columns,
            "stages": [c.stage for c in columns],
            "form": form,
            "filter_qs": filter_querystring(request.GET),
            "lost_reasons": LostReason.objects.filter(is_active=True),
            "nav_section": "pipeline",
        },
    )


@access(AUTHENTICATED)
def board_column(request: AuthenticatedRequest) -> HttpResponse:
    """The next cards of one column (htmx "load more")."""
    stage_id = request.GET.get("stage", "")
    stage = (
        Stage.objects.select_related("pipeline").filter(pk=int(stage_id)).first()
        if stage_id.isdigit()
        else None
    )
    if stage is None:
        raise Http404("No such stage.")
    _, filters, _ = filters_from(request, request.GET, board=True)
    column = selectors.board_column_page(
        actor=request.user, stage=stage, filters=filters, cursor=request.GET.get("cursor", "")
    )
    return render(
        request,
        "pipeline/board.html#more",
        {"column": column, "filter_qs": filter_querystring(request.GET)},
    )


def _card_html(request: AuthenticatedRequest, deal: Deal) -> str:
    return render_to_string(
        "pipeline/board.html#card",
        {"deal": deal, "filter_qs": filter_querystring(request.POST)},
        request=request,
    )


def _columns(request: AuthenticatedRequest, deal: Deal) -> dict[str, Any]:
    _, filters, _ = filters_from(request, request.POST, board=True)
    stats = board_column_stats(actor=request.user, pipeline=deal.pipeline, filters=filters)
    return {
        str(stage_id): {"count": count, "total": company_money(total)}
        for stage_id, (count, total) in stats.items()
    }


def _moved_answer(request: AuthenticatedRequest, deal: Deal, status: int, text: str) -> Any:
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {
                "ok": status == 200,
                "message": text,
                "stage": deal.stage_id,
                "version": deal.version,
                "card": _card_html(request, deal),
                "columns": _columns(request, deal),
            },
            status=status,
        )
    if status == 200:
        messages.success(request, text)
    else:
        messages.error(request, text)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("pipeline:board")
    return redirect(back)


@access(scoped("pipeline.Deal"))
@require_POST
def deal_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = get_visible_or_404(request, deal_queryset(), pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refusal(request, "Choose a stage to move the deal to.", field="stage")
    target: Stage = form.cleaned_data["stage"]
    try:
        deal = services.deal_move(
            actor=request.user,
            deal=deal,
            stage=target,
            expected_version=form.cleaned_data["version"],
            lost_reason=form.cleaned_data.get("lost_reason"),
        )
    except StaleVersion:
        current = deal_queryset().get(pk=deal.pk)
        who = current.updated_by.full_name if current.updated_by else "Someone"
        text = (
            f"{who} moved or changed “{current.name}” meanwhile; it is now in {current.stage.name}."
        )
        return _moved_answer(request, current, 412, text)
    except DomainError as error:
        return _refusal(request, error.message, field=error.field, status=error.status)
    deal = deal_queryset().get(pk=deal.pk)
    return _moved_answer(request, deal, 200, f"“{deal.name}” moved to {deal.stage.name}.")


def _refusal(
    request: AuthenticatedRequest, text: str, *, field: str | None, status: int = 400
) -> HttpResponse:
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": False, "message": text, "field": field}, status=status)
    messages.error(request, text)
    return redirect(reverse("pipeline:board"))
