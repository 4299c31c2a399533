"""Privacy requests about a lead through the API (the same service as contacts)."""

from django.db.models import QuerySet

from crm.access import scoped
from crm.api.privacy import PrivacyViewSet
from leads.models import Lead


class LeadPrivacyViewSet(PrivacyViewSet):
    access = scoped("leads.Lead")
    kind = "lead"

    def base_queryset(self) -> QuerySet[Lead]:
        return Lead.objects.all()
