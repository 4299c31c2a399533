"""Saved list views: a name for a filtered list a user wants to get back to."""

from urllib.parse import parse_qsl, urlencode

from django.db import transaction

from crm.errors import DomainError, NotFound
from crm.models import SavedView, User

LIST_KINDS = ("accounts", "contacts", "leads", "deals", "tasks", "activities")
DROPPED_PARAMS = {"after", "before", "cursor", "csrfmiddlewaretoken", "view"}


def clean_querystring(querystring: str) -> str:
    """Keep the filters and sort of a list URL; drop the page position."""
    pairs = parse_qsl(querystring.lstrip("?"), keep_blank_values=False)
    return urlencode([(k, v) for k, v in pairs if k not in DROPPED_PARAMS])[:1000]


@transaction.atomic
def saved_view_save(*, actor: User, kind: str, name: str, querystring: str) -> SavedView:
    """Create a view, or overwrite the user's view of the same name."""
    if kind not in LIST_KINDS:
        raise DomainError("Unknown list.", field="kind")
    name = name.strip()[:80]
    if not name:
        raise DomainError("Give the view a name.", field="name")
    view, _ = SavedView.objects.update_or_create(
        user=actor,
        kind=kind,
        name=name,
        defaults={"querystring": clean_querystring(querystring)},
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view_id: int) -> None:
    deleted, _ = SavedView.objects.filter(pk=view_id, user=actor).delete()
    if not deleted:
        raise NotFound("No such saved view.")
