"""Marketing and sales spend per lead source and month, entered by admins (reporting's own
rows; CAC divides it by the customers won from that source)."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SourceSpend(models.Model):
    """What one month of one source cost, in the company currency: marketing (campaigns,
    ads, events) and sales (the time and tools spent winning its customers)."""

    source = models.ForeignKey("leads.LeadSource", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    marketing = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    sales = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    note = models.CharField(max_length=200, blank=True, default="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-month", "source_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["source", "month"], name="source_spend_one_per_month"),
            models.CheckConstraint(
                condition=Q(marketing__gte=0, sales__gte=0), name="source_spend_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.month:%Y-%m}"

    @property
    def total(self) -> Decimal:
        return self.marketing + self.sales
