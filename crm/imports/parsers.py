"""Cell text → Python values, forgiving of how spreadsheets and other CRMs write them.

Each parser returns the value or raises `ValueError` with a message fit for the row report.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from crm.limits import IMPORT_YEAR_MAX, IMPORT_YEAR_MIN, INT_MAX, INT_MIN

# Placeholders that mean "no value" (X Education's "Select", spreadsheet errors, dashes).
BLANK_VALUES = frozenset(
    {"select", "n/a", "#n/a", "na", "null", "nil", "none", "-", "\u2014", "\u2013"}
)

_CURRENCY = re.compile(
    r"[$€£¥₹₽₩₪₫฿₴₦₱]|\b(?:USD|EUR|GBP|JPY|CHF|CAD|AUD|INR|CNY|SEK|NOK|DKK)\b", re.I
)
_FORMULA = re.compile(r"^=\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(|^=\s*\$?[A-Za-z]{1,3}\$?\d+")

_DATE_FORMATS_COMMON = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %Y",
    "%B %Y",
)
_DATE_FORMATS_MONTH_FIRST = ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%m.%d.%Y")
_DATE_FORMATS_DAY_FIRST = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d.%m.%y")
_TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S", " %I:%M %p", " %I:%M:%S %p")


def clean_text(value: str) -> str:
    """Trim, normalise Unicode (NFC, so accents compare equal), drop placeholders."""
    text = unicodedata.normalize("NFC", value).strip()
    if text.lower() in BLANK_VALUES:
        return ""
    return text


# What crm.exports.safe_cell writes before formula-like text: a single quote. Read it back
# so a file we exported (the rejected rows, a list export) imports as it was.
_GUARDED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def strip_formula_guard(value: str) -> str:
    """`'+1 617 555 0101` → `+1 617 555 0101`: undo the exporter's formula guard."""
    return value[1:] if value.startswith(_GUARDED) else value


def looks_like_formula(value: str) -> bool:
    return bool(_FORMULA.match(value.strip()))


def _date_formats(day_first: bool, strict: bool = False) -> tuple[str, ...]:
    if strict:  # the column's order is known: never the other one for a single row
        return _DATE_FORMATS_COMMON + (
            _DATE_FORMATS_DAY_FIRST if day_first else _DATE_FORMATS_MONTH_FIRST
        )
    ordered = (
        (_DATE_FORMATS_DAY_FIRST + _DATE_FORMATS_MONTH_FIRST)
        if day_first
        else (_DATE_FORMATS_MONTH_FIRST + _DATE_FORMATS_DAY_FIRST)
    )
    return _DATE_FORMATS_COMMON + ordered


_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:$|[\sT])")


def numeric_date_parts(value: str) -> tuple[int, int] | None:
    """The first two numbers of `03/04/2017`-like dates (whose order is in question)."""
    match = _NUMERIC_DATE.match(value)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _parse_any(value: str, *, day_first: bool, strict: bool = False) -> datetime:
    text = re.sub(r"\s+", " ", value.strip().replace(",", " ")).strip()
    iso = text.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is None:
        for base in _date_formats(day_first, strict):
            for suffix in _TIME_SUFFIXES:
                try:
                    parsed = datetime.strptime(text, base + suffix)  # noqa: DTZ007 - made aware below
                except ValueError:
                    continue
                break
            if parsed is not None:
                break
    if parsed is None:
        if strict and numeric_date_parts(value):
            order = "day first" if day_first else "month first"
            raise ValueError(f"“{value}” is not a date written {order}, as this column is.")
        raise ValueError(f"“{value}” is not a date we understand (use YYYY-MM-DD).")
    if not IMPORT_YEAR_MIN <= parsed.year <= IMPORT_YEAR_MAX:
        raise ValueError(f"“{value}” is outside the years {IMPORT_YEAR_MIN} to {IMPORT_YEAR_MAX}.")
    return parsed


def parse_datetime(value: str, *, day_first: bool = False, strict: bool = False) -> datetime:
    parsed = _parse_any(value, day_first=day_first, strict=strict)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def parse_date(value: str, *, day_first: bool = False, strict: bool = False) -> date:
    parsed = _parse_any(value, day_first=day_first, strict=strict)
    return parsed.date() if timezone.is_naive(parsed) else timezone.localtime(parsed).date()


def parse_decimal(value: str) -> Decimal:
    """'$1,234.50', '1.234,50 €', '(300)', '1 234', "1'000" → Decimal."""
    text = _CURRENCY.sub("", value).replace("\u00a0", "").replace("\u202f", "")
    text = text.replace(" ", "").replace("'", "").strip()
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    if text.endswith("-"):
        negative, text = not negative, text[:-1]
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif text.count(",") > 1 or re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    if text.endswith("%"):
        text = text[:-1]
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"“{value}” is not a number.") from exc
    if not number.is_finite():
        raise ValueError(f"“{value}” is not a number.")
    return -number if negative else number


def parse_int(value: str) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"“{value}” is not a whole number.")
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError(f"“{value}” is too large.")
    return int(number)


_TRUE = {"1", "true", "yes", "y", "x", "t", "on", "oui", "ja", "si", "sí"}
_FALSE = {"0", "false", "no", "n", "f", "off", "non", "nein"}


def parse_bool(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"“{value}” is not yes or no.")


def normalise_key(value: str) -> str:
    """How names compare: case-, width-, space-, underscore- and punctuation-insensitive
    ("direct_traffic" is "Direct Traffic", "Live-Chat" is "live chat", "GTX Pro." is "GTX
    Pro"). One rule for headers, list values, owners and value maps."""
    text = unicodedata.normalize("NFKC", value).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()
