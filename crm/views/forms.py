from django import forms

from crm.errors import DomainError


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on its field when it names one."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
