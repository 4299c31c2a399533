"""Admin area: custom field definitions for leads, accounts, contacts and deals."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crm.access import ADMIN, AuthenticatedRequest, access
from crm.errors import DomainError
from crm.forms.custom_fields import CustomFieldForm
from crm.models import CustomField, CustomFieldModel
from crm.services import custom_fields
from crm.views.forms import apply_domain_error


@access(ADMIN)
def field_list(request: AuthenticatedRequest) -> HttpResponse:
    fields = list(CustomField.objects.order_by("model_label", "position", "id"))
    groups = [
        (label, [f for f in fields if f.model_label == value])
        for value, label in CustomFieldModel.choices
    ]
    return render(request, "crm/admin/custom_field_list.html", {"groups": groups})


@access(ADMIN)
def field_create(request: AuthenticatedRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            field = custom_fields.custom_field_create(actor=request.user, **form.service_data())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"Field {field.name} added.")
            return redirect("crm:admin_custom_fields")
    return render(
        request, "crm/admin/custom_field_form.html", {"form": form, "title": "New custom field"}
    )


@access(ADMIN)
def field_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    initial = {
        "name": field.name,
        "type": field.type,
        "choices": "\n".join(field.choices),
        "required": field.required,
        "help_text": field.help_text,
        "filterable": field.filterable,
        "sortable": field.sortable,
        "position": field.position,
    }
    form = CustomFieldForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            custom_fields.custom_field_update(
                actor=request.user, field=field, data=form.service_data()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("crm:admin_custom_fields")
    return render(
        request,
        "crm/admin/custom_field_form.html",
        {"form": form, "title": f"{field.get_model_label_display()}: {field.name}", "field": field},
    )


@access(ADMIN)
@require_POST
def field_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    custom_fields.custom_field_delete(actor=request.user, field=field)
    messages.success(request, f"Field {field.name} removed, with its values.")
    return redirect("crm:admin_custom_fields")
