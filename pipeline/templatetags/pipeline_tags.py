from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """12345.5, "EUR" → "EUR 12,346" (whole units: boards and lists, not invoices)."""
    if amount is None or amount == "":
        return "—"
    value = Decimal(str(amount))
    return f"{currency or settings.DEFAULT_CURRENCY} {value:,.0f}"


@register.filter
def company_money(amount: Any) -> str:
    return money(amount, settings.DEFAULT_CURRENCY)


@register.filter
def duration(seconds: Any) -> str:
    """Seconds as the largest sensible unit: "3 days", "5 hours", "12 minutes"."""
    try:
        total = int(seconds)
    except (TypeError, ValueError):
        return ""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if total >= size:
            n = total // size
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return "moments"
