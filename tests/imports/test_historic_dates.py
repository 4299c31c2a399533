"""Imported history keeps its dates: a deal's created, closed and stage-entered days and a
lead's created day come from the file; a missing one is the import time, and the row says so."""

from datetime import date

import pytest
from django.utils import timezone

from leads.models import Lead
from pipeline.models import Deal, StageHistory
from tests.conftest import Org
from tests.imports.conftest import assert_counts_add_up, import_file
from tests.pipeline.factories import make_pipeline

pytestmark = pytest.mark.django_db


def _local_day(moment: object) -> date:
    return timezone.localtime(moment).date()  # type: ignore[arg-type]


def test_deal_rows_keep_their_created_closed_and_stage_dates(org: Org) -> None:
    options = {"pipeline": str(make_pipeline().pk)}
    content = (
        "Deal,Stage,Created,Closed on,Stage date,Amount\n"
        "Won one,Won,2021-03-01,2021-04-15,,100\n"
        "Open one,Step 1,2021-05-01,,2021-06-10,50\n"
        "Lost one,Lost,2021-01-10,2021-02-01,,70\n"
    )
    job = import_file(org.admin, "deals", content, options=options)
    assert_counts_add_up(job, 3)
    assert job.imported == 3
    won = Deal.objects.get(name="Won one")
    assert (_local_day(won.created_at), _local_day(won.closed_at)) == (
        date(2021, 3, 1),
        date(2021, 4, 15),
    )
    assert won.stage_changed_at == won.closed_at
    history = StageHistory.objects.get(deal=won)
    assert history.moved_at == won.closed_at  # entered Won when it closed, not when created
    opened = Deal.objects.get(name="Open one")
    assert opened.closed_at is None
    assert _local_day(opened.stage_changed_at) == date(2021, 6, 10)
    assert not job.rows.filter(message__icontains="import").exists()


def test_a_row_without_dates_is_dated_at_import_and_says_so(org: Org) -> None:
    options = {"pipeline": str(make_pipeline().pk)}
    before = timezone.now()
    job = import_file(org.admin, "deals", "Deal,Stage\nUndated,Won\n", options=options)
    deal = Deal.objects.get(name="Undated")
    assert deal.created_at >= before
    assert deal.closed_at is not None
    assert deal.closed_at >= before
    message = job.rows.get(row_number=1).message
    assert "No created date in the file" in message
    assert "No close date in the file" in message


def test_a_closed_deal_with_only_its_close_date_is_dated_by_it(org: Org) -> None:
    # Olist's closed deals: a won date and no created date.
    options = {"pipeline": str(make_pipeline().pk)}
    job = import_file(
        org.admin, "deals", "Deal,Stage,Won date\nSeller 1,Won,2018-02-26\n", options=options
    )
    assert job.imported == 1
    deal = Deal.objects.get(name="Seller 1")
    assert _local_day(deal.created_at) == _local_day(deal.closed_at) == date(2018, 2, 26)
    assert "dated at its close date" in job.rows.get(row_number=1).message


def test_impossible_dates_reject_the_row_with_a_reason(org: Org) -> None:
    options = {"pipeline": str(make_pipeline().pk)}
    content = (
        "Deal,Stage,Created,Closed on\nBackwards,Won,2021-05-01,2021-04-01\nLater,Won,2100-01-01,\n"
    )
    job = import_file(org.admin, "deals", content, options=options)
    assert_counts_add_up(job, 2)
    assert job.rejected == 2
    assert "Closed before it was created" in job.rows.get(row_number=1).message
    assert "in the future" in job.rows.get(row_number=2).message
    assert not Deal.objects.exists()


def test_lead_rows_keep_their_created_date(org: Org) -> None:
    job = import_file(
        org.admin, "leads", "Email,Created\nold@example.com,2020-02-29\nnew@example.com,\n"
    )
    assert job.imported == 2
    old = Lead.objects.get(email="old@example.com")
    assert _local_day(old.created_at) == date(2020, 2, 29)
    assert "No created date" in job.rows.get(row_number=2).message
    assert "No created date" not in job.rows.get(row_number=1).message
