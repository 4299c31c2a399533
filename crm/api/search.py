"""Global search in the API: the same engine as the list searches, the top bar and
/search/ (crm.search: word prefixes, typos allowed, every record kind, only what the
caller may see), answered as typed results."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import AUTHENTICATED, actor
from crm.search import providers, search


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=200, help_text="Words to look for: each a word prefix; typos are fine."
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=25, default=8, help_text="Results per kind."
    )


class SearchResultSerializer(serializers.Serializer[Any]):
    # URLs (and so this module) load after every app's ready(): all kinds are registered.
    kind = serializers.ChoiceField(
        choices=[(p.kind, p.label) for p in providers()], help_text="The kind of record."
    )
    id = serializers.IntegerField(help_text="The record's id in its own endpoint.")
    title = serializers.CharField()
    subtitle = serializers.CharField()
    url = serializers.CharField(help_text="The record's page.")


class SearchResponseSerializer(serializers.Serializer[Any]):
    query = serializers.CharField()
    results = SearchResultSerializer(
        many=True, help_text="Best matches, grouped by kind (leads, deals, accounts, contacts)."
    )


class SearchView(APIView):
    """Best matches per record kind among the records the caller may see."""

    access = AUTHENTICATED

    @extend_schema(parameters=[SearchQuerySerializer], responses=SearchResponseSerializer)
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data["q"].strip()
        groups = search(actor=actor(request), query=text, limit=query.validated_data["limit"])
        body = {
            "query": text,
            "results": [
                {
                    "kind": r.kind,
                    "id": r.id,
                    "title": r.title,
                    "subtitle": r.subtitle,
                    "url": request.build_absolute_uri(r.url),
                }
                for group in groups
                for r in group.results
            ],
        }
        return Response(SearchResponseSerializer(body).data)
