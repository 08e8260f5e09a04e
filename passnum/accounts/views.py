from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render

from passnum.common.clients import client_ip

from .exceptions import TooManyResetRequests
from .throttling import reset_email_allowed


class PasswordResetView(auth_views.PasswordResetView):
    """Django's « mot de passe oublié », with its emails limited per address (over it, nothing
    is sent and the page answers as usual) and per client (over it, a 429 page)."""

    def form_valid(self, form):
        try:
            allowed = reset_email_allowed(form.cleaned_data["email"], client_ip(self.request))
        except TooManyResetRequests as exc:
            return render(
                self.request,
                "registration/password_reset_throttled.html",
                {"title": "Demandes trop nombreuses", "message": exc.message},
                status=429,
            )
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
