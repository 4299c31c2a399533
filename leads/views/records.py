"""One lead: create (with the duplicate check), page, edit, lifecycle and temperature."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from crm.access import AUTHENTICATED, AuthenticatedRequest, access, scoped
from crm.errors import DomainError
from crm.selectors.custom_fields import custom_rows
from crm.views.forms import apply_domain_error
from crm.visibility import can_edit
from leads import selectors
from leads.forms import LeadForm, LeadQuickForm, TemperatureOverrideForm, TransitionForm
from leads.models import Lead, LeadStatus
from leads.scoring.selectors import score_card
from leads.services import capture, lifecycle
from leads.services.assignment import lead_assign_by_rules
from leads.services.duplicates import find_duplicates
from leads.services.temperature import lead_set_temperature_override


def _lead_or_404(request: AuthenticatedRequest, pk: int) -> Lead:
    lead = selectors.lead_for_actor(actor=request.user, pk=pk)
    if lead is None:
        raise Http404("No such lead.")
    return lead


@access(AUTHENTICATED)
def lead_create(request: AuthenticatedRequest) -> HttpResponse:
    """Quick add (?full=0, default) or the full form; duplicates are shown before saving."""
    full = request.GET.get("full") == "1" or request.POST.get("full") == "1"
    form_class = LeadForm if full else LeadQuickForm
    form = form_class(request.POST or None, actor=request.user)
    duplicates = []
    email_taken = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = _duplicates_for(request, data)
        # Two leads can't share an email (a unique index): "Save anyway" can't work then,
        # so the page offers what can: open that lead, update it, or change the email.
        email_taken = next(
            (c for c in duplicates if c.kind == "lead" and c.reason == "same email"), None
        )
        if email_taken is not None:
            form.add_error(
                "email", "A lead with this email already exists. Change the email, or open it."
            )
        elif data.get("confirm_duplicates"):
            duplicates = []
        if not duplicates:
            try:
                lead = capture.lead_create(
                    actor=request.user,
                    owner=data.get("owner"),
                    assign_by_rules=bool(data.get("assign_by_rules")),
                    **form.service_data(),
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, f"Lead {lead} created.")
                return redirect("leads:detail", pk=lead.pk)
    context = {
        "form": form,
        "full": full,
        "duplicates": duplicates,
        "email_taken": email_taken,
        "update_query": _typed_values_query(form) if email_taken else "",
        "can_update_taken": email_taken is not None
        and email_taken.visible
        and can_edit(request.user, Lead.objects.get(pk=email_taken.id)),
        "nav_section": "leads",
    }
    return render(request, "leads/create.html", context)


def _typed_values_query(form: LeadQuickForm) -> str:
    """What was typed, as a query string the edit page of the existing lead starts from."""
    typed = {
        name: form.data.get(name, "")
        for name in capture.EDITABLE
        if name in form.fields and form.data.get(name, "").strip() and name != "email"
    }
    return urlencode(typed)


def _duplicates_for(request: AuthenticatedRequest, data: dict) -> list:  # type: ignore[type-arg]
    return find_duplicates(
        actor=request.user,
        email=data.get("email") or "",
        phone=data.get("phone") or "",
        first_name=data.get("first_name") or "",
        last_name=data.get("last_name") or "",
        company=data.get("company") or "",
    )


@access(AUTHENTICATED)
@require_GET
def duplicate_check(request: AuthenticatedRequest) -> HttpResponse:
    """htmx: the duplicates panel for what is typed so far (fields on blur)."""
    exclude = None
    if request.GET.get("exclude", "").isdigit():
        exclude = selectors.lead_for_actor(actor=request.user, pk=int(request.GET["exclude"]))
    candidates = find_duplicates(
        actor=request.user,
        email=request.GET.get("email", "")[:254],
        phone=request.GET.get("phone", "")[:40],
        first_name=request.GET.get("first_name", "")[:100],
        last_name=request.GET.get("last_name", "")[:100],
        company=request.GET.get("company", "")[:200],
        exclude_lead=exclude,
    )
    return render(request, "leads/_duplicates.html", {"duplicates": candidates, "live": True})


@access(scoped("leads.Lead"))
@require_GET
def lead_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    capture.lead_mark_seen(actor=request.user, lead=lead)
    context = {
        "lead": lead,
        "custom_rows": custom_rows("leads.Lead", lead.custom),
        "can_edit": can_edit(request.user, lead),
        "next_statuses": lifecycle.allowed_next(lead),
        "transition_form": TransitionForm(),
        "temperature_form": TemperatureOverrideForm(
            initial={"temperature": lead.temperature if lead.temperature_overridden else ""}
        ),
        "is_admin": request.user.is_admin,
        "can_reassign": not request.user.is_rep,
        **selectors.lead_detail(actor=request.user, lead=lead),
        **_timeline(request, lead),
        **score_card(lead),
    }
    return render(request, "leads/detail.html", context)


@access(scoped("leads.Lead"))
@require_GET
def lead_duplicates(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """htmx: the lead page's "Possible duplicates" panel, loaded once the page is shown."""
    lead = _lead_or_404(request, pk)
    duplicates = selectors.lead_duplicates(actor=request.user, lead=lead)
    return render(
        request,
        "leads/_duplicates.html",
        {"duplicates": duplicates, "merge_target": lead, "live": True},
    )


def _timeline(request: AuthenticatedRequest, lead: Lead) -> dict:  # type: ignore[type-arg]
    from crm.forms.relationships import ActivityForm, TaskForm
    from crm.selectors.timeline import tasks_for, timeline_for

    link = {"lead": lead.pk}
    return {
        "timeline": timeline_for(actor=request.user, lead=lead),
        "tasks": tasks_for(actor=request.user, lead=lead),
        "activity_form": ActivityForm(initial=link),
        "task_form": TaskForm(initial=link, actor=request.user),
        "here": request.get_full_path(),
    }


@access(scoped("leads.Lead"))
def lead_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    initial = {name: getattr(lead, name) for name in capture.EDITABLE}
    initial["owner"] = lead.owner
    # "Update that lead with what you typed" (from a duplicate on the new-lead form): the
    # typed values start the form; nothing is saved until the user saves it.
    initial.update(
        {k: v for k, v in request.GET.items() if k in capture.EDITABLE and k != "email" and v}
    )
    form = LeadForm(
        request.POST or None, initial=initial, actor=request.user, editing=True, custom=lead.custom
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if form.cleaned_data.get("owner") is not None:
            data["owner"] = form.cleaned_data["owner"]
        try:
            capture.lead_update(actor=request.user, lead=lead, data=data)
        except DomainError as error:
            if error.status == 404 or (error.status == 403 and error.field not in form.fields):
                raise Http404(error.message) from error
            apply_domain_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/edit.html", {"form": form, "lead": lead})


@access(scoped("leads.Lead"))
@require_POST
def lead_transition(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect("leads:detail", pk=lead.pk)
    try:
        lead = lifecycle.lead_transition(
            actor=request.user,
            lead=lead,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Lead is now {LeadStatus(lead.status).label}.")
    return redirect("leads:detail", pk=lead.pk)


@access(scoped("leads.Lead"))
@require_POST
def lead_temperature(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    form = TemperatureOverrideForm(request.POST)
    if form.is_valid():
        try:
            lead_set_temperature_override(
                actor=request.user,
                lead=lead,
                temperature=form.cleaned_data["temperature"] or None,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Temperature updated.")
    return redirect("leads:detail", pk=lead.pk)


@access(scoped("leads.Lead"))
@require_POST
def lead_reassign_by_rules(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    try:
        lead = lead_assign_by_rules(actor=request.user, lead=lead)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The rules gave this lead to {lead.owner.full_name}.")
    return redirect("leads:detail", pk=lead.pk)
