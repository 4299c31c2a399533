from django.urls import include, path
from rest_framework.routers import DefaultRouter

from leads.scoring.api import ScoringModelViewSet, ScoringRuleViewSet, ScoringSettingsView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("scoring/rules", ScoringRuleViewSet, basename="scoring-rule")
router.register("scoring/models", ScoringModelViewSet, basename="scoring-model")

urlpatterns = [
    path("scoring/settings/", ScoringSettingsView.as_view(), name="scoring-settings"),
    path("", include(router.urls)),
]
