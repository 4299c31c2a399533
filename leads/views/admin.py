"""Administrators' lead settings: assignment rules, fallback owner, temperature rules,
web forms (with the embeddable snippet) and lead sources."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm.access import ADMIN, AuthenticatedRequest, access
from crm.errors import DomainError
from crm.views.forms import apply_domain_error
from leads.forms import (
    AssignmentRuleForm,
    LeadSettingsForm,
    LeadSourceForm,
    TemperatureRuleForm,
    WebFormForm,
)
from leads.models import AssignmentRule, LeadSettings, LeadSource, TemperatureRule, WebForm
from leads.services import assignment, configuration, temperature
from leads.services.webtolead import embed_snippet


def _page(request: AuthenticatedRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {"nav_section": "admin", **context})


@access(ADMIN)
def settings_home(request: AuthenticatedRequest) -> HttpResponse:
    settings = LeadSettings.current()
    form = LeadSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            assignment.lead_settings_update(
                actor=request.user,
                fallback_owner=form.cleaned_data["fallback_owner"],
                new_lead_days=form.cleaned_data["new_lead_days"],
            )
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, "Saved.")
            return redirect("leads:admin")
    return _page(
        request,
        "leads/admin/home.html",
        {
            "settings_form": form,
            "rules": AssignmentRule.objects.select_related("user", "team", "source"),
            "temperature_rules": TemperatureRule.objects.all(),
            "webforms": WebForm.objects.select_related("source"),
            "sources": LeadSource.objects.all(),
        },
    )


@access(ADMIN)
def rule_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk) if pk else None
    form = AssignmentRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                assignment.assignment_rule_create(actor=request.user, **form.cleaned_data)
            else:
                assignment.assignment_rule_update(
                    actor=request.user, rule=rule, data=dict(form.cleaned_data)
                )
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, "Assignment rule saved.")
            return redirect("leads:admin")
    title = rule.name if rule else "New assignment rule"
    return _page(request, "leads/admin/form.html", {"form": form, "title": title, "rule": rule})


@access(ADMIN)
@require_POST
def rule_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    assignment.assignment_rule_delete(actor=request.user, rule=rule)
    messages.success(request, "Assignment rule deleted.")
    return redirect("leads:admin")


@access(ADMIN)
def temperature_rule_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(TemperatureRule, pk=pk)
    form = TemperatureRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            temperature.temperature_rule_update(
                actor=request.user,
                rule=rule,
                temperature=form.cleaned_data["temperature"],
                engaged_within_days=form.cleaned_data["engaged_within_days"],
            )
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, "Temperature rule saved; leads update tonight.")
            return redirect("leads:admin")
    return _page(request, "leads/admin/form.html", {"form": form, "title": str(rule)})


@access(ADMIN)
def webform_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    webform = get_object_or_404(WebForm, pk=pk) if pk else None
    form = WebFormForm(request.POST or None, instance=webform)
    if request.method == "POST" and form.is_valid():
        try:
            if webform is None:
                webform = configuration.webform_create(actor=request.user, **form.cleaned_data)
            else:
                webform = configuration.webform_update(
                    actor=request.user, form=webform, data=dict(form.cleaned_data)
                )
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, "Web form saved. Copy the snippet into your website.")
            return redirect("leads:admin_webform", pk=webform.pk)
    snippet = embed_snippet_for(request, webform) if webform else ""
    title = webform.name if webform else "New web form"
    return _page(
        request,
        "leads/admin/webform.html",
        {"form": form, "title": title, "webform": webform, "snippet": snippet},
    )


@access(ADMIN)
def source_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    source = get_object_or_404(LeadSource, pk=pk) if pk else None
    form = LeadSourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        try:
            configuration.lead_source_save(
                actor=request.user, source=source, data=dict(form.cleaned_data)
            )
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, "Lead source saved.")
            return redirect("leads:admin")
    title = source.name if source else "New lead source"
    return _page(request, "leads/admin/form.html", {"form": form, "title": title})


def embed_snippet_for(request: AuthenticatedRequest, webform: WebForm) -> str:
    return embed_snippet(
        webform=webform, action_url=request.build_absolute_uri(reverse("leads_public:web_to_lead"))
    )
