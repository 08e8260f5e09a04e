from passnum.common.exceptions import Conflict, InvalidInput


class NotPending(Conflict):
    code = "not_pending"
    message = "Cette orientation n'est plus en attente : elle a déjà été traitée."


class AlreadyHasCheckbook(Conflict):
    code = "already_has_checkbook"
    message = (
        "Cette personne a déjà un chéquier en cours avec des pass non utilisés, ou a atteint le "
        "nombre de chéquiers permis par le programme."
    )


class AlreadyPending(Conflict):
    code = "already_pending"
    message = "Cette personne a déjà une orientation en attente d'instruction."


class PossibleDuplicate(Conflict):
    """People with the same names and birth date exist: pick one or confirm a new person."""

    code = "possible_duplicate"
    message = (
        "Une personne avec les mêmes nom, prénom et date de naissance existe déjà : "
        "choisissez-la ou confirmez qu'il s'agit d'une autre personne."
    )


class PublicInconsistentWithAge(InvalidInput):
    code = "public_inconsistent_with_age"


class ProgrammeClosed(Conflict):
    code = "programme_closed"
    message = "Le programme n'est pas ouvert à cette date : aucune prescription n'est possible."


class NothingToRemind(Conflict):
    code = "nothing_to_remind"
    message = (
        "Il n'y a rien à rappeler : ce chéquier n'a plus de pass utilisable (tous utilisés, ou "
        "fin de validité passée)."
    )


class AlreadyRemindedToday(Conflict):
    code = "already_reminded_today"
    message = (
        "Cette personne a déjà été relancée aujourd'hui pour ce chéquier : une relance par jour "
        "au plus."
    )
