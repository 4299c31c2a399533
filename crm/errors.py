"""Domain errors raised by services; views and the API turn them into answers."""

from typing import Any


class DomainError(Exception):
    """A write was refused for a reason the user can act on."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class StaleVersion(DomainError):
    status = 412
    code = "stale_version"
