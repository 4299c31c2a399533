"""Global search in the API: the same engine as the top bar and /search/ (typo tolerant,
every record kind, only what the caller may see)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import AUTHENTICATED, actor
from crm.search import search


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=200, help_text="Words to look for; typos are fine.")
    limit = serializers.IntegerField(
        min_value=1, max_value=25, default=8, help_text="Results per kind."
    )


class SearchResultSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    subtitle = serializers.CharField()
    url = serializers.CharField(help_text="The record's page.")
    score = serializers.FloatField(help_text="Similarity, 0 to 1 (higher is closer).")


class SearchGroupSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="Leads, Deals, Accounts, Contacts, …")
    results = SearchResultSerializer(many=True)


class SearchResponseSerializer(serializers.Serializer[Any]):
    query = serializers.CharField()
    groups = SearchGroupSerializer(many=True)


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
            "groups": [
                {
                    "kind": group.kind,
                    "results": [
                        {
                            "title": r.title,
                            "subtitle": r.subtitle,
                            "url": request.build_absolute_uri(r.url),
                            "score": round(r.score, 3),
                        }
                        for r in group.results
                    ],
                }
                for group in groups
            ],
        }
        return Response(SearchResponseSerializer(body).data)
