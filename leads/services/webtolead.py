"""Web-to-lead: anonymous submissions from a company's website.

Cross-site by design, so no CSRF cookie: instead the endpoint only ever creates new leads
(it reads and changes nothing else), counts submissions per IP in Redis (429 past the
rate), drops bots that fill the hidden honeypot field (400), checks the optional per-form
key and its allowed origins (403), and validates every field strictly (400). Whatever is
refused stores nothing.
"""

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from crm.errors import DomainError, PermissionDenied
from crm.models.audit import AuditAction
from crm.services.audit import audit, diff, snapshot
from leads.models import Lead, LeadSource, Timeframe, WebForm
from leads.services._common import LEAD_FIELDS
from leads.services.assignment import pick_owner
from leads.services.capture import DuplicateEmail, clean_lead_data, save_new_lead
from leads.services.notify import notify_assigned
from leads.services.temperature import apply_temperature

HONEYPOT_FIELD = "nickname"
PUBLIC_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "website",
    "industry",
    "employee_count",
    "country",
    "region",
    "timeframe",
    "notes",
)
INBOUND_SOURCE_SLUG = "inbound-website"
# The regions the hosted form and the embed snippet offer, so region-based assignment rules
# (e.g. region "EMEA") can match what a visitor picks.
VISITOR_REGIONS = (
    ("AMER", "Americas"),
    ("EMEA", "Europe, Middle East and Africa"),
    ("APAC", "Asia-Pacific"),
)


class Spam(DomainError):
    code = "spam"


class TooManySubmissions(DomainError):
    status = 429
    code = "throttled"


def _rate() -> tuple[int, int]:
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["web_to_lead"]  # type: ignore[index]
    num, duration = SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]
    return int(num or 20), int(duration or 3600)


def count_submission(ip: str) -> None:
    """One more submission from `ip` in this window; raise when past the rate."""
    limit, window = _rate()
    key = f"w2l:{ip}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count > limit:
        raise TooManySubmissions("Too many submissions from your network. Try again later.")


def form_for_key(key: str) -> WebForm | None:
    if not key:
        return None
    form = WebForm.objects.select_related("source").filter(public_key=key, is_active=True).first()
    if form is None:
        raise PermissionDenied("This form is not accepting submissions.")
    return form


def check_origin(form: WebForm | None, origin: str) -> None:
    if form is None or not form.origins or not origin:
        return
    if origin.rstrip("/") not in form.origins:
        raise PermissionDenied("This form may not be posted from that website.")


def _public_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = {name: data.get(name) for name in PUBLIC_FIELDS if data.get(name) not in (None, "")}
    if "employee_count" in clean:
        try:
            clean["employee_count"] = int(str(clean["employee_count"]).strip())
        except ValueError as exc:
            raise DomainError("Employee count must be a number.", field="employee_count") from exc
    if clean.get("timeframe") and clean["timeframe"] not in Timeframe.values:
        raise DomainError("Choose a timeframe from the list.", field="timeframe")
    for name, value in clean.items():
        if isinstance(value, str) and len(value) > (5000 if name == "notes" else 254):
            raise DomainError("That is too long.", field=name)
    if not str(clean.get("email") or "").strip():
        raise DomainError("Enter your email address.", field="email")
    if not (clean.get("first_name") or clean.get("last_name") or clean.get("company")):
        raise DomainError("Enter your name.", field="last_name")
    return clean


@transaction.atomic
def web_to_lead_submit(
    *, data: dict[str, Any], ip: str, form_key: str = "", origin: str = "", counted: bool = False
) -> Lead:
    """Validate and store one submission; the lead goes to whoever the rules pick.
    (`counted`: the caller already counted it against the IP's rate.)"""
    if not counted:
        count_submission(ip or "unknown")
    if str(data.get(HONEYPOT_FIELD) or "").strip():
        raise Spam("Your submission looks automated and was not accepted.")
    form = form_for_key(str(data.get("form") or form_key or ""))
    check_origin(form, origin)
    clean = clean_lead_data(_public_data(data))
    existing = Lead.objects.alive().with_email(clean["email"]).first()
    if existing is not None:
        return _resubmission(existing, clean)
    source = (form.source if form and form.source else None) or LeadSource.objects.filter(
        slug=INBOUND_SOURCE_SLUG
    ).first()
    lead = Lead(**clean, source=source, campaign=form.campaign if form else "")
    owner, rule = pick_owner(lead)
    lead.owner = owner
    lead.assigned_at = timezone.now()
    lead.last_activity_at = timezone.now()
    apply_temperature(lead)
    try:
        save_new_lead(lead, None)
    except DuplicateEmail:  # the same person submitted twice at once
        existing = Lead.objects.alive().with_email(clean["email"]).get()
        return _resubmission(existing, clean)
    audit(
        actor=None,
        obj=lead,
        action=AuditAction.CREATE,
        changes={
            **diff({}, snapshot(lead, LEAD_FIELDS)),
            "via": "web-to-lead",
            "form": form.pk if form else None,
            "rule": rule.pk if rule else None,
        },
    )
    notify_assigned(owner=owner, lead=lead, actor=None)
    return lead


def _resubmission(lead: Lead, clean: dict[str, Any]) -> Lead:
    """A known email wrote again: keep the message on the existing lead, create nothing."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M")
    message = str(clean.get("notes") or "").strip()
    lead.notes = f"{lead.notes}\n\n[{stamp}] Submitted the web form again. {message}".strip()
    lead.last_activity_at = timezone.now()
    apply_temperature(lead)
    lead.save(update_fields=["notes", "last_activity_at", "temperature", "updated_at"])
    audit(actor=None, obj=lead, action=AuditAction.UPDATE, changes={"via": "web-to-lead"})
    return lead


def embed_snippet(*, webform: WebForm, action_url: str) -> str:
    """The plain HTML form (no JavaScript) an admin pastes into the company website."""
    action = action_url
    fields = [
        ("first_name", "First name", "text", ""),
        ("last_name", "Last name", "text", " required"),
        ("email", "Work email", "email", " required"),
        ("phone", "Phone", "tel", ""),
        ("company", "Company", "text", ""),
        ("country", "Country", "text", ""),
    ]
    lines = [f'<form method="post" action="{action}" accept-charset="utf-8">']
    lines.append(f'  <input type="hidden" name="form" value="{webform.public_key}">')
    for name, label, kind, required in fields:
        lines.append(
            f'  <p><label>{label}<br><input type="{kind}" name="{name}"{required}></label></p>'
        )
    lines.append('  <p><label>Region<br><select name="region">')
    lines.append('    <option value="">Choose…</option>')
    lines += [f'    <option value="{value}">{label}</option>' for value, label in VISITOR_REGIONS]
    lines.append("  </select></label></p>")
    lines += [
        '  <p><label>When do you need it?<br><select name="timeframe">',
        '    <option value="immediate">Right away</option>',
        '    <option value="within_2_months">Within about two months</option>',
        '    <option value="later">Later this year</option>',
        '    <option value="none" selected>Just looking</option>',
        "  </select></label></p>",
        '  <p><label>Message<br><textarea name="notes" rows="4"></textarea></label></p>',
        "  <!-- Leave this hidden field empty: bots fill it and are refused. -->",
        '  <div style="position:absolute;left:-10000px" aria-hidden="true">',
        f'    <input type="text" name="{HONEYPOT_FIELD}" tabindex="-1" autocomplete="off">',
        "  </div>",
        '  <p><button type="submit">Send</button></p>',
        "</form>",
    ]
    return "\n".join(lines)
