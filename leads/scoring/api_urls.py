from django.urls import include, path

from crm.api.routers import Router
from leads.scoring.api import ScoringModelViewSet, ScoringRuleViewSet, ScoringSettingsView

router = Router()
router.register("scoring/rules", ScoringRuleViewSet, basename="scoring-rule")
router.register("scoring/models", ScoringModelViewSet, basename="scoring-model")

urlpatterns = [
    path("scoring/settings/", ScoringSettingsView.as_view(), name="scoring-settings"),
    path("", include(router.urls)),
]
