"""One soft-delete queryset (`crm.models.soft_delete`) on every model with `deleted_at`:
`alive()` for everyone, `deleted()` for admins' restore; nobody spells the filter out."""

from pathlib import Path
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from crm.models.soft_delete import SoftDeleteQuerySet, soft_deleted_models
from tests.conftest import Org
from tests.crm.factories import AccountFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("crm", "leads", "pipeline", "forecasting", "reporting", "bench")
MAKERS: dict[str, Any] = {
    "crm.Account": AccountFactory,
    "crm.Contact": ContactFactory,
    "leads.Lead": LeadFactory,
    "pipeline.Deal": DealFactory,
}


def test_every_soft_deleted_model_uses_the_one_queryset() -> None:
    models = {model._meta.label: model for model in soft_deleted_models()}
    assert set(models) == set(MAKERS)
    for model in models.values():
        assert isinstance(model._default_manager.all(), SoftDeleteQuerySet), model


@pytest.mark.parametrize("label", sorted(MAKERS))
def test_alive_hides_deleted_rows_and_deleted_shows_only_them(org: Org, label: str) -> None:
    kept: Model = MAKERS[label](owner=org.rep)
    binned: Model = MAKERS[label](owner=org.rep, deleted_at=timezone.now())
    manager = type(kept)._default_manager
    assert list(manager.alive().values_list("pk", flat=True)) == [kept.pk]  # type: ignore[attr-defined]
    assert list(manager.deleted().values_list("pk", flat=True)) == [binned.pk]  # type: ignore[attr-defined]
    assert manager.count() == 2  # the default manager still reaches both (restore, audit)


def test_no_code_spells_out_the_soft_delete_filter() -> None:
    """Models may use it in constraints and indexes; everything else asks for alive()."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or "models" in relative.parts:
                continue
            if "deleted_at__isnull" in path.read_text():
                offenders.append(str(relative))
    assert offenders == []
