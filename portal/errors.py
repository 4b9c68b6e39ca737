"""The one domain error type: services raise it, the API and the pages turn it into an answer."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused an action.

    ``code`` is a stable machine-readable slug, ``message`` a sentence a person can act on,
    ``status`` the HTTP status the API answers with, ``fields`` optional per-field messages.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        status: int = 400,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields = fields or {}
