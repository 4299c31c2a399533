"""Administrators' scoring pages: rules (with a preview before saving) and settings."""

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crm.access import ADMIN, AuthenticatedRequest, access, get_visible_or_404, scoped
from crm.errors import DomainError
from crm.views.forms import apply_domain_error
from leads.models.leads import Lead
from leads.scoring import services, training
from leads.scoring.engine import scoring_settings
from leads.scoring.forms import ScoringRuleForm, ScoringSettingsForm
from leads.scoring.models import ScoringModel, ScoringRule
from leads.scoring.preview import BANDS, preview_rules
from leads.scoring.quality import quality_charts, split_rows
from leads.scoring.queue import enqueue_train
from leads.scoring.rules import describe
from leads.scoring.selectors import score_card


def _page(request: AuthenticatedRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {"nav_section": "admin", **context})


@access(ADMIN)
def scoring_home(request: AuthenticatedRequest) -> HttpResponse:
    settings = scoring_settings()
    form = ScoringSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            services.scoring_settings_update(actor=request.user, data=dict(form.cleaned_data))
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, "Scoring settings saved.")
            return redirect("leads:scoring")
    rules = list(ScoringRule.objects.all())
    return _page(
        request,
        "leads/scoring/home.html",
        {
            "rules": [(rule, describe(rule)) for rule in rules],
            "settings_form": form,
            "settings": settings,
            "versions": ScoringModel.objects.defer("artefact")[:10],
        },
    )


@access(ADMIN)
def rule_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(ScoringRule, pk=pk) if pk else None
    form = ScoringRuleForm(request.POST or None, rule=rule)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                proposed = ScoringRule(**services.clean_rule(form.service_data()))
                proposed.pk = rule.pk if rule else None
                preview = preview_rules(actor=request.user, proposed=proposed)
            elif rule is None:
                services.scoring_rule_create(actor=request.user, **form.service_data())
            else:
                services.scoring_rule_update(
                    actor=request.user, rule=rule, data=form.service_data()
                )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if preview is None:
                messages.success(request, "Scoring rule saved; leads are being rescored.")
                return redirect("leads:scoring")
    title = rule.name if rule else "New scoring rule"
    return _page(
        request,
        "leads/scoring/rule.html",
        {"form": form, "title": title, "rule": rule, "preview": preview, "bands": BANDS},
    )


@access(ADMIN)
@require_POST
def rule_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ScoringRule, pk=pk)
    services.scoring_rule_delete(actor=request.user, rule=rule)
    messages.success(request, "Scoring rule deleted; leads are being rescored.")
    return redirect("leads:scoring")


@access(scoped("leads.Lead"))
def lead_score(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """htmx: the lead page's score card (polled while a rescore is due)."""
    lead = get_visible_or_404(request, Lead.objects.alive(), pk=pk)
    return render(request, "leads/_score.html", score_card(lead))


@access(ADMIN)
def model_quality(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    """How good a version is on leads it never saw: metrics beside the rule score and the
    naive-Bayes baseline, calibration and gains charts, feature importance, last trainings.
    Without `pk`: the active version (else the newest ready one)."""
    settings = scoring_settings()
    versions = ScoringModel.objects.defer("artefact")
    version = None
    if pk is not None:
        version = get_object_or_404(versions, pk=pk)
    else:
        active = settings.active_model_id
        version = (
            (versions.filter(pk=active).first() if active else None)
            or versions.filter(status="ready").first()
            or versions.first()
        )
    return _page(
        request,
        "leads/scoring/quality.html",
        {
            "version": version,
            "is_active": version is not None and version.pk == settings.active_model_id,
            "versions": versions[:15],
            "active_id": settings.active_model_id,
            "charts": quality_charts(version) if version is not None else None,
            "splits": split_rows(version) if version is not None else [],
            "counts": training.class_counts(settings.outcome),
            "min_per_class": training.MIN_PER_CLASS,
        },
    )


@access(ADMIN)
@require_POST
def model_activate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ScoringModel.objects.defer("artefact"), pk=pk)
    try:
        training.scoring_model_activate(actor=request.user, version=version)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Version {version.pk} is active; leads are being rescored.")
    return redirect("leads:scoring_model", pk=version.pk)


@access(ADMIN)
@require_POST
def model_train(request: AuthenticatedRequest) -> HttpResponse:
    with transaction.atomic():
        enqueue_train(activate=True, actor_id=request.user.pk)
    messages.success(request, "Training queued; the new version shows here when it is done.")
    return redirect("leads:scoring_quality")
