from passnum.common.exceptions import Conflict, NotFound


class MembershipNotFound(NotFound):
    code = "membership_not_found"
    message = "Vous n'êtes pas membre actif de cette structure."


class LastAdmin(Conflict):
    code = "last_admin"
    message = (
        "Une structure garde au moins un administrateur actif : nommez-en un autre avant "
        "de retirer celui-ci."
    )


class AlreadyMember(Conflict):
    code = "already_member"
    message = "Cette personne est déjà membre active de la structure."


class NoActiveMembership(NotFound):
    code = "no_active_membership"
    message = "Votre compte n'est rattaché à aucune structure active."
