"""Session bookkeeping on login (infrastructure, not business logic)."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from crm.middleware import SESSION_STARTED_KEY


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = time.time()
