from django.urls import include, path

from forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("", views.forecast_page, name="index"),
    path("", include("forecasting.statistical.urls")),
    path("adjust/", views.adjust, name="adjust"),
    path("accuracy/", views.accuracy_section, name="accuracy"),
    path("changes/", views.changes_page, name="changes"),
    path("snapshots/take/", views.snapshot_now, name="snapshot_now"),
    path("manage/", views.settings_page, name="admin_settings"),
    path("manage/quotas/", views.quota_grid, name="admin_quotas"),
]
