"""Small pieces the relationship views share: safe redirects, linked records."""

from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from crm.models import Activity
from crm.models.activities import LINK_FIELDS


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
