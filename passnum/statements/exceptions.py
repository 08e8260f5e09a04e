from passnum.common.exceptions import Conflict, InvalidInput


class InvalidPeriod(InvalidInput):
    code = "invalid_period"
    message = "Le mois n'est pas valide : indiquez-le au format AAAA-MM (par exemple 2026-03)."


class PeriodInFuture(InvalidInput):
    code = "period_in_future"
    message = "Ce mois n'a pas encore commencé : aucun relevé ne peut être établi."


class NotDraft(Conflict):
    code = "not_draft"
    message = "Ce relevé n'est plus un brouillon : il a déjà été validé."


class EmptyStatement(Conflict):
    code = "empty_statement"
    message = "Ce relevé ne contient aucun pass encaissé : il ne peut pas être validé."


class NoBankDetails(Conflict):
    code = "no_bank_details"
    message = (
        "La structure n'a pas enregistré ses coordonnées bancaires : le relevé ne peut pas être "
        "validé tant qu'elle ne les a pas saisies."
    )


class NotValidated(Conflict):
    code = "not_validated"
    message = "Ce relevé doit être validé (et pas encore payé) pour cette opération."


class AlreadyExported(Conflict):
    code = "already_exported"
    message = "Le virement de ce relevé a déjà été produit."
