"""Conversion: one SQL lead becomes an account (existing or new) + a contact + optionally a
deal, in one transaction. Anything failing leaves nothing behind; converting twice is a 409."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from crm.errors import Conflict, DomainError, NotFound
from crm.events import update_and_announce
from crm.models import Account, Activity, Contact, Task, User
from crm.models.audit import AuditAction
from crm.services.accounts import account_create
from crm.services.audit import audit
from crm.services.contacts import contact_create
from crm.visibility import can_assign_owner, visible
from leads.models import Lead, LeadStatus
from leads.services._common import lock_editable_lead
from leads.services.lifecycle import mark_converted
from pipeline.models import Deal, Pipeline, Stage
from pipeline.services.deals import deal_create


@dataclass
class Conversion:
    lead: Lead
    account: Account
    contact: Contact
    deal: Deal | None


@dataclass
class DealSpec:
    pipeline: Pipeline
    name: str = ""
    stage: Stage | None = None
    amount: Decimal = Decimal(0)
    currency: str | None = None
    expected_close_date: date | None = None


def _new_owner(actor: User, lead: Lead) -> User:
    # The new records go to the lead's owner when the actor may give them records (its
    # owner, their manager, an admin); someone converting through an edit share keeps them.
    if can_assign_owner(actor, None, lead.owner):
        return lead.owner
    return actor


def default_account_data(lead: Lead) -> dict[str, Any]:
    return {
        "name": lead.company or lead.full_name,
        "website": _website(lead.website),
        "industry": lead.industry,
        "employee_count": lead.employee_count,
        "region": lead.region,
        "country": lead.country,
    }


def _website(value: str) -> str:
    value = value.strip()
    if value and "://" not in value:
        value = "https://" + value
    return value


def default_contact_data(lead: Lead) -> dict[str, Any]:
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name or lead.first_name or lead.company,
        "title": lead.title,
        "email": lead.email,
        "phone": lead.phone,
    }


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead: Lead,
    account: Account | None = None,
    account_data: dict[str, Any] | None = None,
    contact_data: dict[str, Any] | None = None,
    deal: DealSpec | None = None,
) -> Conversion:
    """Convert `lead`. Pass `account` to attach to an existing one, else `account_data`
    (defaults from the lead) creates it; `deal` (a DealSpec) also creates a deal."""
    lead = lock_editable_lead(actor, lead)
    if lead.status == LeadStatus.CONVERTED:
        raise Conflict(
            "This lead is already converted.",
            account_id=lead.converted_account_id,
            contact_id=lead.converted_contact_id,
        )
    if lead.status != LeadStatus.SQL:
        raise DomainError("Qualify the lead to SQL before converting it.", field="status")
    owner = _new_owner(actor, lead)
    if account is not None:
        found = visible(actor, Account.objects.alive().filter(pk=account.pk))
        account = found.first()
        if account is None:
            raise NotFound("No such account, or you can't see it.", field="account")
    else:
        data = {**default_account_data(lead), **(account_data or {})}
        account = account_create(actor=actor, owner=owner, **data)
    contact = contact_create(
        actor=actor,
        owner=owner,
        account=account,
        **{**default_contact_data(lead), **(contact_data or {})},
    )
    new_deal = None
    if deal is not None:
        new_deal = deal_create(
            actor=actor,
            name=deal.name.strip() or f"{account.name} - new business",
            pipeline=deal.pipeline,
            stage=deal.stage,
            account=account,
            primary_contact=contact,
            amount=deal.amount if deal.amount is not None else Decimal(0),
            currency=deal.currency,
            expected_close_date=deal.expected_close_date,
            owner=owner,
        )
    # The history follows the lead to what it became (and stays on the lead page too).
    moved = {"account": account, "contact": contact}
    if new_deal is not None:
        moved["deal"] = new_deal
    update_and_announce(Activity.objects.filter(lead=lead), actor=actor, **moved)
    update_and_announce(Task.objects.filter(lead=lead), actor=actor, **moved)
    mark_converted(actor=actor, lead=lead)
    lead.converted_account = account
    lead.converted_contact = contact
    lead.converted_deal = new_deal
    lead.save(
        update_fields=[
            "status",
            "converted_at",
            "converted_account",
            "converted_contact",
            "converted_deal",
            "updated_at",
        ]
    )
    audit(
        actor=actor,
        obj=lead,
        action=AuditAction.CONVERT,
        changes={
            "account": account.pk,
            "contact": contact.pk,
            "deal": new_deal.pk if new_deal else None,
        },
    )
    return Conversion(lead=lead, account=account, contact=contact, deal=new_deal)
