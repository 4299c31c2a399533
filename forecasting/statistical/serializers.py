"""The statistical forecast over the API: the query parameters in, the forecast out."""

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from .report import MAX_HORIZON


class StatisticalQuerySerializer(serializers.Serializer[Any]):
    scope = serializers.CharField(
        required=False,
        default="company",
        help_text="company, team:<id> (rolled up through the team tree) or user:<id>.",
    )
    horizon = serializers.IntegerField(
        required=False, default=12, min_value=1, max_value=MAX_HORIZON, help_text="Months ahead."
    )
    as_of = serializers.DateField(
        required=False,
        help_text="Only deals closed before this day count; the forecast starts with its "
        "month. Default: today in the company time zone.",
    )

    def validate_as_of(self, value: Any) -> Any:
        return value or timezone.localdate()


class StatisticalMonthSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    value = serializers.FloatField(allow_null=True)
    low_80 = serializers.FloatField(allow_null=True)
    high_80 = serializers.FloatField(allow_null=True)
    low_95 = serializers.FloatField(allow_null=True)
    high_95 = serializers.FloatField(allow_null=True)


class StatisticalActualSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    value = serializers.FloatField()


class StatisticalCandidateSerializer(serializers.Serializer[Any]):
    form = serializers.CharField()
    aicc = serializers.FloatField()


class StatisticalModelSerializer(serializers.Serializer[Any]):
    form = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    trend = serializers.CharField(allow_null=True)
    damped = serializers.BooleanField(allow_null=True)
    seasonal = serializers.CharField(allow_null=True)
    aicc = serializers.FloatField(allow_null=True)
    candidates = StatisticalCandidateSerializer(many=True)


class StatisticalNaiveSerializer(serializers.Serializer[Any]):
    method = serializers.CharField()
    message = serializers.CharField(allow_blank=True)
    months = StatisticalMonthSerializer(many=True)


class StatisticalScoreSerializer(serializers.Serializer[Any]):
    points = serializers.IntegerField()
    rmse = serializers.FloatField(allow_null=True)
    mape = serializers.FloatField(allow_null=True, help_text="%")
    coverage_80 = serializers.FloatField(
        allow_null=True, help_text="% of actuals inside the 80 % interval"
    )


class StatisticalBacktestSerializer(serializers.Serializer[Any]):
    name = serializers.ChoiceField(choices=["one_origin", "walk_forward"])
    description = serializers.CharField()
    origins = serializers.IntegerField()
    horizon = serializers.IntegerField()
    ets_form = serializers.CharField(allow_null=True)
    ets = StatisticalScoreSerializer()
    seasonal_naive = StatisticalScoreSerializer()
    ets_beats_naive = serializers.BooleanField(allow_null=True)


class StatisticalPipelineEstimateSerializer(serializers.Serializer[Any]):
    method = serializers.CharField()
    deals = serializers.IntegerField(help_text="Open deals counted")
    without_close_date = serializers.IntegerField()
    beyond_horizon = serializers.IntegerField()
    months = StatisticalMonthSerializer(many=True)


class StatisticalForecastSerializer(serializers.Serializer[Any]):
    scope = serializers.CharField()
    scope_label = serializers.CharField()
    as_of = serializers.DateField()
    horizon = serializers.IntegerField()
    currency = serializers.CharField()
    method = serializers.CharField(allow_null=True, help_text="The method chosen, e.g. ETS(A,Ad,A)")
    model = StatisticalModelSerializer(required=False)
    message = serializers.CharField(allow_blank=True)
    history = StatisticalActualSerializer(many=True)
    months = StatisticalMonthSerializer(many=True)
    seasonal_naive = StatisticalNaiveSerializer(allow_null=True)
    backtests = StatisticalBacktestSerializer(many=True)
    pipeline = StatisticalPipelineEstimateSerializer()
