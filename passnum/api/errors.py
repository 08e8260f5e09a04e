"""One error format for the whole API: ``{"detail": "<French message>", "code": "<code>"}``."""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from passnum.common.exceptions import (
    Conflict,
    DomainError,
    Gone,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)

from .parser import UnsupportedMediaType

logger = logging.getLogger(__name__)

STATUS_BY_KIND = [
    (NotAuthenticated, 401),
    (TooManyRequests, 429),
    (NotAllowed, 403),
    (NotFound, 404),
    (InvalidInput, 422),
    (Conflict, 409),
    (Gone, 410),
]

# French messages for the pydantic error types a client can meet.
PYDANTIC_MESSAGES = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "string_type": "doit être une chaîne de caractères",
    "string_too_short": "ne peut pas être vide",
    "string_too_long": "est trop long",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "bool_type": "doit valoir true ou false",
    "bool_parsing": "doit valoir true ou false",
    "date_type": "doit être une date au format AAAA-MM-JJ",
    "date_parsing": "doit être une date au format AAAA-MM-JJ",
    "date_from_datetime_parsing": "doit être une date au format AAAA-MM-JJ",
    "date_from_datetime_inexact": "doit être une date au format AAAA-MM-JJ",
    "list_type": "doit être une liste",
    "dict_type": "doit être un objet",
    "model_attributes_type": "doit être un objet",
    "enum": "valeur inconnue",
    "literal_error": "valeur inconnue",
    "greater_than": "est trop petit",
    "greater_than_equal": "est trop petit",
    "less_than": "est trop grand",
    "less_than_equal": "est trop grand",
    "value_error": "valeur invalide",
}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "corps"


def _message(error: dict) -> str:
    if error.get("type") == "value_error" and error.get("ctx", {}).get("error"):
        return str(error["ctx"]["error"])
    return PYDANTIC_MESSAGES.get(error.get("type"), "valeur invalide")


def _jsonable(value) -> bool:
    """Plain JSON data only: model instances carried by an exception stay out of the body."""
    if isinstance(value, str | int | float | bool) or value is None:
        return True
    if isinstance(value, list | tuple):
        return all(_jsonable(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _jsonable(v) for k, v in value.items())
    return False


def error_body(detail: str, code: str, **extra) -> dict:
    return {"detail": detail, "code": code, **extra}


def install(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        status = next((s for kind, s in STATUS_BY_KIND if isinstance(exc, kind)), 400)
        extra = {k: v for k, v in exc.extra.items() if _jsonable(v)}
        return api.create_response(
            request, error_body(exc.message, exc.code, **extra), status=status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [
            {"field": _field_name(e.get("loc", ())), "message": _message(e)} for e in exc.errors
        ]
        unknown = [
            e["field"]
            for e, raw in zip(errors, exc.errors, strict=True)
            if raw.get("type") == "extra_forbidden"
        ]
        if unknown:
            detail = f"Champ inconnu : {', '.join(unknown)}."
            code = "unknown_field"
        else:
            detail = (
                "Données invalides : "
                + " ; ".join(f"{e['field']} {e['message']}" for e in errors)
                + "."
            )
            code = "invalid_input"
        return api.create_response(request, error_body(detail, code, errors=errors), status=422)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return api.create_response(
            request,
            error_body(
                "Authentification requise : envoyez un jeton valide dans l'en-tête "
                "« Authorization: Bearer <jeton> » (POST /api/v1/auth/token).",
                "not_authenticated",
            ),
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, UnsupportedMediaType):
            cause = exc.__cause__
            return api.create_response(
                request, error_body(cause.message, cause.code), status=cause.status
            )
        if exc.status_code == 400:
            return api.create_response(
                request,
                error_body("Le corps de la requête n'est pas un JSON valide.", "malformed_json"),
                status=422,
            )
        if exc.status_code == 429:
            return api.create_response(
                request,
                error_body("Trop de requêtes : réessayez plus tard.", "throttled"),
                status=429,
            )
        return api.create_response(
            request,
            error_body("La requête n'a pas pu aboutir.", "http_error"),
            status=exc.status_code,
        )

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return api.create_response(
            request,
            error_body("Le corps de la requête est trop volumineux.", "request_too_large"),
            status=413,
        )

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return api.create_response(
            request, error_body("La requête est mal formée.", "bad_request"), status=400
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, error_body(NotFound.message, NotFound.code), status=404
        )

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("Erreur non traitée dans l'API", exc_info=exc)
        return api.create_response(
            request,
            error_body(
                "Erreur interne du serveur : l'équipe technique a été prévenue.", "server_error"
            ),
            status=500,
        )
