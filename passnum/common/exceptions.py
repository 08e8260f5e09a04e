"""Domain exceptions.

Business functions raise these; views and API routes translate them. Each carries a stable
machine ``code`` (an API value) and a French ``message`` for people. The base classes say which
kind of failure it is, and the API maps each kind to one HTTP status.
"""


class DomainError(Exception):
    code = "error"
    message = "L'opération n'a pas pu être réalisée."

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra):
        self.message = message or self.message
        if code:
            self.code = code
        self.extra = extra
        super().__init__(self.message)


class NotAuthenticated(DomainError):
    """Who asks is not known: wrong credentials, or no valid token (HTTP 401)."""

    code = "not_authenticated"
    message = "Authentification requise."


class NotAllowed(DomainError):
    """The actor's role or organisation may not do this (HTTP 403)."""

    code = "forbidden"
    message = "Votre rôle ne permet pas cette action."


class NotFound(DomainError):
    """The object does not exist, or not for this actor (HTTP 404)."""

    code = "not_found"
    message = "Élément introuvable."


class InvalidInput(DomainError):
    """The input breaks a business rule (HTTP 422)."""

    code = "invalid"
    message = "Les données saisies ne sont pas valides."


class Conflict(DomainError):
    """The current state forbids the operation (HTTP 409)."""

    code = "conflict"
    message = "L'opération est impossible dans l'état actuel."


class Gone(DomainError):
    """The object existed but can no longer be used (HTTP 410)."""

    code = "gone"
    message = "Cet élément n'est plus utilisable."


class TooManyRequests(DomainError):
    """Too many attempts in a short time (HTTP 429)."""

    code = "throttled"
    message = "Trop de tentatives : réessayez dans quelques minutes."
