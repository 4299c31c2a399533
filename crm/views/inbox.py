"""Notifications (the bell), saved list views, and the global search page."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from crm.access import AUTHENTICATED, AuthenticatedRequest, access, scoped
from crm.errors import DomainError
from crm.forms.relationships import SavedViewForm
from crm.models import Notification
from crm.search import search
from crm.services import notifications, saved_views
from crm.views.helpers import redirect_next

LIST_URLS = {
    "accounts": "crm:account_list",
    "contacts": "crm:contact_list",
    "leads": "leads:list",
    "deals": "pipeline:deal_list",
    "tasks": "crm:task_list",
    "activities": "crm:activity_list",
}


@access(AUTHENTICATED)
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")[:100]
    return render(request, "crm/notifications.html", {"notifications": rows})


@access(AUTHENTICATED)
def notification_bell(request: AuthenticatedRequest) -> HttpResponse:
    """The top bar's bell: unread count and the latest few (an htmx fragment)."""
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
    return render(
        request,
        "crm/_notifications_bell.html#bell",
        {"unread_count": unread.count(), "latest": unread.order_by("-created_at", "-id")[:5]},
    )


@access(scoped("crm.Notification"))
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark read and follow the notification's link."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        note = notifications.notification_mark_read(actor=request.user, notification_id=pk)
    except DomainError as error:
        raise Http404(error.message) from error
    return redirect(note.link or "crm:notifications")


def in_app_path(link: str) -> bool:
    """Only paths inside this app ("/leads/5/"): never "//host" or "https://…"."""
    return (
        link.startswith("/")
        and not link.startswith("//")
        and "\\" not in link
        and url_has_allowed_host_and_scheme(link, allowed_hosts=None)
    )


@access(scoped("crm.Notification"))
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Follow a notification's link (GET, so it is a plain link): marks it read first."""
    try:
        note = notifications.notification_mark_read(actor=request.user, notification_id=pk)
    except DomainError as error:
        raise Http404(error.message) from error
    return redirect(note.link if in_app_path(note.link) else "crm:notifications")


@access(AUTHENTICATED)
def notification_open_link(request: AuthenticatedRequest) -> HttpResponse:
    """`?next=/leads/5/`: open an in-app page and mark read the unread notifications that
    point at it (My day links its lead lists through here)."""
    target = request.GET.get("next", "")
    if not in_app_path(target):
        return redirect("crm:my_day")
    notifications.notifications_mark_read_for_link(actor=request.user, link=target)
    return redirect(target)


@access(AUTHENTICATED)
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        notifications.notifications_mark_all_read(actor=request.user)
    return redirect("crm:notifications")


@access(AUTHENTICATED)
def saved_view_create(request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = SavedViewForm(request.POST)
    kind = request.POST.get("kind", "")
    back = reverse(LIST_URLS.get(kind, "crm:my_day"))
    if not form.is_valid():
        messages.error(request, "Give the view a name.")
        return redirect_next(request, back)
    try:
        view = saved_views.saved_view_save(actor=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_next(request, back)
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(f"{back}?{view.querystring}" if view.querystring else back)


@access(scoped("crm.SavedView"))
def saved_view_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        saved_views.saved_view_delete(actor=request.user, view_id=pk)
    except DomainError as error:
        raise Http404(error.message) from error
    messages.success(request, "Saved view deleted.")
    return redirect_next(request, reverse("crm:my_day"))


@access(AUTHENTICATED)
def search_page(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    groups = search(actor=request.user, query=query) if query else []
    template = "crm/search.html#results" if request.headers.get("HX-Request") else "crm/search.html"
    return render(request, template, {"query": query, "groups": groups})


SUGGESTIONS_PER_KIND = 3


@access(AUTHENTICATED)
def search_suggest(request: AuthenticatedRequest) -> HttpResponse:
    """The top bar's suggestions while typing (htmx): a few best matches per kind, as the
    options of the search box's listbox."""
    query = request.GET.get("q", "").strip()[:200]
    groups = search(actor=request.user, query=query, limit=SUGGESTIONS_PER_KIND) if query else []
    return render(request, "crm/_search_suggest.html", {"query": query, "groups": groups})
