"""Small pieces the relationship views share: safe redirects, CSV streaming, linked records."""

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from crm.exports import safe_row
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


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(
    filename: str, header: Sequence[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A CSV download written row by row; every cell goes through `safe_cell`."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(safe_row(header))  # type: ignore[func-returns-value]
        for row in rows:
            yield writer.writerow(safe_row(row))  # type: ignore[func-returns-value]

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def linked_model(name: str) -> type[models.Model]:
    """The model behind a link name (account/contact/lead/deal) without importing other apps."""
    if name not in LINK_FIELDS:
        raise ValueError(name)
    return Activity._meta.get_field(name).related_model  # type: ignore[return-value]
