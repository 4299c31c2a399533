"""Factories for the core domain. Teams get their path like the service sets it."""

from typing import Any

import factory
from factory.django import DjangoModelFactory

from crm.models import Account, Activity, Contact, Role, Task, Team, User
from crm.search import index


def learn_words(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
    """What the change event does after a service's commit: search learns the record's
    words (factories skip the services, and tests never commit)."""
    if create:
        index(type(obj), [obj.pk])


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def set_path(obj: Team, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
        if create:
            obj.save(update_fields=["path"])


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.REP
    password = factory.django.Password("pass-word-123")


class AccountFactory(DjangoModelFactory[Account]):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    name = factory.Faker("company")
    owner = factory.SubFactory(UserFactory)
    search = factory.PostGeneration(learn_words)


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    owner = factory.SubFactory(UserFactory)
    search = factory.PostGeneration(learn_words)


class ActivityFactory(DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    kind = "call"
    subject = factory.Faker("sentence", nb_words=4)
    owner = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory, owner=factory.SelfAttribute("..owner"))


class TaskFactory(DjangoModelFactory[Task]):
    class Meta:
        model = Task

    title = factory.Faker("sentence", nb_words=4)
    due_at = factory.Faker("future_datetime", tzinfo=__import__("datetime").UTC)
    owner = factory.SubFactory(UserFactory)
