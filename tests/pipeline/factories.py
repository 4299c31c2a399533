"""Pipeline factories. Deals made here skip the service (fast fixtures); tests of behaviour
create deals through `pipeline.services.deal_create`."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from pipeline.models import (
    Currency,
    Deal,
    ExchangeRate,
    ForecastCategory,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageKind,
    WonReason,
)
from tests.crm.factories import UserFactory, learn_words


class PipelineFactory(DjangoModelFactory[Pipeline]):
    class Meta:
        model = Pipeline

    name = factory.Sequence(lambda n: f"Pipeline {n}")


class StageFactory(DjangoModelFactory[Stage]):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n)
    probability = 20


def make_pipeline(name: str | None = None, open_stages: int = 3) -> Pipeline:
    """A pipeline with `open_stages` open stages (10%, 20%, …) and its Won and Lost stages."""
    pipeline = PipelineFactory(name=name) if name else PipelineFactory()
    for i in range(open_stages):
        StageFactory(pipeline=pipeline, name=f"Step {i + 1}", position=i, probability=10 * (i + 1))
    StageFactory(
        pipeline=pipeline,
        name="Won",
        kind=StageKind.WON,
        position=100,
        probability=100,
        forecast_category=ForecastCategory.CLOSED,
    )
    StageFactory(
        pipeline=pipeline,
        name="Lost",
        kind=StageKind.LOST,
        position=101,
        probability=0,
        forecast_category=ForecastCategory.OMITTED,
    )
    return pipeline


def open_stages(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.filter(kind=StageKind.OPEN).order_by("position"))


class DealFactory(DjangoModelFactory[Deal]):
    class Meta:
        model = Deal
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Deal {n}")
    owner = factory.SubFactory(UserFactory)
    pipeline = factory.LazyAttribute(lambda o: o.stage.pipeline)
    stage = factory.LazyFunction(lambda: open_stages(make_pipeline())[0])
    amount = Decimal("1000.00")
    currency = "USD"
    search = factory.PostGeneration(learn_words)


class LostReasonFactory(DjangoModelFactory[LostReason]):
    class Meta:
        model = LostReason

    name = factory.Sequence(lambda n: f"Lost reason {n}")


class WonReasonFactory(DjangoModelFactory[WonReason]):
    class Meta:
        model = WonReason

    name = factory.Sequence(lambda n: f"Won reason {n}")


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    list_price = Decimal("100.00")
    currency = "USD"


def make_currency(code: str = "EUR", rate: str = "1.10") -> Currency:
    currency = Currency.objects.create(code=code, name=code)
    ExchangeRate.objects.create(currency=currency, rate=Decimal(rate), effective_date="2020-01-01")
    return currency
