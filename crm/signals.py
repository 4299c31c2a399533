"""Session bookkeeping on login and the request cache of shares (infrastructure, not
business logic)."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from crm.middleware import SESSION_STARTED_KEY
from crm.models import RecordShare
from crm.request_cache import forget


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = time.time()


@receiver([post_save, post_delete], sender=RecordShare)
def forget_remembered_shares(sender: Any, **kwargs: Any) -> None:
    """A share written in this request shows in the rest of it (crm.request_cache)."""
    forget()
