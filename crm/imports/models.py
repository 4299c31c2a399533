"""Import and export jobs, their per-row outcomes and remembered column mappings."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", "Waiting for mapping"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED_STATUSES = (JobStatus.DONE, JobStatus.CANCELLED, JobStatus.FAILED)


class DedupePolicy(models.TextChoices):
    SKIP = "skip", "Skip duplicates"
    UPDATE = "update", "Update the existing record"
    CREATE = "create", "Create a new record anyway"


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ImportJob(models.Model):
    visibility_owner_field = "created_by"

    kind = models.CharField(max_length=30)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=FileFormat.choices)
    encoding = models.CharField(max_length=20, blank=True, default="")
    delimiter = models.CharField(max_length=1, blank=True, default="")
    headers = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="column header → field name")
    options = models.JSONField(default=dict, blank=True)
    policy = models.CharField(max_length=6, choices=DedupePolicy.choices, default=DedupePolicy.SKIP)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(rows_done__gte=0), name="import_rows_done_non_negative"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["created_by", "-created_at", "-id"], name="import_owner_created"),
            models.Index(fields=["-created_at", "-id"], name="import_created"),
        ]

    def __str__(self) -> str:
        return f"Import of {self.original_name} ({self.kind})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return min(100, int(self.rows_done * 100 / self.total_rows))

    @property
    def percent_step(self) -> int:
        """The percentage in steps of 5, for the `.bar-w-NN` classes (no inline styles)."""
        return self.percent // 5 * 5


class RowOutcome(models.TextChoices):
    IMPORTED = "imported", "Imported"
    UPDATED = "updated", "Updated"
    SKIPPED = "skipped", "Skipped as duplicate"
    REJECTED = "rejected", "Rejected"


class ImportRowResult(models.Model):
    """What happened to one data row. Written in the same transaction as the records, so a
    recorded row is never processed twice (resume after a crash starts after the last one)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(help_text="1 = the first row under the header.")
    outcome = models.CharField(max_length=8, choices=RowOutcome.choices)
    object_id = models.BigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True, default="")
    data = models.JSONField(null=True, blank=True, help_text="The raw cells of a rejected row.")

    class Meta:
        ordering: ClassVar = ["job", "row_number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["job", "row_number"], name="import_row_unique"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["job", "row_number"],
                condition=Q(outcome="rejected"),
                name="import_row_rejected",
            ),
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.outcome}"


class SavedMapping(models.Model):
    """The mapping last used for a file layout (kind + header fingerprint)."""

    kind = models.CharField(max_length=30)
    fingerprint = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    options = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "fingerprint"], name="saved_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"Mapping for {self.kind} {self.fingerprint[:8]}"


class ExportJob(models.Model):
    visibility_owner_field = "created_by"

    kind = models.CharField(max_length=30)
    query = models.CharField(
        max_length=2000, blank=True, default="", help_text="The list's filter querystring."
    )
    file_format = models.CharField(max_length=4, choices=FileFormat.choices, default="csv")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", max_length=300, blank=True)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["created_by", "-created_at", "-id"], name="export_owner_created"),
        ]

    def __str__(self) -> str:
        return f"Export of {self.kind} ({self.file_format})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return min(100, int(self.rows_done * 100 / self.total_rows))

    @property
    def percent_step(self) -> int:
        """The percentage in steps of 5, for the `.bar-w-NN` classes (no inline styles)."""
        return self.percent // 5 * 5
