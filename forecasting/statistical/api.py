"""`GET /api/v1/forecasts/statistical/`: the statistical forecast of one scope."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.access import AUTHENTICATED, actor

from .report import statistical_forecast
from .serializers import StatisticalForecastSerializer, StatisticalQuerySerializer


class StatisticalForecastView(APIView):
    """Exponential smoothing (ETS, chosen by AICc) with 80 % and 95 % intervals, the
    seasonal-naive forecast beside it, the pipeline-based estimate and the backtests.
    A scope the caller can't see is a 404."""

    access = AUTHENTICATED

    @extend_schema(parameters=[StatisticalQuerySerializer], responses=StatisticalForecastSerializer)
    def get(self, request: Request) -> Response:
        query = StatisticalQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        body = statistical_forecast(
            user=actor(request),
            scope=data["scope"],
            horizon=data["horizon"],
            as_of=data.get("as_of") or query.validate_as_of(None),
        )
        return Response(body)
