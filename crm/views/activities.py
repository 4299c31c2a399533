"""Logging activities and tasks against any record, the timeline's "load older" fragment,
and ticking tasks done (htmx)."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from crm.access import AUTHENTICATED, AuthenticatedRequest, access, get_editable_or_404, scoped
from crm.errors import DomainError
from crm.forms.relationships import ActivityForm, TaskForm
from crm.models import Task
from crm.selectors.timeline import timeline_for
from crm.services import activities
from crm.services.activities import _link_path
from crm.views.forms import apply_domain_error
from crm.views.helpers import linked_model, redirect_next
from crm.visibility import visible


@access(AUTHENTICATED)
def activity_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("account", "contact", "lead", "deal")
        }
        data.update(form.links())
        try:
            activity = activities.activity_log(actor=request.user, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{activity.get_kind_display()} logged.")
            return redirect_next(request, _link_path(activity))
    return render(
        request,
        "crm/activity_form.html",
        {"form": form, "title": "Log activity", "next": request.GET.get("next", "")},
    )


@access(AUTHENTICATED)
def task_create(request: AuthenticatedRequest) -> HttpResponse:
    form = TaskForm(request.POST or None, initial=request.GET.dict(), actor=request.user)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("account", "contact", "lead", "deal")
        }
        data.update(form.links())
        try:
            task = activities.task_create(actor=request.user, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"Task “{task.title}” added.")
            return redirect_next(request, _link_path(task))
    return render(
        request,
        "crm/task_form.html",
        {"form": form, "title": "Add task", "next": request.GET.get("next", "")},
    )


@access(scoped("crm.Task"))
def task_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Tick a task done (or undo it). htmx swaps the task's row; a plain form goes back."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    task = get_editable_or_404(request, Task.objects.select_related("owner"), pk=pk)
    task = activities.task_set_done(
        actor=request.user, task=task, done=request.POST.get("done", "1") == "1"
    )
    if request.headers.get("HX-Request"):
        return render(request, "crm/_tasks.html#task_row", {"task": task, "show_link": True})
    return redirect_next(request, _link_path(task))


@access(AUTHENTICATED)
def timeline_more(request: AuthenticatedRequest) -> HttpResponse:
    """The next page of a record's timeline: ?account=4&cursor=… (or contact/lead/deal)."""
    for name in ("account", "contact", "lead", "deal"):
        value = request.GET.get(name, "")
        if value.isdigit():
            model = linked_model(name)
            record = visible(request.user, model._default_manager.filter(pk=int(value))).first()
            if record is None:
                raise Http404("No such record.")
            page = timeline_for(
                actor=request.user, **{name: record}, cursor=request.GET.get("cursor")
            )
            return render(request, "crm/_timeline.html#items", {"timeline": page})
    raise Http404("Name a record.")
