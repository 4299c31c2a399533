"""Custom fields: admin-defined fields on leads, accounts, contacts and deals.

A definition lives here; the values live in each record's `custom` jsonb column, keyed by
the definition's `key` (`{"total_visits": 5, "occupation": "Student"}`), validated by the
services (`crm.services.custom_fields.clean_custom`). Readers (lists, exports, scoring)
need only these two: `CustomField.objects.for_model("leads.Lead")` and `lead.custom`.
"""

from typing import ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CustomFieldModel(models.TextChoices):
    """The records that carry custom fields, by model label."""

    LEAD = "leads.Lead", "Lead"
    ACCOUNT = "crm.Account", "Account"
    CONTACT = "crm.Contact", "Contact"
    DEAL = "pipeline.Deal", "Deal"


class CustomFieldType(models.TextChoices):
    TEXT = "text", "Text"
    LONG_TEXT = "long_text", "Long text"
    NUMBER = "number", "Number"
    MONEY = "money", "Money"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes / no"
    CHOICE = "choice", "Choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"


KEY_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"


class CustomFieldQuerySet(models.QuerySet["CustomField"]):
    def for_model(self, model_label: str) -> "CustomFieldQuerySet":
        """The definitions of one kind of record, in form order."""
        return self.filter(model_label=model_label).order_by("position", "id")


class CustomField(models.Model):
    model_label = models.CharField(max_length=30, choices=CustomFieldModel.choices)
    key = models.CharField(
        max_length=50,
        validators=[
            RegexValidator(
                KEY_PATTERN,
                "Lower-case letters, digits and underscores, starting with a letter.",
            )
        ],
        help_text="The name in the API, exports and imports, e.g. total_visits.",
    )
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=12, choices=CustomFieldType.choices)
    choices = models.JSONField(
        default=list, blank=True, help_text="The allowed values of a choice field."
    )
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=200, blank=True, default="")
    filterable = models.BooleanField(
        default=False, help_text="Offer it as a list filter (and index it for that)."
    )
    sortable = models.BooleanField(
        default=False, help_text="Offer it as a list column to sort on (and index it)."
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CustomFieldQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["model_label", "position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["model_label", "key"],
                name="custom_field_key_unique",
                violation_error_message="This kind of record already has a field with that key.",
            ),
            models.UniqueConstraint(
                fields=["model_label", "name"],
                name="custom_field_name_unique",
                violation_error_message="This kind of record already has a field with that name.",
            ),
            models.CheckConstraint(
                condition=Q(key__regex=KEY_PATTERN), name="custom_field_key_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_model_label_display()}: {self.name}"

    @property
    def index_wanted(self) -> bool:
        """Filterable or sortable fields get an expression index; multi-choice values are
        lists, found through the GIN index on `custom` instead."""
        return (self.filterable or self.sortable) and self.type != CustomFieldType.MULTI_CHOICE
