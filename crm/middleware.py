"""Request guards that run before any view."""

import time
from collections.abc import Callable
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse

from crm.limits import NUL_MESSAGE
from crm.views.errors import bad_request_answer

SESSION_STARTED_KEY = "crm_session_started"
SESSION_SEEN_KEY = "crm_session_seen"


class RequestSizeLimitMiddleware:
    """Refuse oversized bodies with 413 before Django reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = (
            settings.UPLOAD_MAX_BODY_BYTES
            if content_type.startswith("multipart/")
            else settings.REQUEST_MAX_BODY_BYTES
        )
        if length > limit:
            return JsonResponse(
                {
                    "error": {
                        "status": 413,
                        "code": "request_too_large",
                        "message": f"Request body is larger than {limit} bytes.",
                    }
                },
                status=413,
            )
        return self.get_response(request)


class NulQueryMiddleware:
    """Answer 400 to a query string holding a NUL character (PostgreSQL refuses it in text).

    One rule for every page and API filter (`q`, `status`, `?email=` …) instead of one per
    field; JSON bodies are checked by crm.api.parsers, form fields by Django's CharField.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in unquote_plus(query) or "\x00" in request.path:
            return bad_request_answer(request, NUL_MESSAGE)
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """End sessions older than SESSION_ABSOLUTE_SECONDS; idle expiry is SESSION_COOKIE_AGE,
    counted from the last write. The session is written (and its expiry pushed back) at most
    once per SESSION_REFRESH_SECONDS of activity, not on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return self.get_response(request)
            seen = request.session.get(SESSION_SEEN_KEY)
            if seen is None or now - float(seen) >= settings.SESSION_REFRESH_SECONDS:
                request.session[SESSION_SEEN_KEY] = now  # modified: saved with a new expiry
        return self.get_response(request)
