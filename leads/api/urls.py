from django.urls import include, path
from rest_framework.routers import DefaultRouter

from leads.api.views import LeadMergeViewSet, LeadSourceViewSet, LeadViewSet, WebToLeadView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("leads", LeadViewSet, basename="lead")
router.register("lead-merges", LeadMergeViewSet, basename="lead-merge")
router.register("lead-sources", LeadSourceViewSet, basename="lead-source")

urlpatterns = [
    path("web-to-lead/", WebToLeadView.as_view(), name="web-to-lead"),
    path("", include(router.urls)),
]
