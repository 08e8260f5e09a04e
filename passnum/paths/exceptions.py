"""Errors of the training paths and of their offers."""

from passnum.common.exceptions import Conflict, InvalidInput


class PathInactive(InvalidInput):
    code = "path_inactive"
    message = "Ce parcours n'est plus proposé."


class PlaceDoesNotCover(InvalidInput):
    code = "services_not_covered"
    message = "Ce lieu ne propose pas tous les services du parcours."


class AlreadyOffered(Conflict):
    code = "already_offered"
    message = "Ce lieu propose déjà ce parcours."


class NotOffered(Conflict):
    code = "not_offered"
    message = "Ce lieu ne propose pas ce parcours."
