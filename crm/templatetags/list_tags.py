"""Sortable column headers for list pages.

    {% load list_tags %}
    <th ...>{% sort_link "Amount" "amount" "-amount" current=sort %}</th>

A click sorts by the column, ascending first (or as `first` says), a second click the other
way; the link keeps the page's filters and drops its position (keyset cursors belong to
one sort). Pass the same key twice for a column that sorts one way only.
"""

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()

PAGE_POSITION = ("sort", "after", "before", "cursor")


@register.simple_tag(takes_context=True)
def sort_link(
    context: dict[str, Any], label: str, asc: str, desc: str, current: str = "", first: str = ""
) -> str:
    request = context["request"]
    params = request.GET.copy()
    for key in PAGE_POSITION:
        params.pop(key, None)
    if current == asc:
        target, arrow, state = (desc, "bi-arrow-up", "ascending")
    elif current == desc:
        target, arrow, state = (asc, "bi-arrow-down", "descending")
    else:
        target, arrow, state = (first or asc, "", "")
    params["sort"] = target
    icon = format_html(' <i class="bi {}" aria-hidden="true"></i>', arrow) if arrow else ""
    hint = f"sorted {state}, " if state else ""
    return format_html(
        '<a class="sort-link" href="?{}" aria-label="{} ({}click to sort)">{}{}</a>',
        params.urlencode(),
        label,
        hint,
        label,
        icon,
    )
