"""Contact pages: list (filters, sort, saved views, CSV and mailing export), detail, forms,
soft delete and restore, and the admin-only privacy export and erasure."""

import json
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from crm.access import (
    ADMIN,
    AUTHENTICATED,
    AuthenticatedRequest,
    access,
    get_editable_or_404,
    get_visible_or_404,
    scoped,
)
from crm.errors import DomainError
from crm.exports import queryset_export
from crm.forms import valid_filters
from crm.forms.custom_fields import split_custom
from crm.forms.relationships import (
    ActivityForm,
    ContactFilterForm,
    ContactForm,
    ShareForm,
    TaskForm,
)
from crm.models import Contact
from crm.panels import panels_for
from crm.selectors.custom_fields import custom_rows
from crm.selectors.relationships import CONTACT_SORTS, contact_list, mailing_list
from crm.selectors.timeline import tasks_for, timeline_for
from crm.services import contacts as contact_services
from crm.services import privacy
from crm.services.sharing import shares_of
from crm.views.forms import apply_domain_error
from crm.views.helpers import render_sorted_list
from crm.visibility import can_edit

EXPORT_HEADER = (
    "id",
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "account",
    "owner",
    "preferred_channel",
    "email_consent",
    "consent_changed_at",
    "created_at",
)


def _filters(request: AuthenticatedRequest) -> tuple[ContactFilterForm, dict[str, Any]]:
    form = ContactFilterForm(request.GET or None, actor=request.user)
    return form, valid_filters(form)


@access(AUTHENTICATED)
def contact_list_page(request: AuthenticatedRequest) -> HttpResponse:
    form, filters = _filters(request)
    return render_sorted_list(
        request,
        form=form,
        filters=filters,
        rows=contact_list(actor=request.user, filters=filters),
        sorts=CONTACT_SORTS,
        kind="contacts",
        template="crm/contacts/list.html",
    )


@access(AUTHENTICATED)
def contact_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """CSV of the filtered list. `?purpose=mailing` leaves out opted-out and erased people."""
    _, filters = _filters(request)
    mailing = request.GET.get("purpose") == "mailing"
    select = mailing_list if mailing else contact_list
    rows = select(actor=request.user, filters=filters).order_by("last_name", "id")
    return queryset_export(
        request,
        list_name="contacts-mailing" if mailing else "contacts",
        header=EXPORT_HEADER,
        queryset=rows,
        row=lambda c: (
            c.pk,
            c.first_name,
            c.last_name,
            c.title,
            c.email,
            c.phone,
            c.account.name if c.account else "",
            c.owner.email,
            c.get_preferred_channel_display(),
            c.get_email_consent_display(),
            c.consent_changed_at,
            c.created_at,
        ),
    )


@access(AUTHENTICATED)
def contact_create(request: AuthenticatedRequest) -> HttpResponse:
    initial = {"account": request.GET.get("account")} if request.GET.get("account") else None
    form = ContactForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_services.contact_create(
                actor=request.user, **split_custom(dict(form.cleaned_data))
            )
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, f"Contact {contact.full_name} created.")
            return redirect("crm:contact_detail", contact.pk)
    return render(request, "crm/contacts/form.html", {"form": form, "title": "New contact"})


@access(scoped("crm.Contact"))
def contact_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = get_editable_or_404(request, Contact.objects.alive(), pk=pk)
    form = ContactForm(request.POST or None, instance=contact, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = split_custom({k: v for k, v in form.cleaned_data.items() if k in form.changed_data})
        try:
            contact_services.contact_update(actor=request.user, contact=contact, data=data)
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, "Contact saved.")
            return redirect("crm:contact_detail", contact.pk)
    return render(
        request,
        "crm/contacts/form.html",
        {"form": form, "title": f"Edit {contact.full_name}", "contact": contact},
    )


@access(scoped("crm.Contact"))
def contact_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rows = Contact.objects.select_related("owner", "account")
    if not request.user.is_admin:
        rows = rows.alive()
    contact = get_visible_or_404(request, rows, pk=pk)
    editable = can_edit(request.user, contact)
    link = {"contact": contact.pk}
    return render(
        request,
        "crm/contacts/detail.html",
        {
            "contact": contact,
            "panels": panels_for("contact", request.user, contact),
            "custom_rows": custom_rows("crm.Contact", contact.custom),
            "can_edit": editable and contact.erased_at is None,
            "timeline": timeline_for(actor=request.user, contact=contact),
            "tasks": tasks_for(actor=request.user, contact=contact),
            "activity_form": ActivityForm(initial=link),
            "task_form": TaskForm(initial=link, actor=request.user),
            "shares": list(shares_of(contact)) if editable else [],
            "share_form": ShareForm(actor=request.user) if editable else None,
            "share_url": reverse("crm:contact_share", args=[contact.pk]),
            "here": request.get_full_path(),
        },
    )


@access(scoped("crm.Contact"))
def contact_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = get_editable_or_404(request, Contact.objects.alive(), pk=pk)
    if request.method == "POST":
        contact_services.contact_delete(actor=request.user, contact=contact)
        messages.success(request, f"Contact {contact.full_name} deleted.")
        return redirect("crm:contact_list")
    return render(request, "crm/contacts/delete.html", {"contact": contact})


@access(ADMIN)
def contact_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        contact = get_visible_or_404(request, Contact.objects.all(), pk=pk)
        contact_services.contact_restore(actor=request.user, contact=contact)
        messages.success(request, f"Contact {contact.full_name} restored.")
    return redirect("crm:contact_detail", pk)


@access(ADMIN)
def contact_privacy_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Everything held about the contact, as JSON (default) or CSV; audited."""
    contact = get_visible_or_404(request, Contact.objects.all(), pk=pk)
    data = privacy.personal_data(actor=request.user, subject=contact)
    if request.GET.get("format") == "csv":
        response = HttpResponse(privacy.personal_data_csv(data), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="contact-{pk}-data.csv"'
    else:
        response = HttpResponse(
            json.dumps(data, indent=2, default=str), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="contact-{pk}-data.json"'
    return response


@access(ADMIN)
def contact_privacy_erase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(request, Contact.objects.all(), pk=pk)
    if request.method == "POST":
        privacy.personal_data_erase(actor=request.user, subject=contact)
        messages.success(request, "Personal data erased. The activity history is kept without it.")
        return redirect("crm:contact_detail", pk)
    return render(request, "crm/contacts/erase.html", {"contact": contact})
