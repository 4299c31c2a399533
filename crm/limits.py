"""Input limits in one place: forms, the API and imports all check values against these.

PostgreSQL refuses what Python accepts (integers past 32 bits, time-zone offsets past 15:59,
NUL characters in text), and some values are accepted by both yet make no sense in a CRM
(a task due in year 1). Every entry point checks against the figures here, so a bad value is
a field error (form), a 400 in the JSON error shape (API) or a row error (import), never a 500.
"""

from datetime import UTC, date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

# PostgreSQL `integer` (IntegerField, PositiveIntegerField).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
# Years a date or datetime may fall in: no CRM record predates 1900, and 9998 keeps every
# value convertible to UTC (Python stops at 9999) for filters such as `until=2999-12-31`.
YEAR_MIN = 1900
YEAR_MAX = 9998
# Imported spreadsheets: a year outside this window is a typo or a misread column.
IMPORT_YEAR_MIN = 1900
IMPORT_YEAR_MAX = 2200
# JSON request bodies: how deeply arrays and objects may nest.
JSON_MAX_DEPTH = 32
# Free text without a column limit (notes, bodies, addresses).
TEXT_MAX_LENGTH = 100_000
# Query-string values (search boxes, filters).
QUERY_MAX_LENGTH = 500

DATE_RANGE_MESSAGE = f"Enter a date between the years {YEAR_MIN} and {YEAR_MAX}."
NUL_MESSAGE = "Null characters are not allowed."


def year_problem(value: date | datetime | None) -> str | None:
    """Why `value` is outside the accepted years (None when it is fine or empty)."""
    if value is None:
        return None
    year = value.year
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            year = value.astimezone(UTC).year
        except OverflowError:
            return DATE_RANGE_MESSAGE
    if not YEAR_MIN <= year <= YEAR_MAX:
        return DATE_RANGE_MESSAGE
    return None


def check_year(value: date | datetime | None) -> None:
    """Django validator form of `year_problem`."""
    problem = year_problem(value)
    if problem:
        raise ValidationError(problem, code="date_range")


def to_utc(value: datetime) -> datetime:
    """An aware datetime in UTC, so PostgreSQL never sees an offset it refuses (±16 h)."""
    return value.astimezone(UTC) if value.tzinfo is not None else value


def nesting_depth(value: Any) -> int:
    """How deeply lists and dicts nest in `value` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            depth += 1
            stack.extend((child, depth) for child in item.values())
        elif isinstance(item, list):
            depth += 1
            stack.extend((child, depth) for child in item)
        deepest = max(deepest, depth)
    return deepest


def has_nul(value: Any) -> bool:
    """Whether any string (or dict key) inside `value` holds a NUL character."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# --- API fields ------------------------------------------------------------------------------


class ApiIntegerField(serializers.IntegerField):
    """IntegerField that never lets a value past PostgreSQL's `integer` through."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(**kwargs)


class ApiDateTimeField(serializers.DateTimeField):
    """DateTimeField limited to YEAR_MIN..YEAR_MAX and answered in UTC."""

    def to_internal_value(self, value: Any) -> datetime:
        parsed = super().to_internal_value(value)
        problem = year_problem(parsed)
        if problem:
            raise serializers.ValidationError(problem, code="date_range")
        return to_utc(parsed)


class ApiDateField(serializers.DateField):
    """DateField limited to YEAR_MIN..YEAR_MAX."""

    def to_internal_value(self, value: Any) -> date:
        parsed = super().to_internal_value(value)
        problem = year_problem(parsed)
        if problem:
            raise serializers.ValidationError(problem, code="date_range")
        return parsed


# --- Form fields -----------------------------------------------------------------------------


class FormIntegerField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(**kwargs)


class FormDateTimeField(forms.DateTimeField):
    default_validators = [check_year]

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        check_year(parsed)  # before converting: 9999-12-31T23:59-23:59 overflows in UTC
        return to_utc(parsed)


class FormDateField(forms.DateField):
    default_validators = [check_year]
