from passnum.common.exceptions import Conflict, Gone, InvalidInput, NotFound

from .codes import MalformedCode

__all__ = [
    "BudgetExhausted",
    "DeliveryFileInvalid",
    "MalformedCode",
    "PassExpired",
    "PassNotUnused",
    "StockLimitExceeded",
    "UnknownCode",
]


class UnknownCode(NotFound):
    code = "unknown_code"
    message = "Aucun pass ne correspond à ce code."


class PassExpired(Gone):
    code = "expired"
    message = "Ce pass a expiré."


class PassNotUnused(Conflict):
    code = "not_unused"
    message = "Seuls les pass attribués et non utilisés peuvent être annulés."


class BudgetExhausted(Conflict):
    code = "budget_exhausted"
    message = "Le budget disponible ne couvre plus un chéquier."


class StockLimitExceeded(InvalidInput):
    code = "stock_limit_exceeded"
    message = "Le budget des pass ne permet pas d'en acheter autant."


class DeliveryFileInvalid(InvalidInput):
    """A delivery file with bad lines; ``errors`` lists each, with its line number."""

    code = "invalid_file"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            f"Fichier refusé, aucun pass importé : {len(errors)} erreur(s).", errors=errors
        )
