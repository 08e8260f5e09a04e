from collections.abc import Callable

from ninja.security import HttpBearer


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.actor``.

    ``resolve`` turns a token into the actor it acts for (``None`` when unknown, expired or
    revoked); the API's assembly gives it, so that this kit knows no domain.
    """

    def __init__(self, resolve: Callable[[str], object | None]):
        super().__init__()
        self.resolve = resolve

    def authenticate(self, request, token):
        actor = self.resolve(token)
        if actor is not None:
            request.actor = actor
        return actor
