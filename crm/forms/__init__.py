"""Forms for the admin area (users, teams) and the audit filter."""

from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst

from crm.limits import FormDateField
from crm.models import Role, Team, User
from crm.models.audit import AuditAction


def valid_filters(form: forms.Form) -> dict[str, Any]:
    """What a filter form asks for, its invalid fields left out (each shows its error):
    one bad parameter in a link never makes a list drop every other filter."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


class UserForm(forms.Form):
    email = forms.EmailField(max_length=254)
    first_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80, required=False)
    role = forms.ChoiceField(choices=Role.choices)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    title = forms.CharField(max_length=120, required=False)
    phone = forms.CharField(max_length=40, required=False)


class UserCreateForm(UserForm):
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="Leave empty to let the user set one through the password reset email.",
    )


class DeactivateForm(forms.Form):
    reassign_to = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Their leads, accounts, contacts, deals and tasks move to this person. "
        "Leave empty to keep them with the deactivated user.",
    )

    def __init__(self, *args: Any, exclude: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if exclude is not None:
            field = self.fields["reassign_to"]
            field.queryset = User.objects.filter(is_active=True).exclude(pk=exclude.pk)  # type: ignore[attr-defined]


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    parent = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    manager = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.ADMIN]),
        required=False,
    )


def _record_type_label(content_type: ContentType) -> str:
    return capfirst(content_type.name)


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(queryset=User.objects.all(), required=False)
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    object_type = forms.ModelChoiceField(
        queryset=ContentType.objects.filter(
            app_label__in=["crm", "leads", "pipeline", "forecasting"]
        ),
        required=False,
        label="Record type",
    )
    object_id = forms.CharField(required=False, label="Record id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "Stage change", not ContentType's "CRM core | stage history".
        field = self.fields["object_type"]
        field.label_from_instance = _record_type_label  # type: ignore[attr-defined]

    since = FormDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = FormDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
