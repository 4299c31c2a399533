"""People: users with a role, and the team tree."""

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac


class Role(models.TextChoices):
    REP = "rep", "Sales rep"
    MANAGER = "manager", "Sales manager"
    ADMIN = "admin", "Administrator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        # People imported without an email share the empty one: nobody signs in as them.
        if not username:
            raise self.model.DoesNotExist
        return super().get_by_natural_key(username)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Team(models.Model):
    """A node of the sales organisation. `path` ("/1/4/9/") makes subtree queries one index scan."""

    name = models.CharField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    manager = models.ForeignKey(
        "crm.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["path"]
        indexes: ClassVar = [
            models.Index(
                fields=["path"], name="team_path_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


def person_only_q(prefix: str = "") -> models.Q:
    """People imported without an email: inactive, they can't sign in, yet own records and
    count in reports like the others until an admin adds an email and activates them."""
    return models.Q(**{f"{prefix}is_active": False, f"{prefix}email": ""})


def can_own_q(prefix: str = "") -> models.Q:
    """Users who may be given records: the active ones and the people without an email."""
    return models.Q(**{f"{prefix}is_active": True}) | person_only_q(prefix)


class User(AbstractBaseUser, PermissionsMixin):
    # Unique when set (the constraint below); empty only for people imported without one.
    email = models.EmailField("email address", max_length=254, blank=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can open the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    session_version = models.PositiveIntegerField(
        default=0,
        help_text="Bumped on deactivation and reactivation: older sessions stop working.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering: ClassVar = ["first_name", "last_name", "email"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                Lower("email"), name="user_email_ci_unique", condition=~models.Q(email="")
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["team", "role"], name="user_team_role")]

    def __str__(self) -> str:
        return self.full_name

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, salted with `session_version` once it moves.

        Django checks this hash on every request, so bumping the version ends every session
        of the user at once, with no scan of the session table.
        """
        if not self.session_version:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc,no-any-return]
        return salted_hmac(
            "crm.models.User.session_auth_hash",
            f"{self.password}:{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def full_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email

    @property
    def is_person_only(self) -> bool:
        """Imported without an email: owns records, can't sign in."""
        return not self.email and not self.is_active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_rep(self) -> bool:
        return self.role == Role.REP
