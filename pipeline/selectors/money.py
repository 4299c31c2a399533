"""Converting deal amounts to the company currency with the admin-entered rates."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from pipeline.models import ExchangeRate


def rate_map() -> dict[str, Decimal]:
    """Latest rate effective today per currency code (one query, DISTINCT ON)."""
    rows = (
        ExchangeRate.objects.filter(effective_date__lte=timezone.localdate())
        .order_by("currency__code", "-effective_date")
        .distinct("currency__code")
        .values_list("currency__code", "rate")
    )
    rates = dict(rows)
    rates[settings.DEFAULT_CURRENCY] = Decimal(1)
    return rates


def to_company_currency(amount: Decimal, currency: str, rates: dict[str, Decimal]) -> Decimal:
    """Convert with `rates`; a currency without a rate counts at face value."""
    return (amount * rates.get(currency, Decimal(1))).quantize(Decimal("0.01"))


def company_amount(field: str = "amount", currency_field: str = "currency") -> Any:
    """SQL expression: the row's amount in the company currency, for reports' GROUP BYs."""
    latest_rate = (
        ExchangeRate.objects.filter(
            currency__code=OuterRef(currency_field), effective_date__lte=timezone.localdate()
        )
        .order_by("-effective_date")
        .values("rate")[:1]
    )
    rate = Case(
        When(**{currency_field: settings.DEFAULT_CURRENCY}, then=Value(Decimal(1))),
        default=Coalesce(Subquery(latest_rate), Value(Decimal(1))),
        output_field=DecimalField(max_digits=18, decimal_places=8),
    )
    return F(field) * rate
