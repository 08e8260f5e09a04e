from django.http import JsonResponse
from django.shortcuts import render

from .exceptions import TooManyAttempts


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers once a login is locked out: JSON for the API, a page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": TooManyAttempts.message, "code": TooManyAttempts.code}, status=429
        )
    return render(
        request,
        "registration/locked_out.html",
        {"title": "Connexion temporairement bloquée", "message": TooManyAttempts.message},
        status=429,
    )
