"""The API's router: record ids in URLs are digits, so `/accounts/abc/restore/` is a 404."""

from typing import Any

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    """DefaultRouter whose `{id}` segment matches digits only (unless a viewset says otherwise).

    Without this the segment matches anything, and a custom action that reads `pk` itself
    (`restore`, `shares`, …) handed "abc" to an integer lookup: ValueError, a 500.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trailing_slash", True)
        super().__init__(**kwargs)
        self._default_value_pattern = "[0-9]+"
        self.include_root_view = False
        self.include_format_suffixes = False
