"""Soft delete, one way for every model that has it (accounts, contacts, leads, deals).

A soft-deleted row keeps its data and gets `deleted_at`; admins can restore it. Querysets
say which rows they want instead of spelling out the filter:

    Account.objects.alive()      # what everyone works with
    Account.objects.deleted()    # the bin, for admins' restore pages
    Count("deals", filter=alive_q("deals"))   # inside aggregates and joins

The default manager still returns every row on purpose: restore, the audit trail and foreign
keys to a deleted record must keep reaching it, so code asks for `alive()` explicitly.
"""

from typing import Self, TypeVar

from django.db import models
from django.db.models import Q

_M = TypeVar("_M", bound=models.Model)


def alive_q(prefix: str = "") -> Q:
    """The "not deleted" condition, for a relation (`alive_q("deals")`) or the row itself."""
    return Q(**{f"{prefix}__deleted_at__isnull" if prefix else "deleted_at__isnull": True})


class SoftDeleteQuerySet(models.QuerySet[_M, _M]):
    def alive(self) -> Self:
        """Rows not deleted."""
        return self.filter(alive_q())

    def deleted(self) -> Self:
        """Rows in the bin (soft-deleted), for restore."""
        return self.filter(deleted_at__isnull=False)


def soft_deleted_models() -> list[type[models.Model]]:
    """Every installed model with a `deleted_at` column (tests check they all use the queryset)."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if any(field.name == "deleted_at" for field in model._meta.get_fields())
    ]


__all__ = ["SoftDeleteQuerySet", "alive_q", "soft_deleted_models"]
