from passnum.common.exceptions import NotAuthenticated, NotFound, TooManyRequests


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    message = "Identifiant ou mot de passe incorrect."


class TooManyAttempts(TooManyRequests):
    code = "too_many_attempts"
    message = (
        "Trop de tentatives de connexion infructueuses : réessayez dans 15 minutes ou "
        "réinitialisez votre mot de passe."
    )


class TokenNotFound(NotFound):
    code = "token_not_found"
    message = "Jeton introuvable."
