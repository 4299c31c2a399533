from django.urls import include, path

from crm.views.pages import section
from forecasting import views

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
    path("manage/", views.settings_page, name="admin_settings"),
    path("manage/quotas/", views.quota_grid, name="admin_quotas"),
]
