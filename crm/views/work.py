"""Tasks and activities: their own lists (mine or my team's, by due date or kind), bulk
"mark done" and CSV exports."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from crm.access import AUTHENTICATED, AuthenticatedRequest, access
from crm.errors import DomainError
from crm.exports import queryset_export
from crm.forms import valid_filters
from crm.forms.work import ActivityListForm, TaskListForm
from crm.models import Activity, Task
from crm.models.activities import ActivityKind
from crm.selectors import work
from crm.services.activities import tasks_complete
from crm.views.helpers import redirect_next, render_sorted_list

TASK_HEADER = ("id", "title", "due_at", "priority", "owner", "linked_to", "done_at", "notes")
ACTIVITY_HEADER = (
    "id",
    "kind",
    "subject",
    "occurred_at",
    "duration_minutes",
    "outcome",
    "owner",
    "linked_to",
)


def _filters[F: TaskListForm | ActivityListForm](
    request: AuthenticatedRequest, form_class: type[F]
) -> tuple[F, dict[str, Any]]:
    form = form_class(request.GET or None, actor=request.user)
    return form, valid_filters(form)


def _whose(request: AuthenticatedRequest) -> dict[str, str]:
    """`whose`: only scope and owner, for the quick links (overdue, today, by kind)."""
    whose = QueryDict(mutable=True)
    for key in ("scope", "owner"):
        if request.GET.get(key):
            whose[key] = request.GET[key]
    return {"whose": whose.urlencode() + "&" if whose else ""}


def linked_to(record: Task | Activity) -> str:
    """What the task or activity is about, as a person would name it."""
    for name, label in (
        ("deal", "Deal"),
        ("lead", "Lead"),
        ("contact", "Contact"),
        ("account", "Account"),
    ):
        if getattr(record, f"{name}_id"):
            return f"{label}: {getattr(record, name)}"
    return ""


@access(AUTHENTICATED)
def task_list(request: AuthenticatedRequest) -> HttpResponse:
    form, filters = _filters(request, TaskListForm)
    return render_sorted_list(
        request,
        form=form,
        filters=filters,
        rows=work.task_list(actor=request.user, filters=filters),
        sorts=work.TASK_SORTS,
        kind="tasks",
        template="crm/work/tasks.html",
        default_sort="due",
        extra={
            "counts": work.task_counts(actor=request.user, filters=filters),
            "now": timezone.now(),
            "nav_section": "work",
            **_whose(request),
        },
    )


@access(AUTHENTICATED)
@require_POST
def task_bulk_complete(request: AuthenticatedRequest) -> HttpResponse:
    raw = request.POST.getlist("ids")
    ids = [int(value) for value in raw if value.isdigit() and len(value) < 10]
    try:
        done, skipped = tasks_complete(actor=request.user, task_ids=ids)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        text = f"{done} task{'s' if done != 1 else ''} marked done."
        if skipped:
            text += f" {skipped} skipped (already done, or not yours to change)."
        messages.success(request, text)
    return redirect_next(request, "/tasks/")


@access(AUTHENTICATED)
def task_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The filtered tasks as CSV (only what the user may see, formula-escaped)."""
    _, filters = _filters(request, TaskListForm)
    rows = work.task_list(actor=request.user, filters=filters).order_by("due_at", "id")
    return queryset_export(
        request,
        list_name="tasks",
        header=TASK_HEADER,
        queryset=rows,
        row=lambda t: (
            t.pk,
            t.title,
            t.due_at,
            t.get_priority_display(),
            t.owner.full_name,
            linked_to(t),
            t.done_at or "",
            t.notes,
        ),
    )


@access(AUTHENTICATED)
def activity_list(request: AuthenticatedRequest) -> HttpResponse:
    form, filters = _filters(request, ActivityListForm)
    counts = work.activity_counts(actor=request.user, filters=filters)
    return render_sorted_list(
        request,
        form=form,
        filters=filters,
        rows=work.activity_list(actor=request.user, filters=filters),
        sorts=work.ACTIVITY_SORTS,
        kind="activities",
        template="crm/work/activities.html",
        default_sort="-occurred",
        extra={
            "kinds": [
                (value, label, counts.get(value, 0)) for value, label in ActivityKind.choices
            ],
            "nav_section": "work",
            **_whose(request),
        },
    )


@access(AUTHENTICATED)
def activity_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    _, filters = _filters(request, ActivityListForm)
    rows = work.activity_list(actor=request.user, filters=filters).order_by("-occurred_at", "-id")
    return queryset_export(
        request,
        list_name="activities",
        header=ACTIVITY_HEADER,
        queryset=rows,
        row=lambda a: (
            a.pk,
            a.get_kind_display(),
            a.subject,
            a.occurred_at,
            a.duration_minutes,
            a.outcome,
            a.owner.full_name,
            linked_to(a),
        ),
    )
