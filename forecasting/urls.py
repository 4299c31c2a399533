from django.urls import include, path

from forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("", views.forecast_page, name="index"),
    path("", include("forecasting.statistical.urls")),
    path("manage/", views.settings_page, name="admin_settings"),
    path("manage/quotas/", views.quota_grid, name="admin_quotas"),
]
