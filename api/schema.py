"""OpenAPI description of the partner key header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.PartnerKeyAuthentication"
    name = "PartnerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>` — ask an administrator for a key; it is shown once.",
        }


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 7807 style problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong in this request."},
        "errors": {
            "type": "object",
            "description": "For a 400: each bad parameter and what was wrong with it.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
PROBLEM_RESPONSES = {
    "400": "Invalid query parameter (the detail names it).",
    "401": "No key, or a wrong or revoked key.",
    "403": "The key may not read this.",
    "404": "No such resource or page.",
    "429": "Too many requests for this key; see Retry-After.",
}


def problem_responses_add(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents its problem responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result["paths"].values():
        for operation in operations.values():
            for code, description in PROBLEM_RESPONSES.items():
                operation["responses"].setdefault(code, {"description": description, "content": content})
    return result
