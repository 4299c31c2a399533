"""Keyset pagination for pages: `?after=<id>` walks a list ordered by a unique key."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest


def keyset_page[M: Model](
    request: HttpRequest, queryset: QuerySet[M, Any], *, size: int = 50
) -> tuple[Sequence[M], str, str]:
    """A page of a queryset ordered by descending id: rows, previous url, next url."""
    params = request.GET.copy()
    after = _int(request.GET.get("after"))
    before = _int(request.GET.get("before"))
    rows: list[M]
    if before is not None:
        rows = list(queryset.filter(pk__gt=before).order_by("id")[: size + 1])
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_more_after = True
    else:
        if after is not None:
            queryset = queryset.filter(pk__lt=after)
        rows = list(queryset.order_by("-id")[: size + 1])
        has_more_after = len(rows) > size
        rows = rows[:size]
        has_more_before = after is not None
    prev_url = next_url = ""
    if rows and has_more_before:
        params.pop("after", None)
        params["before"] = str(rows[0].pk)
        prev_url = "?" + params.urlencode()
    if rows and has_more_after:
        params.pop("before", None)
        params["after"] = str(rows[-1].pk)
        next_url = "?" + params.urlencode()
    return rows, prev_url, next_url


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
