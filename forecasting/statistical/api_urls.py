from django.urls import path

from .api import StatisticalForecastView

urlpatterns = [
    path(
        "forecasts/statistical/",
        StatisticalForecastView.as_view(),
        name="forecast-statistical",
    ),
]
