"""The OpenAPI schema tells the truth about every endpoint, without each endpoint having to say it.

- **Errors.** Every operation lists the error statuses it can answer, each with the one error body of the API
  (``{"detail", "code", "extra"}``, ``partnerhub.core.api.errors``): 400 (any input can be refused: a NUL in the
  query string, a field), 503 (the database is unreachable, ``partnerhub.core.views.errors``), 401 and 403 when
  it needs a signed-in caller, 404 under ``/t/<program>/`` or with an object in its path, 405 for a method the view
  lacks, and what a view adds in ``error_statuses`` (the token endpoint's 429).
- **Pagination.** A list that ``TenantApi`` paginates (its ``pagination_class``, the project default unless a view
  sets None) is declared as the page envelope (``count``, ``next``, ``previous``, ``results``) with its ``page``
  parameter; drf-spectacular does it once it sees the view's paginator.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error of the API has this shape.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "code": {
            "description": "A stable code to branch on (invalid, not_found, permission_denied, locked_out, ...).",
            "oneOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}],
        },
        "extra": {"type": "object", "additionalProperties": True, "description": "Details, e.g. field errors."},
    },
    "required": ["detail", "code", "extra"],
}
DESCRIPTIONS = {
    400: "The input was refused (a field, a parameter, a NUL character); nothing was written.",
    401: "No valid credentials were given.",
    403: "Signed in, but not allowed to do this here.",
    404: "No such program for you, or no such object in it.",
    405: "This method is not offered here.",
    415: "The request body's content type is not one this operation reads (JSON, a form, or a multipart upload).",
    429: "Too many attempts; see the Retry-After header.",
    503: "The database cannot be reached; nothing was written. Try again after Retry-After seconds.",
}


class PartnerHubAutoSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for status in sorted(self._error_statuses()):
            responses.setdefault(
                str(status),
                {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
                },
            )
        return operation

    def _error_statuses(self) -> set[int]:
        view = self.view
        statuses = {400, 405, 503, *getattr(view, "error_statuses", ())}
        if not all(isinstance(p, AllowAny) for p in view.get_permissions()):
            statuses |= {401, 403}
        if "{" in self.path:
            statuses.add(404)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.add(415)  # a body DRF cannot parse for its content type (a malformed multipart, say)
        return statuses


def add_error_component(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Postprocessing hook: the error body the operations refer to."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    return result
