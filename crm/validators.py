"""Field rules shared by forms, API serializers and services (services have the last word)."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from crm.errors import DomainError

PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")
DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*\.)+[a-z]{2,63}$")


def phone_problem(value: str) -> str | None:
    """Why `value` is not a phone number we can dial, or None when it is fine (or empty)."""
    if not value:
        return None
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE_CHARS.match(value) or not 6 <= digits <= 15:
        return "Enter a phone number: digits, spaces, + ( ) - . / only, 6 to 15 digits."
    return None


def validate_phone(value: str) -> None:
    problem = phone_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_phone")


def normalise_domain(value: str) -> str:
    """`https://WWW.Example.com/about` → `example.com`; "" stays "". Raises on junk."""
    text = value.strip().lower()
    if not text:
        return ""
    if "://" not in text:
        text = "//" + text
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
    except ValueError:  # "a[b": urlsplit reads the bracket as a broken IPv6 address
        host = ""
    host = host.removeprefix("www.")
    if not DOMAIN_PATTERN.match(host):
        raise DomainError("Enter a domain like example.com.", field="domain")
    return host


def check_email(value: str, *, field: str = "email") -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError as exc:
        raise DomainError("Enter a valid email address.", field=field) from exc
    return value.lower()


def check_phone(value: str, *, field: str = "phone") -> str:
    value = value.strip()
    problem = phone_problem(value)
    if problem:
        raise DomainError(problem, field=field)
    return value
