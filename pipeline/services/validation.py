"""Checks shared by the deal services: currency, amounts, dates, related records."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import timezone

from crm.errors import DomainError
from crm.models import Account, Contact, User
from crm.services.ownership import NOT_VISIBLE
from crm.visibility import can_see
from pipeline.models import Currency, ExchangeRate

MAX_AMOUNT = Decimal("99999999999999.99")
EARLIEST_CLOSE = date(2000, 1, 1)
LATEST_CLOSE_YEARS = 20


def known_currencies() -> set[str]:
    """Codes deals may use: the company currency and active currencies that have a rate."""
    codes = set(
        Currency.objects.filter(is_active=True, rates__isnull=False).values_list("code", flat=True)
    )
    return codes | {settings.DEFAULT_CURRENCY}


def clean_currency(code: Any) -> str:
    value = str(code or "").strip().upper()
    if value == settings.DEFAULT_CURRENCY:
        return value
    if not Currency.objects.filter(code=value, is_active=True).exists():
        raise DomainError(f"Unknown currency “{value or code}”.", field="currency")
    if not ExchangeRate.objects.filter(
        currency__code=value, effective_date__lte=timezone.localdate()
    ).exists():
        raise DomainError(
            f"{value} has no exchange rate yet; an administrator must enter one first.",
            field="currency",
        )
    return value


def clean_amount(value: Any, *, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError("Enter a number.", field=field) from exc
    if not amount.is_finite():
        raise DomainError("Enter a number.", field=field)
    if amount < 0:
        raise DomainError("The amount can't be negative.", field=field)
    if amount > MAX_AMOUNT:
        raise DomainError("That amount is too large.", field=field)
    return amount.quantize(Decimal("0.01"))


def clean_close_date(value: date | None) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        raise DomainError("Enter a valid date.", field="expected_close_date")
    latest = timezone.localdate().replace(year=timezone.localdate().year + LATEST_CLOSE_YEARS)
    if value < EARLIEST_CLOSE or value > latest:
        raise DomainError(
            f"Choose a close date between {EARLIEST_CLOSE:%Y} and {latest:%Y}.",
            field="expected_close_date",
        )
    return value


def clean_probability(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError("Enter a whole number from 0 to 100.", field="probability") from exc
    if not 0 <= number <= 100:
        raise DomainError("Probability is a percentage from 0 to 100.", field="probability")
    return number


def check_related(
    actor: User,
    *,
    account: Account | None = None,
    contact: Contact | None = None,
) -> None:
    """Refuse links to records the actor can't see (owners: `crm.visibility.check_owner_change`)."""
    if account is not None and not can_see(actor, account):
        raise DomainError(NOT_VISIBLE, field="account")
    if contact is not None and not can_see(actor, contact):
        raise DomainError(NOT_VISIBLE, field="primary_contact")
