"""GET /<records>/{id}/timeline/: a record's timeline as its page shows it.

`GET /api/v1/activities/` follows the ownership rule; a record's page shows every activity
logged on it, whoever logged it. This action gives API clients the page's view, through the
same selector (`crm.selectors.timeline.timeline_for`), newest first, keyset paginated.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.access import actor
from crm.api.relationship_serializers import ActivityOutputSerializer
from crm.limits import ApiIntegerField
from crm.selectors.timeline import timeline_for


class TimelineQuerySerializer(serializers.Serializer[Any]):
    cursor = serializers.CharField(
        required=False, allow_blank=True, help_text="`next_cursor` of the previous page."
    )
    page_size = ApiIntegerField(min_value=1, max_value=100, default=20)


class TimelinePageSerializer(serializers.Serializer[Any]):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null at the end.")
    next_cursor = serializers.CharField(allow_blank=True)
    results = ActivityOutputSerializer(many=True)


# No docstring on purpose: drf-spectacular would take it as the description of every
# viewset that has none of its own.
class TimelineMixin:
    # Adds the `timeline` action; the viewset names its record kind in `timeline_kind`
    # (account, contact, lead or deal). The record comes through `get_object()`, so a
    # hidden record is a 404.

    timeline_kind: str

    @extend_schema(
        parameters=[TimelineQuerySerializer],
        responses=TimelinePageSerializer,
        summary="The record's timeline, as its page shows it",
        description=(
            "Every activity logged on the record, whoever logged it, newest first. "
            "Follow `next` (or pass `cursor=<next_cursor>`) for older rows."
        ),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        record = self.get_object()  # type: ignore[attr-defined]
        page = timeline_for(
            actor=actor(request),
            **{self.timeline_kind: record},
            cursor=query.validated_data.get("cursor") or None,
            size=query.validated_data["page_size"],
        )
        next_url = None
        if page.next_cursor:
            next_url = request.build_absolute_uri(_with_params(request, cursor=page.next_cursor))
        return Response(
            {
                "next": next_url,
                "next_cursor": page.next_cursor,
                "results": ActivityOutputSerializer(page.rows, many=True).data,
            }
        )


def _with_params(request: Request, **values: str) -> str:
    params = request.query_params.copy()
    for name, value in values.items():
        params[name] = value
    return f"{request.path}?{params.urlencode()}"
