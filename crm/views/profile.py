"""The signed-in user's own page: details, password, personal API token."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from rest_framework.authtoken.models import Token

from crm.access import AUTHENTICATED, AuthenticatedRequest, access
from crm.models.audit import AuditAction
from crm.services.audit import audit


@access(AUTHENTICATED)
def profile(request: AuthenticatedRequest) -> HttpResponse:
    token = Token.objects.filter(user=request.user).first()
    new_key = request.session.pop("crm_new_token", None)
    return render(request, "crm/profile.html", {"token": token, "new_key": new_key})


@access(AUTHENTICATED)
def token_regenerate(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        audit(
            actor=request.user,
            obj=request.user,
            action=AuditAction.UPDATE,
            changes={"api_token": ["", "regenerated"]},
        )
        # Shown once, on the next page only.
        request.session["crm_new_token"] = token.key
        messages.success(request, "New API token created. Copy it now: it won't be shown again.")
    return redirect("crm:profile")


@access(AUTHENTICATED)
def token_revoke(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        audit(
            actor=request.user,
            obj=request.user,
            action=AuditAction.UPDATE,
            changes={"api_token": ["", "revoked"]},
        )
        messages.success(request, "API token revoked.")
    return redirect("crm:profile")
