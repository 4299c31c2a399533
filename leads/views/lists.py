"""The lead list: filters, sort, keyset pages, bulk actions, saved views, CSV export."""

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from crm.access import AUTHENTICATED, AuthenticatedRequest, access
from crm.errors import DomainError
from crm.exports import list_export
from crm.models.notifications import SavedView
from crm.pagination import estimated_rows
from crm.services.saved_views import saved_view_save
from leads import selectors
from leads.forms import BulkActionForm, LeadFilterForm, filters_from
from leads.services.assignment import leads_bulk_assign
from leads.services.lifecycle import leads_bulk_transition

SAVED_VIEW_KIND = "leads"


@access(AUTHENTICATED)
@require_GET
def lead_list(request: AuthenticatedRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET or None, actor=request.user)
    filters = filters_from(form)
    plan = selectors.lead_plan(actor=request.user, owner_filter=filters.owner)
    leads = selectors.lead_list(actor=request.user, filters=filters, plan=plan)
    cursor = request.GET.get("cursor", "")
    branches = selectors.branch_base(filters, plan)
    page = selectors.lead_page(leads, sort=filters.sort, cursor=cursor, plan=plan, base=branches)
    count, more = selectors.capped_count(leads, plan=plan, base=branches)
    if more:  # past the cap: PostgreSQL's estimate, shown as "about N"
        count = max(count + 1, estimated_rows(leads))
    params = request.GET.copy()
    params.pop("cursor", None)
    base = params.urlencode()
    next_url = ""
    if page.next_cursor:
        params["cursor"] = page.next_cursor
        next_url = "?" + params.urlencode()
    context = {
        "form": form,
        "rows": page.rows,
        "count": count,
        "count_more": more,
        "sort": filters.sort,
        "next_url": next_url,
        "prev_url": ("?" + base) if page.has_previous else "",
        "querystring": base,
        "saved_views": list(
            SavedView.objects.filter(user=request.user, kind=SAVED_VIEW_KIND).order_by("name")
        ),
        "bulk_form": BulkActionForm(actor=request.user),
        "can_assign": not request.user.is_rep,
    }
    if request.headers.get("HX-Request") and request.GET.get("partial") == "rows":
        return render(request, "leads/list.html#rows", context)
    return render(request, "leads/list.html", context)


@access(AUTHENTICATED)
@require_GET
def lead_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The filtered list as CSV: visible rows only, formula-safe cells, streamed, audited."""
    form = LeadFilterForm(request.GET or None, actor=request.user)
    leads = selectors.lead_list(actor=request.user, filters=filters_from(form))
    return list_export(
        actor=request.user,
        list_name="leads",
        query=request.GET.urlencode(),
        filename="leads.csv",
        header=selectors.lists.EXPORT_HEADER,
        rows=selectors.lead_export_rows(leads),
    )


@access(AUTHENTICATED)
@require_POST
def lead_bulk(request: AuthenticatedRequest) -> HttpResponse:
    form = BulkActionForm(request.POST, actor=request.user)
    back = request.POST.get("next") or ""
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_safe_back(back))
    data = form.cleaned_data
    try:
        if data["action"] == "assign":
            if data["owner"] is None:
                raise DomainError("Choose who gets the leads.", field="owner")
            moved = leads_bulk_assign(actor=request.user, lead_ids=data["ids"], owner=data["owner"])
            messages.success(request, f"{moved} leads assigned to {data['owner'].full_name}.")
        else:
            to_status = "disqualified" if data["action"] == "disqualify" else data["to_status"]
            done, skipped = leads_bulk_transition(
                actor=request.user, lead_ids=data["ids"], to_status=to_status, reason=data["reason"]
            )
            note = f" {skipped} skipped (not allowed from their status)." if skipped else ""
            messages.success(request, f"{done} leads updated.{note}")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_safe_back(back))


def _safe_back(back: str) -> str:
    from django.urls import reverse

    if back.startswith("?"):
        return reverse("leads:list") + back
    return reverse("leads:list")


@access(AUTHENTICATED)
@require_POST
def saved_view_create(request: AuthenticatedRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()[:80]
    querystring = request.POST.get("querystring", "")[:1000]
    if not name:
        messages.error(request, "Name the view to save it.")
        return redirect(_safe_back("?" + querystring))
    try:
        saved_view_save(
            actor=request.user, kind=SAVED_VIEW_KIND, name=name, querystring=querystring
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_safe_back("?" + querystring))
    messages.success(request, f"Saved the view “{name}”.")
    return redirect(_safe_back("?" + querystring))
