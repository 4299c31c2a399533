"""Job records without a file behind them (finished jobs, for visibility tests)."""

import factory
from factory.django import DjangoModelFactory

from crm.imports.models import ExportJob, ImportJob
from tests.crm.factories import UserFactory


class ImportJobFactory(DjangoModelFactory[ImportJob]):
    class Meta:
        model = ImportJob

    kind = "accounts"
    original_name = factory.Sequence(lambda n: f"accounts-{n}.csv")
    file_format = "csv"
    fingerprint = "0" * 64
    status = "done"
    total_rows = 0
    created_by = factory.SubFactory(UserFactory)


class ExportJobFactory(DjangoModelFactory[ExportJob]):
    class Meta:
        model = ExportJob

    kind = "accounts"
    status = "done"
    created_by = factory.SubFactory(UserFactory)
