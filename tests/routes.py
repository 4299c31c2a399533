"""Walk the URL configuration: every route with its name, kwargs and access rule."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern


@dataclass
class Route:
    pattern: str
    name: str  # namespaced, for reverse()
    kwargs: list[str]
    callback: Callable[..., Any]
    defaults: dict[str, Any]

    @property
    def rule(self) -> str | None:
        for holder in (
            self.callback,
            getattr(self.callback, "cls", None),
            getattr(self.callback, "view_class", None),
        ):
            if holder is None:
                continue
            rule = getattr(holder, "crm_access", None) or getattr(holder, "access", None)
            if isinstance(rule, str):
                return rule
        return None


def _kwarg_names(pattern: URLPattern | URLResolver) -> list[str]:
    if isinstance(pattern.pattern, RoutePattern):
        return list(pattern.pattern.converters)
    return list(pattern.pattern.regex.groupindex)


def iter_routes(
    resolver: URLResolver | None = None,
    prefix: str = "",
    namespace: str = "",
    kwargs: list[str] | None = None,
) -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        here = prefix + str(pattern.pattern)
        names = [*(kwargs or []), *_kwarg_names(pattern)]
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from iter_routes(pattern, here, ns, names)
        elif pattern.name:
            yield Route(
                here, namespace + pattern.name, names, pattern.callback, dict(pattern.default_args)
            )
