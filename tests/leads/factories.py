"""Factories for leads. Prefer the services in tests that are about behaviour."""

import factory
from factory.django import DjangoModelFactory

from leads.models import AssignmentRule, Lead, LeadSource, WebForm
from tests.crm.factories import UserFactory, learn_words


class LeadSourceFactory(DjangoModelFactory[LeadSource]):
    class Meta:
        model = LeadSource
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")


class LeadFactory(DjangoModelFactory[Lead]):
    class Meta:
        model = Lead
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"lead{n}@prospect.example")
    company = factory.Faker("company")
    owner = factory.SubFactory(UserFactory)
    search = factory.PostGeneration(learn_words)


class AssignmentRuleFactory(DjangoModelFactory[AssignmentRule]):
    class Meta:
        model = AssignmentRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    action = "user"


class WebFormFactory(DjangoModelFactory[WebForm]):
    class Meta:
        model = WebForm

    name = "Contact us"
