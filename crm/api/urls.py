from django.urls import include, path

from crm.api.custom_fields import CustomFieldViewSet
from crm.api.inbox import AuditEntryViewSet, NotificationViewSet, SavedViewViewSet
from crm.api.privacy import ContactPrivacyViewSet
from crm.api.relationships import AccountViewSet, ActivityViewSet, ContactViewSet, TaskViewSet
from crm.api.routers import Router
from crm.api.search import SearchView
from crm.api.views import MeView, TeamViewSet, UserViewSet
from crm.imports.api import ExportJobViewSet, ImportJobViewSet

router = Router()
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("contacts", ContactPrivacyViewSet, basename="contact-privacy")
router.register("activities", ActivityViewSet, basename="activity")
router.register("tasks", TaskViewSet, basename="task")
router.register("imports", ImportJobViewSet, basename="import")
router.register("exports", ExportJobViewSet, basename="export")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("saved-views", SavedViewViewSet, basename="saved-view")
router.register("audit", AuditEntryViewSet, basename="audit")
router.register("custom-fields", CustomFieldViewSet, basename="custom-field")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("search/", SearchView.as_view(), name="search"),
    path("", include(router.urls)),
    path("", include("pipeline.api_urls")),
    path("", include("leads.api.urls")),
    path("", include("forecasting.statistical.api_urls")),
    path("", include("reporting.api_urls")),
    path("", include("forecasting.api_urls")),
]
