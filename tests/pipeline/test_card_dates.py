"""Dates read the same everywhere: "13 Dec 2026", on board cards too."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import Org, client_for
from tests.pipeline.factories import DealFactory, make_pipeline, open_stages

pytestmark = pytest.mark.django_db


def test_board_cards_and_the_deal_list_show_day_month_year(org: Org) -> None:
    pipeline = make_pipeline()
    DealFactory(
        stage=open_stages(pipeline)[0],
        owner=org.rep,
        expected_close_date=datetime.date(2026, 12, 13),
    )
    client = client_for(org.rep)

    board = client.get(reverse("pipeline:board"), {"pipeline": pipeline.pk}).content.decode()
    listing = client.get(reverse("pipeline:deal_list")).content.decode()

    assert "13 Dec 2026" in board
    assert "Dec 13, 2026" not in board
    assert "13 Dec 2026" in listing
    assert "Dec 13, 2026" not in listing


def test_no_template_formats_dates_month_first() -> None:
    templates = Path(settings.BASE_DIR) / "templates"
    month_first = [
        str(p.relative_to(templates))
        for p in templates.rglob("*.html")
        if 'date:"M j' in p.read_text() or 'date:"N j' in p.read_text()
    ]
    assert month_first == []
