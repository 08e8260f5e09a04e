from passnum.common.exceptions import Conflict, NotFound


class EmailNotFound(NotFound):
    message = "Courriel introuvable."


class EmailNotFailed(Conflict):
    code = "not_failed"
    message = "Seul un courriel en échec peut être envoyé à nouveau."


class SecretErased(Conflict):
    code = "secret_erased"
    message = (
        "Ce courriel contenait un lien secret, effacé depuis son expiration : la personne doit "
        "refaire sa demande."
    )
