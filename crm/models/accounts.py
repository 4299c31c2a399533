"""Who we sell to: accounts (companies) and contacts (people)."""

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from .search import word_parts
from .soft_delete import SoftDeleteQuerySet


class AccountQuerySet(SoftDeleteQuerySet["Account"]):
    pass


class ContactQuerySet(SoftDeleteQuerySet["Contact"]):
    pass


class Segment(models.TextChoices):
    B2C = "b2c", "B2C"
    B2B = "b2b", "B2B"
    ENTERPRISE = "enterprise", "Enterprise"


class Relationship(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Partner"
    FORMER = "former", "Former customer"


class Account(models.Model):
    visibility_owner_field = "owner"

    name = models.CharField(max_length=200)
    domain = models.CharField(
        max_length=253, blank=True, default="", help_text="Normalised: lower case, no www."
    )
    website = models.URLField(blank=True, default="")
    industry = models.CharField(max_length=100, blank=True, default="")
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    region = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField(max_length=100, blank=True, default="")
    address = models.TextField(blank=True, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accounts"
    )
    segment = models.CharField(max_length=12, choices=Segment.choices, default=Segment.B2B)
    relationship = models.CharField(
        max_length=10, choices=Relationship.choices, default=Relationship.PROSPECT
    )
    customer_since = models.DateField(null=True, blank=True)
    churned_at = models.DateField(null=True, blank=True)
    # The record's id in the system it came from (another CRM, a marketing tool): unique per
    # kind when set, the first key imports match on.
    external_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    # Values of the admin-defined custom fields, by key (crm.models.custom_fields).
    custom = models.JSONField(
        default=dict, blank=True, db_default=models.Value({}, models.JSONField())
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The words search looks for (crm.search), maintained by PostgreSQL itself.
    search_words = models.GeneratedField(
        expression=SearchVector("name", "domain", word_parts("domain"), config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["domain"],
                condition=~Q(domain="") & Q(deleted_at__isnull=True),
                name="account_domain_unique",
                violation_error_message="An account with this domain already exists.",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id="") & Q(deleted_at__isnull=True),
                name="account_external_id_unique",
                violation_error_message="Another record already has this external id.",
            ),
            models.CheckConstraint(
                condition=Q(employee_count__isnull=True) | Q(employee_count__gte=0),
                name="account_employee_count_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(annual_revenue__isnull=True) | Q(annual_revenue__gte=0),
                name="account_revenue_non_negative",
            ),
        ]
        indexes: ClassVar = [
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="account_custom_gin"),
            models.Index(
                Lower("external_id"), condition=~Q(external_id=""), name="account_external_id_lower"
            ),
            models.Index(fields=["owner", "name", "id"], name="account_owner_name"),
            models.Index(fields=["name", "id"], name="account_name"),
            models.Index(fields=["-created_at", "id"], name="account_created"),
            models.Index(fields=["created_at", "id"], name="account_created_asc"),
            models.Index(fields=["segment", "name", "id"], name="account_segment_name"),
            models.Index(fields=["relationship", "name", "id"], name="account_rel_name"),
            models.Index(fields=["industry", "name", "id"], name="account_industry_name"),
            models.Index(fields=["country", "name", "id"], name="account_country_name"),
            models.Index(fields=["parent"], name="account_parent"),
            models.Index(
                fields=["deleted_at"], condition=Q(deleted_at__isnull=False), name="account_deleted"
            ),
            GinIndex(fields=["search_words"], name="account_search_words"),
        ]

    def __str__(self) -> str:
        return self.name


class ChannelPreference(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    MEETING = "meeting", "In person"
    CHAT = "chat", "Chat / messaging"


class EmailConsent(models.TextChoices):
    UNKNOWN = "unknown", "Not asked"
    OPT_IN = "opt_in", "Opted in"
    OPT_OUT = "opt_out", "Opted out"


class Contact(models.Model):
    visibility_owner_field = "owner"

    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100)
    title = models.CharField(max_length=120, blank=True, default="")
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts"
    )
    preferred_channel = models.CharField(
        max_length=10, choices=ChannelPreference.choices, default=ChannelPreference.EMAIL
    )
    email_consent = models.CharField(
        max_length=8, choices=EmailConsent.choices, default=EmailConsent.UNKNOWN
    )
    consent_changed_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=120, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    # The record's id in the system it came from (another CRM, a marketing tool): unique per
    # kind when set, the first key imports match on.
    external_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    # Values of the admin-defined custom fields, by key (crm.models.custom_fields).
    custom = models.JSONField(
        default=dict, blank=True, db_default=models.Value({}, models.JSONField())
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    search_words = models.GeneratedField(
        expression=SearchVector(
            "first_name",
            "last_name",
            Cast("email", output_field=models.CharField()),
            word_parts("email"),
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["last_name", "first_name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id="") & Q(deleted_at__isnull=True),
                name="contact_external_id_unique",
                violation_error_message="Another record already has this external id.",
            ),
        ]
        indexes: ClassVar = [
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="contact_custom_gin"),
            models.Index(
                Lower("external_id"), condition=~Q(external_id=""), name="contact_external_id_lower"
            ),
            models.Index(fields=["owner", "last_name", "id"], name="contact_owner_name"),
            models.Index(fields=["last_name", "first_name", "id"], name="contact_name"),
            models.Index(fields=["account"], name="contact_account"),
            models.Index(fields=["email"], name="contact_email"),
            models.Index(fields=["-created_at", "id"], name="contact_created"),
            models.Index(fields=["created_at", "id"], name="contact_created_asc"),
            models.Index(fields=["email_consent", "last_name", "id"], name="contact_consent_name"),
            GinIndex(fields=["search_words"], name="contact_search_words"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
