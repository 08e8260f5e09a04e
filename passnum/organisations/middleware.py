from .actor import Actor
from .exceptions import NoActiveMembership
from .selectors import current_membership

SESSION_KEY = "passnum_membership_id"


def actor_for_request(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    try:
        membership = current_membership(user, request.session.get(SESSION_KEY))
    except NoActiveMembership:
        return None
    return Actor(membership)


class CurrentMembershipMiddleware:
    """Sets ``request.actor``: the user acting through the membership chosen in the session
    (``None`` for an anonymous visitor or a user with no active membership)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = actor_for_request(request)
        return self.get_response(request)
