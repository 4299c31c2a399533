from django.http import HttpResponse
from django.shortcuts import render

from crm import selectors
from crm.access import ADMIN, AuthenticatedRequest, access
from crm.forms import AuditFilterForm, valid_filters
from crm.pagination import keyset_page
from crm.selectors.audit_display import audit_change_lines


@access(ADMIN)
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = valid_filters(form)
    entries, prev_url, next_url = keyset_page(
        request, selectors.audit_list(actor=request.user, filters=filters)
    )
    lines = audit_change_lines(entries)
    return render(
        request,
        "crm/admin/audit_log.html",
        {
            "form": form,
            "entries": [(entry, lines[entry.pk]) for entry in entries],
            "prev_url": prev_url,
            "next_url": next_url,
        },
    )
