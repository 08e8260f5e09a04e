from passnum.common.exceptions import InvalidInput


class UnknownCommune(InvalidInput):
    code = "unknown_commune"
    message = "Commune inconnue sur le territoire du programme."


class AmbiguousCommune(InvalidInput):
    code = "ambiguous_commune"
    message = "Plusieurs communes correspondent : précisez le code INSEE."


class CommuneFileError(InvalidInput):
    code = "invalid_file"
    message = "Le fichier des communes contient des erreurs ; rien n'a été importé."

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            "Le fichier des communes contient des erreurs ; rien n'a été importé :\n"
            + "\n".join(errors)
        )
