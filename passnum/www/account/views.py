"""« Mon compte »: change one's password, see and revoke one's API tokens (any signed-in user,
with or without an active membership)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from passnum.accounts import services
from passnum.accounts.selectors import live_tokens_of

from ..shared.errors import or_404
from .forms import ChangePasswordForm


def changed_message(revoked: int) -> str:
    message = "Votre mot de passe a été modifié."
    if revoked == 1:
        return (
            f"{message} Votre jeton d'API a été révoqué : le logiciel qui l'utilisait doit en "
            "demander un nouveau."
        )
    if revoked > 1:
        return (
            f"{message} {revoked} jetons d'API ont été révoqués : les logiciels qui les "
            "utilisaient doivent en demander de nouveaux."
        )
    return message


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request):
    form = ChangePasswordForm(request, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            revoked = live_tokens_of(request.user).count()
            user = form.save()  # revokes the user's API tokens (``User.save``)
        update_session_auth_hash(request, user)  # this session stays, the others end
        messages.success(request, changed_message(revoked))
        return redirect("www:account")
    return render(
        request,
        "www/account/account.html",
        {"title": "Mon compte", "form": form, "tokens": list(live_tokens_of(request.user))},
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    or_404(services.revoke_token, request.user, token_id)
    messages.success(
        request,
        "Le jeton d'API a été révoqué : le logiciel qui l'utilisait doit en demander un nouveau.",
    )
    return redirect("www:account")
