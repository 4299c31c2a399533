"""Keyset pagination for pages: `?after=<id>` walks a list ordered by a unique key."""

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections
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


COUNT_CAP = 1000


def estimated_rows(queryset: QuerySet[Any, Any]) -> int:
    """PostgreSQL's estimate of how many rows `queryset` holds (EXPLAIN, nothing read)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def count_or_estimate(queryset: QuerySet[Any, Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, about): the exact count up to `cap` (a bounded scan), past it the planner's
    estimate (never below cap + 1) and about=True, for lists to say "about N match"."""
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    if counted <= cap:
        return counted, False
    return max(cap + 1, estimated_rows(queryset)), True
