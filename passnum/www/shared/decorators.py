from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from passnum.common.exceptions import NotAllowed


def actor_required(view):
    """Logged in and acting through an active membership; otherwise say why. A ``NotAllowed``
    raised by the domain becomes the 403 page, with its French message."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.actor is None:
            return render(
                request,
                "www/no_membership.html",
                {"title": "Aucune structure active"},
                status=403,
            )
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper
