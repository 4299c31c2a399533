"""Privacy requests about a lead (administrators): export everything held, or erase it."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from crm.access import AuthenticatedRequest, access, get_visible_or_404, scoped
from crm.services import privacy
from leads.models import Lead


def _lead_for_admin(request: AuthenticatedRequest, pk: int) -> Lead:
    lead = get_visible_or_404(request, Lead.objects.all(), pk=pk)  # hidden: 404 first
    if not request.user.is_admin:
        raise PermissionDenied("Only administrators handle privacy requests.")
    return lead


@access(scoped("leads.Lead"))
def lead_privacy_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Everything held about the lead, as JSON (default) or CSV; audited."""
    lead = _lead_for_admin(request, pk)
    data = privacy.personal_data(actor=request.user, subject=lead)
    if request.GET.get("format") == "csv":
        response = HttpResponse(privacy.personal_data_csv(data), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="lead-{pk}-data.csv"'
    else:
        response = HttpResponse(
            json.dumps(data, indent=2, default=str), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="lead-{pk}-data.json"'
    return response


@access(scoped("leads.Lead"))
def lead_privacy_erase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lead = _lead_for_admin(request, pk)
    if request.method == "POST":
        privacy.personal_data_erase(actor=request.user, subject=lead)
        messages.success(request, "Personal data erased. The activity history is kept without it.")
        return redirect("leads:detail", pk)
    return render(request, "leads/erase.html", {"lead": lead})
