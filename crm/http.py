"""Facts about an HTTP request that pages and the API both need."""

from django.http import HttpRequest
from rest_framework.request import Request


def client_ip(request: HttpRequest | Request) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def request_origin(request: HttpRequest | Request) -> str:
    origin = request.headers.get("Origin", "")
    if origin and origin != "null":
        return origin
    referer = request.headers.get("Referer", "")
    if "://" in referer:
        scheme, rest = referer.split("://", 1)
        return f"{scheme}://{rest.split('/', 1)[0]}"
    return ""
