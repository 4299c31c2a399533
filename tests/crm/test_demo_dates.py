"""The demo data is dated relative to today, and nothing in it has happened in the future."""

import pytest
from django.utils import timezone

from crm import demo
from crm.models import Account, Activity, Contact, Task
from leads import demo as leads_demo
from leads.models import Lead, LeadTransition

pytestmark = pytest.mark.django_db


def test_demo_records_were_all_created_in_the_past() -> None:
    demo.seed(lambda _: None)
    leads_demo.seed(lambda _: None)
    now = timezone.now()
    for model, field in [
        (Lead, "created_at"),
        (LeadTransition, "at"),
        (Account, "created_at"),
        (Contact, "created_at"),
        (Activity, "created_at"),
        (Task, "created_at"),
    ]:
        assert model.objects.exists(), model
        assert not model.objects.filter(**{f"{field}__gt": now}).exists(), (model, field)
    assert not Account.objects.filter(customer_since__gt=timezone.localdate()).exists()
    # Relative to today: the newest lead is recent, not a fixed date long gone.
    newest = Lead.objects.order_by("-created_at").first()
    assert newest is not None
    assert (now - newest.created_at).days < 30
