from ninja.security import HttpBearer

from passnum.accounts.services import actor_for_token


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.actor``."""

    def authenticate(self, request, token):
        actor = actor_for_token(token)
        if actor is not None:
            request.actor = actor
        return actor
