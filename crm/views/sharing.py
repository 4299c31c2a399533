"""Sharing panel actions on account and contact pages: the form (GET), share and unshare."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from crm.access import AuthenticatedRequest, access, get_editable_or_404, scoped
from crm.errors import DomainError
from crm.forms.relationships import ShareForm
from crm.models import Account, Contact
from crm.services import sharing

type Shareable = Account | Contact


def _share(
    request: AuthenticatedRequest, model: type[Shareable], pk: int, detail: str
) -> HttpResponse:
    obj = get_editable_or_404(request, model.objects.alive(), pk=pk)
    if request.method == "GET":
        # The form alone (htmx fills the panel with it; without htmx it is a small page).
        context = {
            "share_form": ShareForm(actor=request.user),
            "share_url": request.path,
            "record": obj,
        }
        partial = request.headers.get("HX-Request") == "true"
        return render(
            request, "crm/_share_form.html" if partial else "crm/share_page.html", context
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = ShareForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, "Pick a user or a team to share with.")
        return redirect(detail, pk)
    try:
        sharing.share_create(actor=request.user, obj=obj, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Shared.")
    return redirect(detail, pk)


def _unshare(
    request: AuthenticatedRequest,
    model: type[Shareable],
    pk: int,
    share_id: int,
    detail: str,
) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = get_editable_or_404(request, model.objects.alive(), pk=pk)
    try:
        sharing.share_delete(actor=request.user, obj=obj, share_id=share_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "No longer shared.")
    return redirect(detail, pk)


@access(scoped("crm.Account"))
def account_share(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _share(request, Account, pk, "crm:account_detail")


@access(scoped("crm.Account"))
def account_unshare(request: AuthenticatedRequest, pk: int, share_id: int) -> HttpResponse:
    return _unshare(request, Account, pk, share_id, "crm:account_detail")


@access(scoped("crm.Contact"))
def contact_share(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _share(request, Contact, pk, "crm:contact_detail")


@access(scoped("crm.Contact"))
def contact_unshare(request: AuthenticatedRequest, pk: int, share_id: int) -> HttpResponse:
    return _unshare(request, Contact, pk, share_id, "crm:contact_detail")
