"""Reusable lookups: resolve a cell to a row of a list by its name (case-insensitive)."""

from typing import Any

from django.db import connection, models
from django.db.models import Func, Value
from django.db.models.functions import Lower

from crm.imports.context import ImportContext
from crm.imports.parsers import normalise_key
from crm.imports.registry import Lookup
from crm.models.audit import AuditAction
from crm.services.audit import audit
from crm.visibility import visible

_NOT_ALNUM = r"[^[:alnum:]]+"


def squeeze(field_name: str) -> Func:
    """lower(name) with everything but letters and digits removed, in SQL."""
    return Func(
        Lower(field_name), Value(_NOT_ALNUM), Value(""), Value("g"), function="regexp_replace"
    )


def squeezed(texts: list[str]) -> list[str]:
    """`squeeze` of each text, computed by PostgreSQL, so both sides agree."""
    if not texts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT regexp_replace(lower(t), %s, '', 'g') FROM unnest(%s::text[]) AS t",
            [_NOT_ALNUM, texts],
        )
        return [row[0] for row in cursor.fetchall()]


class NameLookup(Lookup):
    """Rows of `model` named in the cell. `scoped` lists pass through crm.visibility;
    admin lists (sources, stages, reasons) are open to everyone and only managers and
    admins may add to them from an import."""

    model: type[models.Model]
    field_name = "name"
    scoped = False
    filters: dict[str, Any] = {}

    def __init__(self, model: type[models.Model], *, name: str, label: str, **filters: Any) -> None:
        self.model = model
        self.name = name  # type: ignore[misc]
        self.label = label  # type: ignore[misc]
        self.filters = filters

    def queryset(self, ctx: ImportContext) -> models.QuerySet[Any]:
        qs = self.model._default_manager.filter(**self.filters)
        return visible(ctx.actor, qs) if self.scoped else qs

    def options(self, ctx: ImportContext) -> list[tuple[str, str]]:
        return [
            (str(pk), str(name))
            for pk, name in self.queryset(ctx).values_list("pk", self.field_name)[:500]
        ]

    def resolve(self, wanted: dict[str, str], ctx: ImportContext) -> dict[str, int]:
        # Narrow in SQL by the name stripped of case and of everything but letters and
        # digits (computed by PostgreSQL on both sides, so it agrees with itself), then
        # compare with `normalise_key`, the engine's one rule for names.
        keys = squeezed(list(wanted.values()))
        rows = (
            self.queryset(ctx)
            .annotate(_squeezed=squeeze(self.field_name))
            .filter(_squeezed__in=keys)
            .order_by("pk")
            .values_list("pk", self.field_name)
        )
        found: dict[str, int] = {}
        for pk, value in rows:
            found.setdefault(normalise_key(str(value)), pk)
        return {k: v for k, v in found.items() if k in wanted}

    def can_create(self, ctx: ImportContext) -> bool:
        return ctx.actor.is_admin or ctx.actor.is_manager

    def values_for_create(self, name: str, ctx: ImportContext) -> dict[str, Any]:
        return {self.field_name: name, **self.filters}

    def create(self, name: str, ctx: ImportContext) -> int:
        obj = self.model._default_manager.create(**self.values_for_create(name, ctx))
        audit(actor=ctx.actor, obj=obj, action=AuditAction.CREATE, changes={"via": "import"})
        return int(obj.pk)
