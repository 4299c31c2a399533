"""Forms for accounts, contacts, activities, tasks, sharing and list filters.

Forms check shape only; the services have the last word (duplicate domains, visibility of
linked records, who may own what).
"""

from typing import Any

from django import forms
from django.db.models import Q

from crm.forms.custom_fields import add_custom_fields
from crm.limits import FormDateTimeField, FormIntegerField
from crm.models import Account, Contact, Task, Team, User
from crm.models.accounts import EmailConsent, Relationship, Segment
from crm.models.activities import ActivityKind
from crm.models.sharing import ShareAccess
from crm.selectors.relationships import (
    ACCOUNT_SORTS,
    CONTACT_SORTS,
    account_choices,
    colleague_choices,
)
from crm.services.accounts import ContactsPlan
from crm.validators import validate_phone
from crm.visibility import assignable_owners

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
FILTER_SELECT = forms.Select(attrs={"class": "form-select", "data-autosubmit": ""})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceValidatedModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A ModelForm for its fields and widgets; uniqueness is the service's job."""

    def validate_unique(self) -> None:
        return None


def _owner_field(
    actor: User, form: forms.BaseForm, name: str = "owner", current: User | None = None
) -> None:
    """Reps own what they create, so they get no field; managers and admins choose among
    `crm.visibility.assignable_owners`, plus the record's `current` owner (saving without
    touching it stays valid; the service refuses any other change it doesn't allow)."""
    if actor.is_rep:
        form.fields.pop(name, None)
    else:
        users = assignable_owners(actor)
        if current is not None:
            users = User.objects.filter(Q(pk__in=users.values("pk")) | Q(pk=current.pk))
        form.fields[name] = forms.ModelChoiceField(
            queryset=users.only("id", "first_name", "last_name", "email"),
            required=False,
            label="Owner" if name == "owner" else "Assignee",
            help_text="Leave empty for yourself.",
        )


class AccountForm(ServiceValidatedModelForm):
    class Meta:
        model = Account
        fields = (
            "name",
            "domain",
            "website",
            "industry",
            "segment",
            "relationship",
            "employee_count",
            "annual_revenue",
            "region",
            "country",
            "address",
            "parent",
            "owner",
            "customer_since",
            "churned_at",
            "external_id",
        )
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "customer_since": DATE,
            "churned_at": DATE,
        }
        help_texts = {"domain": "Company web domain, e.g. example.com. One account per domain."}
        labels = {
            "churned_at": "Churned on",
            "parent": "Parent account",
            "external_id": "External id",
        }

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.queryset = account_choices(actor=actor)  # type: ignore[attr-defined]
        if self.instance.pk:
            parent.queryset = parent.queryset.exclude(pk=self.instance.pk)  # type: ignore[attr-defined]
        _owner_field(actor, self, current=self.instance.owner if self.instance.pk else None)
        add_custom_fields(self, "crm.Account", self.instance.custom)


class ContactForm(ServiceValidatedModelForm):
    phone = forms.CharField(max_length=40, required=False, validators=[validate_phone])

    class Meta:
        model = Contact
        fields = (
            "first_name",
            "last_name",
            "title",
            "email",
            "phone",
            "account",
            "owner",
            "preferred_channel",
            "email_consent",
            "consent_source",
            "notes",
            "external_id",
        )
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "email_consent": "Email consent",
            "consent_source": "Consent source",
            "external_id": "External id",
        }
        help_texts = {
            "consent_source": "Where the opt-in or opt-out came from (form, call, email…).",
        }

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_custom_fields(self, "crm.Contact", self.instance.custom)
        self.fields["account"].queryset = account_choices(actor=actor)  # type: ignore[attr-defined]
        _owner_field(actor, self, current=self.instance.owner if self.instance.pk else None)


class AccountDeleteForm(forms.Form):
    contacts = forms.ChoiceField(
        choices=ContactsPlan.CHOICES,
        widget=forms.RadioSelect,
        initial=ContactsPlan.KEEP,
        label="What happens to its contacts?",
    )
    move_to = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, label="Move them to"
    )

    def __init__(self, *args: Any, actor: User, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = account_choices(actor=actor).exclude(pk=account.pk)  # type: ignore[attr-defined]


class AccountFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Name or domain")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    segment = forms.ChoiceField(
        choices=[("", "Any segment"), *Segment.choices], required=False, widget=FILTER_SELECT
    )
    relationship = forms.ChoiceField(
        choices=[("", "Any relationship"), *Relationship.choices],
        required=False,
        widget=FILTER_SELECT,
    )
    industry = forms.CharField(required=False)
    country = forms.CharField(required=False)
    sort = forms.ChoiceField(
        choices=[(k, k) for k in ACCOUNT_SORTS], required=False, initial="name"
    )
    deleted = forms.BooleanField(required=False, label="Deleted accounts")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = colleague_choices(actor=actor)  # type: ignore[attr-defined]
        if not actor.is_admin:
            self.fields.pop("deleted")


class ContactFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Name or email")
    account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    consent = forms.ChoiceField(
        choices=[("", "Any consent"), *EmailConsent.choices],
        required=False,
        widget=FILTER_SELECT,
    )
    sort = forms.ChoiceField(
        choices=[(k, k) for k in CONTACT_SORTS], required=False, initial="name"
    )
    deleted = forms.BooleanField(required=False, label="Deleted contacts")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_choices(actor=actor)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = colleague_choices(actor=actor)  # type: ignore[attr-defined]
        if not actor.is_admin:
            self.fields.pop("deleted")


class LinkFields(forms.Form):
    """Hidden ids of the record an activity or task hangs on (exactly what was posted)."""

    account = FormIntegerField(required=False, widget=forms.HiddenInput)
    contact = FormIntegerField(required=False, widget=forms.HiddenInput)
    lead = FormIntegerField(required=False, widget=forms.HiddenInput)
    deal = FormIntegerField(required=False, widget=forms.HiddenInput)

    def links(self) -> dict[str, int]:
        return {
            name: self.cleaned_data[name]
            for name in ("account", "contact", "lead", "deal")
            if self.cleaned_data.get(name)
        }


class ActivityForm(LinkFields):
    kind = forms.ChoiceField(choices=ActivityKind.choices, initial=ActivityKind.CALL)
    subject = forms.CharField(max_length=200)
    occurred_at = FormDateTimeField(
        widget=DATETIME_LOCAL, required=False, label="When", help_text="Empty means now."
    )
    duration_minutes = FormIntegerField(
        min_value=0, max_value=24 * 60, required=False, label="Minutes"
    )
    outcome = forms.CharField(max_length=120, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Notes")

    field_order = ("kind", "subject", "occurred_at", "duration_minutes", "outcome", "body")


class TaskForm(LinkFields):
    title = forms.CharField(max_length=200)
    due_at = FormDateTimeField(widget=DATETIME_LOCAL, label="Due")
    priority = forms.ChoiceField(choices=Task._meta.get_field("priority").choices)  # type: ignore[arg-type,misc]
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    field_order = ("title", "due_at", "priority", "owner", "notes")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].initial = "normal"
        _owner_field(actor, self, "owner")


class ShareForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    access = forms.ChoiceField(choices=ShareAccess.choices, initial=ShareAccess.READ)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = colleague_choices(actor=actor).exclude(pk=actor.pk)  # type: ignore[attr-defined]


class SavedViewForm(forms.Form):
    kind = forms.CharField(max_length=30, widget=forms.HiddenInput)
    querystring = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=80, label="Save this view as")


__all__ = [
    "AccountDeleteForm",
    "AccountFilterForm",
    "AccountForm",
    "ActivityForm",
    "ContactFilterForm",
    "ContactForm",
    "SavedViewForm",
    "ShareForm",
    "TaskForm",
]
