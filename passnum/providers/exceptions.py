"""Errors of the accreditation workflow and of the providers' profile."""

from passnum.common.exceptions import Conflict, InvalidInput


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = "Cette étape de l'habilitation est impossible dans son état actuel."


class NotAProvider(InvalidInput):
    code = "not_a_provider"
    message = "Seule une structure de médiation numérique peut être habilitée."


class IncompleteProfile(InvalidInput):
    code = "incomplete_profile"
    message = "Le profil de la structure est incomplet."


class InvalidBankDetails(InvalidInput):
    code = "invalid_bank_details"
    message = "Les coordonnées bancaires ne sont pas valides."
