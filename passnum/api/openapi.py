"""What every operation of the API can answer, added to its OpenAPI description.

The kit answers some statuses before or around any route, whatever the route declares: 401
without a valid token, 422 for a path or query parameter or a body that does not parse, 413 and
415 for a body too large or not in JSON. ``complete`` adds them to each operation concerned, so
that a client generated from the schema (or schemathesis) expects exactly what the server does;
each route still declares the statuses of its own rules (403, 404, 409, 410, 422, 429).
"""

from .schemas import Error, InvalidInputOut

ERROR = "#/components/schemas/Error"
INVALID = "#/components/schemas/InvalidInputOut"

AUTHENTICATION = (
    401,
    "Authentification requise : jeton absent, inconnu, expiré ou révoqué (`not_authenticated`).",
    ERROR,
)
INVALID_REQUEST = (
    422,
    "Données invalides : paramètre, champ manquant, inconnu ou hors des bornes "
    "(`invalid_input`, `unknown_field`, `malformed_json`, ou le code de la règle).",
    INVALID,
)
BODY_TOO_LARGE = (413, "Corps de la requête trop volumineux (`request_too_large`).", ERROR)
NOT_JSON = (
    415,
    "Corps qui n'est pas du JSON, envoyé comme un formulaire (`unsupported_media_type`).",
    ERROR,
)


def _response(description: str, ref: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _add_components(schema, *models) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in found.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault(model.__name__, found)


def complete(schema):
    """``schema`` (an OpenAPI dict) with the kit's statuses added to each operation."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            added = []
            if operation.get("security"):
                added.append(AUTHENTICATION)
            if operation.get("parameters") or operation.get("requestBody"):
                added.append(INVALID_REQUEST)
            if operation.get("requestBody"):
                added += [BODY_TOO_LARGE, NOT_JSON]
            responses = operation.setdefault("responses", {})
            for status, description, ref in added:
                # ninja keys the statuses by number; a schema read back from JSON, by text
                if status not in responses and str(status) not in responses:
                    responses[status] = _response(description, ref)
    _add_components(schema, Error, InvalidInputOut)
    return schema
