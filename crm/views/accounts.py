"""Account pages: list (filters, sort, saved views, CSV), detail, create/edit, delete/restore."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html

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
    AccountDeleteForm,
    AccountFilterForm,
    AccountForm,
    ActivityForm,
    ShareForm,
    TaskForm,
)
from crm.models import Account, Contact
from crm.panels import panels_for
from crm.selectors.custom_fields import custom_rows
from crm.selectors.relationships import ACCOUNT_SORTS
from crm.selectors.relationships import account_list as select_accounts
from crm.selectors.timeline import tasks_for, timeline_for
from crm.services import accounts as account_services
from crm.services.sharing import shares_of
from crm.views.forms import apply_domain_error
from crm.views.helpers import render_sorted_list
from crm.visibility import can_edit, can_see, visible

EXPORT_HEADER = (
    "id",
    "name",
    "domain",
    "website",
    "industry",
    "segment",
    "relationship",
    "employee_count",
    "annual_revenue",
    "region",
    "country",
    "owner",
    "created_at",
)


def _filters(request: AuthenticatedRequest) -> tuple[AccountFilterForm, dict[str, Any]]:
    form = AccountFilterForm(request.GET or None, actor=request.user)
    return form, valid_filters(form)


@access(AUTHENTICATED)
def account_list(request: AuthenticatedRequest) -> HttpResponse:
    form, filters = _filters(request)
    return render_sorted_list(
        request,
        form=form,
        filters=filters,
        rows=select_accounts(actor=request.user, filters=filters),
        sorts=ACCOUNT_SORTS,
        kind="accounts",
        template="crm/accounts/list.html",
    )


@access(AUTHENTICATED)
def account_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """CSV of the filtered list: only rows the user may see, formula-escaped."""
    _, filters = _filters(request)
    rows = select_accounts(actor=request.user, filters=filters).order_by("name", "id")
    return queryset_export(
        request,
        list_name="accounts",
        header=EXPORT_HEADER,
        queryset=rows,
        row=lambda a: (
            a.pk,
            a.name,
            a.domain,
            a.website,
            a.industry,
            a.get_segment_display(),
            a.get_relationship_display(),
            a.employee_count,
            a.annual_revenue,
            a.region,
            a.country,
            a.owner.email,
            a.created_at,
        ),
    )


def _duplicate_error(request: AuthenticatedRequest, form: AccountForm, error: DomainError) -> None:
    existing = error.details.get("existing")
    if isinstance(existing, Account) and can_see(request.user, existing):
        form.add_error(
            "domain",
            format_html(
                '{} <a href="{}">Open {}</a>',
                error.message,
                reverse("crm:account_detail", args=[existing.pk]),
                existing.name,
            ),
        )
    elif isinstance(existing, Account):
        form.add_error(
            "domain",
            f"{existing.domain} already belongs to the account “{existing.name}”, "
            "owned by someone else. Ask them or an administrator to share it with you.",
        )
    else:
        apply_domain_error(form, error)  # type: ignore[arg-type]


@access(AUTHENTICATED)
def account_create(request: AuthenticatedRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = account_services.account_create(
                actor=request.user, **split_custom(dict(form.cleaned_data))
            )
        except DomainError as error:
            _duplicate_error(request, form, error)
        else:
            messages.success(request, f"Account “{account.name}” created.")
            return redirect("crm:account_detail", account.pk)
    return render(request, "crm/accounts/form.html", {"form": form, "title": "New account"})


@access(scoped("crm.Account"))
def account_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = get_editable_or_404(request, Account.objects.alive(), pk=pk)
    form = AccountForm(request.POST or None, instance=account, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = split_custom({k: v for k, v in form.cleaned_data.items() if k in form.changed_data})
        try:
            account_services.account_update(actor=request.user, account=account, data=data)
        except DomainError as error:
            _duplicate_error(request, form, error)
        else:
            messages.success(request, "Account saved.")
            return redirect("crm:account_detail", account.pk)
    return render(
        request,
        "crm/accounts/form.html",
        {"form": form, "title": f"Edit {account.name}", "account": account},
    )


@access(scoped("crm.Account"))
def account_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rows = Account.objects.select_related("owner", "parent")
    if not request.user.is_admin:
        rows = rows.alive()
    account = get_visible_or_404(request, rows, pk=pk)
    editable = can_edit(request.user, account)
    contacts = visible(
        request.user, Contact.objects.alive().filter(account=account)
    ).select_related("owner")[:100]
    link = {"account": account.pk}
    return render(
        request,
        "crm/accounts/detail.html",
        {
            "account": account,
            "panels": panels_for("account", request.user, account),
            "custom_rows": custom_rows("crm.Account", account.custom),
            "can_edit": editable,
            "contacts": contacts,
            "subsidiaries": visible(request.user, account.subsidiaries.alive())[:50],
            "timeline": timeline_for(actor=request.user, account=account),
            "tasks": tasks_for(actor=request.user, account=account),
            "activity_form": ActivityForm(initial=link),
            "task_form": TaskForm(initial=link, actor=request.user),
            "shares": list(shares_of(account)) if editable else [],
            "share_form": ShareForm(actor=request.user) if editable else None,
            "share_url": reverse("crm:account_share", args=[account.pk]),
            "here": request.get_full_path(),
        },
    )


@access(scoped("crm.Account"))
def account_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = get_editable_or_404(request, Account.objects.alive(), pk=pk)
    contact_count = Contact.objects.alive().filter(account=account).count()
    form = AccountDeleteForm(request.POST or None, actor=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.account_delete(
                actor=request.user,
                account=account,
                contacts=form.cleaned_data["contacts"],
                move_to=form.cleaned_data.get("move_to"),
            )
        except DomainError as error:
            apply_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, f"Account “{account.name}” deleted.")
            return redirect("crm:account_list")
    return render(
        request,
        "crm/accounts/delete.html",
        {"account": account, "form": form, "contact_count": contact_count},
    )


@access(ADMIN)
def account_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("crm:account_detail", pk)
    account = get_visible_or_404(request, Account.objects.all(), pk=pk)
    try:
        account_services.account_restore(actor=request.user, account=account)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Account “{account.name}” restored.")
    return redirect("crm:account_detail", pk)
