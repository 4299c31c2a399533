"""Products on deals. A deal that follows its line items gets its amount recomputed."""

from decimal import Decimal

from django.db import transaction

from crm.errors import DomainError
from crm.models import User
from crm.models.audit import AuditAction
from crm.services.audit import audit, snapshot
from pipeline.models import Deal, DealLineItem, Product

from . import validation
from .deals import _lock, _save, line_items_total


def _clean_discount(value: Decimal | None) -> Decimal:
    discount = validation.clean_amount(value or 0, field="discount_percent")
    if discount > 100:
        raise DomainError("A discount is a percentage up to 100.", field="discount_percent")
    return discount


@transaction.atomic
def line_item_add(
    *,
    actor: User,
    deal: Deal,
    expected_version: int | None,
    product: Product,
    quantity: Decimal,
    unit_price: Decimal | None = None,
    discount_percent: Decimal | None = None,
) -> DealLineItem:
    deal = _lock(actor, deal, expected_version)
    if not product.is_active:
        raise DomainError("That product is no longer sold.", field="product")
    qty = validation.clean_amount(quantity, field="quantity")
    if qty <= 0:
        raise DomainError("The quantity must be more than zero.", field="quantity")
    if unit_price is None or unit_price == "":
        if product.currency != deal.currency:
            raise DomainError(
                f"{product} is priced in {product.currency} and the deal in {deal.currency}; "
                "enter the unit price.",
                field="unit_price",
            )
        unit_price = product.list_price
    item = DealLineItem.objects.create(
        deal=deal,
        product=product,
        quantity=qty,
        unit_price=validation.clean_amount(unit_price, field="unit_price"),
        discount_percent=_clean_discount(discount_percent),
        position=deal.line_items.count(),
    )
    audit(actor=actor, obj=item, action=AuditAction.CREATE, changes=snapshot(item))
    _after_change(actor, deal)
    return item


@transaction.atomic
def line_item_remove(
    *, actor: User, deal: Deal, expected_version: int | None, item: DealLineItem
) -> None:
    deal = _lock(actor, deal, expected_version)
    if item.deal_id != deal.pk:
        raise DomainError("That line item belongs to another deal.")
    audit(actor=actor, obj=item, action=AuditAction.DELETE, changes=snapshot(item))
    item.delete()
    _after_change(actor, deal)


def _after_change(actor: User, deal: Deal) -> None:
    """A line item change is a change of the deal: bump its version, follow the total."""
    before = snapshot(deal)
    if deal.amount_follows_line_items:
        deal.amount = line_items_total(deal)
    _save(actor, deal, before, AuditAction.UPDATE)
