"""Admin-managed lists deals draw from: currencies and rates, reasons, products."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR.")


class Currency(models.Model):
    """A currency deals may use. The company currency (settings.DEFAULT_CURRENCY) needs no rate."""

    code = models.CharField(max_length=3, unique=True, validators=[currency_code])
    name = models.CharField(max_length=60, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["code"]
        verbose_name_plural = "currencies"

    def __str__(self) -> str:
        return self.code

    @property
    def is_company_currency(self) -> bool:
        return self.code == settings.DEFAULT_CURRENCY


class ExchangeRate(models.Model):
    """From `effective_date`, one unit of `currency` is worth `rate` company-currency units."""

    currency = models.ForeignKey(Currency, on_delete=models.CASCADE, related_name="rates")
    rate = models.DecimalField(
        max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))]
    )
    effective_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["currency__code", "-effective_date"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["currency", "effective_date"], name="exchange_rate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        code = self.currency.code
        return f"1 {code} = {self.rate} {settings.DEFAULT_CURRENCY} ({self.effective_date})"


class Reason(models.Model):
    name = models.CharField(max_length=120, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering: ClassVar = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class LostReason(Reason):
    class Meta(Reason.Meta):
        pass


class WonReason(Reason):
    class Meta(Reason.Meta):
        pass


class Product(models.Model):
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=60, blank=True, default="")
    description = models.TextField(blank=True, default="")
    list_price = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(max_length=3, validators=[currency_code])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["sku"], condition=~Q(sku=""), name="product_sku_unique"
            ),
            models.CheckConstraint(
                condition=Q(list_price__gte=0), name="product_price_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})" if self.sku else self.name
