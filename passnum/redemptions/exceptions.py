"""Why a redemption or an undo is refused. A refused redemption names every bad pass."""

from passnum.common.exceptions import (
    Conflict,
    DomainError,
    Gone,
    InvalidInput,
    NotAllowed,
    NotFound,
)


class NotAccredited(NotAllowed):
    code = "not_accredited"
    message = (
        "Votre structure n'est pas habilitée à encaisser des pass : son habilitation n'est pas "
        "encore accordée ou elle est suspendue. Contactez le pilote du programme."
    )


class DateInFuture(InvalidInput):
    code = "date_in_future"
    message = "La date de la séance ne peut pas être dans le futur."


class UndoTooLate(Conflict):
    code = "undo_too_late"
    message = "Une séance ne peut être annulée que dans les 48 heures qui suivent sa déclaration."


class InStatement(Conflict):
    code = "in_statement"
    message = (
        "Cette séance figure déjà sur un relevé de remboursement : elle ne peut plus être annulée."
    )


class AlreadyUndone(Conflict):
    code = "already_undone"
    message = "Cette séance a déjà été annulée."


# Why one pass is refused: its French message and the kind of failure (the HTTP status).
REASONS: dict[str, tuple[type[DomainError], str]] = {
    "malformed_code": (
        InvalidInput,
        "code mal saisi : vérifiez chaque caractère (12 caractères, par exemple K7QM-9T2D-XH47)",
    ),
    "duplicate_code": (InvalidInput, "ce code est saisi deux fois"),
    "unknown_code": (NotFound, "aucun pass de ce programme ne correspond à ce code"),
    "already_redeemed": (Conflict, "ce pass a déjà été encaissé"),
    "cancelled": (Conflict, "ce pass a été annulé (déclaré perdu ou volé)"),
    "expired": (Gone, "ce pass a expiré"),
    "not_assigned": (Conflict, "ce pass n'a pas encore été remis à une personne"),
    "before_prescription": (
        InvalidInput,
        "la séance a eu lieu avant la remise du chéquier",
    ),
    "after_end_date": (Gone, "la séance a eu lieu après la fin de validité du pass"),
    "too_many_passes": (
        InvalidInput,
        "trop de pass d'une même personne pour la durée de la séance (un pass par heure)",
    ),
}


class RedemptionRefused(DomainError):
    """All or nothing: at least one pass is bad, so none is redeemed.

    ``passes`` lists every bad pass as ``{input, reason, message}``; ``code`` is the reason of
    the first one, whose kind (``NotFound``, ``Conflict``, ``Gone``, ``InvalidInput``) also
    gives the HTTP status. Build it with ``RedemptionRefused.of(passes)``.
    """

    _classes: dict[type, type] = {}

    @classmethod
    def of(cls, passes: list[dict]) -> "RedemptionRefused":
        first = passes[0]["reason"]
        kind = REASONS[first][0]
        if kind not in cls._classes:
            cls._classes[kind] = type(f"RedemptionRefused{kind.__name__}", (cls, kind), {})
        count = len(passes)
        message = (
            "Aucun pass n'a été encaissé : "
            + ("1 pass est refusé" if count == 1 else f"{count} pass sont refusés")
            + ". "
            + " ; ".join(f"{p['input']} : {_lower_first(p['message'])}" for p in passes)
            + "."
        )
        return cls._classes[kind](message, code=first, passes=passes)

    @property
    def passes(self) -> list[dict]:
        return self.extra["passes"]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def refusal(text: str, reason: str, detail: str = "") -> dict:
    """One bad pass as the refusal lists it."""
    message = REASONS[reason][1]
    if detail:
        message = f"{message} ({detail})"
    return {"input": text, "reason": reason, "message": message[0].upper() + message[1:]}
