"""Keyset pagination for pages: `?after=<id>` walks a list ordered by a unique key."""

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
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


def keyset_sorted_page[M: Model](
    request: HttpRequest,
    queryset: QuerySet[M, Any],
    *,
    field: str,
    descending: bool = False,
    size: int = 50,
) -> tuple[Sequence[M], str, str]:
    """A page of `queryset` ordered by (`field`, id): rows, previous url, next url.

    The cursor carries the sort value and id of the row at the page edge, so each page is
    one index range scan however deep the list goes (pair it with an index on (field, id)).
    """
    params = request.GET.copy()
    model_field = queryset.model._meta.get_field(field)
    after = _cursor(request.GET.get("after"), model_field)
    before = _cursor(request.GET.get("before"), model_field)
    order = [f"-{field}", "-id"] if descending else [field, "id"]
    backwards = [field, "id"] if descending else [f"-{field}", "-id"]

    def beyond(cursor: tuple[Any, int], forward: bool) -> Q:
        op = "gt" if forward != descending else "lt"
        value, pk = cursor
        return Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk})

    if before is not None:
        rows = list(queryset.filter(beyond(before, False)).order_by(*backwards)[: size + 1])
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_more_after = True
    else:
        if after is not None:
            queryset = queryset.filter(beyond(after, True))
        rows = list(queryset.order_by(*order)[: size + 1])
        has_more_after = len(rows) > size
        rows = rows[:size]
        has_more_before = after is not None
    prev_url = next_url = ""
    if rows and has_more_before:
        params.pop("after", None)
        params["before"] = _token(rows[0], field)
        prev_url = "?" + params.urlencode()
    if rows and has_more_after:
        params.pop("before", None)
        params["after"] = _token(rows[-1], field)
        next_url = "?" + params.urlencode()
    return rows, prev_url, next_url


def _token(row: Model, field: str) -> str:
    value = getattr(row, field)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    raw = json.dumps([value, row.pk], default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(token: str | None, model_field: Any) -> tuple[Any, int] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw)
        return model_field.to_python(value), int(pk)
    except (ValueError, TypeError, ValidationError, binascii.Error):
        return None
