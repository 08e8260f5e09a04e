from passnum.common.exceptions import NotAuthenticated, NotFound, TooManyRequests


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    message = "Identifiant ou mot de passe incorrect."


class TooManyAttempts(TooManyRequests):
    """The account is locked (too many failures on it, from any address)."""

    code = "too_many_attempts"
    message = (
        "Trop de tentatives de connexion infructueuses sur ce compte : réessayez dans "
        "15 minutes ou réinitialisez votre mot de passe."
    )


class TooManyAttemptsFromAddress(TooManyAttempts):
    """The client's address is locked (too many failures from it, on any accounts)."""

    message = (
        "Trop de tentatives de connexion infructueuses depuis votre adresse : réessayez dans "
        "15 minutes."
    )


class TokenNotFound(NotFound):
    code = "token_not_found"
    message = "Jeton introuvable."


class TooManyResetRequests(TooManyRequests):
    code = "too_many_resets"
    message = (
        "Trop de demandes de réinitialisation de mot de passe depuis votre connexion : "
        "réessayez dans une heure."
    )
