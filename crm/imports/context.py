"""What a kind needs while building records: who imports, whom they may assign to,
how to read dates, and the lookup answers already found (cached across batches)."""

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from crm.imports.parsers import normalise_key
from crm.models import User
from crm.models.users import can_own_q
from crm.visibility import assignable_owners, can_assign_owner

CREATE = "__create__"
# What to do with a row whose owner column names no active user: reject it (default), give
# the record to the importer, or (admins) add that person as a user without an email, who
# owns records but can't sign in. The row's report line says which.
IMPORTER = "importer"
REJECT = "reject"
CREATE_PERSON = "create"
UNKNOWN_OWNER_CHOICES = (REJECT, IMPORTER, CREATE_PERSON)
OWNER_NOTE = "Owner:"


@dataclass
class PendingValue:
    """A list value the user chose to create, not created yet: it is, once a row that
    uses it is written (so a dry run or a run that rejects every row creates nothing)."""

    field: str
    key: str
    text: str
    lookup: Any


@dataclass
class ImportContext:
    actor: User
    day_first: bool = False
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    on_unknown: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    unknown_owner: str = REJECT
    lookup_cache: dict[str, dict[str, int]] = field(default_factory=dict)
    lookup_missing: dict[str, set[str]] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # kinds' per-run caches
    # (model label, pk) of the records this run created as a lookup value (a parent account
    # named by a subsidiary, a person named as owner): a later row of the same file that
    # *is* that record fills it instead of being skipped as its duplicate.
    made_by_lookup: set[tuple[str, int]] = field(default_factory=set)
    # Field → day first (True) or month first (False), per column, from `dates.check`.
    date_order: dict[str, bool] = field(default_factory=dict)
    # Temporary (negative) ids of list values to create → what they stand for / became.
    pending: dict[int, PendingValue] = field(default_factory=dict)
    real_ids: dict[int, int] = field(default_factory=dict)
    # (field, text) given once for every row: `--set FIELD=VALUE`, "the same for every row".
    constant_fields: list[tuple[Any, str]] = field(default_factory=list)
    # People to add for unknown owners (`CREATE_PERSON`): unsaved until a row that names
    # them is written (`save_people`), so a rejected row adds nobody.
    pending_people: dict[str, tuple[str, User]] = field(default_factory=dict)
    _users: dict[str, User] | None = None
    _assignable: set[int] | None = None

    @classmethod
    def for_job(cls, actor: User, options: dict[str, Any]) -> "ImportContext":
        return cls(
            actor=actor,
            day_first=bool(options.get("day_first")),
            value_maps=dict(options.get("value_maps") or {}),
            on_unknown=dict(options.get("on_unknown") or {}),
            options=options,
            unknown_owner=str(options.get("unknown_owner") or REJECT)
            if options.get("unknown_owner") in UNKNOWN_OWNER_CHOICES
            else REJECT,
        )

    def pending_value(self, field_name: str, key: str, text: str, lookup: Any) -> int:
        temp = -(len(self.pending) + 1)
        self.pending[temp] = PendingValue(field_name, key, text, lookup)
        return temp

    def real_id(self, value: Any) -> Any:
        """A list value's id, once created (a temporary id before; anything else as is)."""
        if isinstance(value, int) and value < 0:
            return self.real_ids.get(value, value)
        return value

    def _load_users(self) -> dict[str, User]:
        if self._users is None:
            users: dict[str, User] = {}
            for user in User.objects.filter(can_own_q()).order_by("id"):
                if user.email:
                    users.setdefault(normalise_key(user.email), user)
                name = f"{user.first_name} {user.last_name}".strip()
                if name:
                    users.setdefault(normalise_key(name), user)
            self._users = users
        return self._users

    def known_user(self, text: str) -> User | None:
        return self._load_users().get(normalise_key(text))

    def remember_user(self, user: User) -> None:
        """A user this run added: later rows (and owner columns) find them by name/email."""
        users = self._load_users()
        if user.email:
            users.setdefault(normalise_key(user.email), user)
        if user.full_name:
            users.setdefault(normalise_key(user.full_name), user)
        if self._assignable is not None:
            self._assignable.add(user.pk)

    def person_for(self, text: str, role: str = "", team_id: int | None = None) -> User:
        """The user named `text`, added as a person without an email when there is none
        (admins only: the choice is refused to others before the run)."""
        from crm.services.people import person_create

        user = self.known_user(text)
        if user is None:
            extra: dict[str, Any] = {"role": role} if role else {}
            if team_id:
                extra["team_id"] = team_id
            user = person_create(actor=self.actor, name=text, **extra)
            self.remember_user(user)
            if self._assignable is not None:
                self._assignable.add(user.pk)
            self.made_by_lookup.add((User._meta.label, user.pk))
        return user

    def pending_person(self, text: str) -> User:
        """The person an unknown owner's name stands for, not saved yet (one per name)."""
        from crm.services.people import person_draft

        key = normalise_key(text)
        if key not in self.pending_people:
            self.pending_people[key] = (text, person_draft(name=text))
        return self.pending_people[key][1]

    def save_people(self, records: list[models.Model]) -> None:
        """Save the pending people the records about to be written name as a user, and put
        the saved person on each record (so no record points at an unsaved user)."""
        if not self.pending_people:
            return
        drafts = {id(draft): text for text, draft in self.pending_people.values()}
        user_fields: dict[type[models.Model], list[Any]] = {}
        for record in records:
            model = type(record)
            if model not in user_fields:
                user_fields[model] = [
                    f
                    for f in model._meta.concrete_fields
                    if f.is_relation and f.related_model is User
                ]
            for f in user_fields[model]:
                # Only a user set on the record (the cache), never one fetched for the asking.
                value = f.get_cached_value(record, None)
                if isinstance(value, User) and value.pk is None and id(value) in drafts:
                    setattr(record, f.name, self.person_for(drafts[id(value)]))

    def find_user(self, text: str) -> User:
        user = self.known_user(text)
        if user is None:
            raise ValueError(f"No active user with the name or email “{text}”.")
        return user

    def assignable_ids(self) -> set[int]:
        """Whom the importer may make owner (`crm.visibility.assignable_owners`), once a run."""
        if self._assignable is None:
            self._assignable = set(assignable_owners(self.actor).values_list("pk", flat=True))
        return self._assignable

    def owner_for(self, user: User | None) -> User:
        """The owner of a new record: `user` when the importer may give it records."""
        if user is None:
            return self.actor
        if user.pk is None and any(user is d for _, d in self.pending_people.values()):
            return user  # a person this run adds (admins only), saved with the row
        if user.pk not in self.assignable_ids():
            raise ValueError(f"You can't assign records to {user.full_name}.")
        return user

    def check_owner_change(self, record: models.Model, user: User) -> None:
        """An updated row may change an existing record's owner only as the rule allows
        (an edit share never does)."""
        if not can_assign_owner(self.actor, record, user):
            raise ValueError(
                f"You can't make {user.full_name} the owner of #{record.pk}: only its owner, "
                "their manager or an administrator can change its owner."
            )
