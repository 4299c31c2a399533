"""Admin screens (product UI, administrators only): pipelines and stages, reasons,
products, currencies and exchange rates."""

import copy
from typing import Any

from django.contrib import messages
from django.db.models import Count, Model, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crm.access import ADMIN, AuthenticatedRequest, access
from crm.errors import DomainError
from crm.models.soft_delete import alive_q
from pipeline import services
from pipeline.forms import PipelineForm, StageDeleteForm, StageForm, catalog_form
from pipeline.models import (
    Currency,
    ExchangeRate,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageKind,
    WonReason,
)
from pipeline.selectors import board_stages

from .common import show_error

CATALOGS: dict[str, tuple[type[Model], str, str]] = {
    # url slug: (model, title, one item)
    "lost-reasons": (LostReason, "Lost reasons", "lost reason"),
    "won-reasons": (WonReason, "Won reasons", "won reason"),
    "products": (Product, "Products", "product"),
    "currencies": (Currency, "Currencies", "currency"),
    "rates": (ExchangeRate, "Exchange rates", "exchange rate"),
}


def _context(section: str, **extra: Any) -> dict[str, Any]:
    return {"admin_section": section, "catalogs": CATALOGS, "nav_section": "admin", **extra}


@access(ADMIN)
def pipeline_list(request: AuthenticatedRequest) -> HttpResponse:
    pipelines = Pipeline.objects.annotate(
        stage_count=Count("stages", filter=Q(stages__is_active=True), distinct=True),
        deal_count=Count("deals", filter=alive_q("deals"), distinct=True),
    )
    form = PipelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = services.pipeline_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                position=form.cleaned_data["position"] or 0,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Pipeline {pipeline.name} created; add its stages.")
            return redirect("pipeline:admin_pipeline", pk=pipeline.pk)
    return render(
        request,
        "pipeline/admin/pipelines.html",
        _context("pipelines", pipelines=pipelines, form=form),
    )


@access(ADMIN)
def pipeline_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = PipelineForm(request.POST or None, instance=copy.copy(pipeline), prefix="pipeline")
    stage_form = StageForm(prefix="stage")
    if request.method == "POST" and "stage-name" in request.POST:
        stage_form = StageForm(request.POST, prefix="stage")
        if stage_form.is_valid():
            try:
                services.stage_create(
                    actor=request.user, pipeline=pipeline, **stage_form.cleaned_data
                )
            except DomainError as error:
                show_error(stage_form, error)
            else:
                messages.success(request, "Stage added.")
                return redirect("pipeline:admin_pipeline", pk=pipeline.pk)
        form = PipelineForm(instance=copy.copy(pipeline), prefix="pipeline")
    elif request.method == "POST" and form.is_valid():
        try:
            services.pipeline_update(actor=request.user, pipeline=pipeline, data=form.cleaned_data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("pipeline:admin_pipeline", pk=pipeline.pk)
    stages = board_stages(pipeline)
    counts = dict(
        pipeline.deals.alive()
        .values_list("stage_id")
        .annotate(n=Count("id"))
        .values_list("stage_id", "n")
    )
    for stage in stages:
        stage.deal_count = counts.get(stage.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "pipeline/admin/pipeline_edit.html",
        _context("pipelines", pipeline=pipeline, form=form, stage_form=stage_form, stages=stages),
    )


@access(ADMIN)
def stage_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk, is_active=True)
    form = StageForm(request.POST or None, instance=copy.copy(stage))
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(actor=request.user, stage=stage, data=form.cleaned_data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Stage saved.")
            return redirect("pipeline:admin_pipeline", pk=stage.pipeline_id)
    return render(
        request, "pipeline/admin/stage_form.html", _context("pipelines", stage=stage, form=form)
    )


@access(ADMIN)
def stage_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk, is_active=True)
    form = StageDeleteForm(request.POST or None, stage=stage)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.stage_delete(
                actor=request.user, stage=stage, move_to=form.cleaned_data["move_to"]
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Stage {stage.name} removed; {moved} deals moved.")
            return redirect("pipeline:admin_pipeline", pk=stage.pipeline_id)
    deal_count = stage.deals.count()
    return render(
        request,
        "pipeline/admin/stage_delete.html",
        _context("pipelines", stage=stage, form=form, deal_count=deal_count),
    )


@access(ADMIN)
@require_POST
def stage_shift(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move an open stage one place up or down."""
    stage = get_object_or_404(Stage, pk=pk, is_active=True, kind=StageKind.OPEN)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    services.stage_shift(actor=request.user, stage=stage, direction=direction)
    return redirect("pipeline:admin_pipeline", pk=stage.pipeline_id)


def _catalog(kind: str) -> tuple[type[Model], str, str]:
    if kind not in CATALOGS:
        raise Http404("No such list.")
    return CATALOGS[kind]


@access(ADMIN)
def catalog_list(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    model, title, item = _catalog(kind)
    rows = model._default_manager.all()
    if model is ExchangeRate:
        rows = rows.select_related("currency")
    return render(
        request,
        "pipeline/admin/catalog_list.html",
        _context(kind, kind=kind, title=title, item=item, rows=rows[:500]),
    )


@access(ADMIN)
def catalog_edit(request: AuthenticatedRequest, kind: str, pk: int | None = None) -> HttpResponse:
    model, title, item = _catalog(kind)
    obj = get_object_or_404(model, pk=pk) if pk else model()
    form = catalog_form(model)(request.POST or None, instance=copy.copy(obj))
    if request.method == "POST" and form.is_valid():
        try:
            services.catalog_save(actor=request.user, obj=obj, data=form.cleaned_data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("pipeline:admin_catalog", kind=kind)
    return render(
        request,
        "pipeline/admin/catalog_form.html",
        _context(kind, kind=kind, title=title, item=item, form=form, obj=obj),
    )


@access(ADMIN)
@require_POST
def catalog_delete(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    model, _, item = _catalog(kind)
    obj = get_object_or_404(model, pk=pk)
    try:
        services.catalog_delete(actor=request.user, obj=obj)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Deleted {item} {obj}.")
    return redirect("pipeline:admin_catalog", kind=kind)
