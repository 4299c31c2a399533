"""Leaderboards, badges, challenges and the reporting settings in the API.

GET               /api/v1/reports/leaderboards/                 the boards open to the caller
GET               /api/v1/reports/leaderboards/<board>/         one board (?period=&team=)
GET               /api/v1/reports/people/<id>/badges/           a person's badges
GET/POST          /api/v1/reports/challenges/                   challenges with their progress
GET/PATCH/DELETE  /api/v1/reports/challenges/{id}/
GET/PATCH         /api/v1/reports/settings/                     admins
"""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import ADMIN, AUTHENTICATED, actor, scoped
from crm.api.base import ScopedModelViewSet, ServiceWritesMixin
from crm.api.permissions import IsAdministrator
from crm.errors import NotFound
from crm.models import Team, User
from crm.visibility import visible

from . import challenges as services
from .badges import badge_dict, badges_for
from .leaderboards import board_period, boards_for, leaderboard
from .models import Board, BoardAudience, Challenge, ChallengeMetric
from .settings import FIELDS, reporting_settings, reporting_settings_update


class BoardRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.CharField()
    value = serializers.FloatField()
    deals = serializers.IntegerField()
    won = serializers.DecimalField(max_digits=20, decimal_places=2)
    detail = serializers.CharField()
    url = serializers.CharField()


class LeaderboardSerializer(serializers.Serializer[Any]):
    board = serializers.CharField()
    title = serializers.CharField()
    formula = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField(source="period.key")
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.last_day")
    min_deals = serializers.IntegerField()
    audience = serializers.CharField()
    scope = serializers.CharField()
    rows = BoardRowSerializer(many=True)


class BoardQuerySerializer(serializers.Serializer[Any]):
    period = serializers.CharField(required=False, allow_blank=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)


class LeaderboardListView(APIView):
    access = AUTHENTICATED

    @extend_schema(responses=serializers.ListSerializer(child=serializers.CharField()))
    def get(self, request: Request) -> Response:
        """The boards the caller may see (the admins' audience setting decides)."""
        return Response(boards_for(actor(request)))


class LeaderboardView(APIView):
    access = AUTHENTICATED

    @extend_schema(
        parameters=[
            BoardQuerySerializer,
            OpenApiParameter("board", OpenApiTypes.STR, OpenApiParameter.PATH, enum=Board.values),
        ],
        responses=LeaderboardSerializer,
    )
    def get(self, request: Request, board: str) -> Response:
        """One board ranked with RANK() OVER: revenue, attainment, activity or improvement."""
        if board not in Board.values:
            raise NotFound("No such leaderboard.")
        query = BoardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        span = board_period(query.validated_data.get("period", ""))
        result = leaderboard(
            actor=actor(request), board=board, span=span, team=query.validated_data.get("team")
        )
        base = request.build_absolute_uri("/")[:-1]
        data = LeaderboardSerializer(result).data
        for row in data["rows"]:
            row["url"] = base + row["url"] if row["url"] else ""
        return Response(data)


class BadgeSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    earned_on = serializers.DateField()


class BadgesView(APIView):
    access = scoped("crm.User")

    @extend_schema(responses=BadgeSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """A person's badges (computed from their deals and quotas on read), newest first."""
        person = visible(actor(request), User.objects.all()).filter(pk=pk).first()
        if person is None:
            raise NotFound("No such person.")
        return Response(
            BadgeSerializer([badge_dict(b) for b in badges_for(person)], many=True).data
        )


class ChallengeSerializer(serializers.ModelSerializer[Challenge]):
    team = serializers.IntegerField(source="team_id", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    progress = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = (
            "id",
            "name",
            "metric",
            "target",
            "team",
            "starts_on",
            "ends_on",
            "owner",
            "progress",
            "percent",
            "state",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def _progress(self, obj: Challenge) -> services.ChallengeProgress:
        if not hasattr(obj, "progress"):
            obj = services.with_progress(Challenge.objects.filter(pk=obj.pk)).get()
        return services.progress_of(obj, actor=self.context["actor"], today=timezone.localdate())

    def get_progress(self, obj: Challenge) -> float:
        return float(self._progress(obj).progress)

    def get_percent(self, obj: Challenge) -> float:
        return self._progress(obj).percent

    def get_state(self, obj: Challenge) -> str:
        return self._progress(obj).state


class ChallengeInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    metric = serializers.ChoiceField(choices=ChallengeMetric.choices)
    target = serializers.DecimalField(max_digits=16, decimal_places=2)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class ChallengeViewSet(ServiceWritesMixin, ScopedModelViewSet[Challenge]):
    """Team challenges: a goal metric, a target, a team, a start and an end day, with the
    team's progress. Managers over the team and admins set them (audited); the team's
    members see them."""

    access = scoped("reporting.Challenge")
    serializer_class = ChallengeSerializer
    input_serializer_class = ChallengeInputSerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[Challenge]:
        return Challenge.objects.select_related("team")

    def narrow(self, queryset: QuerySet[Challenge]) -> QuerySet[Challenge]:
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return services.with_progress(queryset).order_by("ends_on", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["actor"] = self.request.user
        return context

    def _answer(self, obj: Challenge) -> Any:
        return self.get_queryset().get(pk=obj.pk)

    def service_create(self, user: User, data: dict[str, Any]) -> Challenge:
        return services.challenge_create(actor=user, **data)

    def service_update(self, user: User, obj: Challenge, data: dict[str, Any]) -> Challenge:
        return services.challenge_update(actor=user, challenge=obj, **data)

    def service_delete(self, user: User, obj: Challenge) -> None:
        services.challenge_delete(actor=user, challenge=obj)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self._input(self.input_serializer_class, request, partial=False)
        obj = self.service_create(actor(request), values)
        return Response(
            self.serializer_class(self._answer(obj), context={"actor": request.user}).data,
            status=201,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        values = self._input(self.input_serializer_class, request, partial=True)
        obj = self.service_update(actor(request), obj, values)
        return Response(
            self.serializer_class(self._answer(obj), context={"actor": request.user}).data
        )


class SettingsSerializer(serializers.Serializer[Any]):
    leaderboard_min_deals = serializers.IntegerField(min_value=0, max_value=100, required=False)
    revenue_audience = serializers.ChoiceField(choices=BoardAudience.choices, required=False)
    attainment_audience = serializers.ChoiceField(choices=BoardAudience.choices, required=False)
    activity_audience = serializers.ChoiceField(choices=BoardAudience.choices, required=False)
    improvement_audience = serializers.ChoiceField(choices=BoardAudience.choices, required=False)
    streak_weeks = serializers.IntegerField(min_value=2, max_value=52, required=False)
    gross_margin_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)


class ReportingSettingsView(APIView):
    access = ADMIN
    permission_classes = [IsAdministrator]

    @extend_schema(responses=SettingsSerializer)
    def get(self, request: Request) -> Response:
        row = reporting_settings()
        return Response(SettingsSerializer({name: getattr(row, name) for name in FIELDS}).data)

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def patch(self, request: Request) -> Response:
        data = SettingsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        row = reporting_settings_update(actor=actor(request), **data.validated_data)
        return Response(SettingsSerializer({name: getattr(row, name) for name in FIELDS}).data)
