# ruff: noqa: N999  (the command is called `import`, as the docs promise)
"""`manage.py import <kind> <file> [--map column=field …] [--dry-run] [--as email] [--policy]`

Runs the same engine as the page and the API, synchronously, and prints the counts.
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from crm.errors import DomainError
from crm.imports import engine, services
from crm.imports.context import CREATE_PERSON, IMPORTER, REJECT, UNKNOWN_OWNER_CHOICES
from crm.imports.models import DedupePolicy, ImportJob, JobStatus
from crm.imports.parsers import normalise_key
from crm.imports.registry import all_kinds
from crm.models import Role, User


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of leads, accounts, contacts, deals, activities, products "
        "or users (people and teams)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", help=", ".join(k.name for k in all_kinds()))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="Map a column to a field (repeat); unmapped columns are guessed by name.",
        )
        parser.add_argument(
            "--new-field",
            action="append",
            default=[],
            metavar="COLUMN=TYPE",
            help="Keep a column as a new custom field named after it (repeat). Types: "
            "text, long_text, number, money, date, boolean (yes-no), choice, multi_choice; "
            "choice fields take the column's values as their choices. Admins only.",
        )
        parser.add_argument(
            "--map-value",
            action="append",
            default=[],
            metavar="FIELD:VALUE=TARGET",
            help="Map a value of the file to a CRM value (repeat), e.g. stage:Engaging=Discovery, "
            "status:1=converted, owner:jdoe=jane@example.com; for list fields TARGET may be "
            "'create' or 'reject'.",
        )
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            dest="constants",
            metavar="FIELD=VALUE",
            help="Give a field the same value on every row (repeat), e.g. stage=Won.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count outcomes, write nothing.")
        parser.add_argument("--as", dest="as_user", help="Email of the importing user.")
        parser.add_argument("--policy", choices=DedupePolicy.values, default=DedupePolicy.SKIP)
        parser.add_argument("--day-first", action="store_true", help="Dates like 31/12/2024.")
        parser.add_argument(
            "--unknown-owner",
            choices=UNKNOWN_OWNER_CHOICES,
            default=REJECT,
            help="Rows whose owner isn't an active user: reject them, assign to the importer, "
            "or create them as people without an email (admins).",
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create list values (sources, accounts…) the file names but the CRM lacks.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(options["as_user"])
        try:
            if options["dry_run"]:
                with transaction.atomic():
                    job = self._create(user, path, options)
                    counts = engine.dry_run(job)
                    job.file.delete(save=False)
                    transaction.set_rollback(True)
                self._print(job, counts, dry_run=True)
                return
            job = self._create(user, path, options)
            services.import_job_start(actor=user, job=job, policy=options["policy"], enqueue=False)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        try:
            done = engine.run_import(job.pk)
        except Exception as exc:  # the job as a whole: marked failed (resumable), as the task does
            services.import_job_mark_failed(job_id=job.pk, error=f"{type(exc).__name__}: {exc}")
            raise
        if done is None:
            raise CommandError("Another worker is already running this import.")
        if done.status == JobStatus.FAILED:
            raise CommandError(f"Import #{done.pk} failed: {done.error}")
        self._print(
            done,
            {
                "imported": done.imported,
                "updated": done.updated,
                "skipped": done.skipped,
                "rejected": done.rejected,
            },
            dry_run=False,
        )

    def _user(self, email: str | None) -> User:
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(email__iexact=email).first()
            if email
            else users.filter(role=Role.ADMIN).order_by("id").first()
        )
        if user is None:
            raise CommandError(
                f"No active user {email}." if email else "No active admin; use --as."
            )
        return user

    def _create(self, user: User, path: Path, options: dict[str, Any]) -> ImportJob:
        with path.open("rb") as handle:
            job = services.import_job_create(
                actor=user, kind=options["kind"], upload=handle, name=path.name
            )
        mapping = dict(job.mapping)
        for item in options["map"]:
            column, sep, field = item.partition("=")
            if not sep:
                raise CommandError(f"--map wants COLUMN=FIELD, got {item!r}.")
            mapping = {h: f for h, f in mapping.items() if f != field.strip()}
            mapping[column.strip()] = field.strip()
        new_fields: dict[str, str] = {}
        for item in options["new_field"]:
            column, sep, field_type = item.rpartition("=")
            if not sep or not column:
                raise CommandError(f"--new-field wants COLUMN=TYPE, got {item!r}.")
            new_fields[column] = field_type
        if new_fields:
            mapping.update(services.import_job_new_fields(actor=user, job=job, columns=new_fields))
        job_options = dict(job.options)
        if options["day_first"]:
            job_options["day_first"] = True
        if options["unknown_owner"] in (IMPORTER, CREATE_PERSON):
            job_options["unknown_owner"] = options["unknown_owner"]
        if options["create_missing"]:
            job_options["on_unknown"] = {
                f.name: "__create__" for f in engine.get_kind(job.kind).import_fields() if f.lookup
            }
        value_maps: dict[str, dict[str, str]] = dict(job_options.get("value_maps") or {})
        for item in options["map_value"]:
            name, colon, rest = item.partition(":")
            value, sep, target = rest.partition("=")
            if not colon or not sep or not value.strip():
                raise CommandError(f"--map-value wants FIELD:VALUE=TARGET, got {item!r}.")
            field = self._field(job, name)
            value_maps.setdefault(field, {})[normalise_key(value)] = target.strip()
        if value_maps:
            job_options["value_maps"] = value_maps
        constants: dict[str, str] = dict(job_options.get("constants") or {})
        for item in options["constants"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--set wants FIELD=VALUE, got {item!r}.")
            field = self._field(job, name)
            constants[field] = value.strip()
            mapping = {h: f for h, f in mapping.items() if f != field}
        if constants:
            job_options["constants"] = constants
        return services.import_job_configure(
            actor=user, job=job, mapping=mapping, options=job_options
        )

    def _field(self, job: ImportJob, name: str) -> str:
        """A field by its name (`stage`, `custom.total_visits`), label or alias."""
        key = normalise_key(name)
        for f in engine.get_kind(job.kind).import_fields():
            if f.name == name.strip() or key in f.match_names():
                return f.name
        raise CommandError(f"{job.kind} have no field {name!r}.")

    def _print(self, job: ImportJob, counts: dict[str, int], *, dry_run: bool) -> None:
        total = sum(counts.values())
        prefix = "Dry run, nothing written: " if dry_run else f"Import #{job.pk}: "
        self.stdout.write(
            f"{prefix}{total} rows: {counts['imported']} imported, {counts['updated']} updated, "
            f"{counts['skipped']} skipped as duplicates, {counts['rejected']} rejected."
        )
        if job.pk and not dry_run and job.rejected:
            self.stdout.write(f"Rejected rows: /imports/{job.pk}/rejected.csv")
