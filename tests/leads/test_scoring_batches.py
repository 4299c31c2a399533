"""Batch scoring writes the narrow side table: every lead once per batch, the same values when
run again (a redelivered task changes nothing), the lead row touched only when its score
moves, and a new lead gets its row through the change event."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Lead, LeadScore, ScoringSettings
from leads.scoring import batches, services, subscribers, tasks
from leads.scoring.engine import compute, load_state, write_counts
from leads.services import capture
from tests.conftest import Org
from tests.events import recording
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def software_rule(org: Org, points: int = 30) -> None:
    services.scoring_rule_create(
        actor=org.admin,
        name="Software",
        field="industry",
        operator="eq",
        value="Software",
        points=points,
    )


def leads(org: Org, count: int) -> list[Any]:
    return [
        LeadFactory(owner=org.rep, industry="Software" if i % 3 == 0 else "Retail")
        for i in range(count)
    ]


def test_a_full_rescore_scores_every_live_lead_exactly_once(org: Org) -> None:
    software_rule(org)
    made = leads(org, 25)
    gone = made.pop()
    Lead.objects.filter(pk=gone.pk).update(deleted_at=gone.created_at)

    assert batches.score_all(size=10) == 24

    generation = ScoringSettings.objects.get().generation
    rows = LeadScore.objects.filter(generation=generation)
    assert sorted(rows.values_list("lead_id", flat=True)) == sorted(lead.pk for lead in made)
    assert not LeadScore.objects.filter(lead_id=gone.pk).exists()
    for lead_id, score in rows.values_list("lead_id", "score"):
        assert Lead.objects.get(pk=lead_id).score == score
    assert set(rows.values_list("score", flat=True)) == {0, 30}
    assert batches.stale_ids() == []


def test_rescoring_is_idempotent_and_leaves_unchanged_lead_rows_alone(org: Org) -> None:
    software_rule(org)
    ids = [lead.pk for lead in leads(org, 12)]
    state = load_state()
    assert write_counts(compute(ids, state), state) == (12, 12)
    first = {row.pk: (row.score, row.rule_score, row.reasons) for row in LeadScore.objects.all()}
    updated = dict(Lead.objects.values_list("pk", "updated_at"))

    # A redelivered task (acks_late, a killed worker) computes and writes the same values.
    assert write_counts(compute(ids, state), state) == (12, 0)

    again = {row.pk: (row.score, row.rule_score, row.reasons) for row in LeadScore.objects.all()}
    assert again == first
    assert dict(Lead.objects.values_list("pk", "updated_at")) == updated


def test_a_batch_is_one_write_statement_whatever_its_size(org: Org) -> None:
    software_rule(org)
    ids = [lead.pk for lead in leads(org, 40)]
    state = load_state()
    scores = compute(ids, state)
    with CaptureQueriesContext(connection) as queries:
        write_counts(scores, state)
    assert len(queries) == 1
    assert "ON CONFLICT (lead_id) DO UPDATE" in queries[0]["sql"]


def test_a_new_lead_gets_a_score_row_from_the_task_its_change_event_asks_for(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    software_rule(org, points=40)
    with recording() as changes, django_capture_on_commit_callbacks(execute=True):
        lead = capture.lead_create(
            actor=org.rep, owner=org.rep, first_name="Grace", company="Navy", industry="Software"
        )
    (event,) = changes.of("leads.Lead")
    assert subscribers.NOT_SCORED.isdisjoint(event.fields or {"created"})
    # What the worker runs for the task the subscriber queued.
    assert tasks.scoring_rescore_leads_task.run(list(event.ids)) == 1

    row = LeadScore.objects.get(lead=lead)
    assert row.score == 40
    assert row.generation == ScoringSettings.objects.get().generation
    lead.refresh_from_db()
    assert lead.score == 40
    assert lead.score_reasons is not None
    assert lead.score_reasons["up"][0]["label"] == "Software"
