"""The signed-in user's own page: details, password, personal API token."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from crm.access import AUTHENTICATED, AuthenticatedRequest, access
from crm.services import tokens


@access(AUTHENTICATED)
def profile(request: AuthenticatedRequest) -> HttpResponse:
    token = Token.objects.filter(user=request.user).first()
    new_key = request.session.pop("crm_new_token", None)
    return render(request, "crm/profile.html", {"token": token, "new_key": new_key})


@access(AUTHENTICATED)
@require_POST
def token_regenerate(request: AuthenticatedRequest) -> HttpResponse:
    token = tokens.token_regenerate(actor=request.user)
    request.session["crm_new_token"] = token.key  # shown once, on the next page only
    messages.success(request, "New API token created. Copy it now: it won't be shown again.")
    return redirect("crm:profile")


@access(AUTHENTICATED)
@require_POST
def token_revoke(request: AuthenticatedRequest) -> HttpResponse:
    tokens.token_revoke(actor=request.user)
    messages.success(request, "API token revoked.")
    return redirect("crm:profile")
