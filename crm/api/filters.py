"""django-filter FilterSets for the relationship API (querystring filters, in the schema)."""

from typing import Any

import django_filters
from django.db.models import QuerySet

from crm.limits import FormDateTimeField
from crm.models import Account, Activity, Contact, Task
from crm.models.accounts import EmailConsent, Relationship, Segment
from crm.models.activities import ActivityKind
from crm.search import filter_words
from crm.selectors.work import DUE_CHOICES, DayBounds, due_q


class BoundedIsoDateTimeField(FormDateTimeField, django_filters.fields.IsoDateTimeField):
    """ISO 8601 datetimes within the accepted years, sent to PostgreSQL in UTC."""


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Words of the name or domain (prefixes, typos allowed), or the external id",
    )
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    relationship = django_filters.ChoiceFilter(choices=Relationship.choices)
    industry = django_filters.CharFilter(lookup_expr="iexact")
    country = django_filters.CharFilter(lookup_expr="iexact")
    region = django_filters.CharFilter(lookup_expr="iexact")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    external_id = django_filters.CharFilter(label="External id (exact)")

    class Meta:
        model = Account
        fields = ("owner", "parent", "segment", "relationship", "industry", "country", "region")

    def search(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return filter_words(queryset, value)


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Words of the name or email (prefixes, typos allowed), or the external id",
    )
    email_consent = django_filters.ChoiceFilter(choices=EmailConsent.choices)
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    external_id = django_filters.CharFilter(label="External id (exact)")

    class Meta:
        model = Contact
        fields = ("owner", "account", "email_consent", "preferred_channel")

    def search(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return filter_words(queryset, value)


class LinkFilterMixin(django_filters.FilterSet):
    account = django_filters.NumberFilter(field_name="account_id")
    contact = django_filters.NumberFilter(field_name="contact_id")
    lead = django_filters.NumberFilter(field_name="lead_id")
    deal = django_filters.NumberFilter(field_name="deal_id")
    owner = django_filters.NumberFilter(field_name="owner_id")


class ActivityFilter(LinkFilterMixin):
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices)
    occurred_after = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = ("kind",)


class TaskFilter(LinkFilterMixin):
    done = django_filters.BooleanFilter(method="filter_done")
    due = django_filters.ChoiceFilter(
        choices=DUE_CHOICES,
        method="filter_due",
        help_text="overdue (open, past due), today, week (to Sunday), later; company time zone.",
    )
    due_after = IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Task
        fields = ("priority",)

    def filter_done(self, queryset: QuerySet[Task], name: str, value: Any) -> QuerySet[Task]:
        return queryset.filter(done_at__isnull=not value)

    def filter_due(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset.filter(due_q(value, DayBounds.current()))
