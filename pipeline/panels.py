"""The "Deals" panel on account and contact pages (registered in PipelineConfig.ready)."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.http import urlencode

from crm.models import Account, Contact, User
from crm.panels import Panel
from pipeline.models import Deal, StageKind
from pipeline.selectors.deals import deals_visible
from pipeline.selectors.money import company_amount

SHOWN = 10  # open deals, then closed deals, listed on the page; the rest through the deal list


def _panel(deals: QuerySet[Deal], *, filter_key: str, record: Any) -> Panel:
    figures = deals.aggregate(
        **{
            f"{kind}_{what}": agg
            for kind in StageKind.values
            for what, agg in (
                ("count", Count("pk", filter=Q(stage__kind=kind))),
                ("total", Sum(company_amount(), filter=Q(stage__kind=kind))),
            )
        }
    )
    rows = deals.select_related("stage", "owner")
    open_deals = list(
        rows.filter(closed_at__isnull=True).order_by(
            F("expected_close_date").asc(nulls_last=True), "id"
        )[:SHOWN]
    )
    closed_deals = list(rows.filter(closed_at__isnull=False).order_by("-closed_at", "-id")[:SHOWN])
    new_deal = {filter_key: record.pk}
    if isinstance(record, Contact) and record.account_id:
        new_deal["account"] = record.account_id
    return Panel(
        "pipeline/_record_deals.html",
        {
            "open_deals": open_deals,
            "closed_deals": closed_deals,
            "figures": {
                kind: {
                    "label": label,
                    "count": figures[f"{kind}_count"],
                    "total": figures[f"{kind}_total"] or Decimal(0),
                }
                for kind, label in StageKind.choices
            },
            "list_url": reverse("pipeline:deal_list") + "?" + urlencode({filter_key: record.pk}),
            "new_url": reverse("pipeline:deal_create") + "?" + urlencode(new_deal),
        },
    )


def account_deals_panel(actor: User, account: Account) -> Panel:
    deals = deals_visible(actor).filter(account=account)
    return _panel(deals, filter_key="account", record=account)


def contact_deals_panel(actor: User, contact: Contact) -> Panel:
    deals = deals_visible(actor).filter(primary_contact=contact)
    return _panel(deals, filter_key="contact", record=contact)
