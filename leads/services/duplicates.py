"""Likely duplicates of a person among leads, contacts and accounts.

Exact: the normalised email (lower case, trimmed) or phone (digits only). Fuzzy: pg_trgm
similarity of "first last company" against the lead's generated `name_company` column,
through its GIN trigram index (the `%` operator at SIMILARITY), and against contact and
account names.
Records the actor can't see are reported without their details.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower
from django.urls import reverse

from crm.models import Account, Contact, User
from crm.visibility import visible
from leads.models import Lead

MIN_PHONE_DIGITS = 6
# Similarity floor for "similar name": one or two typos in "first last company" stay above
# it (Jonathon Smyth / Jonathan Smith, Acme Corp: 0.61). The GIN trigram index is asked at
# this threshold too (pg_trgm.similarity_threshold), so it hands back a few hundred
# candidates at a million leads instead of tens of thousands at pg_trgm's default 0.3.
SIMILARITY = 0.5
LIMIT = 5


@dataclass(frozen=True)
class Candidate:
    kind: str  # "lead", "contact" or "account"
    id: int
    label: str
    detail: str
    reason: str  # "same email", "same phone", "similar name"
    similarity: float
    visible: bool
    url: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_phone(phone: str) -> str:
    return re.sub(r"[^0-9]", "", phone)


def _lead_candidate(lead: Lead, reason: str, similarity: float, shown: bool) -> Candidate:
    if not shown:
        return Candidate(
            "lead", lead.pk, "A lead owned by someone else", "", reason, similarity, False, ""
        )
    detail = " · ".join(x for x in (lead.company, lead.email, lead.get_status_display()) if x)
    return Candidate(
        "lead",
        lead.pk,
        lead.full_name or lead.company or lead.email,
        detail,
        reason,
        similarity,
        True,
        reverse("leads:detail", args=[lead.pk]),
    )


def find_duplicates(
    *,
    actor: User,
    email: str = "",
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    company: str = "",
    exclude_lead: Lead | None = None,
) -> list[Candidate]:
    """Candidates, strongest first: exact email, exact phone, then similar name+company."""
    found: dict[tuple[str, int], Candidate] = {}
    leads = Lead.objects.alive()
    if exclude_lead is not None:
        leads = leads.exclude(pk=exclude_lead.pk)
    visible_ids = set()

    def add(candidate: Candidate) -> None:
        key = (candidate.kind, candidate.id)
        if key not in found:
            found[key] = candidate

    email_n = normalize_email(email)
    phone_n = normalize_phone(phone)
    exact = Q(pk__in=[])
    if email_n:
        exact |= Q(email_normalized=email_n) & ~Q(email="")
    if len(phone_n) >= MIN_PHONE_DIGITS:
        exact |= Q(phone_normalized=phone_n) & ~Q(phone="")
    if email_n or len(phone_n) >= MIN_PHONE_DIGITS:
        matches = list(leads.filter(exact)[:LIMIT])
        visible_ids = set(
            visible(actor, Lead.objects.filter(pk__in=[m.pk for m in matches])).values_list(
                "pk", flat=True
            )
        )
        for lead in matches:
            reason = "same email" if email_n and lead.email_normalized == email_n else "same phone"
            add(_lead_candidate(lead, reason, 1.0, lead.pk in visible_ids))

    text = " ".join(x.strip() for x in (first_name, last_name, company) if x.strip()).lower()
    if len(text) >= 3:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [SIMILARITY])
            similar = list(
                leads.filter(name_company__trigram_similar=text)
                .annotate(similarity=TrigramSimilarity("name_company", text))
                .order_by("-similarity", "-id")[:LIMIT]
            )
        shown = set(
            visible(actor, Lead.objects.filter(pk__in=[s.pk for s in similar])).values_list(
                "pk", flat=True
            )
        )
        for lead in similar:
            add(_lead_candidate(lead, "similar name", float(lead.similarity), lead.pk in shown))  # type: ignore[attr-defined]

    for candidate in _contacts(actor, email_n, phone_n, first_name, last_name):
        add(candidate)
    for candidate in _accounts(actor, company):
        add(candidate)
    return sorted(found.values(), key=lambda c: (-c.similarity, c.kind, c.id))


def _contacts(
    actor: User, email_n: str, phone_n: str, first_name: str, last_name: str
) -> list[Candidate]:
    contacts = visible(actor, Contact.objects.alive())
    out = []
    if email_n:
        for contact in contacts.filter(email__iexact=email_n)[:LIMIT]:
            out.append(_contact_candidate(contact, "same email", 1.0))
    name = f"{first_name.strip()} {last_name.strip()}".strip().lower()
    if len(name) >= 3:
        full = Lower(Concat("first_name", Value(" "), "last_name"))
        similar = (
            contacts.annotate(similarity=TrigramSimilarity(full, name))
            .filter(similarity__gte=0.5)
            .order_by("-similarity", "-id")[:LIMIT]
        )
        out.extend(_contact_candidate(c, "similar name", float(c.similarity)) for c in similar)
    del phone_n  # contacts' phones aren't normalised in the database yet
    return out


def _contact_candidate(contact: Contact, reason: str, similarity: float) -> Candidate:
    return Candidate(
        "contact",
        contact.pk,
        contact.full_name,
        contact.email,
        reason,
        similarity,
        True,
        _url_or_blank("crm:contact_detail", contact.pk),
    )


def _accounts(actor: User, company: str) -> list[Candidate]:
    name = company.strip().lower()
    if len(name) < 3:
        return []
    accounts = (
        visible(actor, Account.objects.alive())
        .annotate(similarity=TrigramSimilarity(Lower("name"), name))
        .filter(similarity__gte=0.5)
        .order_by("-similarity", "-id")[:LIMIT]
    )
    return [
        Candidate(
            "account",
            a.pk,
            a.name,
            a.domain,
            "similar company",
            float(a.similarity),
            True,
            _url_or_blank("crm:account_detail", a.pk),
        )
        for a in accounts
    ]


def _url_or_blank(name: str, pk: int) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""
