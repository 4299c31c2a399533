"""Small pieces the relationship views share: safe redirects, linked records."""

from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from crm.access import AuthenticatedRequest
from crm.models import Activity
from crm.models.activities import LINK_FIELDS
from crm.pagination import count_or_estimate, keyset_sorted_page
from crm.selectors.relationships import Sort, sort_from
from crm.selectors.saved_views import saved_views_for


def redirect_next(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the `next` the form carried, if it is a path on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target)


def linked_model(name: str) -> type[models.Model]:
    """The model behind a link name (account/contact/lead/deal) without importing other apps."""
    if name not in LINK_FIELDS:
        raise ValueError(name)
    return Activity._meta.get_field(name).related_model  # type: ignore[return-value]


def render_sorted_list(
    request: AuthenticatedRequest,
    *,
    form: forms.Form,
    filters: dict[str, Any],
    rows: QuerySet[Any, Any],
    sorts: dict[str, Sort],
    kind: str,
    template: str,
    default_sort: str = "name",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A keyset-paged list page sorted as the filters say; htmx gets the rows partial.

    The rows are in the context under `kind` ("accounts", "contacts"), which is also the
    saved-view kind. `extra` adds to the context of the whole page and of the partial.
    """
    sort = sort_from(sorts, filters, default_sort)
    page, prev_url, next_url = keyset_sorted_page(
        request, rows, field=sort.field, descending=sort.descending
    )
    count, about = count_or_estimate(rows)
    context = {
        "form": form,
        kind: page,
        "count": count,
        "count_about": about,
        "prev_url": prev_url,
        "next_url": next_url,
        "sort": filters.get("sort") or default_sort,
        "saved_views": saved_views_for(actor=request.user, kind=kind),
        "list_kind": kind,
        **(extra or {}),
    }
    if request.headers.get("HX-Request"):
        return render(request, f"{template}#rows", context)
    return render(request, template, context)
