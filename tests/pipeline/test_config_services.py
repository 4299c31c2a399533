"""Admin configuration: pipelines, stages (removal moves deals), catalogues."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.errors import Conflict, DomainError, PermissionDenied
from pipeline import services
from pipeline.models import Deal, LostReason, Stage, StageHistory, StageKind
from tests.conftest import Org
from tests.pipeline.factories import DealFactory, LostReasonFactory, make_pipeline, open_stages

pytestmark = pytest.mark.django_db


def test_a_new_pipeline_has_an_open_a_won_and_a_lost_stage(org: Org) -> None:
    pipeline = services.pipeline_create(actor=org.admin, name="Renewals")
    kinds = sorted(pipeline.stages.values_list("kind", flat=True))
    assert kinds == ["lost", "open", "won"]


def test_only_admins_configure_pipelines(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        services.pipeline_create(actor=org.manager, name="Mine")


def test_a_stage_with_deals_cannot_be_removed_without_a_target(org: Org) -> None:
    pipeline = make_pipeline()
    first = open_stages(pipeline)[0]
    DealFactory(stage=first, owner=org.rep)
    with pytest.raises(Conflict):
        services.stage_delete(actor=org.admin, stage=first)
    assert Stage.objects.get(pk=first.pk).is_active


def test_removing_a_stage_moves_its_deals_in_constant_queries_and_records_history(
    org: Org,
) -> None:
    pipeline = make_pipeline()
    first, second, _ = open_stages(pipeline)
    deals = [DealFactory(stage=first, owner=org.rep) for _ in range(30)]
    with CaptureQueriesContext(connection) as queries:
        moved = services.stage_delete(actor=org.admin, stage=first, move_to=second)
    assert moved == 30
    assert len(queries) < 15
    assert set(Deal.objects.values_list("stage_id", flat=True)) == {second.pk}
    assert StageHistory.objects.filter(from_stage=first, to_stage=second).count() == 30
    assert Deal.objects.get(pk=deals[0].pk).version == 2
    # The stage some deal passed through is archived, not deleted, so history keeps it.
    assert not Stage.objects.get(pk=first.pk).is_active


def test_deals_cannot_be_moved_to_a_stage_of_another_pipeline_on_removal(org: Org) -> None:
    first = open_stages(make_pipeline())[0]
    DealFactory(stage=first, owner=org.rep)
    elsewhere = open_stages(make_pipeline("Other"))[0]
    with pytest.raises(DomainError):
        services.stage_delete(actor=org.admin, stage=first, move_to=elsewhere)


def test_an_unused_stage_is_deleted_outright(org: Org) -> None:
    pipeline = make_pipeline()
    last = open_stages(pipeline)[-1]
    services.stage_delete(actor=org.admin, stage=last)
    assert not Stage.objects.filter(pk=last.pk).exists()


def test_won_and_lost_stages_cannot_be_removed(org: Org) -> None:
    pipeline = make_pipeline()
    with pytest.raises(DomainError):
        services.stage_delete(actor=org.admin, stage=pipeline.stages.get(kind=StageKind.WON))


def test_stages_are_reordered_as_given(org: Org) -> None:
    pipeline = make_pipeline()
    a, b, c = open_stages(pipeline)
    services.stage_reorder(actor=org.admin, pipeline=pipeline, stage_ids=[c.pk, a.pk, b.pk])
    assert open_stages(pipeline) == [c, a, b]


def test_a_reason_in_use_cannot_be_deleted(org: Org) -> None:
    reason = LostReasonFactory()
    deal = services.deal_create(actor=org.rep, name="x", pipeline=make_pipeline())
    services.deal_close_lost(actor=org.rep, deal=deal, expected_version=1, reason=reason)
    with pytest.raises(Conflict):
        services.catalog_delete(actor=org.admin, obj=reason)
    assert LostReason.objects.filter(pk=reason.pk).exists()


def test_catalog_save_refuses_an_invalid_currency_code(org: Org) -> None:
    from pipeline.models import Currency

    with pytest.raises(DomainError) as error:
        services.catalog_save(actor=org.admin, obj=Currency(), data={"code": "euro"})
    assert error.value.field == "code"
