from django.urls import path

from reporting.api import KpiListView, KpiView

urlpatterns = [
    path("reports/", KpiListView.as_view(), name="reports"),
    path("reports/<slug:kpi>/", KpiView.as_view(), name="report"),
]
