from django.urls import include, path

from crm.views.pages import section

app_name = "forecasting"

urlpatterns = [
    path(
        "",
        section,
        {
            "title": "Forecast",
            "icon": "graph-up-arrow",
            "text": "Quotas, commits and the statistical forecast will appear here.",
        },
        name="index",
    ),
    path("", include("forecasting.statistical.urls")),
]
