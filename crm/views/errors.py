"""Error pages: HTML for the browser, the one JSON error shape under /api/."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from crm.api.errors import error_body


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def _answer(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(status, code, message), status=status)
    return render(request, f"{status}.html", {"message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 400, "bad_request", "The request could not be understood.")


def bad_request_answer(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 with `message`, for guards that refuse a request before any view runs."""
    return _answer(request, 400, "bad_request", message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 403, "permission_denied", "You don't have access to this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404, "not_found", "This page doesn't exist or isn't visible to you.")


RETRY_AFTER_SECONDS = 5


def _database_unavailable(request: HttpRequest) -> HttpResponse:
    message = "The database is unavailable for a moment. Try again in a few seconds."
    if _wants_json(request):
        response: HttpResponse = JsonResponse(error_body(503, "unavailable", message), status=503)
    else:
        response = HttpResponse(
            f"<!doctype html><title>Back in a moment</title><h1>Back in a moment</h1><p>{message}",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Called inside Django's `except`: a lost or refused database connection (PostgreSQL
    # restarting, its backends killed) is a 503 with Retry-After, not a 500. Django drops
    # the broken connection at the end of the request; the next one reconnects.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return _database_unavailable(request)
    if _wants_json(request):
        return JsonResponse(
            error_body(500, "server_error", "Something went wrong on our side."), status=500
        )
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _answer(
        request,
        403,
        "csrf_failed",
        "Your form expired or came from elsewhere. Reload the page and try again.",
    )
