"""Values remembered for one request: a page asks the visibility rule many times (lists,
panels, counts), and the records shared with the user don't change in between.

`RequestCacheMiddleware` opens a cache per request (a context variable, so each thread of
a threaded worker has its own); `remembered(key, compute)` reads through it, and outside a
request (tasks, shells, tests calling selectors directly) simply computes. Writing or
deleting a share forgets everything remembered (crm.signals), so a request that shares a
record and then reads sees the share.
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_current: ContextVar[dict[Any, Any] | None] = ContextVar("crm_request_cache", default=None)


def remembered[T](key: Any, compute: Callable[[], T]) -> T:
    cache = _current.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    value: T = cache[key]
    return value


def forget() -> None:
    cache = _current.get()
    if cache is not None:
        cache.clear()


class RequestCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set({})
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
