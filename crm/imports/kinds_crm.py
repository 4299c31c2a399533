"""Import and export kinds for the core records: accounts, contacts and activities."""

import re
from collections.abc import Hashable
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict

from crm.forms import valid_filters
from crm.forms.relationships import AccountFilterForm, ContactFilterForm
from crm.imports.context import ImportContext
from crm.imports.exporting import ExportKind, register_export
from crm.imports.lookups import NameLookup
from crm.imports.registry import Field, ImportKind, RowError, external_id_field, register
from crm.models import Account, Activity, Contact, User
from crm.models.accounts import ChannelPreference, EmailConsent, Relationship, Segment
from crm.models.activities import ActivityKind
from crm.selectors.relationships import (
    ACCOUNT_SORTS,
    CONTACT_SORTS,
    account_list,
    contact_list,
    sort_from,
)
from crm.visibility import visible

OWNER = Field(
    "owner",
    "Owner",
    type="user",
    aliases=(
        "owner email",
        "account owner",
        "assigned to",
        "sales agent",
        "agent",
        "rep",
        "sales rep",
        "salesperson",
        "user",
    ),
)


class AccountLookup(NameLookup):
    """An account named in a cell; new names become accounts owned by the importer."""

    scoped = True

    def __init__(self, *, name: str = "account", label: str = "Account") -> None:
        super().__init__(Account, name=name, label=label)

    def queryset(self, ctx: ImportContext) -> QuerySet[Any]:
        return visible(ctx.actor, Account.objects.alive())

    def can_create(self, ctx: ImportContext) -> bool:
        return True

    def values_for_create(self, name: str, ctx: ImportContext) -> dict[str, Any]:
        return {"name": name[:200], "owner": ctx.actor}


def domain_of(text: str) -> str:
    host = re.sub(r"^[a-z]+://", "", text.strip().lower()).split("/")[0].split("?")[0]
    host = host.split("@")[-1].split(":")[0]
    return host.removeprefix("www.")


class AccountImport(ImportKind):
    name = "accounts"
    label = "Accounts"
    model = Account
    dedupe_help = "Same domain, or same name when there is no domain."
    fields = (
        Field(
            "name",
            "Account name",
            required=True,
            max_length=200,
            aliases=(
                "account",
                "company",
                "company name",
                "organization",
                "organisation",
                "organization name",
                "customer",
            ),
        ),
        external_id_field("account id", "account number", "company id"),
        Field("website", "Website", max_length=200, aliases=("url", "web", "homepage")),
        Field("domain", "Domain", max_length=253, aliases=("email domain",)),
        Field("industry", "Industry", max_length=100, aliases=("sector", "vertical")),
        Field(
            "employee_count",
            "Employees",
            type="int",
            aliases=("employees", "number of employees", "headcount", "staff"),
        ),
        Field(
            "annual_revenue",
            "Annual revenue",
            type="decimal",
            aliases=("revenue", "annual revenue", "turnover"),
        ),
        Field("region", "Region", max_length=100, aliases=("state", "territory")),
        Field("country", "Country", max_length=100, aliases=("office location", "location")),
        Field("address", "Address", aliases=("street", "billing address")),
        Field("segment", "Segment", type="choice", choices=tuple(Segment.choices)),
        Field(
            "relationship",
            "Relationship",
            type="choice",
            choices=tuple(Relationship.choices),
            aliases=("type", "account type"),
        ),
        Field("customer_since", "Customer since", type="date", aliases=("since",)),
        Field(
            "parent",
            "Parent account",
            type="lookup",
            lookup=AccountLookup(name="parent", label="Parent account"),
            aliases=("subsidiary of", "parent company"),
        ),
        OWNER,
    )

    def attribute(self, field_name: str) -> str:
        return {"parent": "parent_id"}.get(field_name, field_name)

    def build(self, values: dict[str, Any], ctx: ImportContext) -> Account:
        data = {self.attribute(k): v for k, v in values.items()}
        data["owner"] = ctx.owner_for(values.get("owner"))
        website = str(data.get("website") or "")
        if website and not re.match(r"^https?://", website):
            data["website"] = "https://" + website
        domain = domain_of(str(data.get("domain") or website))
        data["domain"] = domain
        for number in ("employee_count", "annual_revenue"):
            if data.get(number) is not None and data[number] < 0:
                raise RowError(f"{self.field(number).label} can't be negative.")
        return Account(**data)

    def dedupe_key(self, record: Any, values: dict[str, Any]) -> Hashable | None:
        if record.domain:
            return ("domain", record.domain)
        return ("name", record.name.strip().lower())

    def find_existing(self, keys: list[Hashable], ctx: ImportContext) -> dict[Hashable, Any]:
        domains = [k[1] for k in keys if isinstance(k, tuple) and k[0] == "domain"]
        names = [k[1] for k in keys if isinstance(k, tuple) and k[0] == "name"]
        found: dict[Hashable, Any] = {}
        live = Account.objects.alive().order_by("id")
        for account in live.filter(domain__in=domains):
            found.setdefault(("domain", account.domain), account)
        for account in live.annotate(lname=Lower("name")).filter(lname__in=names):
            found.setdefault(("name", account.name.strip().lower()), account)
        return found


class ContactImport(ImportKind):
    name = "contacts"
    label = "Contacts"
    model = Contact
    dedupe_help = "Same email, or same name at the same account when there is no email."
    fields = (
        Field("first_name", "First name", max_length=100, aliases=("firstname", "given name")),
        Field(
            "last_name", "Last name", max_length=100, aliases=("lastname", "surname", "family name")
        ),
        Field(
            "full_name", "Full name", max_length=200, aliases=("name", "contact", "contact name")
        ),
        Field("email", "Email", type="email", aliases=("email address", "e-mail", "mail")),
        Field("phone", "Phone", max_length=40, aliases=("telephone", "mobile", "phone number")),
        external_id_field("contact id", "person id"),
        Field("title", "Job title", max_length=120, aliases=("position", "role")),
        Field(
            "account",
            "Account",
            type="lookup",
            lookup=AccountLookup(),
            aliases=("company", "account name", "organization", "organisation"),
        ),
        Field(
            "preferred_channel",
            "Preferred channel",
            type="choice",
            choices=tuple(ChannelPreference.choices),
        ),
        Field("email_consent", "Email consent", type="choice", choices=tuple(EmailConsent.choices)),
        Field("notes", "Notes", aliases=("description", "comments")),
        OWNER,
    )

    def attribute(self, field_name: str) -> str:
        return {"account": "account_id"}.get(field_name, field_name)

    def apply_update(self, existing: Any, values: dict[str, Any], ctx: ImportContext) -> None:
        super().apply_update(existing, {k: v for k, v in values.items() if k != "full_name"}, ctx)

    def build(self, values: dict[str, Any], ctx: ImportContext) -> Contact:
        data = {self.attribute(k): v for k, v in values.items() if k != "full_name"}
        full = str(values.get("full_name") or "")
        if full and not data.get("last_name"):
            first, _, last = full.rpartition(" ")
            data.setdefault("first_name", first[:100])
            data["last_name"] = last[:100]
        if not data.get("last_name"):
            raise RowError("Missing Last name (or Full name).")
        data["owner"] = ctx.owner_for(values.get("owner"))
        return Contact(**data)

    def dedupe_key(self, record: Any, values: dict[str, Any]) -> Hashable | None:
        if record.email:
            return ("email", record.email.lower())
        return ("name", record.first_name.lower(), record.last_name.lower(), record.account_id)

    def find_existing(self, keys: list[Hashable], ctx: ImportContext) -> dict[Hashable, Any]:
        emails = [k[1] for k in keys if isinstance(k, tuple) and k[0] == "email"]
        names = [k for k in keys if isinstance(k, tuple) and k[0] == "name"]
        found: dict[Hashable, Any] = {}
        live = Contact.objects.alive().order_by("id")
        for by_email in live.annotate(lemail=Lower("email")).filter(lemail__in=emails):
            found.setdefault(("email", by_email.email.lower()), by_email)
        if names:
            match = Q()
            for _, first, last, account_id in names:
                match |= Q(first_name__iexact=first, last_name__iexact=last, account_id=account_id)
            for contact in Contact.objects.alive().filter(match):
                key = (
                    "name",
                    contact.first_name.lower(),
                    contact.last_name.lower(),
                    contact.account_id,
                )
                found.setdefault(key, contact)
        return found


class ContactEmailLookup(NameLookup):
    scoped = True

    def __init__(self) -> None:
        super().__init__(Contact, name="contact", label="Contact email")
        self.field_name = "email"

    def can_create(self, ctx: ImportContext) -> bool:
        return False


class ActivityImport(ImportKind):
    name = "activities"
    label = "Activities"
    model = Activity
    dedupe_help = "Same type, subject, time, account and contact."
    fields = (
        Field(
            "kind",
            "Type",
            type="choice",
            required=True,
            choices=tuple(ActivityKind.choices),
            aliases=("activity type", "activity", "channel"),
        ),
        Field("subject", "Subject", required=True, max_length=200, aliases=("title", "summary")),
        Field("body", "Details", aliases=("description", "notes", "body", "comments")),
        Field(
            "occurred_at",
            "When",
            type="datetime",
            required=True,
            aliases=("date", "occurred at", "activity date", "time", "timestamp"),
        ),
        Field(
            "duration_minutes", "Duration (minutes)", type="int", aliases=("duration", "minutes")
        ),
        Field("outcome", "Outcome", max_length=120, aliases=("result", "disposition")),
        Field(
            "account",
            "Account",
            type="lookup",
            lookup=AccountLookup(),
            aliases=("company", "account name"),
        ),
        Field(
            "contact",
            "Contact email",
            type="lookup",
            lookup=ContactEmailLookup(),
            aliases=("contact", "email"),
        ),
        OWNER,
    )

    def attribute(self, field_name: str) -> str:
        return {"account": "account_id", "contact": "contact_id"}.get(field_name, field_name)

    def build(self, values: dict[str, Any], ctx: ImportContext) -> Activity:
        data = {self.attribute(k): v for k, v in values.items()}
        if not data.get("account_id") and not data.get("contact_id"):
            raise RowError("Link the activity to an account or a contact.")
        if data.get("contact_id") and not data.get("account_id"):
            data["account_id"] = (
                Contact.objects.filter(pk=data["contact_id"])
                .values_list("account_id", flat=True)
                .first()
            )
        data["owner"] = ctx.owner_for(values.get("owner"))
        return Activity(**data)

    def dedupe_key(self, record: Any, values: dict[str, Any]) -> Hashable | None:
        return (
            record.kind,
            record.subject.lower(),
            record.occurred_at,
            record.account_id,
            record.contact_id,
        )

    def find_existing(self, keys: list[Hashable], ctx: ImportContext) -> dict[Hashable, Any]:
        times = {k[2] for k in keys if isinstance(k, tuple)}
        found: dict[Hashable, Any] = {}
        for activity in Activity.objects.filter(occurred_at__in=times).order_by("id"):
            found.setdefault(self.dedupe_key(activity, {}), activity)
        return found


register(AccountImport())
register(ContactImport())
register(ActivityImport())


def _accounts(user: User, params: QueryDict) -> QuerySet[Any]:
    """The accounts list's own selector and filter form, so the export matches the page."""
    form = AccountFilterForm(params or None, actor=user)
    filters = valid_filters(form)
    return account_list(actor=user, filters=filters).order_by(
        *sort_from(ACCOUNT_SORTS, filters).ordering
    )


def _contacts(user: User, params: QueryDict) -> QuerySet[Any]:
    form = ContactFilterForm(params or None, actor=user)
    filters = valid_filters(form)
    return contact_list(actor=user, filters=filters).order_by(
        *sort_from(CONTACT_SORTS, filters).ordering
    )


register_export(
    ExportKind(
        "accounts",
        "Accounts",
        (
            ("Name", lambda a: a.name),
            ("Domain", lambda a: a.domain),
            ("Website", lambda a: a.website),
            ("Industry", lambda a: a.industry),
            ("Employees", lambda a: a.employee_count),
            ("Annual revenue", lambda a: a.annual_revenue),
            ("Region", lambda a: a.region),
            ("Country", lambda a: a.country),
            ("Relationship", lambda a: a.get_relationship_display()),
            ("Owner", lambda a: a.owner.email),
            ("External id", lambda a: a.external_id),
            ("Created", lambda a: a.created_at),
        ),
        _accounts,
    )
)
register_export(
    ExportKind(
        "contacts",
        "Contacts",
        (
            ("First name", lambda c: c.first_name),
            ("Last name", lambda c: c.last_name),
            ("Email", lambda c: c.email),
            ("Phone", lambda c: c.phone),
            ("Title", lambda c: c.title),
            ("Account", lambda c: c.account.name if c.account else ""),
            ("Owner", lambda c: c.owner.email),
            ("External id", lambda c: c.external_id),
            ("Created", lambda c: c.created_at),
        ),
        _contacts,
    )
)
