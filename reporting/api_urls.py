from django.urls import include, path

from crm.api.routers import Router
from reporting.api import DiagnosisView, KpiListView, KpiView
from reporting.builder.api import SavedReportViewSet
from reporting.recognition.api import (
    BadgesView,
    ChallengeViewSet,
    LeaderboardListView,
    LeaderboardView,
    ReportingSettingsView,
)
from reporting.schedules.api import SubscriptionViewSet
from reporting.source_return.api import SourceReturnView, SpendViewSet

router = Router()
router.register("reports/saved", SavedReportViewSet, basename="saved-report")
router.register("reports/subscriptions", SubscriptionViewSet, basename="report-subscription")
router.register("reports/challenges", ChallengeViewSet, basename="report-challenge")
router.register("reports/spend", SpendViewSet, basename="report-spend")

urlpatterns = [
    path("", include(router.urls)),  # before reports/<kpi>/, which would take "saved"
    path("reports/leaderboards/", LeaderboardListView.as_view(), name="leaderboards"),
    path("reports/leaderboards/<slug:board>/", LeaderboardView.as_view(), name="leaderboard"),
    path("reports/people/<int:pk>/badges/", BadgesView.as_view(), name="person-badges"),
    path("reports/diagnosis/<int:pk>/", DiagnosisView.as_view(), name="diagnosis"),
    path("reports/source-return/", SourceReturnView.as_view(), name="source-return"),
    path("reports/settings/", ReportingSettingsView.as_view(), name="reporting-settings"),
    path("reports/", KpiListView.as_view(), name="reports"),
    path("reports/<slug:kpi>/", KpiView.as_view(), name="report"),
]
