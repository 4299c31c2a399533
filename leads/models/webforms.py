"""Web-to-lead forms a company embeds on its website."""

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from leads.models.leads import LeadSource


def new_public_key() -> str:
    return secrets.token_urlsafe(18)


class WebForm(models.Model):
    name = models.CharField(max_length=120)
    public_key = models.CharField(max_length=40, unique=True, default=new_public_key)
    allowed_origins = models.TextField(
        blank=True,
        default="",
        help_text="One origin per line (https://www.example.com); empty accepts any.",
    )
    redirect_url = models.URLField(
        blank=True, default="", help_text="Where the visitor goes after a successful submit."
    )
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.CharField(max_length=120, blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.splitlines() if o.strip()]
