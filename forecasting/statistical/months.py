"""Month arithmetic on first-of-month dates, in the company calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def company_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the company time zone (an aware datetime)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=company_zone())


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """How many months from `first` to `last` (0 when they are the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def month_range(first: dt.date, count: int) -> list[dt.date]:
    return [add_months(first, i) for i in range(count)]


def label(month: dt.date) -> str:
    return month.strftime("%Y-%m")
