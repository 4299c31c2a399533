"""Scheduled reports: each subscription is emailed once per slot (two runs at once
included), as HTML with the table as CSV, skipped when empty if asked, and every run is in
the log (page and API)."""

import threading
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, connection, transaction

from reporting.builder.services import saved_report_share
from reporting.schedules.models import ReportRun, RunOutcome
from reporting.schedules.send import slot_of, subscriptions_send
from reporting.schedules.services import subscription_create
from tests.conftest import Org, api_client_for, client_for
from tests.pipeline.factories import DealFactory
from tests.reporting.factories import saved_report

# A Tuesday at 07:00 in the company time zone: this week's slot is Monday 2026-11-30.
TUESDAY = datetime(2026, 12, 1, 7, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
NEXT_WEEK = datetime(2026, 12, 8, 7, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_slot_exactly_once(org: Org) -> None:
    DealFactory(owner=org.rep, amount=Decimal("10"))
    report = saved_report(org.rep, "Mine by stage")
    subscription_create(actor=org.rep, report=report, frequency="weekly")
    subscription_create(actor=org.rep, dashboard="rep", frequency="monthly", skip_if_empty=False)
    barrier = threading.Barrier(2)
    claimed: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            claimed.append(subscriptions_send(now=TUESDAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [0, 2]  # the second run found both slots taken
    assert ReportRun.objects.count() == 2
    assert len(mail.outbox) == 2
    assert subscriptions_send(now=TUESDAY) == 0  # a later run the same week: nothing
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_run_of_a_slot(org: Org) -> None:
    subscription = subscription_create(actor=org.rep, dashboard="rep", frequency="weekly")
    ReportRun.objects.create(subscription=subscription, slot=slot_of("weekly", TUESDAY.date()))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(subscription=subscription, slot=slot_of("weekly", TUESDAY.date()))


@pytest.mark.django_db
def test_the_email_has_the_table_as_html_and_formula_safe_csv(org: Org) -> None:
    DealFactory(owner=org.rep, amount=Decimal("10"), name="x")
    report = saved_report(org.rep, "=Deals by owner", group_by="owner")
    subscription_create(actor=org.rep, report=report, frequency="weekly")
    assert subscriptions_send(now=TUESDAY) == 1
    [message] = mail.outbox
    assert message.to == [org.rep.email]
    assert message.subject.startswith("Weekly report: =Deals by owner")
    content_html, kind = message.alternatives[0]  # type: ignore[attr-defined]
    html = str(content_html)
    assert kind == "text/html"
    assert org.rep.full_name in html
    assert f"{settings.SITE_URL}/reports/builder/{report.pk}/" in html
    name, content, mimetype = message.attachments[0]
    assert mimetype == "text/csv"
    assert name.endswith("-2026-11-30.csv")
    lines = content.splitlines()
    assert lines[0] == "Owner,Number of deals,count,list"
    assert lines[1].startswith(f"{org.rep.full_name},1,1,{settings.SITE_URL}/deals/?")
    run = ReportRun.objects.get()
    assert (run.outcome, run.recipients, run.rows, run.error) == (
        RunOutcome.SENT,
        [org.rep.email],
        1,
        "",
    )
    assert run.finished_at is not None


@pytest.mark.django_db
def test_an_empty_report_is_skipped_when_asked_and_sent_when_not(org: Org) -> None:
    report = saved_report(org.rep, "Nothing yet")
    subscription_create(actor=org.rep, report=report, frequency="weekly", skip_if_empty=True)
    subscription_create(actor=org.rep, report=report, frequency="monthly", skip_if_empty=False)
    assert subscriptions_send(now=TUESDAY) == 2
    outcomes = dict(ReportRun.objects.values_list("subscription__frequency", "outcome"))
    assert outcomes == {"weekly": RunOutcome.SKIPPED, "monthly": RunOutcome.SENT}
    [message] = mail.outbox
    assert "Nothing in this period." in message.body


@pytest.mark.django_db
def test_each_new_week_is_a_new_slot(org: Org) -> None:
    subscription_create(actor=org.rep, dashboard="rep", frequency="weekly", skip_if_empty=False)
    assert subscriptions_send(now=TUESDAY) == 1
    assert subscriptions_send(now=NEXT_WEEK) == 1
    assert sorted(str(s) for s in ReportRun.objects.values_list("slot", flat=True)) == [
        "2026-11-30",
        "2026-12-07",
    ]
    assert len(mail.outbox) == 2
    assert "My numbers" in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_report_no_longer_shared_fails_with_the_reason_in_the_log(org: Org) -> None:
    report = saved_report(org.manager, "Team view")
    saved_report_share(actor=org.manager, report=report, team=org.east)
    subscription_create(actor=org.rep, report=report, frequency="weekly")
    saved_report_share(actor=org.manager, report=report, team=None)
    subscriptions_send(now=TUESDAY)
    run = ReportRun.objects.get()
    assert run.outcome == RunOutcome.FAILED
    assert "no longer shared" in run.error
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_page_and_the_api_show_the_run_log(org: Org) -> None:
    DealFactory(owner=org.rep, amount=Decimal("10"))
    client = client_for(org.rep)
    report = saved_report(org.rep, "Weekly deals")
    response = client.post(
        "/reports/subscriptions/",
        {"report": report.pk, "frequency": "weekly", "skip_if_empty": "on"},
    )
    assert response.status_code == 302
    subscriptions_send(now=TUESDAY)
    page = client.get("/reports/subscriptions/")
    assert b"Weekly deals" in page.content
    assert org.rep.email.encode() in page.content
    assert b'id="runs-table"' in page.content
    api = api_client_for(org.rep)
    [item] = api.get("/api/v1/reports/subscriptions/").json()["results"]
    assert item["report"] == report.pk
    assert item["last_run"]["outcome"] == "sent"
    assert item["last_run"]["recipients"] == [org.rep.email]
    runs = api.get(f"/api/v1/reports/subscriptions/{item['id']}/runs/").json()
    assert [r["slot"] for r in runs] == ["2026-11-30"]
    paused = api.patch(
        f"/api/v1/reports/subscriptions/{item['id']}/", {"is_active": False}, format="json"
    )
    assert paused.json()["is_active"] is False
    assert (
        api_client_for(org.stranger).get(f"/api/v1/reports/subscriptions/{item['id']}/").status_code
        == 404
    )


@pytest.mark.django_db
def test_subscribing_wrongly_is_a_400_or_403_with_the_field(org: Org) -> None:
    api = api_client_for(org.rep)
    both = api.post(
        "/api/v1/reports/subscriptions/",
        {"report": saved_report(org.rep).pk, "dashboard": "rep", "frequency": "weekly"},
        format="json",
    )
    assert both.status_code == 400
    assert "report" in both.json()["error"]["fields"]
    admin_board = api.post(
        "/api/v1/reports/subscriptions/",
        {"dashboard": "admin", "frequency": "weekly"},
        format="json",
    )
    assert admin_board.status_code == 403
    hidden = api.post(
        "/api/v1/reports/subscriptions/",
        {"report": saved_report(org.stranger).pk, "frequency": "weekly"},
        format="json",
    )
    assert hidden.status_code == 400
    assert "report" in hidden.json()["error"]["fields"]
    assert (
        api.post(
            "/api/v1/reports/subscriptions/",
            {"dashboard": "rep", "frequency": "daily"},
            format="json",
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_subscriptions_are_in_the_openapi_schema(org: Org) -> None:
    schema = api_client_for(org.admin).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/reports/subscriptions/" in schema["paths"]
    assert "/api/v1/reports/subscriptions/{id}/runs/" in schema["paths"]


@pytest.mark.django_db
def test_paused_subscriptions_and_deactivated_users_get_nothing(org: Org) -> None:
    from reporting.schedules.services import subscription_update

    paused = subscription_create(actor=org.rep, dashboard="rep", frequency="weekly")
    subscription_update(actor=org.rep, subscription=paused, is_active=False)
    subscription_create(actor=org.teammate, dashboard="rep", frequency="weekly")
    org.teammate.is_active = False
    org.teammate.save()
    assert subscriptions_send(now=TUESDAY) == 0
    assert ReportRun.objects.count() == 0
    assert mail.outbox == []
