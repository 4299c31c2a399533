"""DRF permissions shared by the API's administrator-only endpoints."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsAdministrator(BasePermission):
    """Every method, reads included, is for administrators only (403 for others)."""

    message = "Administrators only."

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request.user, "is_admin", False)
