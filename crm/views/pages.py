"""The app shell's pages: home, health check, error handlers."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from crm import heartbeat
from crm.access import AUTHENTICATED, PUBLIC, AuthenticatedRequest, access
from crm.health import redis_ping


@access(PUBLIC)
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": "ok", "redis": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # the health check reports every failure, whatever its type
        checks["database"] = f"error: {type(exc).__name__}"
    if not redis_ping():
        checks["redis"] = "error: no answer"
    healthy = all(v == "ok" for v in checks.values())
    # Worker and beat are reported, not required: the site serves while they restart.
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks, **heartbeat.report()},
        status=200 if healthy else 503,
    )


@access(AUTHENTICATED)
def section(request: AuthenticatedRequest, *, title: str, icon: str, text: str) -> HttpResponse:
    return render(
        request,
        "crm/section_empty.html",
        {"section_title": title, "section_icon": icon, "section_text": text},
    )
