"""Import pages: upload → mapping → preview → progress and report; history; exports."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm.access import AUTHENTICATED, AuthenticatedRequest, access, get_visible_or_404, scoped
from crm.errors import DomainError
from crm.imports import dates, engine, exporting, selectors, services
from crm.imports.context import CREATE, CREATE_PERSON, IMPORTER
from crm.imports.forms import ExportForm, PreviewForm, UploadForm
from crm.imports.models import ExportJob, ImportJob, JobStatus
from crm.imports.registry import all_kinds, get_kind
from crm.models import CustomFieldType, Role
from crm.pagination import keyset_page
from crm.views.forms import apply_domain_error

NAV = {"nav_section": "imports"}


def _job(request: AuthenticatedRequest, pk: int) -> ImportJob:
    return get_visible_or_404(request, ImportJob.objects.select_related("created_by"), pk=pk)


@access(AUTHENTICATED)
def job_list(request: AuthenticatedRequest) -> HttpResponse:
    rows, prev_url, next_url = keyset_page(request, selectors.import_job_list(actor=request.user))
    exports = selectors.export_job_list(actor=request.user)[:10]
    return render(
        request,
        "imports/list.html",
        {
            "jobs": rows,
            "prev_url": prev_url,
            "next_url": next_url,
            "exports": exports,
            "export_kinds": exporting.all_export_kinds(),
            **NAV,
        },
    )


@access(AUTHENTICATED)
def upload(request: AuthenticatedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                actor=request.user, kind=form.cleaned_data["kind"], upload=file, name=file.name
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect("imports:mapping", pk=job.pk)
    return render(request, "imports/upload.html", {"form": form, "kinds": all_kinds(), **NAV})


def _posted_mapping(job: ImportJob, data: Any) -> tuple[dict[str, str], dict[str, Any]]:
    mapping = {
        header: data.get(f"map-{i}", "")
        for i, header in enumerate(job.headers)
        if header and data.get(f"map-{i}")
    }
    value_maps: dict[str, dict[str, str]] = {}
    on_unknown: dict[str, str] = {}
    constants: dict[str, str] = {}
    for field_name, value in zip(
        data.getlist("set-field"), data.getlist("set-value"), strict=False
    ):
        if field_name and value.strip():
            constants[field_name] = value.strip()
    for f in get_kind(job.kind).import_fields():
        if f.lookup is None and f.type not in ("choice", "user"):
            continue
        choice = data.get(f"unknown-{f.name}")
        if f.lookup is not None and choice in (CREATE, "reject"):
            on_unknown[f.name] = choice
        for key, target in zip(
            data.getlist(f"key-{f.name}"), data.getlist(f"value-{f.name}"), strict=False
        ):
            if target:
                value_maps.setdefault(f.name, {})[key] = target
    options: dict[str, Any] = {
        "value_maps": value_maps,
        "on_unknown": on_unknown,
        "constants": constants,
    }
    if data.get("day_first"):
        options["day_first"] = True
    date_order = {
        header: data.get(f"date-order-{i}")
        for i, header in enumerate(job.headers)
        if data.get(f"date-order-{i}") in dates.ORDERS
    }
    if date_order:
        options["date_order"] = date_order
    if data.get("unknown_owner") in (IMPORTER, CREATE_PERSON):
        options["unknown_owner"] = data.get("unknown_owner")
    if data.get("keep_owner"):
        options["keep_owner"] = True
    target = get_kind(job.kind).target_option
    if target and data.get(target):
        options[target] = str(data.get(target))
    return mapping, options


@access(scoped("imports.ImportJob"))
def mapping(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status != JobStatus.UPLOADED:
        return redirect("imports:detail", pk=job.pk)
    error = ""
    if request.method == "POST":
        column_map, options = _posted_mapping(job, request.POST)
        try:
            new = {
                h: f.removeprefix(services.NEW_FIELD)
                for h, f in column_map.items()
                if f.startswith(services.NEW_FIELD)
            }
            if new:
                column_map |= services.import_job_new_fields(
                    actor=request.user, job=job, columns=new
                )
            job = services.import_job_configure(
                actor=request.user, job=job, mapping=column_map, options=options
            )
        except DomainError as exc:
            error = exc.message
            job.mapping = column_map
        else:
            if request.POST.get("refresh"):
                return redirect("imports:mapping", pk=job.pk)
            return redirect("imports:preview", pk=job.pk)
    kind = get_kind(job.kind)
    return render(
        request,
        "imports/mapping.html",
        {
            "job": job,
            "kind": kind,
            "screen": selectors.mapping_screen(job),
            "error": error,
            "create": CREATE,
            "has_owner": any(f.type == "user" for f in kind.fields) or kind.name == "users",
            "may_add_people": request.user.is_admin,
            "owner_rules": kind.owner_rules(),
            "fields": kind.import_fields(),
            "constants": _constant_rows(job),
            "date_questions": _date_questions(job),
            "new_field": services.NEW_FIELD,
            "new_field_types": CustomFieldType.choices
            if kind.takes_custom_fields and request.user.role == Role.ADMIN
            else [],
            "target_choices": kind.target_choices(),
            "target_value": str(job.options.get(kind.target_option or "", "")),
            **NAV,
        },
    )


CONSTANT_SLOTS = 2


def _date_questions(job: ImportJob) -> list[tuple[int, str, str, str]]:
    """(column index, header, question, answer) for the date columns whose order the file
    doesn't tell, and those the importer already answered."""
    checked = dates.check(job)
    answers = job.options.get("date_order") or {}
    rows = []
    for i, header in enumerate(job.headers):
        if header in checked.questions:
            rows.append((i, header, checked.questions[header], ""))
        elif header in answers:
            rows.append((i, header, f"Dates in “{header}” are written:", answers[header]))
    return rows


def _constant_rows(job: ImportJob) -> list[tuple[str, str]]:
    """The "same for every row" values: the ones given, then empty slots to add more."""
    given = [(str(k), str(v)) for k, v in (job.options.get("constants") or {}).items()]
    return given + [("", "")] * CONSTANT_SLOTS


@access(scoped("imports.ImportJob"))
def preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status != JobStatus.UPLOADED:
        return redirect("imports:detail", pk=job.pk)
    form = PreviewForm(request.POST or None, initial={"policy": job.policy})
    if request.method == "POST" and form.is_valid():
        try:
            services.import_job_start(
                actor=request.user, job=job, policy=form.cleaned_data["policy"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect("imports:detail", pk=job.pk)
    kind = get_kind(job.kind)
    columns = engine.columns_for(kind, job.headers, job.mapping)
    try:
        rows = engine.preview(job)
        problem = ""
    except DomainError as exc:
        rows, problem = [], exc.message
    return render(
        request,
        "imports/preview.html",
        {
            "job": job,
            "kind": kind,
            "form": form,
            "columns": [(header, f.label) for _, header, f in columns],
            "rows": rows,
            "problem": problem,
            **NAV,
        },
    )


@access(scoped("imports.ImportJob"))
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = {
        "job": job,
        "kind_label": get_kind(job.kind).label,
        "rejected": selectors.outcome_rows(job),
        "assigned": selectors.assigned_to_importer_rows(job),
        "owners": selectors.owners_of_imported(job, get_kind(job.kind).model)
        if job.imported
        else [],
        **NAV,
    }
    if request.headers.get("HX-Request"):
        return render(request, "imports/detail.html#progress", context)
    return render(request, "imports/detail.html", context)


@access(scoped("imports.ImportJob"))
@require_POST
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.import_job_cancel(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, "Cancelling: rows already imported stay; the rest are not read.")
    return redirect("imports:detail", pk=job.pk)


@access(scoped("imports.ImportJob"))
@require_POST
def resume(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.import_job_resume(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:detail", pk=job.pk)


@access(scoped("imports.ImportJob"))
def rejected_csv(request: AuthenticatedRequest, pk: int) -> StreamingHttpResponse:
    job = _job(request, pk)
    name = job.original_name.rsplit(".", 1)[0] or "import"
    response = StreamingHttpResponse(selectors.rejected_rows_csv(job), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected.csv"'
    return response


@access(AUTHENTICATED)
@require_POST
def export_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to export and the format.")
        return redirect("imports:list")
    try:
        job = exporting.export_job_create(actor=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("imports:list")
    return redirect("imports:export_detail", pk=job.pk)


def _export(request: AuthenticatedRequest, pk: int) -> ExportJob:
    return get_visible_or_404(request, ExportJob.objects.select_related("created_by"), pk=pk)


@access(scoped("imports.ExportJob"))
def export_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _export(request, pk)
    context = {"export": job, "kind": _export_label(job.kind), **NAV}
    if request.headers.get("HX-Request"):
        return render(request, "imports/export_detail.html#progress", context)
    return render(request, "imports/export_detail.html", context)


def _export_label(name: str) -> str:
    try:
        return exporting.get_export_kind(name).label
    except DomainError:
        return name


@access(scoped("imports.ExportJob"))
def export_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    job = _export(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        return redirect(reverse("imports:export_detail", kwargs={"pk": job.pk}))
    filename = (job.file.name or "export").rsplit("/", 1)[-1]
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename)
