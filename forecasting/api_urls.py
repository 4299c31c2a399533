from django.urls import path
from rest_framework.routers import DefaultRouter

from forecasting.api import (
    AccuracyView,
    AdjustmentViewSet,
    ForecastSettingsView,
    ForecastView,
    QuotaViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("quotas", QuotaViewSet, basename="quota")
router.register("forecasts/adjustments", AdjustmentViewSet, basename="forecast-adjustment")

urlpatterns = [
    path("forecasts/", ForecastView.as_view(), name="forecast"),
    path("forecasts/accuracy/", AccuracyView.as_view(), name="forecast-accuracy"),
    path("forecast-settings/", ForecastSettingsView.as_view(), name="forecast-settings"),
    *router.urls,
]
