from django.http import HttpResponse
from django.shortcuts import render

from crm import selectors
from crm.access import ADMIN, AuthenticatedRequest, access
from crm.forms import AuditFilterForm
from crm.pagination import keyset_page


@access(ADMIN)
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries, prev_url, next_url = keyset_page(
        request, selectors.audit_list(actor=request.user, filters=filters)
    )
    return render(
        request,
        "crm/admin/audit_log.html",
        {
            "form": form,
            "entries": entries,
            "prev_url": prev_url,
            "next_url": next_url,
        },
    )
