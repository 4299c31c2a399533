"""Fiscal periods: months, quarters and years derived from the fiscal year start month.

Keys (what URLs, the API and quotas use):
- a month: ``2026-03`` (calendar months are also fiscal months);
- a fiscal quarter: ``FY2026-Q1``;
- a fiscal year: ``FY2026``.

A fiscal year is named after the calendar year in which it starts: with a February start,
FY2026 runs from 1 February 2026 to 31 January 2027. The company time zone
(``settings.TIME_ZONE``) decides which day a moment belongs to, so a deal closed at 23:30 on
31 March in the company's zone counts in March even when that is already April in UTC.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from crm.errors import DomainError

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^FY(\d{4})$")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day
    end: date  # first day after
    key: str
    label: str

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in the company time zone."""
        zone = company_zone()
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end, time.min, zone),
        )

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def company_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def company_day(moment: datetime | None = None) -> date:
    """The company's calendar day of `moment` (now when None)."""
    return timezone.localtime(moment or timezone.now(), company_zone()).date()


def fiscal_year_of(day: date, start_month: int) -> int:
    return day.year if day.month >= start_month else day.year - 1


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period(
        MONTH, start, _add_months(start, 1), f"{year:04d}-{month:02d}", start.strftime("%b %Y")
    )


def quarter_period(fiscal_year: int, quarter: int, start_month: int) -> Period:
    start = _add_months(date(fiscal_year, start_month, 1), 3 * (quarter - 1))
    return Period(
        QUARTER,
        start,
        _add_months(start, 3),
        f"FY{fiscal_year}-Q{quarter}",
        f"Q{quarter} FY{fiscal_year}",
    )


def year_period(fiscal_year: int, start_month: int) -> Period:
    start = date(fiscal_year, start_month, 1)
    return Period(YEAR, start, _add_months(start, 12), f"FY{fiscal_year}", f"FY{fiscal_year}")


def period_of(day: date, kind: str, start_month: int) -> Period:
    if kind == MONTH:
        return month_period(day.year, day.month)
    fiscal_year = fiscal_year_of(day, start_month)
    if kind == YEAR:
        return year_period(fiscal_year, start_month)
    offset = (day.month - start_month) % 12
    return quarter_period(fiscal_year, offset // 3 + 1, start_month)


def parse_period(key: str, start_month: int, *, field: str = "period") -> Period:
    """The period named by `key`; a DomainError (400, on `field`) for anything else."""
    key = (key or "").strip().upper()
    if match := _MONTH.match(key):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 1900 < year < 2200:
            return month_period(year, month)
    elif match := _QUARTER.match(key):
        year = int(match[1])
        if 1900 < year < 2200:
            return quarter_period(year, int(match[2]), start_month)
    elif match := _YEAR.match(key):
        year = int(match[1])
        if 1900 < year < 2200:
            return year_period(year, start_month)
    raise DomainError(
        f"Unknown period {key!r}: use a month (2026-03), a fiscal quarter (FY2026-Q1) "
        "or a fiscal year (FY2026).",
        field=field,
    )


def months_of(period: Period) -> list[Period]:
    months = []
    day = period.start
    while day < period.end:
        months.append(month_period(day.year, day.month))
        day = _add_months(day, 1)
    return months


def quarters_of(fiscal_year: int, start_month: int) -> list[Period]:
    return [quarter_period(fiscal_year, q, start_month) for q in range(1, 5)]


def current(kind: str, start_month: int) -> Period:
    return period_of(company_day(), kind, start_month)
