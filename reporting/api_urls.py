from django.urls import include, path

from crm.api.routers import Router
from reporting.api import KpiListView, KpiView
from reporting.builder.api import SavedReportViewSet
from reporting.schedules.api import SubscriptionViewSet

router = Router()
router.register("reports/saved", SavedReportViewSet, basename="saved-report")
router.register("reports/subscriptions", SubscriptionViewSet, basename="report-subscription")

urlpatterns = [
    path("", include(router.urls)),  # before reports/<kpi>/, which would take "saved"
    path("reports/", KpiListView.as_view(), name="reports"),
    path("reports/<slug:kpi>/", KpiView.as_view(), name="report"),
]
