from django.urls import include, path

from crm.api.routers import Router
from leads.api.privacy import LeadPrivacyViewSet
from leads.api.settings import (
    AssignmentRuleViewSet,
    LeadSettingsView,
    LeadSourceViewSet,
    TemperatureRuleViewSet,
    WebFormViewSet,
)
from leads.api.views import LeadMergeViewSet, LeadViewSet, WebToLeadView

router = Router()
router.register("leads", LeadViewSet, basename="lead")
router.register("leads", LeadPrivacyViewSet, basename="lead-privacy")
router.register("lead-merges", LeadMergeViewSet, basename="lead-merge")
router.register("lead-sources", LeadSourceViewSet, basename="lead-source")
router.register("assignment-rules", AssignmentRuleViewSet, basename="assignment-rule")
router.register("temperature-rules", TemperatureRuleViewSet, basename="temperature-rule")
router.register("web-forms", WebFormViewSet, basename="web-form")

urlpatterns = [
    path("web-to-lead/", WebToLeadView.as_view(), name="web-to-lead"),
    path("lead-settings/", LeadSettingsView.as_view(), name="lead-settings"),
    path("", include("leads.scoring.api_urls")),
    path("", include(router.urls)),
]
