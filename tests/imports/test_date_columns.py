"""Honest dates: the whole date column is checked before the preview, its order (day or
month first) told by its own values or asked per column, never guessed row by row; the
preview shows each parsed value beside the raw cell."""

from datetime import date

import pytest

from crm.errors import DomainError
from crm.imports import engine, services
from crm.imports.models import JobStatus
from leads.models import Lead
from tests.conftest import Org, client_for
from tests.imports.conftest import assert_counts_add_up, run, upload

pytestmark = pytest.mark.django_db

MAPPING = {"Email": "email", "Created": "created_at"}


def leads(*dates: str) -> str:
    rows = [f"l{i}@x.example,{d}" for i, d in enumerate(dates)]
    return "Email,Created\n" + "\n".join(rows) + "\n"


def created(email: str) -> date:
    return Lead.objects.get(email=email).created_at.date()


def test_one_date_past_12_makes_the_whole_column_day_first(org: Org) -> None:
    # Unticked "day first": the 13th proves the order, so 03/04 is the 3rd of April too.
    job = run(
        org.admin, upload(org.admin, "leads", leads("03/04/2017", "13/04/2017"), mapping=MAPPING)
    )
    assert_counts_add_up(job, 2)
    assert created("l0@x.example") == date(2017, 4, 3)
    assert created("l1@x.example") == date(2017, 4, 13)
    assert job.options["date_order"] == {"Created": "day"}


def test_a_column_that_can_be_read_both_ways_stops_with_a_question(org: Org) -> None:
    job = upload(org.admin, "leads", leads("03/04/2017", "05/06/2017"), mapping=MAPPING)
    with pytest.raises(DomainError, match="“Created”: is 03/04/2017 day first or month first"):
        services.import_job_start(actor=org.admin, job=job, policy="skip")
    with pytest.raises(DomainError, match="day first or month first"):
        engine.preview(job)
    job.refresh_from_db()
    assert job.status == JobStatus.UPLOADED
    assert not Lead.objects.exists()


def test_the_answer_for_the_column_decides_every_row(org: Org) -> None:
    job = upload(
        org.admin,
        "leads",
        leads("03/04/2017", "05/06/2017"),
        mapping=MAPPING,
        options={"date_order": {"Created": "month"}},
    )
    job = run(org.admin, job)
    assert (created("l0@x.example"), created("l1@x.example")) == (
        date(2017, 3, 4),
        date(2017, 5, 6),
    )


def test_a_column_mixing_both_orders_asks_and_then_rejects_the_odd_rows(org: Org) -> None:
    content = leads("13/04/2017", "04/13/2017", "01/02/2017")
    job = upload(org.admin, "leads", content, mapping=MAPPING)
    with pytest.raises(DomainError, match="day first \\(13/04/2017\\) and month first"):
        services.import_job_start(actor=org.admin, job=job, policy="skip")
    job = upload(
        org.admin, "leads", content, mapping=MAPPING, options={"date_order": {"Created": "day"}}
    )
    job = run(org.admin, job)
    assert_counts_add_up(job, 3)
    assert (job.imported, job.rejected) == (2, 1)
    assert "is not a date written day first" in job.rows.get(row_number=2).message
    assert created("l2@x.example") == date(2017, 2, 1)


def test_the_mapping_page_asks_per_column_and_keeps_the_answer(org: Org) -> None:
    job = upload(org.admin, "leads", leads("03/04/2017", "05/06/2017"), mapping=MAPPING)
    client = client_for(org.admin)
    page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert "is 03/04/2017 day first or month first?" in page
    preview = client.get(f"/imports/{job.pk}/preview/").content.decode()
    assert "day first or month first" in preview
    data = {"map-0": "email", "map-1": "created_at", "date-order-1": "day"}
    assert client.post(f"/imports/{job.pk}/mapping/", data).status_code == 302
    job.refresh_from_db()
    assert job.options["date_order"] == {"Created": "day"}


def test_the_preview_shows_parsed_values_beside_the_raw_cells(org: Org) -> None:
    content = 'Email,Created,Status,Budget\nA@X.example,13/04/2017,MQL,"$1,200"\n'
    mapping = {**MAPPING, "Status": "status", "Budget": "budget"}
    job = upload(org.admin, "leads", content, mapping=mapping)
    rows = engine.preview(job)
    cells = rows[0]["cells"]
    assert cells[0] == {"raw": "A@X.example", "parsed": "a@x.example"}
    assert cells[1] == {"raw": "13/04/2017", "parsed": "2017-04-13"}
    assert cells[2]["parsed"] == "Marketing qualified (MQL)"
    assert cells[3]["parsed"] == "1,200"
    page = client_for(org.admin).get(f"/imports/{job.pk}/preview/").content.decode()
    assert "→ 2017-04-13" in page
