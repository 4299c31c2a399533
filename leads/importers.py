"""Import and export kinds for leads (registered in LeadsConfig.ready).

Dedupe follows the leads rules: the same normalised email; without an email the same phone
digits; without either the same name and company. New leads without an owner column go
through the assignment rules when any are active, else to the importer.
"""

from collections.abc import Hashable
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.text import slugify

from crm.errors import DomainError
from crm.events import update_and_announce
from crm.imports.context import ImportContext
from crm.imports.copy import copy_objects
from crm.imports.exporting import ExportKind, register_export
from crm.imports.lookups import NameLookup
from crm.imports.parsers import normalise_key
from crm.imports.registry import (
    Field,
    ImportKind,
    KindExtension,
    RowError,
    add_note,
    extend,
    external_id_field,
    historic_time,
    register,
)
from crm.models import User
from crm.visibility import visible
from leads.forms import LeadFilterForm, filters_from
from leads.models import AssignmentRule, Lead, LeadSource, LeadStatus, Timeframe
from leads.selectors import lead_list
from leads.services.assignment import pick_owners
from leads.services.capture import IDENTITY_MESSAGE, clean_lead_data, has_identity
from leads.services.configuration import lead_source_save
from leads.services.duplicates import MIN_PHONE_DIGITS, normalize_email, normalize_phone
from leads.services.temperature import apply_temperature, rules_by_timeframe


class SourceLookup(NameLookup):
    def __init__(self) -> None:
        super().__init__(LeadSource, name="source", label="Lead source")

    def can_create(self, ctx: ImportContext) -> bool:
        return ctx.actor.is_admin

    def create(self, name: str, ctx: ImportContext) -> int:
        # The short name (slug) is internal: one already taken by a differently named source
        # ("Live Chat" beside a "live-chat" slug) gets a suffix instead of refusing the name.
        base = slugify(name)[:74] or "source"
        slug, n = base, 2
        while LeadSource.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return int(lead_source_save(actor=ctx.actor, data={"name": name[:80], "slug": slug}).pk)


class LeadImport(ImportKind):
    name = "leads"
    label = "Leads"
    model = Lead
    dedupe_help = "Same email; without one, same phone; without either, same name and company."
    fields = (
        Field("first_name", "First name", max_length=100, aliases=("firstname", "given name")),
        Field("last_name", "Last name", max_length=100, aliases=("lastname", "surname")),
        Field("full_name", "Full name", max_length=200, aliases=("name", "lead name", "contact")),
        Field("email", "Email", type="email", aliases=("email address", "e-mail", "mail")),
        Field("phone", "Phone", max_length=40, aliases=("telephone", "mobile", "phone number")),
        external_id_field("prospect id", "lead id", "mql id", "contact id"),
        Field(
            "company",
            "Company",
            max_length=200,
            aliases=("account", "organization", "organisation", "company name"),
        ),
        Field(
            "title",
            "Job title",
            max_length=120,
            aliases=("position", "what is your current occupation"),
        ),
        Field("website", "Website", max_length=253, aliases=("url", "web")),
        Field("industry", "Industry", max_length=100, aliases=("sector", "specialization")),
        Field("employee_count", "Employees", type="int", aliases=("employees", "headcount")),
        Field("country", "Country", max_length=100),
        Field("region", "Region", max_length=100, aliases=("state", "city")),
        Field(
            "source",
            "Lead source",
            type="lookup",
            lookup=SourceLookup(),
            aliases=("source", "lead source", "origin", "channel"),
        ),
        Field("campaign", "Campaign", max_length=120, aliases=("utm campaign", "lead origin")),
        Field(
            "status",
            "Status",
            type="choice",
            choices=tuple(LeadStatus.choices),
            aliases=("lead status", "stage"),
        ),
        Field(
            "timeframe",
            "Timeframe",
            type="choice",
            choices=tuple(Timeframe.choices),
            aliases=("buying timeframe",),
        ),
        Field("budget", "Budget", type="decimal"),
        Field("notes", "Notes", aliases=("description", "comments", "tags")),
        Field(
            "owner",
            "Owner",
            type="user",
            aliases=("lead owner", "owner email", "assigned to", "sales agent", "rep"),
        ),
        Field(
            "created_at",
            "Created on",
            type="date",
            aliases=("created", "created date", "create date", "date added", "lead date"),
        ),
    )

    def owner_rules(self) -> str:
        if not AssignmentRule.objects.filter(is_active=True).exists():
            return ""
        return (
            "Assignment rules are on: leads whose row names no owner go to whoever the rules "
            "pick (maybe not you), and the report lists who got how many."
        )

    def attribute(self, field_name: str) -> str:
        return {"source": "source_id"}.get(field_name, field_name)

    def _data(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {
            k: v
            for k, v in values.items()
            if k not in ("full_name", "owner", "status", "source", "created_at")
        }
        full = str(values.get("full_name") or "")
        if full and not (values.get("first_name") or values.get("last_name")):
            first, _, last = full.rpartition(" ")
            data["first_name"], data["last_name"] = first[:100], last[:100]
        try:
            data = clean_lead_data(data)
        except DomainError as exc:
            names = {f.name for f in self.fields}
            label = self.field(exc.field).label if exc.field in names else ""
            raise RowError(f"{label}: {exc.message}" if label else exc.message) from exc
        return data

    def apply_update(self, existing: Any, values: dict[str, Any], ctx: ImportContext) -> None:
        data = self._data(values)
        if values.get("source"):
            data["source_id"] = values["source"]
        super().apply_update(existing, data, ctx)

    def build(self, values: dict[str, Any], ctx: ImportContext) -> Lead:
        lead = Lead(**self._data(values))
        created = historic_time(values.get("created_at"))
        if created is None:
            add_note(lead, "No created date in the file: dated at import.")
        else:
            lead.created_at = created  # history-based figures (cycle, conversion) use it
        lead.source_id = values.get("source")
        if values.get("status"):
            lead.status = values["status"]
        if not has_identity(lead):
            raise RowError(IDENTITY_MESSAGE)
        if "temperature_rules" not in ctx.memo:
            ctx.memo["temperature_rules"] = rules_by_timeframe()
            ctx.memo["assignment_rules"] = AssignmentRule.objects.filter(is_active=True).exists()
        apply_temperature(lead, ctx.memo["temperature_rules"])
        owner = values.get("owner")
        if owner is None and ctx.memo["assignment_rules"] and not ctx.options.get("keep_owner"):
            # Owners come from the rules in `create`, for the leads actually created, so a
            # skipped duplicate doesn't advance a round robin.
            lead._by_rules = True  # type: ignore[attr-defined]
        else:
            lead.owner = ctx.owner_for(owner)
        return lead

    def create(self, records: list[Any], ctx: ImportContext) -> None:
        by_rules = [r for r in records if getattr(r, "_by_rules", False) and r.owner_id is None]
        if by_rules:
            for lead, (owner, _rule) in zip(by_rules, pick_owners(by_rules), strict=True):
                lead.owner = owner
        # COPY rather than INSERT: the 100,000-row import spends its time here otherwise.
        copy_objects(records)

    def dedupe_key(self, record: Any, values: dict[str, Any]) -> Hashable | None:
        if record.email:
            return ("email", normalize_email(record.email))
        phone = normalize_phone(record.phone)
        if len(phone) >= MIN_PHONE_DIGITS:
            return ("phone", phone)
        return ("name", f"{record.first_name} {record.last_name} {record.company}".lower())

    def find_existing(self, keys: list[Hashable], ctx: ImportContext) -> dict[Hashable, Any]:
        by: dict[str, list[str]] = {"email": [], "phone": [], "name": []}
        for key in keys:
            if isinstance(key, tuple):
                by[key[0]].append(key[1])
        match = Q(pk__in=[])
        # The email/phone indexes are partial (non-empty values): say so, or PostgreSQL
        # can't use them and scans the whole table for every batch.
        if by["email"]:
            match |= Q(email_normalized__in=by["email"]) & ~Q(email="")
        if by["phone"]:
            match |= Q(phone_normalized__in=by["phone"]) & ~Q(phone="")
        if by["name"]:
            match |= Q(name_company__in=by["name"])
        found: dict[Hashable, Any] = {}
        for lead in Lead.objects.alive().filter(match).order_by("id"):
            if lead.email_normalized:
                found.setdefault(("email", lead.email_normalized), lead)
            if lead.phone_normalized:
                found.setdefault(("phone", lead.phone_normalized), lead)
            found.setdefault(("name", lead.name_company), lead)
        return found


register(LeadImport())


def _leads(user: User, params: QueryDict) -> QuerySet[Any]:
    """The leads list's own selector and filter form, so the export matches the page."""
    filters = filters_from(LeadFilterForm(params or None, actor=user))
    return lead_list(actor=user, filters=filters)


register_export(
    ExportKind(
        "leads",
        "Leads",
        (
            ("First name", lambda lead: lead.first_name),
            ("Last name", lambda lead: lead.last_name),
            ("Email", lambda lead: lead.email),
            ("Phone", lambda lead: lead.phone),
            ("Company", lambda lead: lead.company),
            ("Title", lambda lead: lead.title),
            ("Status", lambda lead: lead.get_status_display()),
            ("Temperature", lambda lead: lead.get_temperature_display()),
            ("Score", lambda lead: lead.score),
            ("Source", lambda lead: lead.source.name if lead.source else ""),
            ("Country", lambda lead: lead.country),
            ("Owner", lambda lead: lead.owner.email),
            ("External id", lambda lead: lead.external_id),
            ("Created", lambda lead: lead.created_at),
        ),
        _leads,
    )
)


class LeadReferenceLookup(NameLookup):
    """The lead a deal row names: by its external id, else by its email (any case)."""

    scoped = True

    def __init__(self) -> None:
        super().__init__(Lead, name="lead", label="Lead")

    def queryset(self, ctx: ImportContext) -> QuerySet[Any]:
        return visible(ctx.actor, Lead.objects.alive())

    def options(self, ctx: ImportContext) -> list[tuple[str, str]]:
        return []

    def resolve(self, wanted: dict[str, str], ctx: ImportContext) -> dict[str, int]:
        texts = {text.strip().lower() for text in wanted.values()}
        found: dict[str, int] = {}
        leads = self.queryset(ctx).alias(external_id_lower=Lower("external_id"))
        rows = leads.filter(external_id_lower__in=texts).exclude(external_id="").order_by("pk")
        for pk, external_id in rows.values_list("pk", "external_id"):
            found.setdefault(normalise_key(external_id), pk)
        rest = [t for t in texts if normalise_key(t) not in found]
        if rest:
            by_email = leads.filter(email_normalized__in=rest).exclude(email="").order_by("pk")
            for pk, email in by_email.values_list("pk", "email_normalized"):
                found.setdefault(normalise_key(email), pk)
        return {k: v for k, v in found.items() if k in wanted}

    def can_create(self, ctx: ImportContext) -> bool:
        return False


def link_deals_to_leads(pairs: list[tuple[Any, Any]], ctx: ImportContext) -> None:
    """A deal row naming its lead: the lead becomes converted into that deal (the link is the
    lead's `converted_deal`), dated by the deal's creation. Leads already linked to a deal
    keep their link."""
    for deal, lead_id in pairs:
        update_and_announce(
            Lead.objects.filter(pk=lead_id, converted_deal__isnull=True),
            actor=ctx.actor,
            converted_deal_id=deal.pk,
            status=LeadStatus.CONVERTED,
            converted_at=deal.created_at,
        )


extend(
    "deals",
    KindExtension(
        Field(
            "lead",
            "Lead (external id or email)",
            type="lookup",
            lookup=LeadReferenceLookup(),
            aliases=("lead", "lead id", "mql id", "source lead", "lead email", "prospect id"),
        ),
        link_deals_to_leads,
    ),
)
